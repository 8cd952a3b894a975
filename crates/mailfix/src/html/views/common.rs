//! Pieces several reports share: a user linked to the admin center, a headline number, a count.

use crate::html::Portal;

/// A user as a table cell: the UPN, linked to the user's page in the Entra admin center.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserCell {
    /// The UPN (or whatever the source named the user by).
    pub upn: String,
    /// The admin center page, when the user's object id is known.
    pub url: Option<String>,
}

impl UserCell {
    /// The cell of the user with object id `id` and UPN `upn`.
    pub fn new(portal: &Portal, id: &str, upn: &str) -> Self {
        UserCell {
            upn: upn.to_owned(),
            url: portal.user(id),
        }
    }
}

/// A headline number at the top of a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tile {
    /// What it counts.
    pub label: String,
    /// The number (or short text).
    pub value: String,
    /// Its style: `good`, `bad`, `warn` or empty.
    pub tone: &'static str,
}

impl Tile {
    /// A tile; `tone` applies only when `flag` holds (e.g. `bad` only when something failed).
    pub fn new(label: &str, value: impl ToString, tone: &'static str, flag: bool) -> Self {
        Tile {
            label: label.to_owned(),
            value: value.to_string(),
            tone: if flag { tone } else { "" },
        }
    }
}

/// A name and how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Count {
    /// What is counted.
    pub name: String,
    /// How many.
    pub n: u64,
}
