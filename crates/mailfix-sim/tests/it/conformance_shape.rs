//! The shape comparison of the conformance test: property names, JSON types and `@` annotations of
//! a documented response against the simulator's, never the values.

use serde_json::Value;

/// Annotations the docs leave out of shortened responses although Graph sends them, and links
/// whose presence depends on how many objects a tenant has.
const ALWAYS_ALLOWED: &[&str] = &["@odata.context", "@odata.nextLink"];

/// How strictly to compare one example.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rules<'a> {
    /// Documented keys the simulator deliberately does not send (doc artifacts, unmodelled data).
    pub ignore: &'a [&'a str],
    /// Keys the simulator sends beyond the documented ones, deliberately.
    pub allow_extra: &'a [&'a str],
    /// The example selects its properties (`$select`): entities must have exactly those keys.
    pub exact: bool,
    /// The seeded tenant has nothing matching (unmodelled data): an empty `value` is accepted.
    pub empty_ok: bool,
}

/// Compares `actual` with `expected`, appending a line per difference to `out`.
pub fn compare(
    expected: &Value,
    actual: &Value,
    rules: &Rules<'_>,
    path: &str,
    out: &mut Vec<String>,
) {
    match (expected, actual) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(e), Value::Object(a)) => {
            for (key, ev) in e {
                if rules.ignore.contains(&key.as_str()) {
                    continue;
                }
                match a.get(key) {
                    Some(av) => compare(ev, av, rules, &format!("{path}/{key}"), out),
                    None => out.push(format!("{path}: missing '{key}'")),
                }
            }
            let entity = path.is_empty() || path.ends_with("/value[]");
            for key in a.keys().filter(|k| !e.contains_key(*k)) {
                let allowed = ALWAYS_ALLOWED.contains(&key.as_str())
                    || rules.allow_extra.contains(&key.as_str());
                if allowed {
                    continue;
                }
                if key.starts_with('@') {
                    out.push(format!("{path}: unexpected annotation '{key}'"));
                } else if rules.exact && entity {
                    out.push(format!("{path}: unexpected property '{key}'"));
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => compare_items(e, a, rules, path, out),
        (e, a) if kind(e) != kind(a) => {
            out.push(format!(
                "{path}: expected a {} but got a {} ({a})",
                kind(e),
                kind(a)
            ));
        }
        _ => {}
    }
}

fn compare_items(
    expected: &[Value],
    actual: &[Value],
    rules: &Rules<'_>,
    path: &str,
    out: &mut Vec<String>,
) {
    if expected.is_empty() {
        return;
    }
    if actual.is_empty() {
        if path == "/value" && !rules.empty_ok {
            out.push(format!(
                "{path}: no items where the example has {}",
                expected.len()
            ));
        }
        return;
    }
    let item_path = format!("{path}[]");
    for (i, e) in expected.iter().enumerate() {
        let typed = e.get("@odata.type").and_then(Value::as_str);
        // Items are matched by kind: `@odata.type`, or being a `@removed` delta item, else position.
        let removed = |v: &Value| v.get("@removed").is_some();
        let candidate = match typed {
            Some(t) => actual
                .iter()
                .find(|a| a.get("@odata.type").and_then(Value::as_str) == Some(t)),
            None if removed(e) => actual.iter().find(|a| removed(a)),
            None => actual
                .get(i)
                .filter(|a| !removed(a))
                .or_else(|| actual.iter().find(|a| !removed(a))),
        };
        match candidate {
            Some(a) => compare(e, a, rules, &item_path, out),
            None => out.push(format!(
                "{item_path}: no item of type {}",
                typed.unwrap_or("?")
            )),
        }
    }
}

/// The JSON type of a value, in words.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[test]
fn the_comparison_catches_what_it_should() {
    let doc = serde_json::json!({
        "@odata.context": "x", "@odata.count": 2,
        "value": [{"@odata.type": "#microsoft.graph.user", "id": "1", "mail": "a", "accountEnabled": true}]
    });
    let same = serde_json::json!({
        "@odata.context": "y", "@odata.count": 7,
        "value": [{"@odata.type": "#microsoft.graph.user", "id": "9", "mail": null, "accountEnabled": false, "x": 1}]
    });
    let mut out = Vec::new();
    compare(&doc, &same, &Rules::default(), "", &mut out);
    assert!(out.is_empty(), "{out:?}");
    let broken = serde_json::json!({
        "@odata.deltaLink": "y",
        "value": [{"@odata.type": "#microsoft.graph.group", "id": 1, "accountEnabled": "yes"}]
    });
    compare(
        &doc,
        &broken,
        &Rules {
            exact: true,
            ..Rules::default()
        },
        "",
        &mut out,
    );
    assert_eq!(out.len(), 4, "{out:?}");
    out.clear();
    let empty = serde_json::json!({"@odata.context": "y", "@odata.count": 0, "value": []});
    compare(&doc, &empty, &Rules::default(), "", &mut out);
    assert_eq!(out.len(), 1, "{out:?}");
    out.clear();
    let extra = serde_json::json!({"@odata.context": "y", "@odata.count": 0, "value": [{"@odata.type": "#microsoft.graph.user", "id": "1", "mail": "m", "accountEnabled": true, "city": null}]});
    compare(
        &doc,
        &extra,
        &Rules {
            exact: true,
            ..Rules::default()
        },
        "",
        &mut out,
    );
    assert_eq!(out, ["/value[]: unexpected property 'city'"]);
}
