use prost::encoding::{WireType, encode_key, encode_varint};
use serde_json::json;

use super::{ProtoError, decode};

/// Protobuf message builder on top of prost's wire primitives.
#[derive(Default, Clone)]
struct Pb(Vec<u8>);

impl Pb {
    fn new() -> Self {
        Self::default()
    }

    fn str(mut self, tag: u32, value: &str) -> Self {
        prost::encoding::string::encode(tag, &value.to_owned(), &mut self.0);
        self
    }

    fn bytes(mut self, tag: u32, value: &[u8]) -> Self {
        prost::encoding::bytes::encode(tag, &value.to_vec(), &mut self.0);
        self
    }

    fn int(mut self, tag: u32, value: i64) -> Self {
        prost::encoding::int64::encode(tag, &value, &mut self.0);
        self
    }

    fn msg(mut self, tag: u32, inner: Pb) -> Self {
        encode_key(tag, WireType::LengthDelimited, &mut self.0);
        encode_varint(inner.0.len() as u64, &mut self.0);
        self.0.extend_from_slice(&inner.0);
        self
    }

    /// A `map<string, string>` entry.
    fn entry(self, tag: u32, key: &str, value: &str) -> Self {
        self.msg(tag, Pb::new().str(1, key).str(2, value))
    }

    fn raw(mut self, bytes: &[u8]) -> Self {
        self.0.extend_from_slice(bytes);
        self
    }
}

/// ObjectMeta as Go's marshaller writes it: every non-pointer field, zero or not, and an
/// empty creationTimestamp.
fn meta(name: &str, namespace: &str) -> Pb {
    Pb::new()
        .str(1, name)
        .str(2, "")
        .str(3, namespace)
        .str(4, "")
        .str(5, "")
        .str(6, "")
        .int(7, 0)
        .msg(8, Pb::new())
}

fn envelope(api_version: &str, kind: &str, raw: Pb) -> Vec<u8> {
    let unknown = Pb::new()
        .msg(1, Pb::new().str(1, api_version).str(2, kind))
        .bytes(2, &raw.0)
        .str(3, "")
        .str(4, "");
    [b"k8s\0".as_slice(), &unknown.0].concat()
}

fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

fn invalid(body: &[u8]) -> String {
    match decode(body) {
        Err(ProtoError::Invalid(msg)) => msg,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn namespace_drops_empty_creation_timestamp_and_zero_scalars() {
    let raw = Pb::new()
        .msg(1, meta("demo", ""))
        .msg(2, Pb::new())
        .msg(3, Pb::new().str(1, ""));
    let got = decode(&envelope("v1", "Namespace", raw)).unwrap();
    let want = json!({"apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "demo"}, "spec": {}, "status": {}});
    assert_eq!(got, want);
}

#[test]
fn service_account() {
    let raw = Pb::new().msg(1, meta("app", "demo"));
    let got = decode(&envelope("v1", "ServiceAccount", raw)).unwrap();
    let want = json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "app", "namespace": "demo"}});
    assert_eq!(got, want);
}

#[test]
fn config_map_with_data_and_binary_data() {
    let raw = Pb::new()
        .msg(1, meta("cfg", "demo"))
        .entry(2, "a", "1")
        .entry(2, "b", "two")
        .msg(3, Pb::new().str(1, "blob").bytes(2, &[0, 1, 0xff]));
    let got = decode(&envelope("v1", "ConfigMap", raw)).unwrap();
    assert_eq!(got["data"], json!({"a": "1", "b": "two"}));
    assert_eq!(got["binaryData"], json!({"blob": "AAH/"}));
}

#[test]
fn secret_data_is_base64_and_type_kept() {
    let raw = Pb::new()
        .msg(1, meta("s1", "demo"))
        .msg(2, Pb::new().str(1, "password").bytes(2, b"hunter2"))
        .str(3, "Opaque")
        .entry(4, "plain", "text");
    let got = decode(&envelope("v1", "Secret", raw)).unwrap();
    let want = json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "s1", "namespace": "demo"},
        "data": {"password": "aHVudGVyMg=="}, "type": "Opaque",
        "stringData": {"plain": "text"}});
    assert_eq!(got, want);
}

fn labels(pb: Pb) -> Pb {
    pb.entry(11, "app", "web")
}

