//! A picture of a report: the SVG that plotters drew, without its outer `<svg>` element, which the
//! page template writes itself with a `<title>` (its text alternative) and `role="img"`.

use std::sync::atomic::{AtomicUsize, Ordering};

/// A drawing failed (plotters reports layout problems, e.g. labels that do not fit).
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the chart '{title}': {message}")]
pub struct ChartError {
    /// The chart's title.
    pub title: String,
    /// What plotters said.
    pub message: String,
}

impl ChartError {
    /// A chart error from any plotters error.
    pub fn new(title: &str, error: impl std::fmt::Display) -> Self {
        ChartError {
            title: title.to_owned(),
            message: error.to_string(),
        }
    }
}

/// One SVG picture with its title.
#[derive(Clone, Debug)]
pub struct Figure {
    /// Unique in the page: the `<title>`'s id, which `aria-labelledby` names.
    pub id: String,
    /// What the picture shows, in words (the SVG `<title>`, shown as a tooltip too).
    pub title: String,
    /// Width of the drawing, in SVG units.
    pub width: u32,
    /// Height of the drawing, in SVG units.
    pub height: u32,
    /// The drawing's elements as plotters wrote them (its text is escaped by plotters).
    pub body: String,
}

static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

impl Figure {
    /// The figure of an SVG document plotters wrote at `width` × `height`: everything between its
    /// `<svg ...>` start tag and its `</svg>` end tag.
    pub fn from_svg(
        title: &str,
        (width, height): (u32, u32),
        svg: &str,
    ) -> Result<Self, ChartError> {
        let start = svg
            .find("<svg")
            .and_then(|at| svg[at..].find('>').map(|end| at + end + 1))
            .ok_or_else(|| ChartError::new(title, "the drawing has no <svg> element"))?;
        let end = svg
            .rfind("</svg>")
            .filter(|end| *end >= start)
            .ok_or_else(|| ChartError::new(title, "the drawing has no </svg> end"))?;
        Ok(Figure {
            id: format!("figure-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed)),
            title: title.to_owned(),
            width,
            height,
            body: svg[start..end].trim().to_owned(),
        })
    }
}
