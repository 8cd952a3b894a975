//! Which `$filter` clauses a resource accepts, and which of them need advanced query parameters
//! (`ConsistencyLevel: eventual` + `$count=true`), after the Graph docs' "filter by properties of
//! directory objects" table (includes/filter-directory-objects.md).

use crate::error::GraphError;

use super::filter::{CmpOp, Expr, Func, Literal};

/// Operator flags of a [`PropRule`].
pub mod ops {
    /// `eq` on a non-null value.
    pub const EQ: u16 = 1;
    /// `ne` on a non-null value.
    pub const NE: u16 = 1 << 1;
    /// `gt`, `ge`, `lt`, `le`.
    pub const RANGE: u16 = 1 << 2;
    /// `in (...)`.
    pub const IN: u16 = 1 << 3;
    /// `startswith`.
    pub const STARTS: u16 = 1 << 4;
    /// `endswith`.
    pub const ENDS: u16 = 1 << 5;
    /// `eq null` / `ne null`.
    pub const NULL: u16 = 1 << 6;
    /// `any` / `all` lambdas on a collection.
    pub const ANY: u16 = 1 << 7;
    /// The usual string set: `eq`, `in`, `startswith`.
    pub const STRING: u16 = EQ | IN | STARTS;
}

/// The type of a filterable property.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A string (also GUIDs and enums).
    Str,
    /// A boolean.
    Bool,
    /// A date-time.
    Time,
    /// A collection of strings.
    Strings,
    /// A collection of complex values with these filterable members.
    Objects(&'static [PropRule]),
}

/// One filterable property: the operators that work by default and those that need advanced query
/// parameters.
#[derive(Clone, Copy, Debug)]
pub struct PropRule {
    /// Property name or slash path (`initiatedBy/user/id`).
    pub name: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Operators supported by default.
    pub default: u16,
    /// Operators supported only in advanced queries.
    pub advanced: u16,
}

/// A resource's filter rules.
#[derive(Debug)]
pub struct Schema {
    /// The resource name used in error texts (`User`, `Group`).
    pub resource: &'static str,
    /// The OData type name (`microsoft.graph.user`).
    pub type_name: &'static str,
    /// Filterable properties.
    pub props: &'static [PropRule],
    /// Every property name the type has (for "could not find a property" vs "unsupported clause").
    pub known: &'static [&'static str],
    /// Directory-object rules: `ne` and `not` always need advanced query parameters.
    pub directory: bool,
}

/// The outcome of checking a filter: the first operator that needs advanced query parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// `Some("endsWith")`, `Some("ne")`, ... when the filter only works in an advanced query.
    pub advanced: Option<&'static str>,
}

/// Checks `expr` against `schema` and gives it back with property names in their canonical
/// spelling (`Mail` → `mail`). `null_default` names properties whose null filters work without
/// advanced query parameters (a simulator knob for the UNCONFIRMED `mail eq null`).
pub fn check(
    expr: &Expr,
    schema: &Schema,
    null_default: &[&str],
) -> Result<(Needs, Expr), GraphError> {
    let mut checker = Checker {
        schema,
        null_default,
        needs: Needs::default(),
        lambda: None,
    };
    let canonical = checker.walk(expr)?;
    Ok((checker.needs, canonical))
}

struct Checker<'a> {
    schema: &'a Schema,
    null_default: &'a [&'a str],
    needs: Needs,
    lambda: Option<(String, PropRule)>,
}

