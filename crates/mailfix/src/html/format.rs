//! How reports write times, durations and counts. Times are UTC; within one report they share a
//! date when they can, so a table of thousands of rows does not repeat it.

use chrono::{DateTime, NaiveDate, Utc};

/// A time as `2026-11-25T01:27:23Z`.
pub fn iso(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Writes the times of one table: `01:27:23` when they all fall on one day (named once in the
/// table's caption), else `2026-11-25 01:27:23`.
#[derive(Clone, Copy, Debug)]
pub struct TimeColumn {
    day: Option<NaiveDate>,
}

impl TimeColumn {
    /// The format for `times`.
    pub fn for_times(times: impl IntoIterator<Item = DateTime<Utc>>) -> Self {
        let mut days = times.into_iter().map(|t| t.date_naive());
        let day = match days.next() {
            Some(first) if days.all(|d| d == first) => Some(first),
            _ => None,
        };
        TimeColumn { day }
    }

    /// One cell; empty when there is no time.
    pub fn cell(self, time: Option<DateTime<Utc>>) -> String {
        match (time, self.day) {
            (None, _) => String::new(),
            (Some(t), Some(_)) => t.format("%H:%M:%S").to_string(),
            (Some(t), None) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        }
    }

    /// The note for the caption: `times UTC, 2026-11-25` or `times UTC`.
    pub fn note(self) -> String {
        match self.day {
            Some(day) => format!("times UTC, {}", day.format("%Y-%m-%d")),
            None => "times UTC".to_owned(),
        }
    }
}

/// Seconds for people: one decimal under a minute (`5.2s`), then minutes and seconds (`4m58s`),
/// then hours and minutes (`2h05m`).
pub fn seconds(value: f64) -> String {
    if value < 60.0 {
        return format!("{value:.1}s");
    }
    let whole = value.round() as u64;
    match whole {
        ..3600 => format!("{}m{:02}s", whole / 60, whole % 60),
        _ => format!("{}h{:02}m", whole / 3600, (whole % 3600) / 60),
    }
}

/// `1 user` / `2 users`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn one_day_is_named_once_and_two_days_in_every_cell() {
        let a = Utc.with_ymd_and_hms(2026, 11, 25, 1, 27, 23).unwrap();
        let b = Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 5).unwrap();
        let same = TimeColumn::for_times([a, a]);
        assert_eq!(same.cell(Some(a)), "01:27:23");
        assert_eq!(same.note(), "times UTC, 2026-11-25");
        let two = TimeColumn::for_times([a, b]);
        assert_eq!(two.cell(Some(b)), "2026-11-26 00:00:05");
        assert_eq!(two.cell(None), "");
    }

    #[test]
    fn seconds_read_naturally_at_every_scale() {
        assert_eq!(seconds(5.24), "5.2s");
        assert_eq!(seconds(298.0), "4m58s");
        assert_eq!(seconds(7500.0), "2h05m");
        assert_eq!(count(1, "user", "users"), "1 user");
    }
}
