//! Decoder for Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`).
//!
//! kubectl ≥ 1.32 sends the bodies of its typed-client calls (`create namespace`,
//! `create deployment`, `create token`, `auth can-i`, …) as protobuf. The handlers work on
//! JSON, so [`decode`] turns such a body into the JSON object a JSON client would have sent.
//!
//! The body is the magic `k8s\0` followed by a `runtime.Unknown` envelope
//! `{1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType}` whose `raw`
//! is the typed message. The typed message is decoded by walking the descriptor tables in
//! [`schema`]; only wire-format primitives come from `prost`.

mod schema;

use base64::Engine as _;
use prost::encoding::{WireType, decode_key, decode_varint};
use serde_json::{Map, Value};

use schema::{Card, Field, Kind, Message};

pub const CONTENT_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// Prefix of every Kubernetes protobuf body; it tells it apart from a bare protobuf message.
const MAGIC: &[u8] = b"k8s\0";

/// Deepest nesting accepted. Real objects stay far below it (a Deployment's deepest path is
/// about a dozen levels); the bound stops hostile nesting (groups) from exhausting the stack.
const MAX_DEPTH: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum ProtoError {
    #[error("{0}")]
    Invalid(String),
    #[error("protobuf bodies of kind {0} are not supported; send JSON")]
    UnsupportedKind(String),
}

type Result<T> = std::result::Result<T, ProtoError>;

fn invalid(what: impl std::fmt::Display) -> ProtoError {
    ProtoError::Invalid(format!("invalid protobuf body: {what}"))
}

/// Decodes an envelope into the JSON object; Invalid for a missing magic, truncated/garbled
/// bytes; UnsupportedKind for a kind with no descriptor.
pub fn decode(body: &[u8]) -> Result<Value> {
    let rest = body
        .strip_prefix(MAGIC)
        .ok_or_else(|| invalid("missing the k8s\\0 magic prefix"))?;
    let env = Envelope::parse(rest)?;
    if !env.content_encoding.is_empty() {
        return Err(invalid(format_args!(
            "content encoding {:?} is not supported",
            env.content_encoding
        )));
    }
    if !env.content_type.is_empty() && env.content_type != CONTENT_TYPE {
        return Err(invalid(format_args!(
            "embedded content type {:?} is not supported",
            env.content_type
        )));
    }
    if env.kind.is_empty() {
        return Err(invalid("the envelope names no kind"));
    }
    let message = schema::lookup(&env.api_version, &env.kind).ok_or_else(|| {
        ProtoError::UnsupportedKind(format!("{} ({})", env.kind, env.api_version))
    })?;
    let mut object = Map::new();
    object.insert("apiVersion".into(), Value::String(env.api_version));
    object.insert("kind".into(), Value::String(env.kind));
    merge_message(env.raw, message, &mut object, 0)?;
    Ok(Value::Object(object))
}

/// The `runtime.Unknown` wrapper around the typed message.
#[derive(Default)]
struct Envelope<'a> {
    api_version: String,
    kind: String,
    raw: &'a [u8],
    content_encoding: String,
    content_type: String,
}

