//! The reporters: an indicatif display on a terminal, plain status lines otherwise, nothing with
//! `-q`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mailfix_engine::events::{Event, Reporter};

use super::items;
use crate::printer::Printer;

/// Chooses the right reporter for this terminal and these flags.
pub fn reporter(printer: Arc<Printer>) -> Arc<dyn Reporter> {
    if printer.quiet() {
        Arc::new(mailfix_engine::events::NoopReporter)
    } else if printer.progress_allowed() {
        Arc::new(TerminalReporter::new(printer))
    } else {
        Arc::new(PlainReporter { printer })
    }
}

/// A live display on stderr: a spinner while reading, a bar while items are worked through.
pub struct TerminalReporter {
    bar: Mutex<Option<ProgressBar>>,
    printer: Arc<Printer>,
    tally: Mutex<items::Tally>,
}

impl TerminalReporter {
    fn new(printer: Arc<Printer>) -> Self {
        Self {
            bar: Mutex::new(None),
            printer,
            tally: Mutex::new(items::Tally::default()),
        }
    }

    /// Whether a write command's run has started (and not finished).
    fn in_run(&self) -> bool {
        self.tally
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .in_run()
    }

    /// Item events of write commands: the tally in the bar, failures and stuck users above it.
    fn item_event(&self, event: &Event) -> bool {
        let message = {
            let mut tally = self
                .tally
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if !tally.record(event) {
                return false;
            }
            tally.message()
        };
        let notable = matches!(
            event,
            Event::ItemDone {
                outcome: mailfix_engine::events::Outcome::Failed { .. }
                    | mailfix_engine::events::Outcome::Stuck,
                ..
            }
        );
        self.with_bar(spinner, |bar| {
            if notable && let Some(line) = items::line(event) {
                bar.println(line);
            }
            bar.set_message(message);
        });
        true
    }

    fn with_bar(&self, make: impl FnOnce() -> ProgressBar, update: impl FnOnce(&ProgressBar)) {
        let mut guard = self
            .bar
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let bar = guard.get_or_insert_with(make);
        update(bar);
    }

    fn finish(&self) {
        let mut guard = self
            .bar
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(bar) = guard.take() {
            bar.finish_and_clear();
        }
    }
}

fn spinner() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

impl Reporter for TerminalReporter {
    fn report(&self, event: &Event) {
        if self.item_event(event) {
            return;
        }
        match event {
            Event::Scanned { read, skipped } => self.with_bar(spinner, |bar| {
                bar.set_message(format!("{read} users read, {skipped} members skipped"));
            }),
            Event::AuditRead { events, pages, .. } => self.with_bar(spinner, |bar| {
                bar.set_message(format!("{events} audit events read ({pages} pages)"));
            }),
            Event::Progress {
                done,
                pending,
                failed,
            } => self.with_bar(spinner, |bar| {
                bar.set_message(format!("{done} done, {pending} pending, {failed} failed"));
            }),
            Event::Warning { message } => {
                self.with_bar(spinner, |bar| bar.println(format!("warning: {message}")))
            }
            // Within a write command's run the display stays (its tally and elapsed time span
            // the stages); the stage and the interruption are noted above it.
            Event::Phase { .. } | Event::Interrupted if self.in_run() => {
                if let Some(line) = plain_line(event) {
                    self.with_bar(spinner, |bar| bar.println(line));
                }
            }
            Event::Phase { .. } | Event::RunFinished { .. } | Event::Interrupted => {
                self.finish();
                if let Some(line) = plain_line(event) {
                    self.printer.status(&line);
                }
            }
            _ => {}
        }
    }
}

/// One status line per notable event, for logs and pipes.
pub struct PlainReporter {
    printer: Arc<Printer>,
}

impl Reporter for PlainReporter {
    fn report(&self, event: &Event) {
        if let Some(line) = plain_line(event) {
            self.printer.status(&line);
        }
    }
}

fn plain_line(event: &Event) -> Option<String> {
    match event {
        Event::Phase { phase } => Some(format!("== {phase:?}").to_lowercase()),
        Event::Warning { message } => Some(format!("warning: {message}")),
        Event::Interrupted => Some("interrupted: finishing calls in flight".to_owned()),
        // Every tenth page: reading a large log takes a while at 5 requests per 10 s.
        Event::AuditRead {
            service,
            pages,
            events,
        } if pages % 10 == 0 => Some(format!(
            "audit: {events} events read ({pages} pages of {service})"
        )),
        Event::Progress {
            done,
            pending,
            failed,
        } => Some(format!(
            "progress: {done} done, {pending} pending, {failed} failed"
        )),
        _ => items::line(event),
    }
}
