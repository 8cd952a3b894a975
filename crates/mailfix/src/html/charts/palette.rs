//! Colours of the pictures. Mid tones that read on a light and on a dark page; the ink of axes and
//! labels is one exact colour that the page's stylesheet repaints in the dark scheme (an SVG
//! presentation attribute yields to CSS).

use plotters::style::RGBColor;

/// Axes, labels and other text: repainted by the page's dark scheme (see `report.css`).
pub const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);
/// Grid lines: repainted by the page's dark scheme.
pub const GRID: RGBColor = RGBColor(0xD0, 0xD0, 0xD0);
/// The family of every label (the browser's default sans-serif; nothing is loaded).
pub const FONT: &str = "sans-serif";

/// What a colour says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Done, fine.
    Good,
    /// Waiting, in progress, neutral.
    Neutral,
    /// A second neutral (e.g. removing the alias after the write-back).
    Second,
    /// Needs a look.
    Warning,
    /// Failed, stuck, error.
    Bad,
    /// Context only.
    Quiet,
}

impl Tone {
    /// The colour of this tone.
    pub fn color(self) -> RGBColor {
        match self {
            Tone::Good => RGBColor(0x3A, 0x9B, 0x5C),
            Tone::Neutral => RGBColor(0x4C, 0x78, 0xA8),
            Tone::Second => RGBColor(0x72, 0xB7, 0xB2),
            Tone::Warning => RGBColor(0xF5, 0x85, 0x18),
            Tone::Bad => RGBColor(0xE4, 0x57, 0x56),
            Tone::Quiet => RGBColor(0x9D, 0x9D, 0x9D),
        }
    }
}
