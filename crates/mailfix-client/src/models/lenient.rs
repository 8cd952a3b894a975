//! Lenient decoding: a service that sends `null` where a list (or other defaulted value) is
//! expected — Exchange's `@adminapi.warnings`, a report's `methodsRegistered` — must not fail the
//! page it is on.

use serde::{Deserialize, Deserializer};

/// Reads `null` as the type's default (an empty list, `false`, ...).
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Page {
        #[serde(default, deserialize_with = "null_as_default")]
        warnings: Vec<String>,
    }

    #[test]
    fn null_and_absent_read_as_empty() {
        let null: Page = serde_json::from_str(r#"{"warnings": null}"#).unwrap();
        assert!(null.warnings.is_empty());
        let absent: Page = serde_json::from_str("{}").unwrap();
        assert!(absent.warnings.is_empty());
        let some: Page = serde_json::from_str(r#"{"warnings": ["w"]}"#).unwrap();
        assert_eq!(some.warnings, ["w"]);
    }
}
