//! Item events of the write commands (`fix`, `cleanup`): a running tally for the live display
//! (added / written back / removed / stuck / failed, next poll) and one status line per notable
//! event for logs and pipes.

use chrono::{DateTime, Utc};
use mailfix_engine::events::{Action, Command, Event, Outcome};

/// Counts of what happened to the items of the current run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    targets: Option<u64>,
    added: u64,
    written_back: u64,
    removed: u64,
    stuck: u64,
    failed: u64,
    pending: Option<u64>,
    next_poll: Option<DateTime<Utc>>,
    running: bool,
}

impl Tally {
    /// Takes an event into account; whether it was an item or run event of a `fix` or `cleanup`
    /// run. The runs of other commands (`seed`, `audit`) are not followed: their events keep
    /// their own display.
    pub fn record(&mut self, event: &Event) -> bool {
        match event {
            Event::RunStarted {
                command: Command::Fix | Command::Cleanup,
                targets,
                ..
            } => {
                *self = Tally {
                    targets: *targets,
                    running: true,
                    ..Tally::default()
                }
            }
            Event::RunStarted { .. } => {
                *self = Tally::default();
                return false;
            }
            Event::RunFinished { .. } => {
                self.running = false;
                return false;
            }
            _ if !self.running => return false,
            Event::ItemDone {
                action, outcome, ..
            } => self.item_done(*action, outcome),
            Event::PollScheduled { at, pending } => {
                self.next_poll = Some(*at);
                self.pending = Some(*pending);
            }
            Event::Resumed {
                added,
                written_back,
                removed,
                failed,
            } => {
                self.added = *added;
                self.written_back = *written_back;
                self.removed = *removed;
                self.failed = *failed;
            }
            Event::Progress { pending, .. } => self.pending = Some(*pending),
            _ => return false,
        }
        true
    }

    fn item_done(&mut self, action: Action, outcome: &Outcome) {
        match (action, outcome) {
            (_, Outcome::Failed { .. }) => self.failed += 1,
            (Action::AddAlias, Outcome::Done) => self.added += 1,
            (Action::WriteBack, Outcome::Done) => self.written_back += 1,
            (Action::WriteBack, Outcome::Stuck) => self.stuck += 1,
            (
                Action::VerifyRemoved | Action::RemoveAlias,
                Outcome::Done | Outcome::Skipped { .. },
            ) => self.removed += 1,
            _ => {}
        }
    }

    /// Whether a run has started and not finished.
    pub fn in_run(&self) -> bool {
        self.running
    }

    /// The live display's message.
    pub fn message(&self) -> String {
        let added = match self.targets {
            Some(t) => format!("added {}/{t}", self.added),
            None => format!("added {}", self.added),
        };
        let mut text = format!(
            "{added} · written back {} · removed {} · stuck {} · failed {}",
            self.written_back, self.removed, self.stuck, self.failed
        );
        if let (Some(at), Some(pending)) = (self.next_poll, self.pending)
            && pending > 0
        {
            text.push_str(&format!(
                " · {pending} pending, next poll {}",
                at.format("%H:%M:%SZ")
            ));
        }
        text
    }
}

/// A status line for an item or run event of a write command.
pub fn line(event: &Event) -> Option<String> {
    Some(match event {
        Event::RunStarted {
            command,
            run: Some(run),
            targets,
        } => format!(
            "{command} run {run}: {} items",
            targets.map_or("?".to_owned(), |t| t.to_string())
        ),
        Event::ItemDone {
            user,
            action,
            outcome,
            latency,
        } => item_line(
            &user.upn,
            *action,
            outcome,
            latency.map(|l| l.as_secs_f64()),
        )?,
        Event::ItemRetrying { user, reason, .. } => format!("retrying {}: {reason}", user.upn),
        Event::Resumed {
            added,
            written_back,
            removed,
            failed,
            ..
        } => format!(
            "so far: added {added} · written back {written_back} · removed {removed} · failed {failed}"
        ),
        Event::PollScheduled { at, pending } => format!(
            "next poll at {} ({pending} pending)",
            at.format("%Y-%m-%dT%H:%M:%SZ")
        ),
        // Runs without a journal id (scan, audit) end with their report; no line of their own.
        Event::RunFinished {
            run: Some(run),
            elapsed,
            done,
            not_done,
        } => format!(
            "run {run} ended after {:.1}s: {done} done, {not_done} not done",
            elapsed.as_secs_f64()
        ),
        _ => return None,
    })
}

