//! Directory objects in Graph's JSON shape.

use aksemu_identity::{Application, PasswordCredential, ServicePrincipal};
use serde_json::{Value, json};
use time::OffsetDateTime;

pub fn date(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    aksemu_core::clock::rfc3339(t)
}

pub fn password(c: &PasswordCredential, secret_text: Option<&str>) -> Value {
    json!({
        "customKeyIdentifier": null,
        "displayName": c.display_name,
        "endDateTime": c.end_date_time.map(date),
        "hint": c.hint,
        "keyId": c.key_id,
        "secretText": secret_text,
        "startDateTime": date(c.start_date_time),
    })
}

pub fn application(app: &Application) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.application",
        "id": app.id,
        "appId": app.app_id,
        "displayName": app.display_name,
        "publisherDomain": "aksemu.onmicrosoft.com",
        "signInAudience": "AzureADMyOrg",
        "identifierUris": [],
        "keyCredentials": [],
        "passwordCredentials": app.password_credentials.iter().map(|c| password(c, None)).collect::<Vec<_>>(),
        "requiredResourceAccess": [],
        "tags": [],
    })
}

pub fn service_principal(sp: &ServicePrincipal) -> Value {
    let alternative_names: Vec<&str> = if sp.service_principal_type == "ManagedIdentity" {
        sp.service_principal_names
            .iter()
            .skip(1)
            .map(String::as_str)
            .collect()
    } else {
        Vec::new()
    };
    json!({
        "@odata.type": "#microsoft.graph.servicePrincipal",
        "id": sp.id,
        "appId": sp.app_id,
        "displayName": sp.display_name,
        "accountEnabled": sp.account_enabled,
        "appOwnerOrganizationId": sp.tenant_id,
        "servicePrincipalType": sp.service_principal_type,
        "servicePrincipalNames": sp.service_principal_names,
        "alternativeNames": alternative_names,
        "appRoles": [],
        "oauth2PermissionScopes": [],
        "tags": [],
    })
}

pub fn list(base: &str, entity_set: &str, value: Vec<Value>) -> Value {
    json!({"@odata.context": format!("{base}/v1.0/$metadata#{entity_set}"), "value": value})
}

pub fn entity(base: &str, entity_set: &str, mut v: Value) -> Value {
    v["@odata.context"] = json!(format!("{base}/v1.0/$metadata#{entity_set}/$entity"));
    v
}

pub fn user(u: &aksemu_identity::User) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.user",
        "id": u.id,
        "userPrincipalName": u.user_principal_name,
        "displayName": u.display_name,
        "mailNickname": u.mail_nickname,
        "accountEnabled": u.account_enabled,
        "userType": "Member",
        "createdDateTime": u.created_date_time,
        "businessPhones": [],
        "givenName": null,
        "surname": null,
        "jobTitle": null,
        "mail": null,
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": null,
    })
}

pub fn group(g: &aksemu_identity::Group) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.group",
        "id": g.id,
        "displayName": g.display_name,
        "mailNickname": g.mail_nickname,
        "description": g.description,
        "securityEnabled": g.security_enabled,
        "mailEnabled": g.mail_enabled,
        "createdDateTime": g.created_date_time,
        "groupTypes": [],
        "mail": null,
        "visibility": null,
    })
}
