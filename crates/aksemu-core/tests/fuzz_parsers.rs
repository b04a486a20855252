//! Property-based fuzzing of the parsers every request meets first: resource
//! ids and scopes, api-versions, OData filters. Any input: no panic, and the
//! normalised key is stable. `PROPTEST_CASES` sets the number of cases (the
//! test command keeps the default; `scripts/fuzz-long.sh` runs many more).

use aksemu_core::odata;
use aksemu_core::{ApiVersion, ResourceId};
use proptest::prelude::*;

/// Paths built from ARM-like pieces, odd characters and escapes.
fn arm_path() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("subscriptions".to_string()),
        Just("resourceGroups".to_string()),
        Just("providers".to_string()),
        Just("Microsoft.Authorization".to_string()),
        Just("roleAssignments".to_string()),
        Just("..".to_string()),
        Just(".".to_string()),
        Just("%2F".to_string()),
        Just("\u{212A}".to_string()),
        "[a-zA-Z0-9_.()\\-]{0,12}",
        "\\PC{0,8}",
    ];
    prop::collection::vec(piece, 0..10).prop_map(|p| format!("/{}", p.join("/")))
}

proptest! {
    #[test]
    fn resource_ids_parse_without_panic(raw in prop_oneof![arm_path(), "\\PC{0,64}"]) {
        if let Ok(id) = ResourceId::parse(&raw) {
            let again = ResourceId::parse(id.as_str()).expect("an id parses again");
            prop_assert_eq!(again.key(), id.key());
            let _ = (id.subscription_id(), id.resource_group_name(), id.segments());
        }
    }

    #[test]
    fn api_versions_parse_without_panic(raw in "\\PC{0,24}") {
        let _ = ApiVersion::parse(Some(&raw));
    }

    #[test]
    fn odata_filters_parse_without_panic(raw in prop_oneof![
        "\\PC{0,48}",
        "(principalId|roleName|appId|displayName) eq '[^']{0,10}'('[^']{0,4}')?",
        "startswith\\([a-zA-Z]{0,8},'[^']{0,6}'?\\)?",
    ]) {
        let _ = odata::parse(&raw);
        let _ = odata::literal(&raw);
    }
}
