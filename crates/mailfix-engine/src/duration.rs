//! Human durations for flags like `--since 14d`, `--timeout 30m`, `--poll-interval 90s`: a number
//! and a unit `ms`, `s`, `m`, `h` or `d`, optionally several in a row (`1h30m`) and with a decimal
//! fraction on the last one (`1.5m`). Sub-second values (`500ms`) serve runs against the simulator
//! with a compressed clock.
//!
//! Parsing and printing are jiff's "friendly" duration format; this module only keeps the units
//! to mailfix's set (no weeks, months or years: their length is ambiguous in a flag) and turns
//! jiff's errors into messages that say what to write instead.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use jiff::fmt::friendly::{Designator, Spacing, SpanParser, SpanPrinter};
use jiff::{Span, SpanRelativeTo, SpanRound, Unit};

/// Why a duration did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DurationError {
    /// Nothing was given.
    #[error("empty duration: write a number and a unit, e.g. 90s, 5m, 2h, 14d")]
    Empty,
    /// A number without a unit.
    #[error("duration '{0}' has no unit: write e.g. {0}s, {0}m, {0}h or {0}d")]
    MissingUnit(String),
    /// A unit other than ms, s, m, h, d.
    #[error("duration '{input}' has unknown unit '{unit}': use ms, s, m, h or d")]
    UnknownUnit {
        /// The whole input.
        input: String,
        /// The bad unit.
        unit: String,
    },
    /// Not of the form NUMBER UNIT.
    #[error(
        "'{0}' is not a duration: write a number and a unit, e.g. 90s, 1.5m, 2h, 14d (a fraction \
         only on the last unit)"
    )]
    Invalid(String),
    /// Too large to represent.
    #[error("duration '{0}' is too large")]
    Overflow(String),
}

/// The units mailfix accepts, as written after the number.
const UNITS: [&str; 5] = ["ms", "s", "m", "h", "d"];

/// Parses `500ms`, `90s`, `1.5m`, `2h`, `14d` or combinations such as `1h30m`.
pub fn parse_duration(input: &str) -> Result<Duration, DurationError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    if let Some(error) = refused_form(text) {
        return Err(error);
    }
    let span: Span = SpanParser::new()
        .parse_span(text)
        .map_err(|_| classify(text))?;
    if span.is_negative() {
        return Err(DurationError::Invalid(text.to_owned()));
    }
    let signed = span
        .to_duration(SpanRelativeTo::days_are_24_hours())
        .map_err(|_| DurationError::Overflow(text.to_owned()))?;
    Duration::try_from(signed).map_err(|_| DurationError::Invalid(text.to_owned()))
}

/// Forms jiff reads but mailfix does not take: a sign, words between the parts, units other than
/// mailfix's (`w`, `mo`, `y`, `minutes`, ...).
fn refused_form(text: &str) -> Option<DurationError> {
    if text.starts_with(['-', '+']) || text.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Some(DurationError::Invalid(text.to_owned()));
    }
    words(text)
        .find(|unit| !UNITS.contains(unit))
        .map(|unit| DurationError::UnknownUnit {
            input: text.to_owned(),
            unit: unit.to_owned(),
        })
}

/// The alphabetic runs of `text` (its units).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
}

/// Why jiff refused `text`, in mailfix's terms: a bare number has no unit; numbers and known units
/// in a row that jiff still refused are out of its range; anything else is not a duration.
fn classify(text: &str) -> DurationError {
    let number = |c: char| c.is_ascii_digit() || c == '.';
    if text.chars().all(number) {
        return DurationError::MissingUnit(text.to_owned());
    }
    let well_formed = text
        .split(|c: char| c.is_ascii_alphabetic() || c == ' ')
        .filter(|n| !n.is_empty())
        .all(|n| n.split('.').count() <= 2 && n.chars().all(number) && !n.starts_with('.'));
    if well_formed {
        DurationError::Overflow(text.to_owned())
    } else {
        DurationError::Invalid(text.to_owned())
    }
}

/// Formats a duration (to the millisecond) the way it is parsed: `1h30m`, `90s` → `1m30s`,
/// `1.5s` → `1s500ms`, zero → `0s`.
pub fn format_duration(duration: Duration) -> String {
    let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
    let span = Span::new()
        .try_milliseconds(millis)
        .and_then(|span| {
            span.round(
                SpanRound::new()
                    .largest(Unit::Day)
                    .days_are_24_hours()
                    .smallest(Unit::Millisecond),
            )
        })
        .unwrap_or_else(|_| Span::new());
    SpanPrinter::new()
        .spacing(Spacing::None)
        .designator(Designator::Compact)
        .span_to_string(&span)
}

/// A [`Duration`] that parses and prints in mailfix's notation (for clap and config files).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HumanDuration(pub Duration);

impl FromStr for HumanDuration {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_duration(s).map(HumanDuration)
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms_and_combinations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration(" 2h "), Ok(Duration::from_secs(7_200)));
        assert_eq!(parse_duration("14d"), Ok(Duration::from_secs(14 * 86_400)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5_400)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1s500ms"), Ok(Duration::from_millis(1_500)));
    }

    #[test]
    fn decimal_fractions_are_read_on_the_last_unit() {
        assert_eq!(parse_duration("1.5m"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("0.5s"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2.25h"), Ok(Duration::from_secs(8_100)));
        assert_eq!(parse_duration("1h0.5m"), Ok(Duration::from_secs(3_630)));
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(parse_duration(""), Err(DurationError::Empty));
        assert_eq!(
            parse_duration("90"),
            Err(DurationError::MissingUnit("90".into()))
        );
        assert_eq!(
            parse_duration("1.5"),
            Err(DurationError::MissingUnit("1.5".into()))
        );
        for (text, unit) in [
            ("3w", "w"),
            ("30M", "M"),
            ("2y", "y"),
            ("5 minutes", "minutes"),
        ] {
            assert_eq!(
                parse_duration(text),
                Err(DurationError::UnknownUnit {
                    input: text.into(),
                    unit: unit.into()
                }),
                "{text}"
            );
        }
        for text in ["-5m", "+5m", "m", "1.5.2m", "1..5m", "5m 1.5x1s"] {
            assert!(
                matches!(
                    parse_duration(text),
                    Err(DurationError::Invalid(_) | DurationError::UnknownUnit { .. })
                ),
                "{text}"
            );
        }
        assert!(matches!(
            parse_duration("99999999999999999999d"),
            Err(DurationError::Overflow(_))
        ));
        let message = parse_duration("90").unwrap_err().to_string();
        assert!(message.contains("90s"), "{message}");
        let message = parse_duration("-5m").unwrap_err().to_string();
        assert!(message.contains("1.5m"), "{message}");
    }

    #[test]
    fn formatting_round_trips() {
        for text in [
            "90s", "5m", "2h", "14d", "1h30m", "1d2h3m4s", "750ms", "2s5ms",
        ] {
            let d: HumanDuration = text.parse().unwrap();
            assert_eq!(d.to_string().parse::<HumanDuration>().unwrap(), d);
        }
        assert_eq!(format_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(format_duration(Duration::from_millis(1_500)), "1s500ms");
        assert_eq!(format_duration(Duration::from_secs(14 * 86_400)), "14d");
    }
}
