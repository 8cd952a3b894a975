//! A journaled run as a report: `fix` right after it ran, and `runs show RUN` for any run. Item
//! states are shown as the journal spells them; nothing here depends on which states exist.

use chrono::{DateTime, Utc};
use mailfix_engine::fix::{FixReport, ReportItem};
use mailfix_engine::journal::{ItemRecord, RunDetail};

use super::common::{Count, Tile, UserCell};
use crate::html::charts::{self, Bar, Markers, TimelineRow, Tone};
use crate::html::format::{TimeColumn, count, iso, seconds};
use crate::html::{ChartError, Figure, Portal};

/// A user the run did not fix, with the outcome and why.
#[derive(Clone, Debug)]
pub struct OutcomeRow {
    /// `stuck`, `failed`, `pending` or `skipped`.
    pub outcome: &'static str,
    /// The user.
    pub user: UserCell,
    /// The temporary alias.
    pub alias: String,
    /// Why.
    pub reason: String,
}

/// One journal item.
#[derive(Clone, Debug)]
pub struct ItemRow {
    /// The user.
    pub user: UserCell,
    /// What is changed (`alias`, `mobile`, ...).
    pub kind: String,
    /// The planned value.
    pub planned: String,
    /// Its state, as journaled.
    pub state: String,
    /// When the add succeeded.
    pub added: String,
    /// When `mail` was seen filled.
    pub written_back: String,
    /// When the removal succeeded.
    pub removed: String,
    /// Write-back latency.
    pub latency: String,
    /// Why it failed, was skipped or got stuck.
    pub reason: String,
}

/// A run.
#[derive(Clone, Debug)]
pub struct RunView {
    /// The command that made the run.
    pub command: String,
    /// How it ended.
    pub status: String,
    /// When it started.
    pub started: String,
    /// When it ended (empty while it runs).
    pub finished: String,
    /// Headline numbers.
    pub tiles: Vec<Tile>,
    /// Items by state, as journaled.
    pub states: Vec<Count>,
    /// `p50 3.1s · p90 5.2s · max 5.2s`, when a user was written back.
    pub latency: Option<String>,
    /// Items by state.
    pub states_chart: Option<Figure>,
    /// Write-back latency histogram.
    pub histogram: Option<Figure>,
    /// Per-user timeline.
    pub timeline: Option<Figure>,
    /// The users the run did not fix (a fix run).
    pub outcomes: Vec<OutcomeRow>,
    /// Every item.
    pub items: Vec<ItemRow>,
    /// Whether items of more than one kind are listed.
    pub several_kinds: bool,
    /// The time note of the items table.
    pub time_note: String,
    /// The command that finishes what is left.
    pub next: Option<String>,
}

impl RunView {
    /// The view of `detail`. `fix` is the summary of a fix run (its request counts are shown when
    /// `live`: they belong to the invocation that just ran). `now` ends rows still open.
    pub fn new(
        detail: &RunDetail,
        fix: Option<&FixReport>,
        live: bool,
        portal: &Portal,
        now: DateTime<Utc>,
    ) -> Result<Self, ChartError> {
        let run = &detail.run;
        let times = detail
            .items
            .iter()
            .flat_map(|i| [i.added_at, i.written_back_at, i.removed_at]);
        let column = TimeColumn::for_times(times.flatten());
        let states: Vec<Count> = detail
            .counts()
            .into_iter()
            .map(|(state, n)| Count {
                name: state.to_string(),
                n: n as u64,
            })
            .collect();
        let latency = detail.latency().map(|l| {
            let s = |d: std::time::Duration| seconds(d.as_secs_f64());
            format!("p50 {} · p90 {} · max {}", s(l.p50), s(l.p90), s(l.max))
        });
        let kinds: std::collections::BTreeSet<_> = detail.items.iter().map(|i| i.kind).collect();
        Ok(RunView {
            command: run.command.to_string(),
            status: run.status.to_string(),
            started: iso(run.started_at),
            finished: run.finished_at.map(iso).unwrap_or_default(),
            tiles: tiles(detail, fix, live),
            states_chart: states_chart(detail)?,
            states,
            latency,
            histogram: histogram(detail)?,
            timeline: timeline(detail, now)?,
            outcomes: fix.map(|f| outcomes(f, portal)).unwrap_or_default(),
            items: detail
                .items
                .iter()
                .map(|i| item_row(i, column, portal))
                .collect(),
            several_kinds: kinds.len() > 1,
            time_note: column.note(),
            next: fix.and_then(|f| f.next.clone()),
        })
    }
}

fn tiles(detail: &RunDetail, fix: Option<&FixReport>, live: bool) -> Vec<Tile> {
    let Some(f) = fix else {
        return vec![Tile::new("items", detail.items.len(), "", false)];
    };
    let mut tiles = vec![
        Tile::new("targets", f.targets, "", false),
        Tile::new("fixed", f.fixed.len(), "good", !f.fixed.is_empty()),
        Tile::new("stuck", f.stuck.len(), "bad", !f.stuck.is_empty()),
        Tile::new("failed", f.failed.len(), "bad", !f.failed.is_empty()),
        Tile::new("pending", f.pending.len(), "warn", !f.pending.is_empty()),
        Tile::new("skipped", f.skipped.len(), "", false),
    ];
    if live {
        let r = &f.requests;
        tiles.extend([
            Tile::new("Graph requests", r.graph, "", false),
            Tile::new("Exchange requests", r.exchange, "", false),
            Tile::new("throttled", r.throttled, "warn", r.throttled > 0),
            Tile::new("elapsed", seconds(f.elapsed_s), "", false),
        ]);
    }
    tiles
}