impl Checker<'_> {
    fn walk(&mut self, expr: &Expr) -> Result<Expr, GraphError> {
        Ok(match expr {
            Expr::And(a, b) => Expr::And(Box::new(self.walk(a)?), Box::new(self.walk(b)?)),
            Expr::Or(a, b) => Expr::Or(Box::new(self.walk(a)?), Box::new(self.walk(b)?)),
            Expr::Not(a) => {
                if self.schema.directory {
                    self.need("not");
                }
                Expr::Not(Box::new(self.walk(a)?))
            }
            Expr::Cmp(path, op, literal) => {
                let rule = self.rule(path)?;
                self.literal_type(&rule, literal, *op)?;
                let (flag, name) = cmp_flag(*op, literal);
                self.allow(&rule, flag, name)?;
                Expr::Cmp(self.spelled(path, &rule), *op, literal.clone())
            }
            Expr::In(path, values) => {
                let rule = self.rule(path)?;
                self.allow(&rule, ops::IN, "in")?;
                Expr::In(self.spelled(path, &rule), values.clone())
            }
            Expr::Call(func, path, text) => {
                let rule = self.rule(path)?;
                match func {
                    Func::StartsWith => self.allow(&rule, ops::STARTS, "startsWith")?,
                    Func::EndsWith => self.allow(&rule, ops::ENDS, "endsWith")?,
                }
                Expr::Call(*func, self.spelled(path, &rule), text.clone())
            }
            Expr::Lambda {
                path,
                any,
                var,
                body,
            } => {
                let rule = self.rule(path)?;
                self.allow(&rule, ops::ANY, "any")?;
                let spelled = self.spelled(path, &rule);
                let outer = self.lambda.replace((var.clone(), rule));
                let body = self.walk(body);
                self.lambda = outer;
                Expr::Lambda {
                    path: spelled,
                    any: *any,
                    var: var.clone(),
                    body: Box::new(body?),
                }
            }
        })
    }

    /// The path with the rule's canonical spelling (keeping a lambda variable as written).
    fn spelled(&self, path: &[String], rule: &PropRule) -> Vec<String> {
        let canonical = rule.name.split('/').map(str::to_owned);
        match &self.lambda {
            Some((var, _)) if &path[0] == var => {
                if path.len() == 1 {
                    path.to_vec()
                } else {
                    std::iter::once(var.clone()).chain(canonical).collect()
                }
            }
            _ => canonical.collect(),
        }
    }

    fn need(&mut self, op: &'static str) {
        self.needs.advanced.get_or_insert(op);
    }

    fn allow(&mut self, rule: &PropRule, flag: u16, name: &'static str) -> Result<(), GraphError> {
        let ne = flag & ops::NE != 0;
        if ne && self.schema.directory {
            // "All properties that support the eq operator also support ne or not", advanced only.
            let base = match flag & !ops::NE {
                0 => ops::EQ,
                other => other,
            };
            if (rule.default | rule.advanced) & base == base {
                self.need("ne");
                return Ok(());
            }
            return Err(self.unsupported(rule.name));
        }
        let null_default = flag == ops::NULL
            && self
                .null_default
                .iter()
                .any(|p| p.eq_ignore_ascii_case(rule.name));
        if rule.default & flag == flag || null_default {
            return Ok(());
        }
        if rule.advanced & flag == flag {
            self.need(name);
            return Ok(());
        }
        Err(self.unsupported(rule.name))
    }

    fn unsupported(&self, name: &str) -> GraphError {
        GraphError::unsupported_query(format!(
            "Unsupported or invalid query filter clause specified for property '{name}' of resource '{}'.",
            self.schema.resource
        ))
    }

    fn rule(&self, path: &[String]) -> Result<PropRule, GraphError> {
        if let Some((var, rule)) = &self.lambda
            && &path[0] == var
        {
            return match (rule.kind, path.len()) {
                (Kind::Strings, 1) => Ok(PropRule {
                    kind: Kind::Str,
                    ..*rule
                }),
                (Kind::Objects(members), n) if n > 1 => {
                    let name = path[1..].join("/");
                    find(members, &name).ok_or_else(|| self.unsupported(&name))
                }
                _ => Err(self.unsupported(rule.name)),
            };
        }
        let name = path.join("/");
        if let Some(rule) = find(self.schema.props, &name) {
            return Ok(rule);
        }
        let known = self
            .schema
            .known
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&path[0]));
        if known {
            Err(self.unsupported(&name))
        } else {
            Err(GraphError::odata_bad_request(format!(
                "Could not find a property named '{}' on type '{}'.",
                path[0], self.schema.type_name
            )))
        }
    }

    fn literal_type(
        &self,
        rule: &PropRule,
        literal: &Literal,
        op: CmpOp,
    ) -> Result<(), GraphError> {
        let ok = matches!(
            (rule.kind, literal),
            (_, Literal::Null)
                | (Kind::Str, Literal::Str(_) | Literal::Guid(_))
                | (Kind::Bool, Literal::Bool(_))
                | (Kind::Time, Literal::Time(_))
        );
        if ok {
            return Ok(());
        }
        Err(GraphError::odata_bad_request(format!(
            "A binary operator with incompatible types was detected. Found operand types for property '{}' and a {} literal for operator kind '{op:?}'.",
            rule.name,
            literal_kind(literal)
        )))
    }
}

fn find(props: &[PropRule], name: &str) -> Option<PropRule> {
    props
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
        .copied()
}

fn cmp_flag(op: CmpOp, literal: &Literal) -> (u16, &'static str) {
    let null = matches!(literal, Literal::Null);
    match (op, null) {
        (CmpOp::Eq, true) => (ops::NULL, "eq null"),
        (CmpOp::Ne, true) => (ops::NULL | ops::NE, "ne"),
        (CmpOp::Eq, false) => (ops::EQ, "eq"),
        (CmpOp::Ne, false) => (ops::NE, "ne"),
        _ => (ops::RANGE, "range"),
    }
}

fn literal_kind(literal: &Literal) -> &'static str {
    match literal {
        Literal::Str(_) => "string",
        Literal::Int(_) => "number",
        Literal::Bool(_) => "boolean",
        Literal::Null => "null",
        Literal::Guid(_) => "GUID",
        Literal::Time(_) => "date-time",
    }
}
