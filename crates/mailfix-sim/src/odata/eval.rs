//! Evaluates a parsed `$filter` against an object that exposes its properties through [`Fields`].
//! String comparisons are case-insensitive, as they are for directory properties in Graph.

use std::borrow::Cow;
use std::cmp::Ordering;

use chrono::{DateTime, Utc};

use super::filter::{CmpOp, Expr, Func, Literal};

/// A property value as the evaluator sees it.
pub enum Val<'a> {
    /// Absent or null.
    Null,
    /// A string (GUIDs and enums are strings too).
    Str(Cow<'a, str>),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A date-time.
    Time(DateTime<Utc>),
    /// A collection of values.
    List(Vec<Val<'a>>),
    /// A complex value (an `assignedPlan`, a `targetResource`), reached through lambdas.
    Obj(Box<dyn Fields + 'a>),
}

impl<'a> Val<'a> {
    /// A borrowed string value.
    pub fn str(s: &'a str) -> Self {
        Val::Str(Cow::Borrowed(s))
    }

    /// A string or null.
    pub fn opt_str(s: Option<&'a str>) -> Self {
        s.map_or(Val::Null, Val::str)
    }

    /// A list of borrowed strings.
    pub fn strs<I: IntoIterator<Item = &'a String>>(items: I) -> Self {
        Val::List(items.into_iter().map(|s| Val::str(s)).collect())
    }

    fn shallow(&self) -> Val<'_> {
        match self {
            Val::Str(s) => Val::Str(Cow::Borrowed(s)),
            Val::Bool(b) => Val::Bool(*b),
            Val::Int(n) => Val::Int(*n),
            Val::Time(t) => Val::Time(*t),
            Val::Null | Val::List(_) | Val::Obj(_) => Val::Null,
        }
    }
}

/// An object whose properties a filter can read. `path` is never empty; unknown paths give
/// [`Val::Null`] (the rules check paths before evaluation).
pub trait Fields {
    /// The value at `path` (`["mail"]`, `["initiatedBy", "user", "id"]`).
    fn field(&self, path: &[String]) -> Val<'_>;
}

/// Whether `object` satisfies `expr`.
pub fn matches(expr: &Expr, object: &dyn Fields) -> bool {
    eval(expr, object, None)
}

type Scope<'s> = Option<(&'s str, &'s Val<'s>)>;

fn eval(expr: &Expr, root: &dyn Fields, scope: Scope<'_>) -> bool {
    match expr {
        Expr::And(a, b) => eval(a, root, scope) && eval(b, root, scope),
        Expr::Or(a, b) => eval(a, root, scope) || eval(b, root, scope),
        Expr::Not(a) => !eval(a, root, scope),
        Expr::Cmp(path, op, literal) => compare(&value(path, root, scope), *op, literal),
        Expr::In(path, literals) => {
            let v = value(path, root, scope);
            literals.iter().any(|l| compare(&v, CmpOp::Eq, l))
        }
        Expr::Call(func, path, text) => match value(path, root, scope) {
            Val::Str(s) => match func {
                Func::StartsWith => starts_with_fold(&s, text),
                Func::EndsWith => ends_with_fold(&s, text),
            },
            _ => false,
        },
        Expr::Lambda {
            path,
            any,
            var,
            body,
        } => {
            let Val::List(items) = value(path, root, scope) else {
                return false;
            };
            let test = |item: &Val<'_>| eval(body, root, Some((var.as_str(), item)));
            if *any {
                items.iter().any(test)
            } else {
                items.iter().all(test)
            }
        }
    }
}

fn value<'x>(path: &[String], root: &'x dyn Fields, scope: Scope<'x>) -> Val<'x> {
    if let Some((var, item)) = scope
        && path[0] == var
    {
        return match (item, path.len()) {
            (Val::Obj(object), n) if n > 1 => object.field(&path[1..]),
            (_, 1) => item.shallow(),
            _ => Val::Null,
        };
    }
    root.field(path)
}

