//! The per-user timeline of a fix run: one row per user, sorted by write-back latency, from the
//! moment the alias was added until Exchange wrote the user back, then until the alias was
//! removed. Users never written back run open-ended to the end of the run, with an arrow.
//!
//! A few users get one labelled bar each. Many users are drawn as bands, one polygon per run of
//! neighbouring rows (a staircase along the bars' ends); rows that would share a pixel are
//! combined first, so 5,000 users cost a few hundred points rather than 10,000 rectangles.

use plotters::prelude::*;

use super::canvas::{Area, Drawn, TimeAxis, draw, house_style, key, note};
use super::palette::Tone;
use crate::html::figure::{ChartError, Figure};
use crate::html::format::seconds;

/// Rows labelled one by one up to this many users.
const LABELLED: usize = 40;
/// Height of the plot when rows are drawn as bands.
const BAND_HEIGHT: usize = 720;

/// One user's times, seconds since the first alias of the run was added.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineRow {
    /// The user.
    pub label: String,
    /// The alias was added.
    pub added: f64,
    /// `mail` was seen filled.
    pub written_back: Option<f64>,
    /// The alias was removed.
    pub removed: Option<f64>,
}

/// Consecutive rows drawn as one: the earliest start and the latest ends of its rows.
#[derive(Clone, Debug, PartialEq)]
struct Span {
    first: usize,
    rows: usize,
    added: f64,
    written_back: Option<f64>,
    removed: Option<f64>,
}

impl Span {
    fn of(first: usize, row: &TimelineRow) -> Self {
        Span {
            first,
            rows: 1,
            added: row.added,
            written_back: row.written_back,
            removed: row.removed,
        }
    }

    /// Whether `row` may join: same kind (written back or not, alias removed or not).
    fn takes(&self, row: &TimelineRow) -> bool {
        self.written_back.is_some() == row.written_back.is_some()
            && self.removed.is_some() == row.removed.is_some()
    }

    fn join(&mut self, row: &TimelineRow) {
        let later = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| a.max(b));
        self.rows += 1;
        self.added = self.added.min(row.added);
        self.written_back = later(self.written_back, row.written_back);
        self.removed = later(self.removed, row.removed);
    }
}

/// The spans of `rows`: one per row, or per group of rows sharing a pixel row of the plot.
fn spans(rows: &[TimelineRow], per_span: usize) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        match out.last_mut() {
            Some(span) if span.rows < per_span && span.takes(row) => span.join(row),
            _ => out.push(Span::of(i, row)),
        }
    }
    out
}

/// Draws `rows` (already in display order); `end` is the end of the run, where open rows stop.
pub fn timeline(title: &str, rows: &[TimelineRow], end: f64) -> Result<Figure, ChartError> {
    let labelled = rows.len() <= LABELLED;
    let plot_height = match labelled {
        true => 24 * rows.len().max(1),
        false => (3 * rows.len()).clamp(240, BAND_HEIGHT),
    };
    let per_span = rows.len().div_ceil(plot_height).max(1);
    let spans = spans(rows, per_span);
    let height = plot_height as u32 + 110;
    draw(title, (960, height), |root| {
        plot(root, rows, &spans, end, labelled)
    })
}

/// The segments of a span: (start, end, tone), and whether it is open-ended.
fn segments(span: &Span, end: f64) -> Vec<(f64, f64, Tone)> {
    match (span.written_back, span.removed) {
        (Some(wb), Some(removed)) => vec![
            (span.added, wb, Tone::Neutral),
            (wb, removed.max(wb), Tone::Second),
        ],
        (Some(wb), None) => vec![(span.added, wb, Tone::Neutral)],
        (None, _) => vec![(span.added, end.max(span.added), Tone::Bad)],
    }
}

/// Where rows and times go in the plot's coordinates: x in the axis' unit, row r from y = n - r - 1
/// to n - r (row 0 at the top).
struct Layout {
    axis: TimeAxis,
    /// Rows.
    n: f64,
    /// Space between labelled rows, in rows.
    pad: f64,
    /// Rows per pixel of the plot.
    per_pixel: f64,
    /// The end of the run, seconds.
    end: f64,
    /// Width of the arrow of open rows, in the axis' unit.
    arrow: f64,
    labelled: bool,
}

impl Layout {
    fn t(&self, seconds: f64) -> f64 {
        self.axis.of(seconds)
    }

    fn top(&self, s: &Span) -> f64 {
        self.n - s.first as f64 - self.pad
    }

    fn bottom(&self, s: &Span) -> f64 {
        self.n - (s.first + s.rows) as f64 + self.pad
    }

    /// The staircase polygon of neighbouring parts: down their starts, up their ends.
    fn band(&self, band: &[(&Span, f64, f64)]) -> Vec<(f64, f64)> {
        let down = band
            .iter()
            .flat_map(|(s, a, _)| [(*a, self.top(s)), (*a, self.bottom(s))]);
        let up =
            (band.iter().rev()).flat_map(|(s, _, b)| [(*b, self.bottom(s)), (*b, self.top(s))]);
        down.chain(up).collect()
    }

    /// The arrow at the end of open rows, at least 16 pixels tall however few rows it stands for;
    /// and where its note goes.
    fn arrow(&self, first: &Span, last: &Span) -> (Vec<(f64, f64)>, (f64, f64)) {
        let (top, bottom) = (self.top(first), self.bottom(last));
        let mid = (top + bottom) / 2.0;
        let half = ((top - bottom) / 2.0).max(8.0 * self.per_pixel);
        let x = self.t(self.end);
        let tip = (x + self.arrow, mid);
        (vec![(x, mid + half), tip, (x, mid - half)], tip)
    }
}