fn states_chart(detail: &RunDetail) -> Result<Option<Figure>, ChartError> {
    if detail.items.is_empty() {
        return Ok(None);
    }
    let bars: Vec<Bar> = detail
        .counts()
        .into_iter()
        .map(|(state, n)| Bar {
            label: state.to_string(),
            value: n as u64,
            tone: if state.alias_may_be_present() {
                Tone::Warning
            } else {
                Tone::Neutral
            },
        })
        .collect();
    let title = format!(
        "{} of run {} by state: {}",
        count(detail.items.len() as u64, "item", "items"),
        detail.run.id,
        bars.iter()
            .map(|b| format!("{} {}", b.value, b.label))
            .collect::<Vec<_>>()
            .join(", ")
    );
    charts::bars(&title, &bars, "items").map(Some)
}

fn histogram(detail: &RunDetail) -> Result<Option<Figure>, ChartError> {
    let Some(stats) = detail.latency() else {
        return Ok(None);
    };
    let latencies: Vec<f64> = detail
        .items
        .iter()
        .filter_map(|i| i.latency.map(|l| l.as_secs_f64()))
        .collect();
    let markers = Markers {
        p50: stats.p50.as_secs_f64(),
        p90: stats.p90.as_secs_f64(),
        max: stats.max.as_secs_f64(),
    };
    let title = format!(
        "Write-back latency of {}: median {}, 90th percentile {}, maximum {}",
        count(latencies.len() as u64, "user", "users"),
        seconds(markers.p50),
        seconds(markers.p90),
        seconds(markers.max)
    );
    charts::histogram(&title, &latencies, markers).map(Some)
}

/// Rows of the users whose alias was added: written back first, fastest first; then the users
/// never written back, earliest first.
fn timeline(detail: &RunDetail, now: DateTime<Utc>) -> Result<Option<Figure>, ChartError> {
    let mut added: Vec<&ItemRecord> = detail
        .items
        .iter()
        .filter(|i| i.added_at.is_some())
        .collect();
    let Some(start) = added.iter().filter_map(|i| i.added_at).min() else {
        return Ok(None);
    };
    added.sort_by(|a, b| {
        let key = |i: &ItemRecord| (i.written_back_at.is_none(), i.latency, i.added_at);
        key(a).cmp(&key(b))
    });
    let since = |t: DateTime<Utc>| (t - start).as_seconds_f64().max(0.0);
    // The chart ends with the last event; rows never written back run on to the end of the run
    // (or to now, for a run that has not ended).
    let last_event = detail
        .items
        .iter()
        .flat_map(|i| [i.added_at, i.written_back_at, i.removed_at])
        .flatten()
        .max()
        .unwrap_or(start);
    let any_open = added.iter().any(|i| i.written_back_at.is_none());
    let end = match (any_open, detail.run.finished_at) {
        (false, _) => last_event,
        (true, Some(finished)) => finished.max(last_event),
        (true, None) => now.max(last_event),
    };
    let rows: Vec<TimelineRow> = added
        .iter()
        .map(|i| TimelineRow {
            label: i.user.upn.clone(),
            added: i.added_at.map(since).unwrap_or_default(),
            written_back: i.written_back_at.map(since),
            removed: i.removed_at.map(since),
        })
        .collect();
    let open = rows.iter().filter(|r| r.written_back.is_none()).count() as u64;
    let title = format!(
        "Timeline of {}, from alias added to written back to alias removed, fastest write-back \
         first; {} without a write-back, drawn open-ended to the end of the run",
        count(rows.len() as u64, "user", "users"),
        count(open, "user", "users"),
    );
    charts::timeline(&title, &rows, since(end)).map(Some)
}

fn outcomes(fix: &FixReport, portal: &Portal) -> Vec<OutcomeRow> {
    let lists: [(&'static str, &[ReportItem]); 4] = [
        ("stuck", &fix.stuck),
        ("failed", &fix.failed),
        ("pending", &fix.pending),
        ("skipped", &fix.skipped),
    ];
    lists
        .into_iter()
        .flat_map(|(outcome, items)| {
            items.iter().map(move |i| OutcomeRow {
                outcome,
                user: UserCell::new(portal, &i.id, &i.upn),
                alias: i.alias.clone().unwrap_or_default(),
                reason: i.reason.clone().unwrap_or_default(),
            })
        })
        .collect()
}

fn item_row(item: &ItemRecord, column: TimeColumn, portal: &Portal) -> ItemRow {
    ItemRow {
        user: UserCell::new(portal, &item.user.id, &item.user.upn),
        kind: item.kind.to_string(),
        planned: item.planned.clone(),
        state: item.state.to_string(),
        added: column.cell(item.added_at),
        written_back: column.cell(item.written_back_at),
        removed: column.cell(item.removed_at),
        latency: item
            .latency
            .map(|l| seconds(l.as_secs_f64()))
            .unwrap_or_default(),
        reason: item.reason.clone().unwrap_or_default(),
    }
}
