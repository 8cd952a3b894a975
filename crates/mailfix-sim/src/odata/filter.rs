//! The `$filter` grammar the simulator understands, parsed into an [`Expr`] tree:
//! `and`/`or`/`not` (any case), parentheses, comparisons (`eq ne gt ge lt le`), `in (...)`,
//! `startswith(p,'x')` / `endswith(p,'x')`, and lambdas `coll/any(v:...)` / `coll/all(v:...)`.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::lexer::{Token, tokenize};

/// A literal value in a filter.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `'text'`.
    Str(String),
    /// An integer.
    Int(i64),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A bare GUID.
    Guid(Uuid),
    /// A bare date-time.
    Time(DateTime<Utc>),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `eq`.
    Eq,
    /// `ne`.
    Ne,
    /// `gt`.
    Gt,
    /// `ge`.
    Ge,
    /// `lt`.
    Lt,
    /// `le`.
    Le,
}

impl CmpOp {
    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => Self::Eq,
            "ne" => Self::Ne,
            "gt" => Self::Gt,
            "ge" => Self::Ge,
            "lt" => Self::Lt,
            "le" => Self::Le,
            _ => return None,
        })
    }

    /// The operator with its operands swapped (`5 lt x` is `x gt 5`).
    fn flipped(self) -> Self {
        match self {
            Self::Gt => Self::Lt,
            Self::Ge => Self::Le,
            Self::Lt => Self::Gt,
            Self::Le => Self::Ge,
            other => other,
        }
    }
}

/// A string function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// `startswith(p, 'x')`.
    StartsWith,
    /// `endswith(p, 'x')`.
    EndsWith,
}

/// A property path (`mail`, `initiatedBy/user/id`); inside a lambda the first segment may be the
/// range variable.
pub type Path = Vec<String>;

/// A parsed filter.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `not a`.
    Not(Box<Expr>),
    /// `path op literal` (literal-first comparisons are flipped).
    Cmp(Path, CmpOp, Literal),
    /// `path in (a, b)`.
    In(Path, Vec<Literal>),
    /// `startswith(path, 'x')`.
    Call(Func, Path, String),
    /// `path/any(var: body)` (`all` = false) or `path/all(var: body)`.
    Lambda {
        /// The collection.
        path: Path,
        /// `any` (true) or `all` (false).
        any: bool,
        /// The range variable.
        var: String,
        /// The condition on each element.
        body: Box<Expr>,
    },
}

/// Parses a `$filter` value.
pub fn parse(input: &str) -> Result<Expr, String> {
    let tokens = tokenize(input)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        input,
    };
    let expr = parser.or()?;
    if parser.at != parser.tokens.len() {
        return Err(parser.error());
    }
    Ok(expr)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    input: &'a str,
}

