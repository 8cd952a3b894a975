//! How guard events are shown: `-o ndjson` writes one JSON object per event to stdout (for a log
//! collector); otherwise each event is one readable line on stderr, and stdout gets nothing.

use std::sync::Arc;

use mailfix_engine::guard::{CycleSummary, GuardEvent, GuardObserver};

use crate::printer::Printer;

/// Shows guard events.
#[derive(Debug)]
pub struct Lines {
    printer: Arc<Printer>,
    ndjson: bool,
}

impl Lines {
    /// Events as NDJSON on stdout (`ndjson`), or as lines on stderr.
    pub fn new(printer: Arc<Printer>, ndjson: bool) -> Self {
        Lines { printer, ndjson }
    }
}

impl GuardObserver for Lines {
    fn event(&self, event: &GuardEvent) {
        if self.ndjson {
            let mut value = serde_json::to_value(event).unwrap_or_default();
            value["time"] = serde_json::json!(chrono::Utc::now());
            self.printer.data(&format!("{value}\n"));
            return;
        }
        match line(event) {
            Some(text)
                if matches!(
                    event,
                    GuardEvent::Warning { .. } | GuardEvent::Resync { .. }
                ) =>
            {
                self.printer.notice(&text)
            }
            Some(text) => self.printer.status(&text),
            None => {}
        }
    }
}

/// The line for an event (`None`: nothing worth a line).
pub fn line(event: &GuardEvent) -> Option<String> {
    Some(match event {
        GuardEvent::CycleStarted { cycle, full } => {
            let what = if *full {
                "reading the whole scope"
            } else {
                "reading changes"
            };
            format!("cycle {cycle}: {what}")
        }
        GuardEvent::Resync { reason } => format!("resync: {reason}"),
        GuardEvent::Finding { finding } => format!(
            "  {} {} {}: {} → {}",
            finding.rule, finding.severity, finding.user.upn, finding.detail, finding.remedy
        ),
        GuardEvent::Plan {
            cycle,
            fixing,
            deferred,
            already_fixing,
            known_stuck,
            ..
        } => format!(
            "cycle {cycle} plan: fix {fixing} now, {deferred} deferred (--max-changes-per-cycle), \
             {already_fixing} already being fixed, {known_stuck} stuck or failed before (alerted then)"
        ),
        GuardEvent::FixFinished {
            run,
            fixed,
            stuck,
            failed,
            interrupted,
        } => format!(
            "fix run {run}: fixed {} · stuck {} · failed {}{}",
            fixed.len(),
            stuck.len(),
            failed.len(),
            if *interrupted {
                " (stopped; resumed at the next start)"
            } else {
                ""
            }
        ),
        GuardEvent::CycleFinished { summary } => summary_line(summary),
        GuardEvent::Warning { message } => format!("warning: {message}"),
    })
}

fn summary_line(s: &CycleSummary) -> String {
    let findings: u64 = s.findings.values().sum();
    let by_rule: Vec<String> = s.findings.iter().map(|(r, n)| format!("{r} {n}")).collect();
    format!(
        "cycle {} done: {} changes, {} users checked, {} findings{}{} · requests: graph {} · exchange {} · throttled {} · {:.1}s",
        s.cycle,
        s.changes,
        s.checked,
        findings,
        if by_rule.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_rule.join(", "))
        },
        if s.fixed + s.stuck + s.failed > 0 {
            format!(
                " · fixed {} · stuck {} · failed {}",
                s.fixed, s.stuck, s.failed
            )
        } else {
            String::new()
        },
        s.graph_requests,
        s.exchange_requests,
        s.throttled,
        s.elapsed.as_secs_f64()
    )
}

/// Several observers as one.
pub struct Fanout(pub Vec<Arc<dyn GuardObserver>>);

impl GuardObserver for Fanout {
    fn event(&self, event: &GuardEvent) {
        for observer in &self.0 {
            observer.event(event);
        }
    }
}