#[test]
fn deployment_from_create_deployment() {
    // kubectl create deployment web --image=nginx --replicas=2 --port=80
    let port = Pb::new()
        .str(1, "")
        .int(2, 0)
        .int(3, 80)
        .str(4, "")
        .str(5, "");
    let container = Pb::new()
        .str(1, "nginx")
        .str(2, "nginx")
        .msg(6, port)
        .msg(8, Pb::new())
        .str(14, "IfNotPresent");
    let template = Pb::new()
        .msg(1, labels(meta("", "")))
        .msg(2, Pb::new().msg(2, container).str(3, "Always"));
    let spec = Pb::new()
        .int(1, 2)
        .msg(2, Pb::new().entry(1, "app", "web"))
        .msg(3, template)
        .msg(4, Pb::new().str(1, ""))
        .int(5, 0);
    let raw = Pb::new()
        .msg(1, labels(meta("web", "demo")))
        .msg(2, spec)
        .msg(3, Pb::new());
    let got = decode(&envelope("apps/v1", "Deployment", raw)).unwrap();
    let want = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "demo", "labels": {"app": "web"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
            "strategy": {},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"restartPolicy": "Always", "containers": [{"name": "nginx",
                    "image": "nginx", "ports": [{"containerPort": 80}], "resources": {},
                    "imagePullPolicy": "IfNotPresent"}]}}},
        "status": {}});
    assert_eq!(got, want);
}

#[test]
fn pointer_zero_is_kept_and_int_or_string_decoded() {
    let rolling = Pb::new()
        .msg(1, Pb::new().int(1, 1).str(3, "25%"))
        .msg(2, Pb::new().int(1, 0).int(2, 1));
    let spec = Pb::new()
        .int(1, 0)
        .msg(4, Pb::new().str(1, "RollingUpdate").msg(2, rolling));
    let raw = Pb::new().msg(1, meta("web", "demo")).msg(2, spec);
    let got = decode(&envelope("apps/v1", "Deployment", raw)).unwrap();
    assert_eq!(got["spec"]["replicas"], json!(0));
    let want = json!({"type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 1}});
    assert_eq!(got["spec"]["strategy"], want);
}

#[test]
fn token_request() {
    let bound = Pb::new()
        .str(1, "Pod")
        .str(2, "v1")
        .str(3, "p1")
        .str(4, "1234");
    let spec = Pb::new()
        .str(1, "api")
        .str(1, "vault")
        .msg(3, bound)
        .int(4, 600);
    let raw = Pb::new()
        .msg(1, meta("", ""))
        .msg(2, spec)
        .msg(3, Pb::new().str(1, "").msg(2, Pb::new()));
    let got = decode(&envelope("authentication.k8s.io/v1", "TokenRequest", raw)).unwrap();
    let want = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
        "metadata": {},
        "spec": {"audiences": ["api", "vault"], "expirationSeconds": 600,
            "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "p1", "uid": "1234"}},
        "status": {"token": ""}});
    assert_eq!(got, want);
}

#[test]
fn self_subject_access_review() {
    let attrs = Pb::new()
        .str(1, "demo")
        .str(2, "get")
        .str(3, "")
        .str(4, "")
        .str(5, "pods")
        .str(6, "log")
        .str(7, "");
    let raw = Pb::new()
        .msg(1, meta("", ""))
        .msg(2, Pb::new().msg(1, attrs))
        .msg(3, Pb::new().int(1, 0).int(4, 0).str(2, "").str(3, ""));
    let got = decode(&envelope(
        "authorization.k8s.io/v1",
        "SelfSubjectAccessReview",
        raw,
    ));
    let want = json!({"apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview", "metadata": {},
        "spec": {"resourceAttributes": {"namespace": "demo", "verb": "get",
            "resource": "pods", "subresource": "log"}},
        "status": {"allowed": false}});
    assert_eq!(got.unwrap(), want);
}

#[test]
fn self_subject_review() {
    let raw = Pb::new()
        .msg(1, meta("", ""))
        .msg(2, Pb::new().msg(1, Pb::new()));
    let got = decode(&envelope(
        "authentication.k8s.io/v1",
        "SelfSubjectReview",
        raw,
    ))
    .unwrap();
    let want = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview",
        "metadata": {}, "status": {"userInfo": {}}});
    assert_eq!(got, want);
}

#[test]
fn timestamps_labels_owner_refs_and_finalizers() {
    let owner = Pb::new()
        .str(5, "apps/v1")
        .str(1, "ReplicaSet")
        .str(3, "rs")
        .str(4, "u1")
        .int(6, 1);
    let metadata = meta("p", "demo")
        .msg(9, Pb::new().int(1, 1_767_323_045).int(2, 5))
        .entry(12, "note", "x")
        .msg(13, owner)
        .str(14, "example.com/f");
    let got = decode(&envelope("v1", "Pod", Pb::new().msg(1, metadata))).unwrap();
    let want = json!({"name": "p", "namespace": "demo",
        "deletionTimestamp": "2026-01-02T03:04:05Z", "annotations": {"note": "x"},
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs",
            "uid": "u1", "controller": true}],
        "finalizers": ["example.com/f"]});
    assert_eq!(got["metadata"], want);
}