impl<'a> Envelope<'a> {
    fn parse(buf: &'a [u8]) -> Result<Self> {
        let mut env = Envelope::default();
        for_each_field(buf, 0, |tag, wire, buf| {
            match tag {
                1 => {
                    let meta = take_len(wire, buf)?;
                    for_each_field(meta, 1, |tag, wire, buf| {
                        match tag {
                            1 => env.api_version = take_string(wire, buf)?,
                            2 => env.kind = take_string(wire, buf)?,
                            _ => return Ok(false),
                        }
                        Ok(true)
                    })?;
                }
                2 => env.raw = take_len(wire, buf)?,
                3 => env.content_encoding = take_string(wire, buf)?,
                4 => env.content_type = take_string(wire, buf)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(env)
    }
}

/// Walks the fields of one message. `visit` consumes the value of a field it knows and returns
/// true; for false the value is skipped by wire type, so unknown fields never cause an error.
fn for_each_field<'a>(
    mut buf: &'a [u8],
    depth: usize,
    mut visit: impl FnMut(u32, WireType, &mut &'a [u8]) -> Result<bool>,
) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(invalid(format_args!(
            "nested deeper than {MAX_DEPTH} levels"
        )));
    }
    while !buf.is_empty() {
        let (tag, wire) = decode_key(&mut buf).map_err(invalid)?;
        if !visit(tag, wire, &mut buf)? {
            skip_value(tag, wire, &mut buf, depth)?;
        }
    }
    Ok(())
}

/// Decodes the fields of `message` into `out`. Taking the target map (rather than returning a
/// new one) gives protobuf's merge semantics for repeated occurrences and lets inline
/// (embedded) structs write into their parent's object.
fn merge_message(
    buf: &[u8],
    message: &'static Message,
    out: &mut Map<String, Value>,
    depth: usize,
) -> Result<()> {
    for_each_field(buf, depth, |tag, wire, buf| {
        let Some(field) = message.field(tag) else {
            return Ok(false);
        };
        // Name the innermost field only: outer levels see the marker and pass the error on.
        merge_field(field, wire, buf, out, depth).map_err(|e| match e {
            ProtoError::Invalid(msg) if !msg.contains(" in field ") => ProtoError::Invalid(
                format!("{msg} in field {}.{} ({tag})", message.name, field.json),
            ),
            other => other,
        })?;
        Ok(true)
    })
}

fn merge_field(
    field: &Field,
    wire: WireType,
    buf: &mut &[u8],
    out: &mut Map<String, Value>,
    depth: usize,
) -> Result<()> {
    let key = field.json;
    match (field.card, field.kind) {
        (Card::Map, kind) => {
            let (k, v) = decode_map_entry(take_len(wire, buf)?, kind, depth + 1)?;
            let mut map = take_object(out, key);
            map.insert(k, v);
            out.insert(key.into(), Value::Object(map));
        }
        (Card::Repeated, kind) if kind.is_varint() && wire == WireType::LengthDelimited => {
            // Packed encoding: accepted although Kubernetes' proto2 files never pack.
            let mut packed = take_len(wire, buf)?;
            let mut items = take_array(out, key);
            while !packed.is_empty() {
                items.push(varint_json(
                    kind,
                    decode_varint(&mut packed).map_err(invalid)?,
                ));
            }
            out.insert(key.into(), Value::Array(items));
        }
        (Card::Repeated, kind) => {
            let value = decode_value(kind, wire, buf, depth)?.unwrap_or(Value::Null);
            let mut items = take_array(out, key);
            items.push(value);
            out.insert(key.into(), Value::Array(items));
        }
        (Card::Single, Kind::Inline(message)) => {
            merge_message(take_len(wire, buf)?, message, out, depth + 1)?;
        }
        (Card::Single, Kind::Msg(message)) => {
            let mut object = take_object(out, key);
            merge_message(take_len(wire, buf)?, message, &mut object, depth + 1)?;
            out.insert(key.into(), Value::Object(object));
        }
        (Card::Single, kind) => match decode_value(kind, wire, buf, depth)? {
            // Later occurrences win, as in protobuf; a dropped zero also clears an earlier one.
            Some(v) if field.keep_zero || !kind.is_scalar() || !is_zero(&v) => {
                out.insert(key.into(), v);
            }
            _ => {
                out.remove(key);
            }
        },
    }
    Ok(())
}

/// Removes and returns the object at `key` (empty if absent), to be merged into and put back;
/// this avoids holding a borrow into `out` across the recursive decode.
fn take_object(out: &mut Map<String, Value>, key: &str) -> Map<String, Value> {
    match out.remove(key) {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

fn take_array(out: &mut Map<String, Value>, key: &str) -> Vec<Value> {
    match out.remove(key) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    }
}

fn is_zero(value: &Value) -> bool {
    match value {
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_i64() == Some(0),
        Value::Bool(b) => !b,
        _ => false,
    }
}

/// Decodes one value of `kind`. `None` means "absent": an empty meta.v1.Time, which Go reads
/// as the zero time and a JSON client sends as null (kubectl always sends an empty
/// `creationTimestamp`).
fn decode_value(
    kind: Kind,
    wire: WireType,
    buf: &mut &[u8],
    depth: usize,
) -> Result<Option<Value>> {
    let value = match kind {
        Kind::I32 | Kind::I64 | Kind::Bool => varint_json(kind, take_varint(wire, buf)?),
        Kind::Str => Value::String(take_string(wire, buf)?),
        Kind::Bytes => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(take_len(wire, buf)?))
        }
        Kind::Time => return decode_time(take_len(wire, buf)?, depth + 1),
        Kind::Quantity => decode_quantity(take_len(wire, buf)?, depth + 1)?,
        Kind::IntOrString => decode_int_or_string(take_len(wire, buf)?, depth + 1)?,
        Kind::FieldsV1 => decode_fields_v1(take_len(wire, buf)?, depth + 1)?,
        Kind::StringList => decode_string_list(take_len(wire, buf)?, depth + 1)?,
        Kind::Msg(message) | Kind::Inline(message) => {
            let mut object = Map::new();
            merge_message(take_len(wire, buf)?, message, &mut object, depth + 1)?;
            Value::Object(object)
        }
    };
    Ok(Some(value))
}

