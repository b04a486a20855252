//! The names cloud-provider-azure gives what it makes for a Service, and the
//! annotations it reads (`pkg/consts/consts.go`).

use serde_json::Value;

pub const FINALIZER: &str = "service.kubernetes.io/load-balancer-cleanup";
pub const RESOURCE_GROUP: &str = "service.beta.kubernetes.io/azure-load-balancer-resource-group";
pub const PIP_NAME: &str = "service.beta.kubernetes.io/azure-pip-name";
pub const IPV4: &str = "service.beta.kubernetes.io/azure-load-balancer-ipv4";
pub const INTERNAL: &str = "service.beta.kubernetes.io/azure-load-balancer-internal";
/// The load balancer AKS's cloud provider uses (its cluster name), and its
/// backend pool.
pub const CLUSTER_LB: &str = "kubernetes";

/// `a` + the Service's uid without dashes, cut to 32 characters
/// (`cloudprovider.DefaultLoadBalancerName`): the frontend's name, and the
/// prefix of its rules and probes.
pub fn base_name(svc: &Value) -> String {
    let uid: String = svc["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .chars()
        .filter(|c| *c != '-')
        .collect();
    let mut name = format!("a{uid}");
    name.truncate(32);
    name
}

pub fn annotation<'a>(svc: &'a Value, key: &str) -> Option<&'a str> {
    svc["metadata"]["annotations"][key]
        .as_str()
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

pub fn internal(svc: &Value) -> bool {
    annotation(svc, INTERNAL).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The load balancer a Service's frontend lives on.
pub fn lb_name(svc: &Value) -> String {
    if internal(svc) {
        format!("{CLUSTER_LB}-internal")
    } else {
        CLUSTER_LB.to_string()
    }
}

/// The address the Service asks for (the annotation, else `spec.loadBalancerIP`).
pub fn requested_ip(svc: &Value) -> Option<&str> {
    annotation(svc, IPV4).or_else(|| {
        svc["spec"]["loadBalancerIP"]
            .as_str()
            .map(str::trim)
            .filter(|v| !v.is_empty())
    })
}

/// `<namespace>/<name>`.
pub fn service_key(svc: &Value) -> String {
    format!(
        "{}/{}",
        svc["metadata"]["namespace"].as_str().unwrap_or_default(),
        svc["metadata"]["name"].as_str().unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base_name_is_a_and_the_uid_cut_to_32() {
        let svc = json!({"metadata": {"uid": "8f2c1a3e-1111-2222-3333-444455556666"}});
        assert_eq!(base_name(&svc), "a8f2c1a3e11112222333344445555666");
        assert_eq!(base_name(&svc).len(), 32);
    }
}
