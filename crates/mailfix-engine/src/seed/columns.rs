//! Which HR column feeds which seed field: `--map` pairs, or common header names recognised
//! without one (compared lowercase, letters and digits only: `Personal E-mail` = `personalemail`).

use std::fmt;
use std::str::FromStr;

use csv::StringRecord;

use super::csv::HrCsvError;

/// The seed fields a column can feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// The user (`userPrincipalName`).
    Upn,
    /// The mobile phone number.
    Mobile,
    /// A second mobile number (`alternateMobile`).
    AlternateMobile,
    /// The personal (alternate) email.
    Email,
}

impl Field {
    /// Every field, in resolution order.
    pub const ALL: [Field; 4] = [
        Field::Upn,
        Field::Mobile,
        Field::AlternateMobile,
        Field::Email,
    ];

    /// The `--map` key.
    pub fn key(self) -> &'static str {
        match self {
            Field::Upn => "upn",
            Field::Mobile => "mobile",
            Field::AlternateMobile => "alternate_mobile",
            Field::Email => "email",
        }
    }

    /// Header names recognised without `--map` (compared lowercase, letters and digits only).
    pub fn default_headers(self) -> &'static [&'static str] {
        match self {
            Field::Upn => &["upn", "userprincipalname", "email", "workemail"],
            Field::Mobile => &["mobile", "mobilephone", "mobilenumber", "cellphone"],
            Field::AlternateMobile => &["alternatemobile", "alternatemobilephone", "mobile2"],
            Field::Email => &["personalemail", "alternateemail", "privateemail"],
        }
    }
}

/// `--map upn=Email,mobile=Mobile,email=PersonalEmail`: header names per field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMap {
    entries: Vec<(Field, String)>,
}

/// A `--map` value that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "--map '{0}': expected FIELD=COLUMN pairs separated by commas, FIELD one of upn, mobile, alternate_mobile, email"
)]
pub struct ColumnMapError(pub String);

impl FromStr for ColumnMap {
    type Err = ColumnMapError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut entries = Vec::new();
        for pair in s.split(',').filter(|p| !p.trim().is_empty()) {
            let (key, column) = pair
                .split_once('=')
                .ok_or_else(|| ColumnMapError(s.to_owned()))?;
            let key = key.trim().to_ascii_lowercase().replace('-', "_");
            let field = Field::ALL
                .into_iter()
                .find(|f| f.key() == key)
                .ok_or_else(|| ColumnMapError(s.to_owned()))?;
            entries.push((field, column.trim().to_owned()));
        }
        Ok(ColumnMap { entries })
    }
}

impl fmt::Display for ColumnMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pairs: Vec<String> = self
            .entries
            .iter()
            .map(|(field, column)| format!("{}={column}", field.key()))
            .collect();
        f.write_str(&pairs.join(","))
    }
}

impl ColumnMap {
    /// Whether no column was named.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn get(&self, field: Field) -> Option<&str> {
        self.entries
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, c)| c.as_str())
    }
}

/// Lowercase letters and digits only: `Personal E-mail` → `personalemail`.
fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// (field, column index, header) for every field found.
pub(crate) fn resolve_columns(
    headers: &StringRecord,
    map: &ColumnMap,
) -> Result<Vec<(Field, usize, String)>, HrCsvError> {
    let names: Vec<String> = headers.iter().map(normalise).collect();
    let listing = || headers.iter().collect::<Vec<_>>().join(", ");
    let mut found = Vec::new();
    for field in Field::ALL {
        let index = match map.get(field) {
            Some(column) => Some(
                names
                    .iter()
                    .position(|n| *n == normalise(column))
                    .ok_or_else(|| HrCsvError::MappedColumnMissing {
                        field: field.key(),
                        column: column.to_owned(),
                        headers: listing(),
                    })?,
            ),
            None => field
                .default_headers()
                .iter()
                .find_map(|candidate| names.iter().position(|n| n == candidate)),
        };
        if let Some(index) = index.filter(|i| !found.iter().any(|(_, j, _)| j == i)) {
            found.push((
                field,
                index,
                headers.get(index).unwrap_or_default().to_owned(),
            ));
        }
    }
    if !found.iter().any(|(f, _, _)| *f == Field::Upn) {
        return Err(HrCsvError::NoUserColumn { headers: listing() });
    }
    if found.len() < 2 {
        return Err(HrCsvError::NothingToSeed { headers: listing() });
    }
    Ok(found)
}
