//! The pictures of the reports, drawn with plotters' SVG backend. Each function takes plain data
//! (labels, counts, seconds) and returns a [`super::Figure`].

mod bars;
mod canvas;
mod days;
mod heatmap;
mod histogram;
mod palette;
mod timeline;

pub use bars::{Bar, bars};
pub use days::{DayCount, days};
pub use heatmap::{HeatCell, heatmap};
pub use histogram::{Markers, histogram};
pub use palette::Tone;
pub use timeline::{TimelineRow, timeline};
