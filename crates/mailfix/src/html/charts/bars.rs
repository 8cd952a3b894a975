//! Horizontal bars, one per label, each with its count written at its end: findings by rule,
//! users scanned and skipped, seed outcomes, run items by state.

use plotters::prelude::*;

use super::canvas::{Drawn, draw, house_style, label_width, note, segments};
use super::palette::Tone;
use crate::html::figure::{ChartError, Figure};

/// One bar.
#[derive(Clone, Debug)]
pub struct Bar {
    /// What it counts.
    pub label: String,
    /// The count.
    pub value: u64,
    /// Its colour.
    pub tone: Tone,
}

/// Bars top to bottom in the order given; `axis` names what is counted.
pub fn bars(title: &str, bars: &[Bar], axis: &str) -> Result<Figure, ChartError> {
    let rows = rows(bars);
    let size = (760, 70 + 34 * rows as u32);
    draw(title, size, |root| plot(root, bars, axis))
}

/// Rows on the axis: one per bar, and at least two (see [`segments`]); a lone bar is drawn at the
/// top with an empty row below it.
fn rows(bars: &[Bar]) -> usize {
    bars.len().max(2)
}

fn plot(root: &super::canvas::Area<'_>, bars: &[Bar], axis: &str) -> Drawn {
    let rows = rows(bars);
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    // Room after the longest bar for its count.
    let top = (max + max / 8 + 1).max(4);
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(label_width(bars.iter().map(|b| b.label.chars().count())))
        .build_cartesian_2d(0..top, segments(rows))?;
    // Bar 0 is drawn at the top.
    let at = |i: usize| rows - 1 - i;
    let name = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(row) if *row < rows => bars
            .get(rows - 1 - row)
            .map(|b| b.label.clone())
            .unwrap_or_default(),
        _ => String::new(),
    };
    house_style(
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows)
            .y_label_formatter(&name)
            .x_labels(6)
            .x_desc(axis),
    )
    .draw()?;
    chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
        let mut bar = Rectangle::new(
            [
                (0, SegmentValue::Exact(at(i))),
                (b.value, SegmentValue::Exact(at(i) + 1)),
            ],
            b.tone.color().filled(),
        );
        bar.set_margin(5, 5, 0, 0);
        bar
    }))?;
    chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
        Text::new(
            format!(" {}", b.value),
            (b.value, SegmentValue::CenterOf(at(i))),
            note(),
        )
    }))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html::charts::days::{DayCount, days};

    /// What a browser refuses: a width or height below zero on any shape.
    fn negative_sizes(svg: &str) -> Vec<&str> {
        let refused = ["width=\"-", "height=\"-"];
        svg.split('<')
            .filter(|tag| refused.iter().any(|r| tag.contains(r)))
            .collect()
    }

    #[test]
    fn one_bar_or_one_day_is_drawn_with_a_height() {
        let one = [Bar {
            label: "verified".into(),
            value: 10,
            tone: Tone::Good,
        }];
        let bar = bars("10 items by state", &one, "items").unwrap();
        assert_eq!(negative_sizes(&bar.body), Vec::<&str>::new());
        assert!(bar.body.contains("fill=\"#3A9B5C\""), "the bar is drawn");
        let day = [DayCount {
            day: "2026-11-25".into(),
            failures: 3,
            successes: 4,
        }];
        let day = days("attempts per day", &day).unwrap();
        assert_eq!(negative_sizes(&day.body), Vec::<&str>::new());
    }
}