/// Converts a raw varint the way Go's generated code does: int32 keeps the low 32 bits
/// (negative int32s travel sign-extended to 64 bits), bool is any non-zero value.
fn varint_json(kind: Kind, raw: u64) -> Value {
    match kind {
        Kind::I32 => Value::from(raw as i32),
        Kind::Bool => Value::Bool(raw != 0),
        _ => Value::from(raw as i64),
    }
}

/// A map entry `{1 key, 2 value}`; either half may be missing and then takes its zero value.
fn decode_map_entry(buf: &[u8], kind: Kind, depth: usize) -> Result<(String, Value)> {
    let mut key = String::new();
    let mut value = None;
    for_each_field(buf, depth, |tag, wire, buf| {
        match tag {
            1 => key = take_string(wire, buf)?,
            2 => value = decode_value(kind, wire, buf, depth)?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok((key, value.unwrap_or_else(|| zero_value(kind))))
}

fn zero_value(kind: Kind) -> Value {
    match kind {
        Kind::Str | Kind::Bytes => Value::String(String::new()),
        Kind::I32 | Kind::I64 | Kind::IntOrString => Value::from(0),
        Kind::Bool => Value::Bool(false),
        Kind::Quantity => Value::String("0".into()),
        Kind::StringList => Value::Array(Vec::new()),
        Kind::Msg(_) | Kind::Inline(_) | Kind::FieldsV1 => Value::Object(Map::new()),
        Kind::Time => Value::Null,
    }
}

/// meta.v1.Time → `2026-01-02T03:04:05Z`. Go ignores `nanos` here too: the JSON form has
/// seconds precision, and upstream deliberately drops them so both encodings agree.
fn decode_time(buf: &[u8], depth: usize) -> Result<Option<Value>> {
    if buf.is_empty() {
        return Ok(None);
    }
    let mut seconds = 0i64;
    for_each_field(buf, depth, |tag, wire, buf| {
        if tag != 1 {
            return Ok(false);
        }
        seconds = take_varint(wire, buf)? as i64;
        Ok(true)
    })?;
    let format = time::format_description::well_known::Rfc3339;
    let text = time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .ok_or_else(|| invalid(format_args!("timestamp {seconds} is out of range")))?;
    Ok(Some(Value::String(text)))
}

/// resource.Quantity → its string. An empty message is Go's zero Quantity, which prints "0".
fn decode_quantity(buf: &[u8], depth: usize) -> Result<Value> {
    let mut text = String::from("0");
    for_each_field(buf, depth, |tag, wire, buf| {
        if tag != 1 {
            return Ok(false);
        }
        text = take_string(wire, buf)?;
        Ok(true)
    })?;
    Ok(Value::String(text))
}

/// intstr.IntOrString → a JSON string when `type` is 1 (String), else the number, as Go does.
fn decode_int_or_string(buf: &[u8], depth: usize) -> Result<Value> {
    let (mut kind, mut int_val, mut str_val) = (0u64, 0i32, String::new());
    for_each_field(buf, depth, |tag, wire, buf| {
        match tag {
            1 => kind = take_varint(wire, buf)?,
            2 => int_val = take_varint(wire, buf)? as i32,
            3 => str_val = take_string(wire, buf)?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(if kind == 1 {
        Value::String(str_val)
    } else {
        Value::from(int_val)
    })
}

/// meta.v1.FieldsV1 carries its JSON verbatim in field 1.
fn decode_fields_v1(buf: &[u8], depth: usize) -> Result<Value> {
    let mut value = Value::Object(Map::new());
    for_each_field(buf, depth, |tag, wire, buf| {
        if tag != 1 {
            return Ok(false);
        }
        value = serde_json::from_slice(take_len(wire, buf)?)
            .map_err(|e| invalid(format_args!("fieldsV1 is not JSON: {e}")))?;
        Ok(true)
    })?;
    Ok(value)
}

/// ExtraValue `{1 repeated string items}` is a plain `[]string` in JSON.
fn decode_string_list(buf: &[u8], depth: usize) -> Result<Value> {
    let mut items = Vec::new();
    for_each_field(buf, depth, |tag, wire, buf| {
        if tag != 1 {
            return Ok(false);
        }
        items.push(Value::String(take_string(wire, buf)?));
        Ok(true)
    })?;
    Ok(Value::Array(items))
}

/// Skips one field value of any wire type, including (obsolete) groups, which nest.
fn skip_value(tag: u32, wire: WireType, buf: &mut &[u8], depth: usize) -> Result<()> {
    match wire {
        WireType::Varint => {
            decode_varint(buf).map_err(invalid)?;
        }
        WireType::SixtyFourBit => advance(buf, 8)?,
        WireType::ThirtyTwoBit => advance(buf, 4)?,
        WireType::LengthDelimited => {
            take_len(wire, buf)?;
        }
        WireType::StartGroup => loop {
            if depth >= MAX_DEPTH {
                return Err(invalid(format_args!(
                    "nested deeper than {MAX_DEPTH} levels"
                )));
            }
            let (inner, inner_wire) = decode_key(buf).map_err(invalid)?;
            if inner_wire == WireType::EndGroup {
                if inner != tag {
                    return Err(invalid("mismatched end-group tag"));
                }
                break;
            }
            skip_value(inner, inner_wire, buf, depth + 1)?;
        },
        WireType::EndGroup => return Err(invalid("unexpected end-group tag")),
    }
    Ok(())
}

fn advance(buf: &mut &[u8], n: usize) -> Result<()> {
    let rest = buf
        .get(n..)
        .ok_or_else(|| invalid("fixed-width field runs past the end"))?;
    *buf = rest;
    Ok(())
}

/// Takes a length-delimited value, refusing lengths that run past the end of the buffer.
fn take_len<'a>(wire: WireType, buf: &mut &'a [u8]) -> Result<&'a [u8]> {
    if wire != WireType::LengthDelimited {
        return Err(wrong_wire(wire, WireType::LengthDelimited));
    }
    let len = decode_varint(buf).map_err(invalid)?;
    let (head, tail) = usize::try_from(len)
        .ok()
        .and_then(|len| buf.split_at_checked(len))
        .ok_or_else(|| invalid(format_args!("length {len} runs past the end")))?;
    *buf = tail;
    Ok(head)
}

fn take_string(wire: WireType, buf: &mut &[u8]) -> Result<String> {
    utf8(take_len(wire, buf)?)
}

fn take_varint(wire: WireType, buf: &mut &[u8]) -> Result<u64> {
    if wire != WireType::Varint {
        return Err(wrong_wire(wire, WireType::Varint));
    }
    decode_varint(buf).map_err(invalid)
}

fn utf8(bytes: &[u8]) -> Result<String> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| invalid("string is not valid UTF-8"))
}

fn wrong_wire(got: WireType, want: WireType) -> ProtoError {
    invalid(format_args!(
        "wire type {got:?} where {want:?} was expected"
    ))
}

#[cfg(test)]
mod tests;
