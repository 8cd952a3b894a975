//! Drawing one picture into an SVG string, and the label styles every picture shares.

use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::{FONT, GRID, INK};
use crate::html::figure::{ChartError, Figure};

/// The drawing area of a picture being drawn.
pub type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// The result of one drawing step.
pub type Drawn = Result<(), Box<dyn std::error::Error>>;

/// Draws a `width` × `height` picture titled `title` with `draw`.
pub fn draw(
    title: &str,
    (width, height): (u32, u32),
    draw: impl FnOnce(&Area<'_>) -> Drawn,
) -> Result<Figure, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw(&root).map_err(|e| ChartError::new(title, e))?;
        root.present().map_err(|e| ChartError::new(title, e))?;
    }
    Figure::from_svg(title, (width, height), &svg)
}

/// Labels and tick values.
pub fn label() -> TextStyle<'static> {
    (FONT, 17).into_font().color(&INK)
}

/// Small text beside a mark, anchored at its left and middle.
pub fn note() -> TextStyle<'static> {
    (FONT, 16)
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center))
}

/// The width a label area needs for `labels` at the label size (plotters' own estimate is per
/// character too; no font is measured).
pub fn label_width(labels: impl IntoIterator<Item = usize>) -> u32 {
    let longest = labels.into_iter().max().unwrap_or(0).min(40) as u32;
    16 + longest * 9
}

/// The key of a picture: a swatch and a text per colour, in a row along the top of `strip`.
pub fn key(strip: &Area<'_>, entries: &[(super::palette::Tone, &str)]) -> Drawn {
    let mut x = 60;
    for (tone, text) in entries {
        strip.draw(&Rectangle::new(
            [(x, 10), (x + 16, 26)],
            tone.color().filled(),
        ))?;
        strip.draw(&Text::new(text.to_string(), (x + 22, 18), note()))?;
        x += 22 + 8 * text.chars().count() as i32 + 24;
    }
    Ok(())
}

/// The unit of a time axis reaching `max` seconds: seconds up to five minutes, then minutes, then
/// hours; and how a tick at `v` units is written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeAxis {
    /// Seconds per unit.
    pub seconds: f64,
    suffix: &'static str,
}

impl TimeAxis {
    /// The axis for times up to `max` seconds.
    pub fn up_to(max: f64) -> Self {
        match max {
            m if m > 5.0 * 3600.0 => TimeAxis {
                seconds: 3600.0,
                suffix: "h",
            },
            m if m > 300.0 => TimeAxis {
                seconds: 60.0,
                suffix: "m",
            },
            _ => TimeAxis {
                seconds: 1.0,
                suffix: "s",
            },
        }
    }

    /// `seconds` in units of the axis.
    pub fn of(self, seconds: f64) -> f64 {
        seconds / self.seconds
    }

    /// A tick label: `30s`, `2.5m`, `10m`.
    pub fn tick(self, v: f64) -> String {
        let text = format!("{v:.1}");
        let text = text.strip_suffix(".0").unwrap_or(&text);
        format!("{text}{}", self.suffix)
    }
}

/// `n` categories as a segmented axis: plotters' segments of `0..k` are the values `0..=k`, so
/// `0..n - 1` gives exactly `n`. At least two: plotters cannot map a range of one value (every
/// mark in it would be drawn with no height), so one category gets an empty segment beside it.
pub fn segments(
    n: usize,
) -> plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordusize> {
    (0..n.max(2) - 1).into_segmented()
}

/// The axes and grid every picture shares: ink axes and labels, one light grid line between labels.
pub fn house_style<'m, 'a, 'b, X, Y, XT, YT, DB>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged<ValueType = XT> + ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
    DB: DrawingBackend,
{
    mesh.axis_style(INK)
        .max_light_lines(1)
        .light_line_style(GRID)
        .bold_line_style(GRID)
        .label_style(label())
        .axis_desc_style(label())
}
