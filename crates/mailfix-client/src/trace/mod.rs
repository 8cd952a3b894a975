//! `--trace`: a HAR 1.2 file of every request the client sends and every answer it gets, with
//! secrets redacted and personal data masked, for an admin to attach to a bug report.

mod file;
mod har;
mod redact;

pub use file::Trace;
pub use redact::{mask_email, mask_phone};
