//! Newtype ids, and how a user is named in a Graph path (object id, or UPN with the `$` rule).

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
    };
}

id_type!(
    /// A user's object id.
    UserId
);
id_type!(
    /// A group's object id.
    GroupId
);

/// How a request names a user: object id or user principal name (the key in `/users/{key}`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum UserKey {
    /// Object id.
    Id(UserId),
    /// User principal name.
    Upn(String),
}

impl UserKey {
    /// A UPN if the text contains `@`, otherwise an object id.
    pub fn parse(s: &str) -> Self {
        let s = s.trim();
        if s.contains('@') {
            UserKey::Upn(s.to_owned())
        } else {
            UserKey::Id(UserId(s.to_owned()))
        }
    }

    /// The Graph path of the user: `/users/{id}`, `/users/{upn}` (percent-encoded, so guest UPNs
    /// with `#EXT#` work), or `/users('{upn}')` when the UPN starts with `$` (Graph's rule).
    pub fn path(&self) -> String {
        match self {
            UserKey::Id(id) => format!("/users/{}", encode_segment(id.as_str())),
            UserKey::Upn(upn) if upn.starts_with('$') => {
                format!("/users('{}')", encode_segment(&upn.replace('\'', "''")))
            }
            UserKey::Upn(upn) => format!("/users/{}", encode_segment(upn)),
        }
    }
}

impl fmt::Display for UserKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UserKey::Id(id) => f.write_str(id.as_str()),
            UserKey::Upn(upn) => f.write_str(upn),
        }
    }
}

impl From<UserId> for UserKey {
    fn from(id: UserId) -> Self {
        UserKey::Id(id)
    }
}

impl From<&UserId> for UserKey {
    fn from(id: &UserId) -> Self {
        UserKey::Id(id.clone())
    }
}

/// What a path segment encodes: everything but ASCII letters, digits, unreserved characters,
/// `@`, `$` and `'`.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@')
    .remove(b'$')
    .remove(b'\'');

/// Percent-encodes a path segment (see [`PATH_SEGMENT`]).
pub(crate) fn encode_segment(s: &str) -> String {
    utf8_percent_encode(s, PATH_SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_paths_follow_graphs_rules() {
        assert_eq!(UserKey::parse("0a1b").path(), "/users/0a1b");
        assert_eq!(
            UserKey::parse("adele@contoso.com").path(),
            "/users/adele@contoso.com"
        );
        assert_eq!(
            UserKey::parse("kim_fabrikam.com#EXT#@contoso.onmicrosoft.com").path(),
            "/users/kim_fabrikam.com%23EXT%23@contoso.onmicrosoft.com"
        );
        assert_eq!(
            UserKey::parse("$adele@contoso.com").path(),
            "/users('$adele@contoso.com')"
        );
        assert_eq!(UserKey::parse("a b/c?d").path(), "/users/a%20b%2Fc%3Fd");
        assert_eq!(
            UserKey::parse("zoë@contoso.com").path(),
            "/users/zo%C3%AB@contoso.com"
        );
    }
}
