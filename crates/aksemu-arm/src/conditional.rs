//! HTTP conditional headers (`If-Match`, `If-None-Match`) per the ARM RPC, turned
//! into the store precondition for the write that follows.

use aksemu_core::ArmError;
use aksemu_store::Cond;

/// ETags travel quoted; the store keeps them bare.
pub fn quote(etag: &str) -> String {
    format!("\"{etag}\"")
}

fn bare(tag: &str) -> &str {
    tag.trim().trim_start_matches("W/").trim_matches('"')
}

/// `current`: the stored etag, `None` when the resource does not exist.
pub fn precondition(
    if_match: Option<&str>,
    if_none_match: Option<&str>,
    current: Option<&str>,
) -> Result<Cond, ArmError> {
    if let Some(inm) = if_none_match
        && inm.trim() == "*"
        && current.is_some()
    {
        return Err(ArmError::PreconditionFailed);
    }
    if let Some(im) = if_match {
        let ok = match current {
            None => false,
            Some(cur) => im.split(',').any(|t| t.trim() == "*" || bare(t) == cur),
        };
        if !ok {
            return Err(ArmError::PreconditionFailed);
        }
    }
    Ok(match current {
        Some(e) => Cond::Etag(e.to_string()),
        None => Cond::Absent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpc_rules() {
        assert!(precondition(Some("*"), None, None).is_err());
        assert!(precondition(Some("\"x\""), None, Some("y")).is_err());
        assert_eq!(
            precondition(Some("\"y\""), None, Some("y")),
            Ok(Cond::Etag("y".into()))
        );
        assert!(precondition(None, Some("*"), Some("y")).is_err());
        assert_eq!(precondition(None, Some("*"), None), Ok(Cond::Absent));
    }
}
