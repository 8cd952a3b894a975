//! `--trace`: a HAR 1.2 file of every request the client sends and every answer it gets, with
//! secrets redacted and personal data masked, for an admin to attach to a bug report.

mod file;
mod har;
mod redact;

use std::time::Duration;

use crate::error::Error;
use crate::execute::Sent;
use crate::request::Request;

pub use file::Trace;
pub(crate) use har::Answer;
pub use redact::{mask_email, mask_phone};

impl Trace {
    /// Records one send of the client's request path: its answer, or why there is none.
    pub(crate) fn record_send(
        &self,
        req: &Request,
        bearer: bool,
        sent: &Result<Sent, Error>,
        wall: chrono::DateTime<chrono::Utc>,
        took: Duration,
    ) {
        let answer = match sent {
            Ok(Sent::Response(r)) => Answer::Response {
                status: r.status.as_u16(),
                headers: &r.headers,
                body: &r.body,
            },
            Ok(Sent::Unsent(e) | Sent::Lost(e)) => Answer::Failed(e.to_string()),
            Err(e) => Answer::Failed(e.to_string()),
        };
        self.record(req, bearer, &answer, wall, took.as_secs_f64() * 1000.0);
    }
}
