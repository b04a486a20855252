//! The virtual clock: admin only, forward only, persisted, and what it decides:
//! a client secret past its end date no longer gets tokens (AADSTS7000222).

use aksemu_testkit::Server;
use serde_json::{Value, json};

use crate::principals::{create_sp, graph_token};
use crate::{bin, install_crypto};

async fn token_status(s: &Server, app_id: &str, secret: &str) -> (u16, Value) {
    let r = s
        .client
        .post(s.url(&format!("/{}/oauth2/v2.0/token", s.tenant_id)))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", app_id),
            ("client_secret", secret),
            ("scope", "https://management.core.windows.net//.default"),
        ])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn clock_moves_secret_expiry() {
    install_crypto();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let s = Server::start_in(bin(), &dir, None).await.unwrap();
    let admin = s.admin_token().await.unwrap();
    let clock = |m: reqwest::Method, body: Option<Value>, token: String| {
        let mut r = s
            .client
            .request(m, s.url("/aksemu/admin/clock"))
            .bearer_auth(token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        async move {
            let resp = r.send().await.unwrap();
            (
                resp.status().as_u16(),
                resp.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };

    // A secret valid for one year, on the cloud's clock.
    let sp = create_sp(&s, "expiring").await;
    let g = graph_token(&s).await;
    let apps: Value = s
        .client
        .get(s.url(&format!(
            "/v1.0/applications?$filter=appId eq '{}'",
            sp.app_id
        )))
        .bearer_auth(&g)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let app_object = apps["value"][0]["id"].as_str().unwrap().to_string();
    let (_, now) = clock(reqwest::Method::GET, None, admin.clone()).await;
    let now = time::OffsetDateTime::parse(
        now["now"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let end = now + time::Duration::days(365);
    let pw: Value = s
        .client
        .post(s.url(&format!("/v1.0/applications/{app_object}/addPassword")))
        .bearer_auth(&g)
        .json(&json!({"passwordCredential": {"endDateTime": aksemu_core::clock::rfc3339(end)}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let year_secret = pw["secretText"].as_str().unwrap().to_string();
    assert_eq!(token_status(&s, &sp.app_id, &year_secret).await.0, 200);

    // Only the administrator moves the clock, and only forward.
    let other = crate::principals::arm_token(&s, &sp).await;
    assert_eq!(clock(reqwest::Method::GET, None, other).await.0, 403);
    let (st, _) = clock(
        reqwest::Method::POST,
        Some(json!({"set": "2001-01-01T00:00:00Z"})),
        admin.clone(),
    )
    .await;
    assert_eq!(st, 400);
    // The CLI, as a user runs it.
    let out = std::process::Command::new(bin())
        .args(["clock", "advance", "366d", "--data-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("offset: {} s", 366 * 86_400)));
    // Not back either, even to a time after real time.
    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (st, body) = clock(
        reqwest::Method::POST,
        Some(json!({"set": tomorrow})),
        admin.clone(),
    )
    .await;
    assert_eq!(st, 400, "the clock is a year ahead already: {body}");

    let (st, b) = token_status(&s, &sp.app_id, &year_secret).await;
    assert_eq!(
        (st, b["error_codes"][0].as_i64()),
        (401, Some(7000222)),
        "{b}"
    );
    assert!(
        b["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS7000222")
    );
    // The two-year secret and the administrator's (no end date) still work.
    assert_eq!(token_status(&s, &sp.app_id, &sp.secret).await.0, 200);
    assert!(s.admin_token().await.is_ok());

    // A secret made now, with dates from the client's (real) clock, is valid for
    // the span asked for: its dates move with the cloud's clock.
    let real_end = time::OffsetDateTime::now_utc() + time::Duration::days(365);
    let pw: Value = s
        .client
        .post(s.url(&format!("/v1.0/applications/{app_object}/addPassword")))
        .bearer_auth(&g)
        .json(
            &json!({"passwordCredential": {"endDateTime": aksemu_core::clock::rfc3339(real_end)}}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        token_status(&s, &sp.app_id, pw["secretText"].as_str().unwrap())
            .await
            .0,
        200
    );

    // The clock survives a restart.
    s.stop().await.unwrap();
    let s = Server::start_in(bin(), &dir, None).await.unwrap();
    let admin = s.admin_token().await.unwrap();
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
    assert_eq!(v["offsetSeconds"].as_i64(), Some(366 * 86_400));
    assert_eq!(token_status(&s, &sp.app_id, &year_secret).await.0, 401);
}
