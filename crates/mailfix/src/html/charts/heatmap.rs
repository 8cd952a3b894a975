//! The audit's contingency table as a heat map: one row per class, one column per state of `mail`,
//! each cell shaded by its share of its row and labelled with its count.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::canvas::{Area, Drawn, draw, label, label_width, segments};
use super::palette::{FONT, INK};
use crate::html::figure::{ChartError, Figure};

/// One cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeatCell {
    /// Its row (the class).
    pub row: usize,
    /// Its column (the state of `mail`).
    pub column: usize,
    /// Users in it.
    pub count: u64,
}

/// A heat map of `cells` with the given row and column names.
pub fn heatmap(
    title: &str,
    rows: &[String],
    columns: &[String],
    cells: &[HeatCell],
) -> Result<Figure, ChartError> {
    let height = 110 + 56 * rows.len().max(1) as u32;
    draw(title, (760, height), |root| {
        plot(root, rows, columns, cells)
    })
}

/// A cell's colour: white to deep red by its share of its row.
fn shade(share: f64) -> RGBColor {
    let s = share.clamp(0.0, 1.0);
    let mix = |from: f64, to: f64| (from + (to - from) * s).round() as u8;
    RGBColor(mix(247.0, 178.0), mix(247.0, 34.0), mix(247.0, 34.0))
}

fn plot(root: &Area<'_>, rows: &[String], columns: &[String], cells: &[HeatCell]) -> Drawn {
    let (nr, nc) = (rows.len().max(1), columns.len().max(1));
    let total =
        |row: usize| -> u64 { cells.iter().filter(|c| c.row == row).map(|c| c.count).sum() };
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(label_width(rows.iter().map(|r| r.chars().count())))
        .build_cartesian_2d(segments(nc), segments(nr))?;
    let column_name = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) => columns.get(*i).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    let row_name = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) => (nr - 1)
            .checked_sub(*i)
            .and_then(|row| rows.get(row))
            .cloned()
            .unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(nc)
        .y_labels(nr)
        .x_label_formatter(&column_name)
        .y_label_formatter(&row_name)
        .axis_style(INK)
        .label_style(label())
        .draw()?;
    for cell in cells {
        let row_total = total(cell.row);
        let share = match row_total {
            0 => 0.0,
            t => cell.count as f64 / t as f64,
        };
        let y = nr - 1 - cell.row;
        let mut rect = Rectangle::new(
            [
                (SegmentValue::Exact(cell.column), SegmentValue::Exact(y)),
                (
                    SegmentValue::Exact(cell.column + 1),
                    SegmentValue::Exact(y + 1),
                ),
            ],
            shade(share).filled(),
        );
        rect.set_margin(2, 2, 2, 2);
        chart.draw_series(std::iter::once(rect))?;
        // Dark text on light cells, white on dark ones: readable in either page scheme.
        let text_color = if share > 0.55 { WHITE } else { BLACK };
        let style = (FONT, 22)
            .into_font()
            .color(&text_color)
            .pos(Pos::new(HPos::Center, VPos::Center));
        chart.draw_series(std::iter::once(Text::new(
            cell.count.to_string(),
            (
                SegmentValue::CenterOf(cell.column),
                SegmentValue::CenterOf(y),
            ),
            style,
        )))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shades_go_from_near_white_to_deep_red() {
        assert_eq!(shade(0.0), RGBColor(247, 247, 247));
        assert_eq!(shade(1.0), RGBColor(178, 34, 34));
    }
}
