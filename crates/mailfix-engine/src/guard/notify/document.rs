//! The notice as a plain JSON document, for any webhook that is neither Teams nor Slack (an
//! automation platform, a ticketing system, a log collector).

use serde_json::{Value, json};

use super::Notice;

/// `{"source": "mailfix", "kind": "guard.cycle", "version": 1, "headline", ...the notice}`.
pub fn document(notice: &Notice) -> Value {
    let mut body = json!({
        "source": "mailfix",
        "kind": "guard.cycle",
        "version": 1,
        "headline": notice.headline(),
    });
    if let (Some(out), Ok(Value::Object(fields))) =
        (body.as_object_mut(), serde_json::to_value(notice))
    {
        out.extend(fields);
    }
    body
}
