//! A failed ARM call as the Azure SDK for Go prints it (`azcore.ResponseError`):
//! cloud-provider-azure and the disk CSI driver put that text in their events,
//! so `kubectl describe` shows what AKS users see.

use serde_json::Value;

const RULE: &str =
    "--------------------------------------------------------------------------------";

/// The reason phrase of the statuses ARM answers with.
fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        412 => "Precondition Failed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Error",
    }
}

/// `GET https://management.azure.com/<path>` and the response block.
pub fn response_error(method: &str, path: &str, status: u16, body: &Value) -> String {
    let code = body["error"]["code"].as_str().unwrap_or("Unknown");
    let pretty = serde_json::to_string_pretty(body).unwrap_or_default();
    format!(
        "{method} https://management.azure.com{path}\n{RULE}\nRESPONSE {status}: {status} {}\nERROR CODE: {code}\n{RULE}\n{pretty}\n{RULE}\n",
        reason(status)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prints_like_azcore() {
        let body = json!({"error": {"code": "AuthorizationFailed", "message": "no"}});
        let text = response_error("GET", "/subscriptions/s", 403, &body);
        assert!(text.starts_with("GET https://management.azure.com/subscriptions/s\n---"));
        assert!(text.contains("RESPONSE 403: 403 Forbidden\nERROR CODE: AuthorizationFailed\n"));
        assert!(text.contains("{\n  \"error\": {\n    \"code\": \"AuthorizationFailed\""));
    }
}