fn compare(value: &Val<'_>, op: CmpOp, literal: &Literal) -> bool {
    let ordering = match (value, literal) {
        (Val::Null, Literal::Null) => Some(Ordering::Equal),
        (Val::Null, _) | (_, Literal::Null) => None,
        (Val::Str(s), Literal::Str(l)) => Some(cmp_fold(s, l)),
        (Val::Str(s), Literal::Guid(g)) => Some(cmp_fold(s, &g.to_string())),
        (Val::Bool(b), Literal::Bool(l)) => Some(b.cmp(l)),
        (Val::Int(n), Literal::Int(l)) => Some(n.cmp(l)),
        (Val::Time(t), Literal::Time(l)) => Some(t.cmp(l)),
        (Val::Str(s), Literal::Time(l)) => DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc).cmp(l)),
        _ => None,
    };
    match (op, ordering) {
        (CmpOp::Eq, o) => o == Some(Ordering::Equal),
        (CmpOp::Ne, o) => o != Some(Ordering::Equal),
        (CmpOp::Gt, o) => o == Some(Ordering::Greater),
        (CmpOp::Ge, o) => matches!(o, Some(Ordering::Greater | Ordering::Equal)),
        (CmpOp::Lt, o) => o == Some(Ordering::Less),
        (CmpOp::Le, o) => matches!(o, Some(Ordering::Less | Ordering::Equal)),
    }
}

/// Case-insensitive ordering of two strings.
pub fn cmp_fold(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    } else {
        a.to_lowercase().cmp(&b.to_lowercase())
    }
}

/// Case-insensitive `starts_with`.
pub fn starts_with_fold(s: &str, prefix: &str) -> bool {
    if s.is_ascii() && prefix.is_ascii() {
        s.len() >= prefix.len()
            && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    } else {
        s.to_lowercase().starts_with(&prefix.to_lowercase())
    }
}

/// Case-insensitive `ends_with`.
pub fn ends_with_fold(s: &str, suffix: &str) -> bool {
    if s.is_ascii() && suffix.is_ascii() {
        s.len() >= suffix.len()
            && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    } else {
        s.to_lowercase().ends_with(&suffix.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::super::filter::parse;
    use super::*;

    struct Plan(&'static str);
    impl Fields for Plan {
        fn field(&self, path: &[String]) -> Val<'_> {
            match path[0].as_str() {
                "servicePlanId" => Val::str(self.0),
                _ => Val::Null,
            }
        }
    }

    struct User {
        mail: Option<&'static str>,
        proxies: Vec<String>,
    }
    impl Fields for User {
        fn field(&self, path: &[String]) -> Val<'_> {
            match path[0].as_str() {
                "mail" => Val::opt_str(self.mail),
                "proxyAddresses" => Val::strs(&self.proxies),
                "assignedPlans" => Val::List(vec![Val::Obj(Box::new(Plan(
                    "9aaf7827-d63c-4b61-89c3-182f06f82e5c",
                )))]),
                "accountEnabled" => Val::Bool(true),
                _ => Val::Null,
            }
        }
    }

    fn check(filter: &str, user: &User) -> bool {
        matches(&parse(filter).unwrap(), user)
    }

    #[test]
    fn null_case_and_lambda_semantics() {
        let empty = User {
            mail: None,
            proxies: vec![],
        };
        let full = User {
            mail: Some("Ann@Contoso.com"),
            proxies: vec!["SMTP:ann@contoso.com".into()],
        };
        assert!(check("mail eq null", &empty));
        assert!(!check("mail eq null", &full));
        assert!(check("mail ne null", &full));
        assert!(check("mail eq 'ann@contoso.com'", &full));
        assert!(check("endswith(mail,'@CONTOSO.COM')", &full));
        assert!(!check("startswith(mail,'bob')", &full));
        assert!(check("proxyAddresses/any(p:startswith(p,'smtp:'))", &full));
        assert!(!check(
            "proxyAddresses/any(p:startswith(p,'smtp:'))",
            &empty
        ));
        assert!(check(
            "assignedPlans/any(a:a/servicePlanId eq 9aaf7827-d63c-4b61-89c3-182f06f82e5c) and accountEnabled eq true",
            &empty
        ));
        assert!(check("not (mail in ('x@y.z', 'ann@contoso.com'))", &empty));
    }
}
