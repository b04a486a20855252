//! The request and response as the ARM and Graph layers see them: plain data, no
//! HTTP crate.

use std::collections::HashMap;

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Put,
    Patch,
    Post,
    Delete,
    Other,
}

impl Method {
    pub fn parse(m: &str) -> Self {
        match m {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "POST" => Method::Post,
            "DELETE" => Method::Delete,
            _ => Method::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Other => "OTHER",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ArmRequest {
    pub method: Method,
    /// Path with `//` already collapsed.
    pub path: String,
    /// Decoded query parameters (last value wins).
    pub query: HashMap<String, String>,
    pub if_match: Option<String>,
    pub if_none_match: Option<String>,
    pub body: Vec<u8>,
    /// `https://host:port` as the client addressed us, for absolute URLs in
    /// `Location` / `Azure-AsyncOperation`.
    pub base_url: String,
}

impl ArmRequest {
    pub fn api_version(&self) -> Option<&str> {
        self.query.get("api-version").map(String::as_str)
    }

    /// Whether the client addressed Azure's public name (through the
    /// interception proxy) rather than this server's loopback address: URLs
    /// handed back then use public names too.
    pub fn via_public_name(&self) -> bool {
        is_public_base(&self.base_url)
    }
}

/// `https://host[:port]` naming something other than a loopback address.
pub fn is_public_base(base_url: &str) -> bool {
    let rest = base_url
        .strip_prefix("https://")
        .or_else(|| base_url.strip_prefix("http://"))
        .unwrap_or(base_url);
    let host = match rest.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => rest.split(':').next().unwrap_or_default(),
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    !host.is_empty() && !loopback
}

#[cfg(test)]
mod public_base_tests {
    use super::is_public_base;

    #[test]
    fn loopback_names_are_not_public() {
        for b in [
            "https://localhost:8443",
            "https://127.0.0.1:1",
            "https://[::1]:8443",
        ] {
            assert!(!is_public_base(b), "{b}");
        }
        assert!(is_public_base("https://management.azure.com"));
        assert!(is_public_base("https://management.azure.com:443"));
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArmResponse {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Value>,
    /// A body that is JSON text already (a stored document read as is).
    pub raw_body: Option<String>,
}

impl ArmResponse {
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Some(body),
            raw_body: None,
        }
    }

    /// A JSON response whose body is already JSON text.
    pub fn raw_json(status: u16, body: String) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: None,
            raw_body: Some(body),
        }
    }

    pub fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: None,
            raw_body: None,
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}
