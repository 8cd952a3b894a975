//! The period `audit` reads (`--since 14d`, or `--from`/`--to` in ISO 8601), checked before any
//! request, and applied server-side to Graph (`activityDateTime ge/le`) or to a file's events.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::events::parse_audit_time;

/// How far back `audit` reads by default (README "Audit").
pub const DEFAULT_SINCE: std::time::Duration = std::time::Duration::from_secs(14 * 86_400);

/// Why a period is not usable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WindowError {
    /// A time that is not ISO 8601.
    #[error("'{text}' is not a time: write ISO 8601, e.g. 2024-05-01 or 2024-05-01T08:00:00Z")]
    BadTime {
        /// The text given.
        text: String,
    },
    /// The start is after the end.
    #[error("--from {from} is after --to {to}")]
    FromAfterTo {
        /// Start.
        from: DateTime<Utc>,
        /// End.
        to: DateTime<Utc>,
    },
    /// `--since` reaches before any representable time.
    #[error("--since is too long")]
    TooLong,
}

/// A period: events at or after `from` and at or before `to` (either end open when `None`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditWindow {
    /// Start (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// End (inclusive).
    pub to: Option<DateTime<Utc>>,
}

impl AuditWindow {
    /// Every event.
    pub fn all() -> Self {
        Self::default()
    }

    /// From `ago` before `now`, open-ended (events stamped later than the caller's clock, as a
    /// simulator running ahead of it stamps them, are still read).
    pub fn since(ago: std::time::Duration, now: DateTime<Utc>) -> Result<Self, WindowError> {
        let ago = chrono::Duration::from_std(ago).map_err(|_| WindowError::TooLong)?;
        let from = now.checked_sub_signed(ago).ok_or(WindowError::TooLong)?;
        Ok(Self {
            from: Some(from),
            to: None,
        })
    }

    /// Between two times; refuses a start after the end.
    pub fn between(
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Self, WindowError> {
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(WindowError::FromAfterTo { from, to });
        }
        Ok(Self { from, to })
    }

    /// Whether `time` is inside.
    pub fn contains(&self, time: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| time >= f) && self.to.is_none_or(|t| time <= t)
    }
}

/// Reads `--from`/`--to`: a date (`2024-05-01`, midnight UTC) or a date and time (RFC 3339, or
/// without offset, read as UTC).
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, WindowError> {
    let trimmed = text.trim();
    parse_audit_time(trimmed)
        .or_else(|| {
            NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
        .ok_or_else(|| WindowError::BadTime {
            text: text.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn times_dates_and_order() {
        let may1 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        assert_eq!(parse_time("2024-05-01"), Ok(may1));
        assert_eq!(parse_time("2024-05-01T02:00:00+02:00"), Ok(may1));
        assert!(matches!(
            parse_time("last tuesday"),
            Err(WindowError::BadTime { .. })
        ));
        let later = may1 + chrono::Duration::days(1);
        assert!(AuditWindow::between(Some(may1), Some(later)).is_ok());
        let err = AuditWindow::between(Some(later), Some(may1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--from 2024-05-02 00:00:00 UTC is after --to 2024-05-01 00:00:00 UTC"
        );
    }

    #[test]
    fn since_is_open_ended_and_contains_checks_both_ends() {
        let now = Utc.with_ymd_and_hms(2024, 5, 15, 0, 0, 0).unwrap();
        let w = AuditWindow::since(DEFAULT_SINCE, now).unwrap();
        assert_eq!(
            w.from,
            Some(Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap())
        );
        assert!(w.contains(now + chrono::Duration::hours(1)));
        assert!(!w.contains(now - chrono::Duration::days(15)));
        let closed = AuditWindow::between(w.from, Some(now)).unwrap();
        assert!(!closed.contains(now + chrono::Duration::hours(1)));
        assert!(AuditWindow::all().contains(now));
        assert_eq!(
            AuditWindow::since(std::time::Duration::from_secs(u64::MAX), now),
            Err(WindowError::TooLong)
        );
    }
}
