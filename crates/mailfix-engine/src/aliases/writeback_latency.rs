//! Write-back latency statistics for the fix summary and `runs show` (README "Fix" step 7:
//! `latency{p50_s, p90_s, max_s}`), nearest-rank percentiles.

use std::time::Duration;

use serde::Serialize;

/// p50, p90 and max of a set of latencies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LatencyStats {
    /// Median.
    #[serde(rename = "p50_s", serialize_with = "crate::events::secs")]
    pub p50: Duration,
    /// 90th percentile.
    #[serde(rename = "p90_s", serialize_with = "crate::events::secs")]
    pub p90: Duration,
    /// Maximum.
    #[serde(rename = "max_s", serialize_with = "crate::events::secs")]
    pub max: Duration,
}

impl LatencyStats {
    /// Statistics of `latencies`; `None` when there are none.
    pub fn of(latencies: impl IntoIterator<Item = Duration>) -> Option<LatencyStats> {
        let mut sorted: Vec<Duration> = latencies.into_iter().collect();
        sorted.sort();
        let max = *sorted.last()?;
        Some(LatencyStats {
            p50: nearest_rank(&sorted, 50),
            p90: nearest_rank(&sorted, 90),
            max,
        })
    }
}

/// The smallest value with at least `pct`% of the values at or below it.
fn nearest_rank(sorted: &[Duration], pct: usize) -> Duration {
    let rank = (pct * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let secs = |v: &[u64]| {
            v.iter()
                .map(|s| Duration::from_secs(*s))
                .collect::<Vec<_>>()
        };
        let stats = LatencyStats::of(secs(&[10, 1, 9, 2, 8, 3, 7, 4, 6, 5])).unwrap();
        assert_eq!(stats.p50, Duration::from_secs(5));
        assert_eq!(stats.p90, Duration::from_secs(9));
        assert_eq!(stats.max, Duration::from_secs(10));
        let one = LatencyStats::of(secs(&[42])).unwrap();
        assert_eq!(
            (one.p50, one.p90, one.max),
            (
                Duration::from_secs(42),
                Duration::from_secs(42),
                Duration::from_secs(42)
            )
        );
        assert_eq!(LatencyStats::of(Vec::new()), None);
        let json = serde_json::to_value(stats).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"p50_s": 5.0, "p90_s": 9.0, "max_s": 10.0})
        );
    }
}
