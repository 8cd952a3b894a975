//! The write-back latency histogram: how many users Exchange wrote back within each interval, with
//! the median, the 90th percentile and the maximum marked.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::canvas::{Area, Drawn, TimeAxis, draw, house_style};
use super::palette::{FONT, INK, Tone};
use crate::html::figure::{ChartError, Figure};
use crate::html::format::seconds;

/// The marked values, seconds.
#[derive(Clone, Copy, Debug)]
pub struct Markers {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Maximum.
    pub max: f64,
}

/// A histogram of `latencies` (seconds, at least one).
pub fn histogram(title: &str, latencies: &[f64], markers: Markers) -> Result<Figure, ChartError> {
    draw(title, (760, 340), |root| plot(root, latencies, markers))
}

/// Bin width: a round number of seconds giving about twice the square root of the count of bins,
/// between 8 and 40.
fn bin_width(max: f64, count: usize) -> f64 {
    let bins = (2.0 * (count as f64).sqrt()).clamp(8.0, 40.0);
    let raw = (max / bins).max(0.1);
    let round = [
        0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0,
        900.0, 1800.0,
    ];
    round
        .into_iter()
        .find(|w| *w >= raw)
        .unwrap_or(3600.0 * (raw / 3600.0).ceil())
}

fn plot(root: &Area<'_>, latencies: &[f64], m: Markers) -> Drawn {
    let max = latencies.iter().copied().fold(m.max, f64::max);
    let width = bin_width(max, latencies.len());
    let bins = (max / width).floor() as usize + 1;
    let mut counts = vec![0u32; bins];
    for l in latencies {
        let bin = ((l / width).floor() as usize).min(bins - 1);
        counts[bin] += 1;
    }
    let tallest = counts.iter().copied().max().unwrap_or(1);
    let axis = TimeAxis::up_to(width * bins as f64);
    let t = |seconds: f64| axis.of(seconds);
    let x_end = t(width * bins as f64);
    let y_end = f64::from(tallest) * 1.25 + 1.0;
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .margin_right(110)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..x_end, 0.0..y_end)?;
    house_style(
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("write-back latency (time from adding the alias until mail was filled)")
            .y_desc("users")
            .x_label_formatter(&|v| axis.tick(*v))
            .y_label_formatter(&|v| format!("{v:.0}")),
    )
    .draw()?;
    chart.draw_series(
        counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| {
                let x0 = width * i as f64;
                let mut bar = Rectangle::new(
                    [(t(x0), 0.0), (t(x0 + width), f64::from(*n))],
                    Tone::Neutral.color().filled(),
                );
                bar.set_margin(0, 0, 1, 1);
                bar
            }),
    )?;
    let marks = [
        ("p50", m.p50, Tone::Good, 0.97),
        ("p90", m.p90, Tone::Warning, 0.89),
        ("max", m.max, Tone::Bad, 0.81),
    ];
    for (name, value, tone, height) in marks {
        let style = tone.color().stroke_width(2);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(t(value), 0.0), (t(value), y_end * height)],
            style,
        )))?;
        let text = (FONT, 16)
            .into_font()
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        chart.draw_series(std::iter::once(Text::new(
            format!(" {name} {}", seconds(value)),
            (t(value), y_end * height),
            text,
        )))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_round_and_few() {
        assert_eq!(bin_width(2.8, 31), 0.5);
        assert_eq!(bin_width(300.0, 5000), 10.0);
        assert_eq!(bin_width(0.0, 1), 0.1);
    }
}
