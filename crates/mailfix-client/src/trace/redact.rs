//! What a trace never shows: the `Authorization` header, client secrets and assertions, access,
//! refresh and ID tokens, device codes (replaced by `[redacted]`, and any JWT left anywhere);
//! and, unless the user asks for them, phone numbers and personal email addresses (masked: the
//! country code, the last two digits, the first letter and the domain stay).

use serde_json::Value;

/// What replaces a secret.
pub(crate) const REDACTED: &str = "[redacted]";

/// Headers whose values are secrets.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// Form fields and JSON keys whose values are secrets.
const SECRET_KEYS: &[&str] = &[
    "client_secret",
    "client_assertion",
    "assertion",
    "access_token",
    "refresh_token",
    "id_token",
    "device_code",
    "code",
    "password",
    "secretText",
];

/// JSON keys that hold phone numbers.
const PHONE_KEYS: &[&str] = &["phoneNumber", "mobilePhone", "businessPhones", "faxNumber"];
/// JSON keys that hold personal (non-work) email addresses.
const EMAIL_KEYS: &[&str] = &["emailAddress", "otherMails"];

/// How personal data is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Personal {
    /// Masked (the default).
    Masked,
    /// Kept as sent (`--trace-unmasked`).
    Unmasked,
}

/// A header value as the trace shows it.
pub(crate) fn header(name: &str, value: &str) -> String {
    if SECRET_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)) {
        return REDACTED.to_owned();
    }
    scrub_jwts(value)
}

/// A body as the trace shows it: JSON and forms field by field, other text with JWTs removed.
pub(crate) fn body(text: &str, content_type: &str, personal: Personal) -> String {
    if content_type.contains("x-www-form-urlencoded") {
        return form(text);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(mut json) => {
            walk(&mut json, None, personal);
            json.to_string()
        }
        Err(_) => {
            let text = scrub_jwts(text);
            match personal {
                Personal::Masked => mask_phone_runs(&text),
                Personal::Unmasked => text,
            }
        }
    }
}

fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

fn form(text: &str) -> String {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| {
            let v = if is_secret_key(&k) {
                REDACTED.to_owned()
            } else {
                scrub_jwts(&v)
            };
            (k.into_owned(), v)
        })
        .collect();
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Redacts and masks a JSON value in place; `key` is the name it sits under.
fn walk(value: &mut Value, key: Option<&str>, personal: Personal) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                walk(v, Some(k), personal);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| walk(v, key, personal)),
        Value::String(s) => *s = string(s, key, personal),
        _ => {}
    }
}

fn string(s: &str, key: Option<&str>, personal: Personal) -> String {
    let key = key.unwrap_or_default();
    if is_secret_key(key) {
        return REDACTED.to_owned();
    }
    let s = scrub_jwts(s);
    if personal == Personal::Unmasked {
        return s;
    }
    if PHONE_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
        mask_phone(&s)
    } else if EMAIL_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
        mask_email(&s)
    } else {
        mask_phone_runs(&s)
    }
}

/// `+61 412345678` → `+61 *******78`: the country code and the last two digits stay.
pub fn mask_phone(phone: &str) -> String {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let country = phone
        .strip_prefix('+')
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).count())
        .filter(|_| phone.contains(' '))
        .unwrap_or(0);
    let mut seen = 0;
    phone
        .chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            seen += 1;
            if seen <= country || seen > digits.saturating_sub(2) {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// `kim.lee@example.org` → `k***@example.org`.
pub fn mask_email(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

/// Masks phone numbers inside free text: a `+` followed by at least seven digits (spaces and
/// dashes between them allowed).
fn mask_phone_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '+' {
            let end = chars[i + 1..]
                .iter()
                .position(|c| !(c.is_ascii_digit() || *c == ' ' || *c == '-'))
                .map_or(chars.len(), |p| i + 1 + p);
            let run: String = chars[i..end].iter().collect();
            let trimmed = run.trim_end();
            if trimmed.chars().filter(char::is_ascii_digit).count() >= 7 {
                out.push_str(&mask_phone(trimmed));
                out.push_str(&run[trimmed.len()..]);
                i = end;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Replaces anything shaped like a JWT (`eyJ…`.`…`.`…`) with `[redacted]`.
pub(crate) fn scrub_jwts(text: &str) -> String {
    if !text.contains("eyJ") {
        return text.to_owned();
    }
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("eyJ") {
        out.push_str(&rest[..start]);
        let candidate = &rest[start..];
        let end = candidate
            .find(|c: char| !(is_b64(c) || c == '.'))
            .unwrap_or(candidate.len());
        let token = &candidate[..end];
        if token.split('.').count() >= 3 {
            out.push_str(REDACTED);
        } else {
            out.push_str(token);
        }
        rest = &candidate[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_forms_json_headers_and_text() {
        let f = form("grant_type=client_credentials&client_id=abc&client_secret=s3cret%2B&scope=x");
        assert!(f.contains("client_id=abc") && !f.contains("s3cret"), "{f}");
        assert!(f.contains("client_secret=%5Bredacted%5D"), "{f}");
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
        let json = format!(r#"{{"access_token":"{jwt}","refresh_token":"r1","expires_in":3599}}"#);
        let b = body(&json, "application/json", Personal::Unmasked);
        assert!(
            !b.contains(jwt) && !b.contains("r1") && b.contains("3599"),
            "{b}"
        );
        assert_eq!(header("Authorization", "Bearer x"), REDACTED);
        let text = body(
            &format!("token {jwt} end"),
            "text/plain",
            Personal::Unmasked,
        );
        assert_eq!(text, "token [redacted] end");
    }

    #[test]
    fn phones_and_personal_emails_are_masked_unless_asked() {
        let json = r#"{"phoneNumber":"+61 412345678","phoneType":"mobile","emailAddress":"kim@example.org","mail":"kim@contoso.com"}"#;
        let masked = body(json, "application/json", Personal::Masked);
        assert!(masked.contains("+61 *******78"), "{masked}");
        assert!(masked.contains("k***@example.org"), "{masked}");
        assert!(masked.contains("kim@contoso.com"), "{masked}");
        let plain = body(json, "application/json", Personal::Unmasked);
        assert!(plain.contains("+61 412345678") && plain.contains("kim@example.org"));
        assert_eq!(
            mask_phone_runs("Invalid phone number +1 2065550123."),
            "Invalid phone number +1 ********23."
        );
        assert_eq!(mask_phone("+1 5555551234x123"), "+1 **********x*23");
    }
}
