//! Registration attempts per day over the audit window: failures at the bottom, successes stacked
//! on them.

use plotters::prelude::*;

use super::canvas::{Area, Drawn, draw, house_style, key, segments};
use super::palette::Tone;
use crate::html::figure::{ChartError, Figure};

/// One day's attempts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayCount {
    /// The day, `2026-11-25`.
    pub day: String,
    /// Failed attempts.
    pub failures: u64,
    /// Successful attempts.
    pub successes: u64,
}

/// Stacked bars, one per day, in the order given (every day of the window, zeros included).
pub fn days(title: &str, days: &[DayCount]) -> Result<Figure, ChartError> {
    draw(title, (960, 396), |root| plot(root, days))
}

fn plot(root: &Area<'_>, days: &[DayCount]) -> Drawn {
    let (strip, root) = root.split_vertically(36);
    key(&strip, &[(Tone::Bad, "failed"), (Tone::Good, "succeeded")])?;
    let n = days.len().max(1);
    let tallest = days
        .iter()
        .map(|d| d.failures + d.successes)
        .max()
        .unwrap_or(0);
    let top = (tallest + tallest / 8 + 1).max(4);
    // At most about 15 day labels, whatever the window.
    let step = n.div_ceil(15);
    let name = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) if i % step == 0 => days
            .get(*i)
            .map(|d| d.day.get(5..).unwrap_or(&d.day).to_owned())
            .unwrap_or_default(),
        _ => String::new(),
    };
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(segments(n), 0..top)?;
    house_style(
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&name)
            .x_desc("day (UTC, month-day)")
            .y_desc("registration attempts"),
    )
    .draw()?;
    let margin = if n > 40 { 0 } else { 3 };
    chart.draw_series(
        Histogram::vertical(&chart)
            .style(Tone::Bad.color().filled())
            .margin(margin)
            .data(days.iter().enumerate().map(|(i, d)| (i, d.failures))),
    )?;
    chart.draw_series(
        Histogram::vertical(&chart)
            .style(Tone::Good.color().filled())
            .margin(margin)
            .baseline_func(|v: &SegmentValue<usize>| match v {
                SegmentValue::Exact(i) | SegmentValue::CenterOf(i) => {
                    days.get(*i).map_or(0, |d| d.failures)
                }
                SegmentValue::Last => 0,
            })
            .data(
                days.iter()
                    .enumerate()
                    .map(|(i, d)| (i, d.failures + d.successes)),
            ),
    )?;
    Ok(())
}