#[test]
fn inline_struct_lands_in_parent_object() {
    // Volume embeds VolumeSource with json:",inline"; protobuf nests it as field 2.
    let volume = Pb::new().str(1, "cfg").msg(
        2,
        Pb::new().msg(19, Pb::new().msg(1, Pb::new().str(1, "settings"))),
    );
    let raw = Pb::new().msg(2, Pb::new().msg(1, volume));
    let got = decode(&envelope("v1", "Pod", raw)).unwrap();
    let want = json!([{"name": "cfg", "configMap": {"name": "settings"}}]);
    assert_eq!(got["spec"]["volumes"], want);
}

#[test]
fn unknown_fields_of_every_wire_type_are_skipped() {
    let mut junk = Pb::new().int(90, 7).str(91, "x");
    encode_key(92, WireType::SixtyFourBit, &mut junk.0);
    junk.0.extend_from_slice(&[0; 8]);
    encode_key(93, WireType::ThirtyTwoBit, &mut junk.0);
    junk.0.extend_from_slice(&[0; 4]);
    encode_key(94, WireType::StartGroup, &mut junk.0);
    junk = junk.int(1, 1).str(2, "nested");
    encode_key(94, WireType::EndGroup, &mut junk.0);
    let raw = Pb::new()
        .raw(&junk.0)
        .msg(1, meta("app", "demo").raw(&junk.0));
    let got = decode(&envelope("v1", "ServiceAccount", raw)).unwrap();
    assert_eq!(got["metadata"], json!({"name": "app", "namespace": "demo"}));
}

#[test]
fn packed_repeated_and_negative_int32() {
    // PodSecurityContext.supplementalGroups (4, repeated int64), runAsUser (2, pointer).
    let mut groups = Vec::new();
    encode_varint(1, &mut groups);
    encode_varint(2000, &mut groups);
    let security = Pb::new().int(2, 0).bytes(4, &groups);
    let spec = Pb::new().msg(14, security).int(4, -30);
    let got = decode(&envelope("v1", "Pod", Pb::new().msg(2, spec))).unwrap();
    let want = json!({"securityContext": {"runAsUser": 0, "supplementalGroups": [1, 2000]},
        "terminationGracePeriodSeconds": -30});
    assert_eq!(got["spec"], want);
}

#[test]
fn real_kubectl_namespace_body() {
    let body = hex(
        "6b3873000a0f0a02763112094e616d657370616365121c0a140a0464656d6f12001a0022002a003200380042
        0012001a020a001a002200",
    );
    let want = json!({"apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "demo"}, "spec": {}, "status": {}});
    assert_eq!(decode(&body).unwrap(), want);
}

/// Captured from `kubectl` 1.32 `create deployment web --image=nginx --replicas=2 --port=80`.
const KUBECTL_DEPLOYMENT: &str =
    "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412bc010a230a0377656212001a0464656d
    6f22002a003200380042005a0a0a0361707012037765621286010802120c0a0a0a0361707012037765621a6c
    0a1c0a0012001a0022002a003200380042005a0a0a036170701203776562124c122e0a056e67696e7812056e
    67696e782a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a00
    52005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a00
    2200";

#[test]
fn real_kubectl_deployment_body() {
    let got = decode(&hex(KUBECTL_DEPLOYMENT)).unwrap();
    let want = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"labels": {"app": "web"}, "name": "web", "namespace": "demo"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "strategy": {},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"image": "nginx", "name": "nginx",
                    "ports": [{"containerPort": 80}], "resources": {}}]}}},
        "status": {}});
    assert_eq!(got, want);
}

#[test]
fn real_kubectl_nodeport_service_body() {
    let body = hex(
        "6b3873000a0d0a027631120753657276696365126e0a210a026e7012001a0464656d6f22002a003200380042
        005a090a0361707012026e7012450a200a0738302d6874747012035443501850220a080110001a0468747470
        2880eb0112090a0361707012026e701a0022084e6f6465506f72743a00420052005a00600068001a020a001a
        002200",
    );
    let got = decode(&body).unwrap();
    let want = json!({"ports": [{"name": "80-http", "nodePort": 30080, "port": 80,
            "protocol": "TCP", "targetPort": "http"}],
        "selector": {"app": "np"}, "type": "NodePort"});
    assert_eq!(got["spec"], want);
    assert_eq!(got["status"], json!({"loadBalancer": {}}));
}

