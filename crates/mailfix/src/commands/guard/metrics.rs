//! `/metrics`: the guard's counters in the Prometheus text format (prometheus-client), fed from
//! guard events: cycles, users checked, findings by rule, fixes by outcome, Graph and Exchange
//! requests, throttled answers, notifications, and the time of the last cycle that ended.

use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

use mailfix_engine::guard::{GuardEvent, GuardObserver};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Kind {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Rule {
    rule: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ServiceLabel {
    service: String,
}

/// The guard's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Mutex<Registry>,
    cycles: Family<Kind, Counter>,
    checked: Counter,
    findings: Family<Rule, Counter>,
    fixes: Family<Outcome, Counter>,
    requests: Family<ServiceLabel, Counter>,
    throttled: Counter,
    notifications: Family<Outcome, Counter>,
    last_cycle: Gauge<f64, AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        let metrics = Metrics {
            registry: Mutex::new(Registry::default()),
            cycles: Family::default(),
            checked: Counter::default(),
            findings: Family::default(),
            fixes: Family::default(),
            requests: Family::default(),
            throttled: Counter::default(),
            notifications: Family::default(),
            last_cycle: Gauge::default(),
        };
        metrics.register();
        metrics
    }
}

impl Metrics {
    fn register(&self) {
        let mut registry = self.lock();
        registry.register(
            "mailfix_guard_cycles",
            "Guard cycles that ended, by kind (delta or full)",
            self.cycles.clone(),
        );
        registry.register(
            "mailfix_guard_users_checked",
            "Users in scope the rules were applied to",
            self.checked.clone(),
        );
        registry.register(
            "mailfix_guard_findings",
            "Findings on changed users in scope, by rule",
            self.findings.clone(),
        );
        registry.register(
            "mailfix_guard_fixes",
            "Users whose fix ended, by outcome (fixed, stuck, failed)",
            self.fixes.clone(),
        );
        registry.register(
            "mailfix_guard_requests",
            "Requests sent, by service (graph, exchange)",
            self.requests.clone(),
        );
        registry.register(
            "mailfix_guard_throttled",
            "Throttled answers received",
            self.throttled.clone(),
        );
        registry.register(
            "mailfix_guard_notifications",
            "Notices delivered or given up on, by outcome (sent, failed)",
            self.notifications.clone(),
        );
        registry.register(
            "mailfix_guard_last_cycle_timestamp_seconds",
            "When the last cycle ended (Unix time)",
            self.last_cycle.clone(),
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts a notice delivered (`true`) or given up on.
    pub fn notified(&self, delivered: bool) {
        let outcome = if delivered { "sent" } else { "failed" };
        self.notifications.get_or_create(&label(outcome)).inc();
    }

    /// The text format.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut text, &self.lock());
        text
    }
}

fn label(outcome: &str) -> Outcome {
    Outcome {
        outcome: outcome.to_owned(),
    }
}

impl GuardObserver for Metrics {
    fn event(&self, event: &GuardEvent) {
        match event {
            GuardEvent::CycleFinished { summary } => {
                let kind = if summary.full { "full" } else { "delta" };
                self.cycles
                    .get_or_create(&Kind {
                        kind: kind.to_owned(),
                    })
                    .inc();
                self.checked.inc_by(summary.checked);
                for (rule, n) in &summary.findings {
                    self.findings
                        .get_or_create(&Rule { rule: rule.clone() })
                        .inc_by(*n);
                }
                for (service, n) in [
                    ("graph", summary.graph_requests),
                    ("exchange", summary.exchange_requests),
                ] {
                    self.requests
                        .get_or_create(&ServiceLabel {
                            service: service.to_owned(),
                        })
                        .inc_by(n);
                }
                self.throttled.inc_by(summary.throttled);
                self.last_cycle
                    .set(summary.at.timestamp_millis() as f64 / 1000.0);
            }
            GuardEvent::FixFinished {
                fixed,
                stuck,
                failed,
                ..
            } => {
                for (outcome, users) in [("fixed", fixed), ("stuck", stuck), ("failed", failed)] {
                    self.fixes
                        .get_or_create(&label(outcome))
                        .inc_by(users.len() as u64);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailfix_engine::guard::CycleSummary;

    #[test]
    fn a_cycle_is_counted_in_the_text_format() {
        let metrics = Metrics::default();
        let summary = CycleSummary {
            checked: 4,
            graph_requests: 2,
            findings: [("MF001".to_owned(), 3)].into(),
            ..CycleSummary::default()
        };
        metrics.event(&GuardEvent::CycleFinished { summary });
        metrics.notified(true);
        let text = metrics.render();
        for line in [
            "mailfix_guard_cycles_total{kind=\"delta\"} 1",
            "mailfix_guard_users_checked_total 4",
            "mailfix_guard_findings_total{rule=\"MF001\"} 3",
            "mailfix_guard_requests_total{service=\"graph\"} 2",
            "mailfix_guard_notifications_total{outcome=\"sent\"} 1",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
        assert!(text.ends_with("# EOF\n"));
    }
}