impl Parser<'_> {
    fn error(&self) -> String {
        format!("Invalid filter clause: syntax error in '{}'.", self.input)
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn expect(&mut self, token: &Token) -> Result<(), String> {
        match self.next() {
            Some(t) if &t == token => Ok(()),
            _ => Err(self.error()),
        }
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.keyword("not") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Token::Open) {
            self.at += 1;
            let inner = self.or()?;
            self.expect(&Token::Close)?;
            return Ok(inner);
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Token::Word(word)) if self.peek() == Some(&Token::Open) => self.call(&word),
            Some(Token::Word(word)) if !is_literal_word(&word) => {
                let path = self.path(word)?;
                if let Some(expr) = self.lambda(&path)? {
                    return Ok(expr);
                }
                self.comparison(path)
            }
            Some(token) => {
                let literal = literal(token).ok_or_else(|| self.error())?;
                let op = self.operator()?;
                match self.next() {
                    Some(Token::Word(word)) if !is_literal_word(&word) => {
                        Ok(Expr::Cmp(self.path(word)?, op.flipped(), literal))
                    }
                    _ => Err(self.error()),
                }
            }
            None => Err(self.error()),
        }
    }

    fn path(&mut self, first: String) -> Result<Path, String> {
        let mut path = vec![first];
        while self.peek() == Some(&Token::Slash) {
            match self.tokens.get(self.at + 1) {
                Some(Token::Word(w))
                    if (w.eq_ignore_ascii_case("any") || w.eq_ignore_ascii_case("all"))
                        && self.tokens.get(self.at + 2) == Some(&Token::Open) =>
                {
                    break;
                }
                Some(Token::Word(w)) => {
                    path.push(w.clone());
                    self.at += 2;
                }
                _ => return Err(self.error()),
            }
        }
        Ok(path)
    }

    fn lambda(&mut self, path: &Path) -> Result<Option<Expr>, String> {
        if self.peek() != Some(&Token::Slash) {
            return Ok(None);
        }
        self.at += 1;
        let any = match self.next() {
            Some(Token::Word(w)) => w.eq_ignore_ascii_case("any"),
            _ => return Err(self.error()),
        };
        self.expect(&Token::Open)?;
        let var = match self.next() {
            Some(Token::Word(v)) => v,
            _ => return Err(self.error()),
        };
        self.expect(&Token::Colon)?;
        let body = self.or()?;
        self.expect(&Token::Close)?;
        Ok(Some(Expr::Lambda {
            path: path.clone(),
            any,
            var,
            body: Box::new(body),
        }))
    }

    fn operator(&mut self) -> Result<CmpOp, String> {
        match self.next() {
            Some(Token::Word(w)) => CmpOp::parse(&w).ok_or_else(|| self.error()),
            _ => Err(self.error()),
        }
    }

    fn comparison(&mut self, path: Path) -> Result<Expr, String> {
        if self.keyword("in") {
            self.at += 1;
            self.expect(&Token::Open)?;
            let mut values = Vec::new();
            loop {
                let token = self.next().ok_or_else(|| self.error())?;
                values.push(literal(token).ok_or_else(|| self.error())?);
                match self.next() {
                    Some(Token::Comma) => continue,
                    Some(Token::Close) => break,
                    _ => return Err(self.error()),
                }
            }
            return Ok(Expr::In(path, values));
        }
        let op = self.operator()?;
        let token = self.next().ok_or_else(|| self.error())?;
        let value = literal(token).ok_or_else(|| self.error())?;
        Ok(Expr::Cmp(path, op, value))
    }

    fn call(&mut self, name: &str) -> Result<Expr, String> {
        let func = match name.to_ascii_lowercase().as_str() {
            "startswith" => Func::StartsWith,
            "endswith" => Func::EndsWith,
            _ => return Err(format!("An unknown function with name '{name}' was found.")),
        };
        self.expect(&Token::Open)?;
        let path = match self.next() {
            Some(Token::Word(w)) => self.path(w)?,
            _ => return Err(self.error()),
        };
        self.expect(&Token::Comma)?;
        let value = match self.next() {
            Some(Token::Str(s)) => s,
            _ => return Err(self.error()),
        };
        self.expect(&Token::Close)?;
        Ok(Expr::Call(func, path, value))
    }
}

fn is_literal_word(word: &str) -> bool {
    ["true", "false", "null"]
        .iter()
        .any(|w| word.eq_ignore_ascii_case(w))
}

fn literal(token: Token) -> Option<Literal> {
    Some(match token {
        Token::Str(s) => Literal::Str(s),
        Token::Int(n) => Literal::Int(n),
        Token::Guid(g) => Literal::Guid(g),
        Token::Time(t) => Literal::Time(t),
        Token::Word(w) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
        Token::Word(w) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
        Token::Word(w) if w.eq_ignore_ascii_case("null") => Literal::Null,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_shapes_mailfix_sends() {
        let e = parse("mail eq null and accountEnabled eq true").unwrap();
        assert!(matches!(e, Expr::And(..)));
        let e = parse("NOT startsWith(displayName, 'Conf')").unwrap();
        assert!(matches!(e, Expr::Not(_)));
        let e =
            parse("assignedPlans/any(p:p/servicePlanId eq 9aaf7827-d63c-4b61-89c3-182f06f82e5c)")
                .unwrap();
        let Expr::Lambda { path, var, .. } = e else {
            panic!("not a lambda")
        };
        assert_eq!(
            (path, var),
            (vec!["assignedPlans".to_owned()], "p".to_owned())
        );
        let e = parse("userType in ('Member', 'Guest')").unwrap();
        assert!(matches!(e, Expr::In(_, ref v) if v.len() == 2));
        let e = parse("initiatedBy/user/id eq '1'").unwrap();
        assert!(matches!(e, Expr::Cmp(ref p, CmpOp::Eq, _) if p.len() == 3));
    }

    #[test]
    fn precedence_puts_and_above_or() {
        let e = parse("a eq 1 or b eq 2 and c eq 3").unwrap();
        assert!(matches!(e, Expr::Or(_, ref right) if matches!(**right, Expr::And(..))));
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse("mail eq").is_err());
        assert!(parse("mail foo 'x'").is_err());
        assert!(parse("contains(mail,'x')").is_err());
        assert!(parse("(mail eq 'x'").is_err());
    }
}
