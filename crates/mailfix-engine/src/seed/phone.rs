//! Phone numbers for the `phoneMethods` API, parsed and validated with the `phonenumber` crate
//! (libphonenumber's metadata), written in Graph's form `+{country} {national number}` with an
//! extension as `x{extension}` (PROTOCOL §3: `+1 5555551234x123`).

use std::fmt;
use std::str::FromStr;

use phonenumber::country::Id;
use phonenumber::{ParseError, PhoneNumber};

/// A region for national numbers (`--default-region AU`): an ISO 3166 two-letter code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Region(Id);

/// A region code the metadata does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown region '{0}': use a two-letter country code such as AU, US, GB")]
pub struct RegionError(pub String);

impl FromStr for Region {
    type Err = RegionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .to_ascii_uppercase()
            .parse::<Id>()
            .map(Region)
            .map_err(|_| RegionError(s.to_owned()))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_ref())
    }
}

/// Why a number is unusable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhoneError {
    /// Nothing was given.
    #[error("empty phone number")]
    Empty,
    /// A national number and no `--default-region`.
    #[error("'{0}' has no country code: write it as +CC ... or pass --default-region")]
    NeedsRegion(String),
    /// Not a phone number at all.
    #[error("'{0}' is not a phone number")]
    NotANumber(String),
    /// The country code is unknown.
    #[error("'{0}' has an unknown country code")]
    UnknownCountryCode(String),
    /// Too few digits.
    #[error("'{0}' is too short to be a phone number")]
    TooShort(String),
    /// Too many digits.
    #[error("'{0}' is too long to be a phone number")]
    TooLong(String),
    /// Parsed, but no number of that country looks like this.
    #[error("'{number}' is not a valid number for {region}")]
    Invalid {
        /// The input.
        number: String,
        /// The country it was read for.
        region: String,
    },
}

/// Normalises `raw` to Graph's form, reading national numbers in `default_region`.
pub fn normalize_phone(raw: &str, default_region: Option<Region>) -> Result<String, PhoneError> {
    let input = raw.trim();
    if input.is_empty() {
        return Err(PhoneError::Empty);
    }
    let international = input.starts_with('+') || input.starts_with("00");
    if default_region.is_none() && !international {
        return Err(PhoneError::NeedsRegion(input.to_owned()));
    }
    let number = phonenumber::parse(default_region.map(|r| r.0), input)
        .map_err(|e| parse_error(e, input))?;
    if !number.is_valid() {
        let region = number
            .country()
            .id()
            .map(|id| id.as_ref().to_owned())
            .unwrap_or_else(|| format!("+{}", number.code().value()));
        return Err(PhoneError::Invalid {
            number: input.to_owned(),
            region,
        });
    }
    Ok(graph_form(&number))
}

/// `+{country} {national}` and `x{extension}`.
fn graph_form(number: &PhoneNumber) -> String {
    let mut text = format!("+{} {}", number.code().value(), number.national());
    if let Some(ext) = number.extension().filter(|e| !e.is_empty()) {
        text.push('x');
        text.push_str(ext);
    }
    text
}

fn parse_error(e: ParseError, input: &str) -> PhoneError {
    let input = input.to_owned();
    match e {
        ParseError::NoNumber | ParseError::MalformedInteger(_) => PhoneError::NotANumber(input),
        ParseError::InvalidCountryCode => PhoneError::UnknownCountryCode(input),
        ParseError::TooShortAfterIdd | ParseError::TooShortNsn => PhoneError::TooShort(input),
        ParseError::TooLong => PhoneError::TooLong(input),
    }
}

/// Whether two numbers are the same once normalised (falling back to comparing digits when one
/// does not parse: Graph may hold a number mailfix would not write).
pub fn same_number(a: &str, b: &str) -> bool {
    if is_masked(a) || is_masked(b) {
        return masked_same(a, b);
    }
    match (normalize_phone(a, None), normalize_phone(b, None)) {
        (Ok(x), Ok(y)) => x == y,
        _ => digits(a) == digits(b),
    }
}

