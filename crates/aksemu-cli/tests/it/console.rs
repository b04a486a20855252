//! The console's security, over HTTPS against the real binary: sessions only
//! through a one-time link (administrator only) or real credentials, the
//! cookie's flags, CSRF and origin checks on the clock, the strict CSP, and
//! `aksemu explain`'s API.

use aksemu_testkit::{Server, TestStore};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, LOCATION, SET_COOKIE};
use serde_json::{Value, json};

use crate::principals::{arm_token, create_sp, graph_token};
use crate::{bin, install_crypto};

/// A browser-like client that does not follow redirects (the test reads them).
fn browser(s: &Server) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(s.ca_pem.as_bytes()).unwrap()])
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The CSRF token a console page carries in its forms.
fn csrf_of(html: &str) -> &str {
    let after = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .expect("a form with a CSRF token");
    after.split('"').next().unwrap_or_default()
}

/// A console page with a session cookie.
async fn get(b: &reqwest::Client, s: &Server, path: &str, cookie: &str) -> reqwest::Response {
    b.get(s.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

async fn link(s: &Server, token: &str, who: Option<&str>) -> (StatusCode, Value) {
    let r = s
        .client
        .post(s.url("/aksemu/admin/console/links"))
        .bearer_auth(token)
        .json(&json!({ "as": who }))
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// Follows a sign-in link: the session cookie (`name=value`) it sets.
async fn sign_in(s: &Server, b: &reqwest::Client, url: &str) -> Option<String> {
    let path = &url[url.find("/console/").unwrap()..];
    let r = b.get(s.url(path)).send().await.unwrap();
    if r.status() != StatusCode::SEE_OTHER {
        return None;
    }
    let cookie = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    for flag in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(cookie.starts_with("__Host-aksemu-console="));
    assert_eq!(r.headers()[LOCATION], "/console/");
    Some(cookie.split(';').next().unwrap().to_string())
}

async fn clock_offset(s: &Server, admin: &str) -> i64 {
    let v: Value = s
        .client
        .get(s.url("/aksemu/admin/clock"))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["offsetSeconds"].as_i64().unwrap()
}

#[tokio::test]
async fn console_sessions_cookies_csrf_and_csp() {
    install_crypto();
    let s = Server::start(bin(), &TestStore::Sqlite).await.unwrap();
    let b = browser(&s);
    let admin = s.admin_token().await.unwrap();

    // No session: the sign-in page, with the policy.
    let r = b.get(s.url("/console/decisions")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let csp = r.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"));

    // Only the administrator makes links; a link works once.
    let sp = create_sp(&s, "console-bot").await;
    let bot = arm_token(&s, &sp).await;
    let (status, body) = link(&s, &bot, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "AuthorizationFailed");
    let (status, made) = link(&s, &admin, None).await;
    assert_eq!(status, StatusCode::OK);
    let url = made["url"].as_str().unwrap();
    let cookie = sign_in(&s, &b, url).await.expect("a session");
    assert!(sign_in(&s, &b, url).await.is_none(), "a link is used once");
    let (_, unknown) = link(&s, &admin, Some("nobody-at-all")).await;
    assert_eq!(unknown["error"]["code"], "InvalidRequestContent");

    // The clock moves only with the session's CSRF token, from our origin.
    let page = get(&b, &s, "/console/clock", &cookie).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let csrf = csrf_of(&html);
    let post = |form: Vec<(&'static str, String)>, origin: String| {
        b.post(s.url("/console/clock"))
            .header("cookie", &cookie)
            .header("origin", origin)
            .form(&form)
            .send()
    };
    let ours = s.base.clone();
    let secs = ("advanceSeconds", "600".to_string());
    let r = post(vec![secs.clone()], ours.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no token");
    let r = post(vec![secs.clone(), ("csrf", "wrong".into())], ours.clone())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "wrong token");
    let evil = "https://evil.example".to_string();
    let r = post(vec![secs.clone(), ("csrf", csrf.into())], evil)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "another site");
    assert_eq!(clock_offset(&s, &admin).await, 0);
    let r = post(vec![secs, ("csrf", csrf.into())], ours).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(clock_offset(&s, &admin).await >= 600);

    // Credentials sign in too; wrong ones do not.
    let login = |id: String, secret: String| {
        b.post(s.url("/console/login"))
            .header("origin", &s.base)
            .form(&[("client_id", id), ("client_secret", secret)])
            .send()
    };
    let no_origin = b
        .post(s.url("/console/login"))
        .form(&[
            ("client_id", sp.app_id.clone()),
            ("client_secret", sp.secret.clone()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        no_origin.status(),
        StatusCode::FORBIDDEN,
        "a sign-in must say where it comes from"
    );
    let r = login(sp.app_id.clone(), "not-the-secret".into())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = login(sp.app_id.clone(), sp.secret.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let bot_cookie = r.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let who = get(&b, &s, "/console/ask", &bot_cookie).await;
    assert!(who.text().await.unwrap().contains("console-bot"));

    // A user signs in with a password, as with `az login -u`.
    let g = graph_token(&s).await;
    let upn = "ada@aksemu.onmicrosoft.com";
    let user = json!({"accountEnabled": true, "displayName": "Ada", "mailNickname": "ada",
                      "userPrincipalName": upn, "passwordProfile": {"password": "Secret-123!"}});
    let made = s
        .client
        .post(s.url("/v1.0/users"))
        .bearer_auth(&g)
        .json(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), StatusCode::CREATED);
    let r = b
        .post(s.url("/console/login"))
        .header("origin", &s.base)
        .form(&[("username", upn), ("password", "Secret-123!")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let ada = r.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let rg = format!(
        "/subscriptions/{}/resourceGroups/rg-console?api-version=2024-11-01",
        s.subscription_id
    );
    let put = s
        .client
        .put(s.url(&rg))
        .bearer_auth(&admin)
        .json(&json!({"location": "westus2"}))
        .send();
    assert!(put.await.unwrap().status().is_success());
    let graph = get(&b, &s, "/console/", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        graph.contains(">rg-console<"),
        "the administrator sees the group"
    );
    let html = get(&b, &s, "/console/", &ada).await.text().await.unwrap();
    assert!(
        html.contains("Ada") && !html.contains("rg-console"),
        "a user without roles does not"
    );

    // Ada may ask about herself, not about others (nor learn who exists).
    let scope = rg.split('?').next().unwrap().to_string();
    let ask = |who: &str| {
        let q = format!("/console/ask?principal={who}&action=x%2Fread&scope={scope}");
        let (b, s, ada) = (&b, &s, &ada);
        async move { get(b, s, &q, ada).await.text().await.unwrap() }
    };
    assert!(ask("Ada").await.contains("id=\"ask-answer\""));
    let other = ask("console-bot").await;
    assert!(other.contains("you may ask about yourself") && !other.contains(&sp.object_id));

    // Sign-out needs the CSRF token; without it nothing changes.
    let out = |form: Vec<(&'static str, String)>| {
        b.post(s.url("/console/signout"))
            .header("cookie", &ada)
            .header("origin", &s.base)
            .form(&form)
            .send()
    };
    assert_eq!(out(vec![]).await.unwrap().status(), StatusCode::FORBIDDEN);
    let page = get(&b, &s, "/console/ask", &ada).await;
    let page = page.text().await.unwrap();
    let token = csrf_of(&page);
    let signed_out = out(vec![("csrf", token.to_string())]).await.unwrap();
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    let gone = get(&b, &s, "/console/ask", &ada).await;
    assert_eq!(gone.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn explain_answers_with_the_evaluator_and_the_fix() {
    install_crypto();
    let s = Server::start(bin(), &TestStore::Sqlite).await.unwrap();
    let admin = s.admin_token().await.unwrap();
    let sp = create_sp(&s, "explain-bot").await;
    let rg = format!("/subscriptions/{}/resourceGroups/rg", s.subscription_id);
    let ask = |who: String| {
        s.client
            .post(s.url("/aksemu/admin/explain"))
            .bearer_auth(&admin)
            .json(&json!({"principal": who, "action": "Microsoft.Network/loadBalancers/write", "scope": rg}))
            .send()
    };
    let v: Value = ask("explain-bot".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["allowed"], false);
    assert_eq!(v["principalId"], sp.object_id.as_str());
    assert_eq!(
        v["explanation"][0]["reason"],
        "the caller has no role assignments"
    );
    assert_eq!(v["grant"]["roleDefinitionName"], "Network Contributor");
    let v: Value = ask(s.client_id.clone())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["allowed"], true, "the administrator is Owner: {v}");
    let bot = arm_token(&s, &sp).await;
    let r = s
        .client
        .post(s.url("/aksemu/admin/explain"))
        .bearer_auth(&bot)
        .json(&json!({"principal": "explain-bot", "action": "x", "scope": rg}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_clock_page_shows_an_operation_until_it_is_due() {
    install_crypto();
    let extra = ["--aks-operation-time", "10m"];
    let s = Server::start_with(bin(), &TestStore::Sqlite, &extra)
        .await
        .unwrap();
    let b = browser(&s);
    let admin = s.admin_token().await.unwrap();
    let sub = format!("/subscriptions/{}", s.subscription_id);
    let put = |path: String, body: Value| {
        let r = s
            .client
            .put(s.url(&path))
            .bearer_auth(&admin)
            .json(&body)
            .send();
        async move { r.await.unwrap().status() }
    };
    let rg = format!("{sub}/resourceGroups/rg?api-version=2024-11-01");
    assert!(put(rg, json!({"location": "westus2"})).await.is_success());
    let cluster = format!(
        "{sub}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1?api-version=2024-05-01"
    );
    let body = json!({"location": "westus2", "identity": {"type": "SystemAssigned"},
        "properties": {"dnsPrefix": "c1", "agentPoolProfiles": [
            {"name": "nodepool1", "count": 1, "vmSize": "Standard_DS2_v2", "mode": "System"}]}});
    assert_eq!(put(cluster, body).await, StatusCode::CREATED);
    let (_, made) = link(&s, &admin, None).await;
    let cookie = sign_in(&s, &b, made["url"].as_str().unwrap())
        .await
        .unwrap();
    let clock = || async {
        get(&b, &s, "/console/clock", &cookie)
            .await
            .text()
            .await
            .unwrap()
    };
    let page = clock().await;
    assert!(
        page.contains("in 10 min</span> operation <b>reconcileCluster</b>"),
        "{page}"
    );
    let csrf = csrf_of(&page);
    let moved = b
        .post(s.url("/console/clock"))
        .header("cookie", &cookie)
        .header("origin", &s.base)
        .form(&[("csrf", csrf), ("advanceSeconds", "660")])
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::SEE_OTHER);
    let due = "the operation finishes once it is due";
    aksemu_testkit::wait_until(std::time::Duration::from_secs(10), due, || async {
        (!clock().await.contains("reconcileCluster")).then_some(())
    })
    .await;
}
