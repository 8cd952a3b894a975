//! Users named with `--user` or `--users-file` that the directory does not have: one warning each
//! on stderr (with the users file's line), and a `not_found` list beside a report in JSON.

use mailfix_engine::scope::NotFound;
use serde::Serialize;

use crate::printer::Printer;

/// One warning per missing user, e.g. `warning: 'nobody@contoso.com' (--user): no such user in
/// the directory`, then what the command does about them.
pub fn warn(printer: &Printer, missing: &[NotFound], consequence: &str) {
    for entry in missing {
        printer.warning(&entry.to_string());
    }
    if !missing.is_empty() {
        printer.warning(&format!(
            "{} named {} not found: {consequence}",
            missing.len(),
            match missing.len() {
                1 => "user was",
                _ => "users were",
            }
        ));
    }
}

/// A report serialised with a `not_found` list beside its own fields.
#[derive(Serialize)]
pub struct WithNotFound<'a, T: Serialize> {
    /// The report's own fields.
    #[serde(flatten)]
    pub report: &'a T,
    /// The missing users.
    pub not_found: &'a [NotFound],
}
