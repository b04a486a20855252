//! `api-version` query parameter: `YYYY-MM-DD[-suffix]`.

use crate::error::ArmError;

/// A syntactically valid ARM api-version. aksemu accepts any version of the right
/// shape for every resource type (clients pin many different ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiVersion(String);

const SUFFIXES: &[&str] = &["preview", "alpha", "beta", "rc", "privatepreview"];

/// `YYYY-MM-DD` names a day of the calendar (no month 13, no February 30).
fn real_date(date: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(date, &format).is_ok()
}

impl ApiVersion {
    pub fn parse(raw: Option<&str>) -> Result<Self, ArmError> {
        let raw = raw.ok_or(ArmError::MissingApiVersionParameter)?;
        if raw.is_empty() {
            return Err(ArmError::MissingApiVersionParameter);
        }
        let cut = raw.len().min(10);
        if !raw.is_char_boundary(cut) {
            return Err(ArmError::InvalidApiVersionParameter(raw.to_string()));
        }
        let (date, rest) = raw.split_at(cut);
        let suffix = match rest {
            "" => None,
            r => match r.strip_prefix('-') {
                Some(s) => Some(s),
                None => return Err(ArmError::InvalidApiVersionParameter(raw.to_string())),
            },
        };
        let bytes = date.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        let suffix_ok = suffix.is_none_or(|s| SUFFIXES.contains(&s.to_ascii_lowercase().as_str()));
        if !shape_ok || !suffix_ok || !real_date(date) {
            return Err(ArmError::InvalidApiVersionParameter(raw.to_string()));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_days_that_do_not_exist() {
        for v in ["2022-13-45", "2023-02-30", "2024-00-10"] {
            assert!(ApiVersion::parse(Some(v)).is_err(), "{v}");
        }
    }

    #[test]
    fn accepts_dates_and_preview_suffixes() {
        for v in ["2024-11-01", "2025-05-31-preview", "2022-05-01-PREVIEW"] {
            assert!(ApiVersion::parse(Some(v)).is_ok(), "{v}");
        }
    }

    #[test]
    fn rejects_missing_and_malformed() {
        assert!(matches!(
            ApiVersion::parse(None),
            Err(ArmError::MissingApiVersionParameter)
        ));
        for v in [
            "2024",
            "2024-1-01",
            "latest",
            "2024-11-01-foo",
            "2024-11-0x",
            "2024-11-0é",
        ] {
            assert!(
                matches!(
                    ApiVersion::parse(Some(v)),
                    Err(ArmError::InvalidApiVersionParameter(_))
                ),
                "{v}"
            );
        }
    }
}
