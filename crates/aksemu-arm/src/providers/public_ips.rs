//! Public IP addresses as Azure fills them: a Standard SKU unless another is
//! asked for, static allocation with Standard, IPv4, a 4-minute idle timeout,
//! and an address. Addresses come from 198.18.0.0/15 (RFC 2544, set aside for
//! test networks, so no real host is ever named): a hash of the resource id
//! picks one, so an address is stable for the life of the resource and the
//! same on every replica.

use aksemu_core::{ArmError, ResourceId};
use serde_json::{Value, json};

/// The address of public IP `id`.
pub fn address_for(id: &ResourceId) -> String {
    // FNV-1a over the normalised key: small, stable across builds and replicas.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.key().as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let n = (h % (1 << 17)) as u32;
    let host = match n & 0xff {
        0 => 1,
        255 => 254,
        x => x,
    };
    format!("198.{}.{}.{host}", 18 + (n >> 16), (n >> 8) & 0xff)
}

/// Fills what Azure fills on a public IP (the `Shape` of its PUT).
pub fn shape(id: &ResourceId, body: &mut Value) -> Result<(), ArmError> {
    if body["sku"].is_null() {
        body["sku"] = json!({"name": "Standard", "tier": "Regional"});
    }
    let standard = body["sku"]["name"]
        .as_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("Standard"));
    let props = &mut body["properties"];
    let method = match props["publicIPAllocationMethod"].as_str() {
        Some(m) if m.eq_ignore_ascii_case("Dynamic") && standard => {
            return Err(ArmError::BadRequest(
                "Standard sku publicIp must have AllocationMethod set to Static.".into(),
            ));
        }
        Some(m) if m.eq_ignore_ascii_case("Dynamic") => "Dynamic",
        Some(m) if m.eq_ignore_ascii_case("Static") => "Static",
        None if standard => "Static",
        None => "Dynamic",
        Some(other) => {
            return Err(ArmError::InvalidRequestContent(format!(
                "'{other}' is not a valid publicIPAllocationMethod (Static, Dynamic)."
            )));
        }
    };
    props["publicIPAllocationMethod"] = json!(method);
    if props["publicIPAddressVersion"].is_null() {
        props["publicIPAddressVersion"] = json!("IPv4");
    }
    if props["idleTimeoutInMinutes"].is_null() {
        props["idleTimeoutInMinutes"] = json!(4);
    }
    match method {
        // A dynamic address is given when the IP is associated; none here.
        "Static" => props["ipAddress"] = json!(address_for(id)),
        _ => {
            if let Some(p) = props.as_object_mut() {
                p.remove("ipAddress");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_stable_and_in_the_test_range() {
        let id = ResourceId::parse(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/ip",
        )
        .unwrap();
        let again = ResourceId::parse(
            "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/publicIPAddresses/IP",
        )
        .unwrap();
        let a = address_for(&id);
        assert_eq!(a, address_for(&again));
        let octets: Vec<u32> = a.split('.').map(|o| o.parse().unwrap()).collect();
        assert_eq!(octets[0], 198);
        assert!(octets[1] == 18 || octets[1] == 19);
        assert!((1..=254).contains(&octets[3]));
    }

    #[test]
    fn standard_is_static_and_gets_an_address() {
        let id = ResourceId::parse(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/ip",
        )
        .unwrap();
        let mut body = json!({"properties": {}});
        shape(&id, &mut body).unwrap();
        assert_eq!(body["properties"]["publicIPAllocationMethod"], "Static");
        assert_eq!(body["properties"]["ipAddress"], address_for(&id).as_str());
        let mut dynamic = json!({"sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Dynamic"}});
        assert!(shape(&id, &mut dynamic).is_err());
    }
}
