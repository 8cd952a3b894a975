//! Checks an HTML report the way a browser without network and a screen reader need it: html5ever
//! parses it without an error, it loads nothing (no script, stylesheet link, image, frame or
//! `url(...)`), every table has header cells with a `scope`, every SVG has a non-empty `<title>`
//! as its first element, the header names the tenant, command, scope, run, version and time, and
//! the only links lead to user pages in the Entra admin center.

use std::path::Path;

use scraper::{ElementRef, Html, Selector};

/// The admin center link every user row carries (global cloud).
pub const USER_PAGE: &str = "https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/";

fn select<'a>(doc: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    let selector = Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e}"));
    doc.select(&selector).collect()
}

/// Text of an element.
pub fn text(element: &ElementRef<'_>) -> String {
    element.text().collect()
}

/// A checked report.
pub struct Report {
    /// The file's text.
    pub page: String,
    /// Its parse.
    pub doc: Html,
}

impl Report {
    /// Elements matching `css`.
    pub fn select(&self, css: &str) -> Vec<ElementRef<'_>> {
        select(&self.doc, css)
    }

    /// The value of the header fact named `name` (`Tenant`, `Scope`, ...).
    pub fn fact(&self, name: &str) -> String {
        self.select(".facts div")
            .into_iter()
            .find(|f| {
                select_in(f, "dt")
                    .first()
                    .is_some_and(|dt| text(dt) == name)
            })
            .and_then(|f| select_in(&f, "dd").first().map(text))
            .unwrap_or_else(|| panic!("no header fact {name}"))
    }

    /// The `<title>` texts of the report's SVG figures.
    pub fn figure_titles(&self) -> Vec<String> {
        self.select("svg > title").iter().map(text).collect()
    }

    /// The figure whose title starts with `start`.
    pub fn figure(&self, start: &str) -> ElementRef<'_> {
        self.select("svg")
            .into_iter()
            .find(|svg| {
                svg.children()
                    .filter_map(ElementRef::wrap)
                    .next()
                    .is_some_and(|t| text(&t).starts_with(start))
            })
            .unwrap_or_else(|| panic!("no figure '{start}…' in {:?}", self.figure_titles()))
    }

    fn find_table(&self, caption: &str) -> ElementRef<'_> {
        self.select("table")
            .into_iter()
            .find(|t| {
                select_in(t, "caption")
                    .first()
                    .is_some_and(|c| text(c).starts_with(caption))
            })
            .unwrap_or_else(|| panic!("no table '{caption}…'"))
    }

    /// The rows of the table whose caption starts with `caption`, as cell texts.
    pub fn table(&self, caption: &str) -> Vec<Vec<String>> {
        select_in(&self.find_table(caption), "tbody tr")
            .iter()
            .map(|row| select_in(row, "th, td").iter().map(text).collect())
            .collect()
    }

    /// `href`s of the links in the table whose caption starts with `caption`.
    pub fn links(&self, caption: &str) -> Vec<String> {
        select_in(&self.find_table(caption), "a[href]")
            .iter()
            .filter_map(|a| a.value().attr("href").map(str::to_owned))
            .collect()
    }
}

fn select_in<'a>(element: &ElementRef<'a>, css: &str) -> Vec<ElementRef<'a>> {
    let selector = Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e}"));
    element.select(&selector).collect()
}

/// Reads and checks the report at `path`; `run` is the run id its header must name, if any.
pub fn check(path: &Path, command: &str, run: Option<&str>) -> Report {
    let page = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the report names people: private file");
    }
    let doc = Html::parse_document(&page);
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
    assert!(
        page.starts_with("<!DOCTYPE html>"),
        "a standards-mode document"
    );
    let report = Report { page, doc };
    loads_nothing(&report);
    accessible(&report);
    drawable(&report);
    for fact in ["Tenant", "Scope", "mailfix", "Made"] {
        assert!(
            !report.fact(fact).trim().is_empty(),
            "the header names the {fact}"
        );
    }
    assert_eq!(report.fact("Command"), format!("mailfix {command}"));
    if let Some(run) = run {
        assert_eq!(report.fact("Run"), run);
    }
    report
}

fn loads_nothing(report: &Report) {
    for tag in [
        "script", "link", "img", "iframe", "object", "embed", "audio", "video", "source", "base",
    ] {
        assert!(report.select(tag).is_empty(), "a <{tag}> element");
    }
    assert!(report.select("[src]").is_empty(), "an element with src");
    assert!(!report.page.contains("url("), "a CSS url()");
    assert!(!report.page.contains("@import"), "a CSS import");
    for a in report.select("a") {
        let href = a.value().attr("href").unwrap_or_default();
        assert!(href.starts_with(USER_PAGE), "a link elsewhere: {href}");
    }
}

/// No shape a browser would refuse to draw (and log as a console error): a negative width or height.
fn drawable(report: &Report) {
    for shape in report.select("svg [width], svg [height]") {
        for size in ["width", "height"] {
            let value = shape.value().attr(size).unwrap_or("0");
            assert!(
                !value.trim_start().starts_with('-'),
                "a negative {size}: {}",
                shape.html()
            );
        }
    }
}

fn accessible(report: &Report) {
    let tables = report.select("table");
    assert!(!tables.is_empty(), "a report has tables");
    for table in tables {
        let heads = select_in(&table, "thead th");
        assert!(!heads.is_empty(), "a table without header cells");
        for th in select_in(&table, "th") {
            assert!(
                th.value().attr("scope").is_some(),
                "a th without scope: {}",
                th.html()
            );
        }
        assert_eq!(
            select_in(&table, "caption").len(),
            1,
            "a table with one caption"
        );
    }
    for svg in report.select("svg") {
        let first = svg.children().filter_map(ElementRef::wrap).next();
        let title = first
            .filter(|e| e.value().name() == "title")
            .map(|t| text(&t));
        assert!(
            title.is_some_and(|t| !t.trim().is_empty()),
            "an SVG without a <title> first"
        );
        assert_eq!(svg.value().attr("role"), Some("img"));
    }
}
