//! Human durations for flags like `--since 14d`, `--timeout 30m`, `--poll-interval 90s` (SPEC §11):
//! a number and a unit `ms`, `s`, `m`, `h` or `d`, optionally several in a row (`1h30m`). Sub-second
//! values (`500ms`) serve runs against the simulator with a compressed clock.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

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
    #[error("'{0}' is not a duration: write a number and a unit, e.g. 90s, 5m, 2h, 14d")]
    Invalid(String),
    /// Too large to represent.
    #[error("duration '{0}' is too large")]
    Overflow(String),
}

/// Parses `500ms`, `90s`, `5m`, `2h`, `14d` or combinations such as `1h30m`.
pub fn parse_duration(input: &str) -> Result<Duration, DurationError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    let mut total_ms: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 {
            return Err(DurationError::Invalid(text.to_owned()));
        }
        let (number, after) = rest.split_at(digits);
        let unit_len = after.chars().take_while(char::is_ascii_alphabetic).count();
        let (unit, after) = after.split_at(unit_len);
        let factor = match unit {
            "" => return Err(DurationError::MissingUnit(number.to_owned())),
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            other => {
                return Err(DurationError::UnknownUnit {
                    input: text.to_owned(),
                    unit: other.to_owned(),
                });
            }
        };
        let overflow = || DurationError::Overflow(text.to_owned());
        let value: u64 = number.parse().map_err(|_| overflow())?;
        let ms = value.checked_mul(factor).ok_or_else(overflow)?;
        total_ms = total_ms.checked_add(ms).ok_or_else(overflow)?;
        rest = after;
    }
    Ok(Duration::from_millis(total_ms))
}

/// Formats a duration (to the millisecond) the way it is parsed: `1h30m`, `90s` → `1m30s`,
/// `1.5s` → `1s500ms`, zero → `0s`.
pub fn format_duration(duration: Duration) -> String {
    let mut ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    if ms == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    let units = [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ];
    for (unit, size) in units {
        if ms >= size {
            out.push_str(&format!("{}{unit}", ms / size));
            ms %= size;
        }
    }
    out
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
    fn errors_say_what_is_wrong() {
        assert_eq!(parse_duration(""), Err(DurationError::Empty));
        assert_eq!(
            parse_duration("90"),
            Err(DurationError::MissingUnit("90".into()))
        );
        assert!(
            matches!(parse_duration("3w"), Err(DurationError::UnknownUnit { unit, .. }) if unit == "w")
        );
        assert!(matches!(
            parse_duration("5 m"),
            Err(DurationError::MissingUnit(_))
        ));
        assert!(matches!(
            parse_duration("-5m"),
            Err(DurationError::Invalid(_))
        ));
        assert!(matches!(
            parse_duration("m"),
            Err(DurationError::Invalid(_))
        ));
        assert!(matches!(
            parse_duration("99999999999999999999d"),
            Err(DurationError::Overflow(_))
        ));
        let message = parse_duration("90").unwrap_err().to_string();
        assert!(message.contains("90s"), "{message}");
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
    }
}
