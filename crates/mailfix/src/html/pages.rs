//! The pages: one askama template per report kind (`templates/`), all extending `base.html`, which
//! writes the header, the inline stylesheet and a Content-Security-Policy that forbids loading
//! anything. askama escapes every value for HTML; only the figures' SVG bodies, which plotters
//! wrote and escaped itself, are written as they are.

use askama::Template;

use super::Header;
use super::views::{AuditView, CleanupView, RunView, ScanView, SeedView, Tile};
use crate::error::CliError;

#[derive(Template)]
#[template(path = "run.html")]
struct RunPage<'a> {
    header: &'a Header,
    view: &'a RunView,
}

#[derive(Template)]
#[template(path = "scan.html")]
struct ScanPage<'a> {
    header: &'a Header,
    scan: &'a ScanView,
}

#[derive(Template)]
#[template(path = "guard.html")]
struct GuardPage<'a> {
    header: &'a Header,
    tiles: &'a [Tile],
    scan: &'a ScanView,
    runs: &'a [RunView],
}

#[derive(Template)]
#[template(path = "cleanup.html")]
struct CleanupPage<'a> {
    header: &'a Header,
    view: &'a CleanupView,
}

#[derive(Template)]
#[template(path = "seed.html")]
struct SeedPage<'a> {
    header: &'a Header,
    view: &'a SeedView,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    header: &'a Header,
    view: &'a AuditView,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    header: &'a Header,
    heading: &'a str,
    text: &'a str,
    tiles: &'a [Tile],
}

fn rendered(page: askama::Result<String>) -> Result<String, CliError> {
    page.map_err(|e| CliError::runtime("cannot lay out the HTML report").cause(e))
}

/// A run (`fix`, `runs show`).
pub fn run(header: &Header, view: &RunView) -> Result<String, CliError> {
    rendered(RunPage { header, view }.render())
}

/// A scan.
pub fn scan(header: &Header, scan: &ScanView) -> Result<String, CliError> {
    rendered(ScanPage { header, scan }.render())
}

/// A guard cycle.
pub fn guard(
    header: &Header,
    tiles: &[Tile],
    scan: &ScanView,
    runs: &[RunView],
) -> Result<String, CliError> {
    rendered(
        GuardPage {
            header,
            tiles,
            scan,
            runs,
        }
        .render(),
    )
}

/// A cleanup.
pub fn cleanup(header: &Header, view: &CleanupView) -> Result<String, CliError> {
    rendered(CleanupPage { header, view }.render())
}

/// A seed run.
pub fn seed(header: &Header, view: &SeedView) -> Result<String, CliError> {
    rendered(SeedPage { header, view }.render())
}

/// An audit.
pub fn audit(header: &Header, view: &AuditView) -> Result<String, CliError> {
    rendered(AuditPage { header, view }.render())
}

/// A short report without tables (a command that had nothing to do).
pub fn message(
    header: &Header,
    heading: &str,
    text: &str,
    tiles: &[Tile],
) -> Result<String, CliError> {
    rendered(
        MessagePage {
            header,
            heading,
            text,
            tiles,
        }
        .render(),
    )
}