fn item_line(upn: &str, action: Action, outcome: &Outcome, latency: Option<f64>) -> Option<String> {
    Some(match (action, outcome) {
        (_, Outcome::Failed { reason }) => format!("failed {upn}: {reason}"),
        (Action::AddAlias, Outcome::Done) => format!("added alias: {upn}"),
        (Action::WriteBack, Outcome::Done) => match latency {
            Some(l) => format!("written back: {upn} after {l:.1}s"),
            None => format!("written back: {upn}"),
        },
        (Action::WriteBack, Outcome::Stuck) => format!("stuck: {upn} (no write-back in time)"),
        (Action::VerifyRemoved, Outcome::Done) => format!("removed alias: {upn}"),
        (Action::RemoveAlias, Outcome::Skipped { reason }) => {
            format!("removed alias: {upn} ({reason})")
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use mailfix_engine::UserRef;

    use super::*;

    fn done(action: Action, outcome: Outcome) -> Event {
        Event::ItemDone {
            user: UserRef::new("1", "anna@contoso.com"),
            action,
            outcome,
            latency: Some(Duration::from_millis(1500)),
        }
    }

    #[test]
    fn tally_counts_each_outcome_once_and_shows_the_next_poll() {
        let mut tally = Tally::default();
        tally.record(&Event::RunStarted {
            command: mailfix_engine::events::Command::Fix,
            run: None,
            targets: Some(3),
        });
        for event in [
            done(Action::AddAlias, Outcome::Done),
            done(Action::AddAlias, Outcome::Done),
            done(Action::AddAlias, Outcome::Failed { reason: "x".into() }),
            done(Action::WriteBack, Outcome::Done),
            done(Action::VerifyRemoved, Outcome::Done),
            done(Action::WriteBack, Outcome::Stuck),
        ] {
            assert!(tally.record(&event));
        }
        let at = DateTime::parse_from_rfc3339("2025-01-02T03:04:05Z")
            .unwrap()
            .to_utc();
        tally.record(&Event::PollScheduled { at, pending: 1 });
        assert_eq!(
            tally.message(),
            "added 2/3 · written back 1 · removed 1 · stuck 1 · failed 1 · 1 pending, next poll 03:04:05Z"
        );
        assert!(!tally.record(&Event::Interrupted));
    }

    #[test]
    fn a_resumed_run_counts_on_from_the_journal() {
        let mut tally = Tally::default();
        tally.record(&Event::RunStarted {
            command: mailfix_engine::events::Command::Fix,
            run: None,
            targets: Some(35),
        });
        assert!(tally.record(&Event::Resumed {
            added: 35,
            written_back: 31,
            removed: 31,
            failed: 0,
        }));
        tally.record(&done(Action::WriteBack, Outcome::Done));
        assert_eq!(
            tally.message(),
            "added 35/35 · written back 32 · removed 31 · stuck 0 · failed 0"
        );
    }

    #[test]
    fn the_runs_of_other_commands_are_not_followed() {
        let progress = Event::Progress {
            done: 1,
            pending: 2,
            failed: 0,
        };
        let mut tally = Tally::default();
        assert!(!tally.record(&progress), "outside a run");
        for command in [Command::Seed, Command::Audit] {
            let started = Event::RunStarted {
                command,
                run: None,
                targets: Some(3),
            };
            assert!(!tally.record(&started), "{command:?}");
            assert!(!tally.in_run(), "{command:?}");
            assert!(!tally.record(&progress), "{command:?}");
            assert!(!tally.record(&done(Action::AddAlias, Outcome::Done)));
        }
        assert_eq!(tally, Tally::default());
    }

    #[test]
    fn lines_name_the_user_and_what_happened() {
        assert_eq!(
            line(&done(Action::WriteBack, Outcome::Done)).unwrap(),
            "written back: anna@contoso.com after 1.5s"
        );
        assert_eq!(
            line(&done(
                Action::AddAlias,
                Outcome::Failed {
                    reason: "no mailbox".into()
                }
            ))
            .unwrap(),
            "failed anna@contoso.com: no mailbox"
        );
        assert_eq!(line(&done(Action::ReadBack, Outcome::Done)), None);
        let finished = |run: Option<&str>| Event::RunFinished {
            run: run.map(|r| r.parse().unwrap()),
            elapsed: Duration::from_millis(200),
            done: 3,
            not_done: 1,
        };
        assert_eq!(line(&finished(None)), None, "scan and audit: no line");
        assert_eq!(
            line(&finished(Some("r7f3k2"))).unwrap(),
            "run r7f3k2 ended after 0.2s: 3 done, 1 not done"
        );
    }
}
