//! From HR rows to seed entries: each value normalised or rejected with a reason, and duplicate
//! rows for one user found (the first row wins; later ones are reported, not applied).

use std::collections::HashMap;
use std::hash::Hash;

use super::csv::HrRow;
use super::email::validate_alternate_email;
use super::phone::{Region, normalize_phone};

/// What checking needs to know.
#[derive(Clone, Debug, Default)]
pub struct SeedOptions {
    /// Region for national phone numbers (`--default-region`).
    pub default_region: Option<Region>,
    /// The tenant's own domains; alternate emails there are refused.
    pub tenant_domains: Vec<String>,
}

/// One checked value: normalised, or rejected with why.
pub type Checked = Result<String, String>;

/// One row, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedEntry {
    /// 1-based line in the file.
    pub line: u64,
    /// The user as given.
    pub upn: String,
    /// Mobile phone, if the row has one.
    pub mobile: Option<Checked>,
    /// Alternate mobile phone, if the row has one.
    pub alternate_mobile: Option<Checked>,
    /// Personal email, if the row has one.
    pub email: Option<Checked>,
    /// The line of an earlier row for the same user: this row is not applied.
    pub duplicate_of: Option<u64>,
}

impl SeedEntry {
    /// The reasons this row's values were rejected (and its duplicate status), for the report.
    pub fn problems(&self) -> Vec<String> {
        let mut problems: Vec<String> = [
            ("mobile", &self.mobile),
            ("alternate mobile", &self.alternate_mobile),
            ("email", &self.email),
        ]
        .into_iter()
        .filter_map(|(what, value)| match value {
            Some(Err(reason)) => Some(format!("{what}: {reason}")),
            _ => None,
        })
        .collect();
        if let Some(line) = self.duplicate_of {
            problems.insert(0, format!("duplicate of line {line}; not applied"));
        }
        problems
    }

    /// The valid values to apply: none for a duplicate row.
    pub fn valid_mobile(&self) -> Option<&str> {
        self.valid(&self.mobile)
    }

    /// See [`SeedEntry::valid_mobile`].
    pub fn valid_alternate_mobile(&self) -> Option<&str> {
        self.valid(&self.alternate_mobile)
    }

    /// See [`SeedEntry::valid_mobile`].
    pub fn valid_email(&self) -> Option<&str> {
        self.valid(&self.email)
    }

    fn valid<'a>(&self, value: &'a Option<Checked>) -> Option<&'a str> {
        match value {
            Some(Ok(v)) if self.duplicate_of.is_none() => Some(v),
            _ => None,
        }
    }
}

/// Checks every row and marks duplicate users (by UPN, ignoring case).
pub fn prepare(rows: &[HrRow], options: &SeedOptions) -> Vec<SeedEntry> {
    let phone = |raw: &Option<String>| {
        raw.as_deref()
            .map(|r| normalize_phone(r, options.default_region).map_err(|e| e.to_string()))
    };
    let mut entries: Vec<SeedEntry> = rows
        .iter()
        .map(|row| SeedEntry {
            line: row.line,
            upn: row.upn.clone(),
            mobile: phone(&row.mobile),
            alternate_mobile: phone(&row.alternate_mobile),
            email: row.email.as_deref().map(|e| {
                validate_alternate_email(e, &options.tenant_domains).map_err(|e| e.to_string())
            }),
            duplicate_of: None,
        })
        .collect();
    mark_duplicates(&mut entries, |e| e.upn.trim().to_ascii_lowercase());
    entries
}

/// Marks every entry whose key an earlier entry already had. Use it again with the resolved user
/// id once users are looked up (two spellings of one user are one user).
pub fn mark_duplicates<K: Eq + Hash>(entries: &mut [SeedEntry], key: impl Fn(&SeedEntry) -> K) {
    let mut first: HashMap<K, u64> = HashMap::new();
    for entry in entries.iter_mut() {
        if entry.duplicate_of.is_some() {
            continue;
        }
        match first.get(&key(entry)) {
            Some(line) => entry.duplicate_of = Some(*line),
            None => {
                first.insert(key(entry), entry.line);
            }
        }
    }
}