/// Whether Graph masked a number (`+61 XXXXXXX78`): a delegated Authentication Administrator
/// "only sees masked phone numbers" (Graph's `phoneAuthenticationMethod` get page). The mask's
/// exact form is not documented; `X` and `*` stand for hidden digits.
pub fn is_masked(number: &str) -> bool {
    number.contains('X') || number.contains('*')
}

/// A masked and a plain number are the same as far as can be compared: the same length, and every
/// digit the mask shows (the country code, the last digits) equal at the same place, counted from
/// the end of the country code and from the end of the number.
fn masked_same(a: &str, b: &str) -> bool {
    let parts = |n: &str| -> (String, Vec<char>) {
        let n = n.trim();
        let (country, national) = match n.strip_prefix('+').and_then(|r| r.split_once(' ')) {
            Some((cc, rest)) => (cc.to_owned(), rest),
            None => (String::new(), n),
        };
        let chars = national
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == 'X' || *c == '*')
            .collect();
        (country, chars)
    };
    let ((ca, na), (cb, nb)) = (parts(a), parts(b));
    let country_same = ca == cb || ca.contains(['X', '*']) || cb.contains(['X', '*']);
    country_same
        && na.len() == nb.len()
        && na
            .iter()
            .zip(&nb)
            .all(|(x, y)| x == y || !x.is_ascii_digit() || !y.is_ascii_digit())
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn au() -> Option<Region> {
        Some("au".parse().unwrap())
    }

    fn us() -> Option<Region> {
        Some("US".parse().unwrap())
    }

    #[test]
    fn national_and_international_numbers_of_two_regions() {
        assert_eq!(
            normalize_phone("0412 345 678", au()).unwrap(),
            "+61 412345678"
        );
        assert_eq!(
            normalize_phone("+61 (0)412-345-678", None).unwrap(),
            "+61 412345678"
        );
        assert_eq!(
            normalize_phone("(206) 555-0100", us()).unwrap(),
            "+1 2065550100"
        );
        assert_eq!(
            normalize_phone("+1 206 555 0100", au()).unwrap(),
            "+1 2065550100"
        );
        assert_eq!(
            normalize_phone("0011 1 206 555 0100", au()).unwrap(),
            "+1 2065550100"
        );
    }

    #[test]
    fn extensions_are_kept() {
        assert_eq!(
            normalize_phone("+1 206 555 0100 ext. 123", None).unwrap(),
            "+1 2065550100x123"
        );
        assert_eq!(
            normalize_phone("(206) 555-0100 x45", us()).unwrap(),
            "+1 2065550100x45"
        );
    }

    #[test]
    fn invalid_numbers_come_with_a_reason() {
        assert_eq!(normalize_phone(" ", au()), Err(PhoneError::Empty));
        assert!(matches!(
            normalize_phone("0412 345 678", None),
            Err(PhoneError::NeedsRegion(_))
        ));
        assert!(matches!(
            normalize_phone("call me", au()),
            Err(PhoneError::NotANumber(_))
        ));
        let err = normalize_phone("0412 345", au()).unwrap_err();
        assert!(err.to_string().contains("0412 345"), "{err}");
        assert!(matches!(
            normalize_phone("+61 1234", None),
            Err(PhoneError::Invalid { .. } | PhoneError::TooShort(_))
        ));
        assert!("XX".parse::<Region>().is_err());
    }

    #[test]
    fn same_number_compares_normalised_forms() {
        assert!(same_number("+61 412345678", "+61412 345 678"));
        assert!(!same_number("+61 412345678", "+61 412345679"));
        assert!(same_number("+61 412345678x1", "+61 412345678 ext 1"));
    }

    #[test]
    fn a_masked_number_is_compared_by_the_digits_it_shows() {
        assert!(is_masked("+61 XXXXXXX78") && !is_masked("+1 5555551234x12"));
        assert!(same_number("+61 XXXXXXX78", "+61 412345678"));
        assert!(!same_number("+61 XXXXXXX79", "+61 412345678"));
        assert!(!same_number("+1 XXXXXXX78", "+61 412345678"));
        assert!(
            !same_number("+61 XXXXXX78", "+61 412345678"),
            "length differs"
        );
    }
}
