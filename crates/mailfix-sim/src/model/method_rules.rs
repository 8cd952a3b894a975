//! The rules of the authentication-methods API (docs/protocol.md §3): one phone per type, `mobile` before
//! `alternateMobile`, the `+{country} {number}[x{extension}]` format, fixed method ids, one email
//! method per user.

use super::methods::{EMAIL_METHOD_ID, EmailMethod, PhoneMethod, PhoneType};
use super::{Tenant, UserIdx};

/// Why a method change was refused (400 unless said otherwise).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MethodError {
    /// The number is not in Graph's format.
    #[error(
        "Invalid phone number '{0}'. Phone numbers must be in the format '+{{country code}} {{number}}x{{extension}}', with the extension optional."
    )]
    BadNumber(String),
    /// Unknown `phoneType`.
    #[error(
        "Invalid value '{0}' for phoneType. Valid values are mobile, alternateMobile and office."
    )]
    BadPhoneType(String),
    /// A phone of this type exists already.
    #[error("A phone method of type '{0}' already exists for this user.")]
    DuplicateType(&'static str),
    /// `alternateMobile` without a `mobile`.
    #[error(
        "A mobile phone method must exist before an alternateMobile phone method can be added."
    )]
    MobileRequired,
    /// The user has an email method already.
    #[error("The user already has an email authentication method.")]
    EmailExists,
    /// Not an email address.
    #[error("Invalid email address '{0}'.")]
    BadEmail(String),
    /// A PATCH tried to change the phone type.
    #[error("The phoneType of an existing phone method cannot be changed.")]
    TypeChange,
    /// No such method (404).
    #[error("The authentication method '{0}' was not found for this user.")]
    NotFound(String),
}

impl PhoneType {
    /// Parses Graph's spelling (case-insensitive).
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Mobile, Self::AlternateMobile, Self::Office]
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(text))
    }

    /// The phone type whose fixed method id this is.
    pub fn from_method_id(id: &str) -> Option<Self> {
        [Self::Mobile, Self::AlternateMobile, Self::Office]
            .into_iter()
            .find(|t| t.method_id().eq_ignore_ascii_case(id))
    }

    /// The `smsSignInState` a new phone of this type gets.
    pub fn initial_sms_state(self) -> &'static str {
        match self {
            Self::Mobile => "ready",
            Self::AlternateMobile | Self::Office => "notSupported",
        }
    }
}

/// Whether `number` matches `+{country code} {number}[x{extension}]`: a 1–3 digit country code, a
/// space, 4–14 digits, and optionally `x` and 1–10 digits.
pub fn valid_phone(number: &str) -> bool {
    let Some(rest) = number.strip_prefix('+') else {
        return false;
    };
    let Some((country, local)) = rest.split_once(' ') else {
        return false;
    };
    let (subscriber, extension) = match local.split_once('x') {
        Some((s, e)) => (s, Some(e)),
        None => (local, None),
    };
    let digits = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    digits(country, 1, 3)
        && !country.starts_with('0')
        && digits(subscriber, 4, 14)
        && extension.is_none_or(|e| digits(e, 1, 10))
}

/// A plausible email address: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn valid_email(address: &str) -> bool {
    address.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
    }) && !address.contains(char::is_whitespace)
}

impl Tenant {
    /// Adds a phone method.
    pub fn add_phone(
        &mut self,
        user: UserIdx,
        phone_type: PhoneType,
        number: &str,
    ) -> Result<PhoneMethod, MethodError> {
        if !valid_phone(number) {
            return Err(MethodError::BadNumber(number.to_owned()));
        }
        let methods = self.methods.entry(user).or_default();
        if methods.phones.iter().any(|p| p.phone_type == phone_type) {
            return Err(MethodError::DuplicateType(phone_type.as_str()));
        }
        let has_mobile = methods
            .phones
            .iter()
            .any(|p| p.phone_type == PhoneType::Mobile);
        if phone_type == PhoneType::AlternateMobile && !has_mobile {
            return Err(MethodError::MobileRequired);
        }
        let phone = PhoneMethod {
            phone_type,
            phone_number: number.to_owned(),
            sms_sign_in_state: phone_type.initial_sms_state().to_owned(),
        };
        methods.phones.push(phone.clone());
        methods.phones.sort_by_key(|p| p.phone_type);
        Ok(phone)
    }

    /// Changes a phone method's number.
    pub fn update_phone(
        &mut self,
        user: UserIdx,
        phone_type: PhoneType,
        number: &str,
    ) -> Result<(), MethodError> {
        if !valid_phone(number) {
            return Err(MethodError::BadNumber(number.to_owned()));
        }
        let phone = self
            .methods
            .get_mut(&user)
            .and_then(|m| m.phones.iter_mut().find(|p| p.phone_type == phone_type))
            .ok_or_else(|| MethodError::NotFound(phone_type.method_id().to_owned()))?;
        phone.phone_number = number.to_owned();
        Ok(())
    }

    /// Deletes a phone method.
    pub fn delete_phone(
        &mut self,
        user: UserIdx,
        phone_type: PhoneType,
    ) -> Result<(), MethodError> {
        let methods = self.methods.get_mut(&user);
        let removed = methods.is_some_and(|m| {
            let before = m.phones.len();
            m.phones.retain(|p| p.phone_type != phone_type);
            m.phones.len() != before
        });
        removed
            .then_some(())
            .ok_or_else(|| MethodError::NotFound(phone_type.method_id().to_owned()))
    }

    /// Adds the email method.
    pub fn add_email(&mut self, user: UserIdx, address: &str) -> Result<EmailMethod, MethodError> {
        if !valid_email(address) {
            return Err(MethodError::BadEmail(address.to_owned()));
        }
        let methods = self.methods.entry(user).or_default();
        if methods.email.is_some() {
            return Err(MethodError::EmailExists);
        }
        let email = EmailMethod {
            email_address: address.to_owned(),
        };
        methods.email = Some(email.clone());
        Ok(email)
    }

    /// Changes the email method's address.
    pub fn update_email(&mut self, user: UserIdx, address: &str) -> Result<(), MethodError> {
        if !valid_email(address) {
            return Err(MethodError::BadEmail(address.to_owned()));
        }
        let email = self
            .methods
            .get_mut(&user)
            .and_then(|m| m.email.as_mut())
            .ok_or_else(|| MethodError::NotFound(EMAIL_METHOD_ID.to_owned()))?;
        email.email_address = address.to_owned();
        Ok(())
    }

    /// Deletes the email method.
    pub fn delete_email(&mut self, user: UserIdx) -> Result<(), MethodError> {
        self.methods
            .get_mut(&user)
            .and_then(|m| m.email.take())
            .map(|_| ())
            .ok_or_else(|| MethodError::NotFound(EMAIL_METHOD_ID.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_format_follows_graph() {
        for ok in [
            "+1 5555551234",
            "+1 5555551234x123",
            "+61 412345678",
            "+44 2071234567",
        ] {
            assert!(valid_phone(ok), "{ok}");
        }
        for bad in [
            "5555551234",
            "+15555551234",
            "+1 555 555 1234",
            "+1 555-555-1234",
            "+1 5555551234x",
            "+1234 5555551234",
            "+1 123",
            "+0 5555551234",
        ] {
            assert!(!valid_phone(bad), "{bad}");
        }
    }
}