#[test]
fn real_kubectl_token_request_body() {
    let body = hex(
        "6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e5265717565
        7374123e0a100a0012001a0022002a0032003800420012240a036170690a057661756c741a130a03506f6412
        0276311a02703122043132333420d8041a040a0012001a002200",
    );
    let got = decode(&body).unwrap();
    let want = json!({"audiences": ["api", "vault"], "expirationSeconds": 600,
        "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "p1", "uid": "1234"}});
    assert_eq!(got["spec"], want);
}

#[test]
fn missing_magic_is_invalid() {
    let body = envelope("v1", "Namespace", Pb::new());
    assert!(invalid(&body[4..]).contains("magic"));
    assert!(invalid(b"").contains("magic"));
    assert!(invalid(b"{\"kind\":\"Namespace\"}").contains("magic"));
}

#[test]
fn truncated_varint_is_invalid() {
    let mut body = b"k8s\0".to_vec();
    body.extend_from_slice(&[0x0a, 0x80]);
    invalid(&body);
    let raw = Pb::new().raw(&[0x38, 0xff, 0xff]); // field 7, varint cut short
    invalid(&envelope("v1", "Namespace", Pb::new().msg(1, raw)));
}

#[test]
fn length_past_the_end_is_invalid() {
    let mut body = b"k8s\0".to_vec();
    body.extend_from_slice(&[0x12, 0x05, 0x0a]);
    assert!(invalid(&body).contains("past the end"));
    let raw = Pb::new().raw(&[0x0a, 0x7f, 0x0a, 0x01]);
    assert!(invalid(&envelope("v1", "Namespace", raw)).contains("past the end"));
}

#[test]
fn wrong_wire_type_for_a_known_field_is_invalid() {
    let raw = Pb::new().msg(1, Pb::new().int(1, 5));
    let msg = invalid(&envelope("v1", "Namespace", raw));
    assert!(msg.contains("ObjectMeta.name"), "{msg}");
}

#[test]
fn unknown_kind_is_unsupported() {
    let body = envelope("example.com/v1", "Widget", Pb::new());
    match decode(&body) {
        Err(e @ ProtoError::UnsupportedKind(_)) => assert!(e.to_string().contains("Widget")),
        other => panic!("expected UnsupportedKind, got {other:?}"),
    }
    // Same kind, other version: field numbers may differ, so it is refused too.
    let body = envelope("batch/v1beta1", "CronJob", Pb::new());
    assert!(matches!(decode(&body), Err(ProtoError::UnsupportedKind(_))));
}

#[test]
fn envelope_problems_are_invalid() {
    invalid(&envelope("v1", "", Pb::new()));
    let mut body = b"k8s\0".to_vec();
    body.extend(
        Pb::new()
            .msg(1, Pb::new().str(1, "v1").str(2, "Namespace"))
            .str(3, "gzip")
            .0,
    );
    assert!(invalid(&body).contains("gzip"));
}

#[test]
fn hostile_nesting_errors_out() {
    let mut groups = Vec::new();
    for _ in 0..10_000 {
        encode_key(99, WireType::StartGroup, &mut groups);
    }
    let raw = Pb::new().raw(&groups);
    assert!(invalid(&envelope("v1", "Namespace", raw)).contains("deeper"));
    let raw = Pb::new().msg(1, Pb::new().raw(&groups));
    assert!(invalid(&envelope("v1", "Namespace", raw)).contains("deeper"));
}

#[test]
fn deep_nesting_inside_an_unknown_field_is_skipped_whole() {
    let mut nested = Pb::new();
    for _ in 0..500 {
        nested = Pb::new().msg(1, nested);
    }
    let raw = Pb::new().msg(99, nested).msg(1, meta("demo", ""));
    let got = decode(&envelope("v1", "Namespace", raw)).unwrap();
    assert_eq!(got["metadata"], json!({"name": "demo"}));
}

/// Small deterministic generator, so the fuzz loop needs no extra dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_and_mangled_bodies_never_panic() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let seed = hex(KUBECTL_DEPLOYMENT);
    let mut decoded = 0;
    for round in 0..6000 {
        let body: Vec<u8> = match round % 3 {
            // Pure noise behind the magic, so the envelope parser sees it.
            0 => {
                let len = (rng.next() % 96) as usize;
                let noise = (0..len).map(|_| rng.next() as u8);
                b"k8s\0".iter().copied().chain(noise).collect()
            }
            // A real body cut short anywhere.
            1 => seed[..(rng.next() as usize % seed.len())].to_vec(),
            // A real body with a few bytes flipped, reaching the typed decoder.
            _ => {
                let mut body = seed.clone();
                for _ in 0..=(rng.next() % 4) {
                    let at = 4 + rng.next() as usize % (body.len() - 4);
                    body[at] ^= rng.next() as u8 | 1;
                }
                body
            }
        };
        if decode(&body).is_ok() {
            decoded += 1;
        }
    }
    // Some mangled bodies still decode (a flipped byte inside a string); most must not.
    assert!(decoded > 0 && decoded < 6000, "{decoded}");
}