/// The polygons of every band and arrow, and the notes beside them.
type Shapes = (Vec<(Vec<(f64, f64)>, Tone)>, Vec<(String, (f64, f64))>);

fn shapes(layout: &Layout, rows: &[TimelineRow], spans: &[Span]) -> Shapes {
    let (mut polygons, mut notes) = (Vec::new(), Vec::new());
    for tone in [Tone::Neutral, Tone::Second, Tone::Bad] {
        let parts: Vec<(&Span, f64, f64)> = spans
            .iter()
            .flat_map(|s| {
                let parts = segments(s, layout.end)
                    .into_iter()
                    .filter(move |seg| seg.2 == tone);
                parts.map(move |(a, b, _)| (s, layout.t(a), layout.t(b)))
            })
            .collect();
        for band in runs(&parts, layout.labelled) {
            polygons.push((layout.band(band), tone));
            if tone == Tone::Bad {
                let (arrow, tip) = layout.arrow(band[0].0, band[band.len() - 1].0);
                polygons.push((arrow, tone));
                if !layout.labelled {
                    let users: usize = band.iter().map(|(s, _, _)| s.rows).sum();
                    notes.push((format!(" {users} without a write-back"), tip));
                }
            }
        }
    }
    if layout.labelled {
        notes.extend(spans.iter().zip(rows).map(|(s, row)| {
            let y = layout.n - s.first as f64 - 0.5;
            match s.written_back {
                Some(wb) => {
                    let right = segments(s, layout.end).last().map_or(wb, |seg| seg.1);
                    let text = format!(" {} · {}", row.label, seconds(wb - row.added));
                    (text, (layout.t(right), y))
                }
                None => {
                    let x = layout.t(layout.end) + layout.arrow;
                    (format!(" {} · no write-back", row.label), (x, y))
                }
            }
        }));
    }
    (polygons, notes)
}

fn plot(root: &Area<'_>, rows: &[TimelineRow], spans: &[Span], end: f64, labelled: bool) -> Drawn {
    let (strip, root) = root.split_vertically(36);
    key(
        &strip,
        &[
            (Tone::Neutral, "alias added, waiting for the write-back"),
            (Tone::Second, "written back, alias being removed"),
            (Tone::Bad, "no write-back (open-ended)"),
        ],
    )?;
    let axis = TimeAxis::up_to(end);
    let n = rows.len().max(1) as f64;
    let x_end = axis.of(end.max(1.0)) * 1.06;
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .margin_right(if labelled { 330 } else { 200 })
        .x_label_area_size(44)
        .y_label_area_size(40)
        .build_cartesian_2d(0.0..x_end, 0.0..n)?;
    house_style(
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .y_desc("users, fastest write-back at the top")
            .x_desc("time since the first alias was added")
            .x_label_formatter(&|v| axis.tick(*v)),
    )
    .draw()?;
    let layout = Layout {
        axis,
        n,
        pad: if labelled { 0.18 } else { 0.0 },
        per_pixel: n / f64::from(chart.plotting_area().dim_in_pixel().1.max(1)),
        end,
        arrow: x_end * 0.015,
        labelled,
    };
    let (polygons, notes) = shapes(&layout, rows, spans);
    chart.draw_series(
        (polygons.into_iter()).map(|(points, tone)| Polygon::new(points, tone.color().filled())),
    )?;
    chart.draw_series(
        notes
            .into_iter()
            .map(|(text, at)| Text::new(text, at, note())),
    )?;
    Ok(())
}

/// Groups of neighbouring parts drawn as one polygon (each part alone when rows are labelled).
fn runs<'a>(parts: &'a [(&'a Span, f64, f64)], labelled: bool) -> Vec<&'a [(&'a Span, f64, f64)]> {
    if labelled {
        return parts.chunks(1).collect();
    }
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=parts.len() {
        let breaks =
            i == parts.len() || parts[i].0.first != parts[i - 1].0.first + parts[i - 1].0.rows;
        if breaks {
            out.push(&parts[start..i]);
            start = i;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(added: f64, wb: Option<f64>, removed: Option<f64>) -> TimelineRow {
        TimelineRow {
            label: "u".into(),
            added,
            written_back: wb,
            removed,
        }
    }

    #[test]
    fn rows_sharing_a_pixel_are_combined_by_kind_only() {
        let rows = [
            row(0.0, Some(2.0), Some(3.0)),
            row(1.0, Some(4.0), Some(5.0)),
            row(0.5, None, None),
            row(0.2, None, None),
        ];
        let spans = spans(&rows, 2);
        assert_eq!(spans.len(), 2);
        assert_eq!((spans[0].added, spans[0].written_back), (0.0, Some(4.0)));
        assert_eq!((spans[1].first, spans[1].rows, spans[1].added), (2, 2, 0.2));
        assert_eq!(self::spans(&rows, 1).len(), 4);
    }

    #[test]
    fn an_open_row_runs_to_the_end() {
        let span = Span::of(0, &row(3.0, None, None));
        assert_eq!(segments(&span, 10.0), vec![(3.0, 10.0, Tone::Bad)]);
    }
}
