//! Duplicate fields of a JSON body (`{"replicas": 1, "replicas": 2}`): a
//! JSON parser keeps the last one silently, kube-apiserver's strict decoder
//! reports each (`duplicate field "spec.replicas"`) for `fieldValidation`.
//! Keys are borrowed from the body and paths only written out for a
//! duplicate: this runs on every write.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// One step of the path to where the walk is.
#[derive(Clone)]
enum Seg<'de> {
    Key(Cow<'de, str>),
    Index(usize),
}

struct Walk<'a, 'de> {
    path: &'a mut Vec<Seg<'de>>,
    out: &'a mut Vec<String>,
}

fn render(path: &[Seg<'_>]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

impl<'de> DeserializeSeed<'de> for Walk<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Objects are small: a list, until one is not.
        let mut few: Vec<Cow<'de, str>> = Vec::new();
        let mut many: Option<std::collections::HashSet<Cow<'de, str>>> = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let repeated = match &many {
                Some(set) => set.contains(&key),
                None => few.contains(&key),
            };
            self.path.push(Seg::Key(key.clone()));
            if repeated {
                self.out.push(render(self.path));
            } else if let Some(set) = many.as_mut() {
                set.insert(key);
            } else {
                few.push(key);
                if few.len() > 16 {
                    many = Some(few.drain(..).collect());
                }
            }
            map.next_value_seed(Walk {
                path: &mut *self.path,
                out: &mut *self.out,
            })?;
            self.path.pop();
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        loop {
            self.path.push(Seg::Index(i));
            let more = seq
                .next_element_seed(Walk {
                    path: &mut *self.path,
                    out: &mut *self.out,
                })?
                .is_some();
            self.path.pop();
            if !more {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_borrowed_str<E>(self, _: &'de str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// The paths of the fields a JSON text sets more than once (none when it is
/// not JSON: the decoder reports that).
pub fn duplicate_fields(text: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(text);
    let walked = Walk {
        path: &mut path,
        out: &mut out,
    }
    .deserialize(&mut de);
    if walked.is_err() {
        return Vec::new();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_repeat() {
        let t =
            br#"{"spec": {"replicas": 1, "replicas": 2, "c": [{"n": 1, "n": 2}]}, "kind": "x"}"#;
        assert_eq!(duplicate_fields(t), ["spec.replicas", "spec.c[0].n"]);
        assert!(duplicate_fields(b"{\"a\": 1}").is_empty());
        assert!(duplicate_fields(b"not json").is_empty());
        let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\": 1")).collect();
        let text = format!("{{{}, \"k7\": 2}}", many.join(", "));
        assert_eq!(duplicate_fields(text.as_bytes()), ["k7"]);
    }
}
