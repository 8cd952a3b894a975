//! Tokens of an OData `$filter` expression: words, quoted strings (`''` escapes a quote), numbers,
//! GUID and date-time literals written without quotes, and the punctuation `( ) , / :`.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// One token.
#[derive(Clone, Debug, PartialEq)]
pub enum Token {
    /// A property name, keyword, function name or lambda variable.
    Word(String),
    /// `'text'`.
    Str(String),
    /// An integer.
    Int(i64),
    /// A GUID written bare (`cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46`).
    Guid(Uuid),
    /// A date or date-time written bare (`2024-05-01T00:00:00Z`, `2021-11-01`).
    Time(DateTime<Utc>),
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// `,`.
    Comma,
    /// `/`.
    Slash,
    /// `:`.
    Colon,
}

/// Splits `input` into tokens, or says what it could not read.
pub fn tokenize(input: &str) -> Result<Vec<Token>, String> {
    let bytes = input.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let rest = &input[i..];
        let punct = match c {
            b'(' => Some(Token::Open),
            b')' => Some(Token::Close),
            b',' => Some(Token::Comma),
            b'/' => Some(Token::Slash),
            b':' => Some(Token::Colon),
            _ => None,
        };
        if c.is_ascii_whitespace() {
            i += 1;
        } else if let Some(token) = punct {
            tokens.push(token);
            i += 1;
        } else if c == b'\'' {
            let (text, used) = quoted(rest)?;
            tokens.push(Token::Str(text));
            i += used;
        } else if let Some((token, used)) = guid(rest).or_else(|| time(rest)) {
            tokens.push(token);
            i += used;
        } else if c.is_ascii_digit() || (c == b'-' && rest.len() > 1) {
            let used = 1 + rest[1..].bytes().take_while(u8::is_ascii_digit).count();
            let n = rest[..used]
                .parse()
                .map_err(|_| format!("Syntax error at position {i} in '{input}'."))?;
            tokens.push(Token::Int(n));
            i += used;
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c == b'@' {
            let used = rest
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$' | b'@'))
                .count();
            tokens.push(Token::Word(rest[..used].to_owned()));
            i += used;
        } else {
            return Err(format!("Syntax error at position {i} in '{input}'."));
        }
    }
    Ok(tokens)
}

fn quoted(rest: &str) -> Result<(String, usize), String> {
    let mut text = String::new();
    let mut chars = rest.char_indices().skip(1).peekable();
    while let Some((at, ch)) = chars.next() {
        if ch == '\'' {
            if chars.peek().is_some_and(|&(_, next)| next == '\'') {
                chars.next();
                text.push('\'');
            } else {
                return Ok((text, at + 1));
            }
        } else {
            text.push(ch);
        }
    }
    Err(format!(
        "There is an unterminated string literal in '{rest}'."
    ))
}

fn guid(rest: &str) -> Option<(Token, usize)> {
    let candidate = rest.get(..36)?;
    let shape = candidate.bytes().enumerate().all(|(i, b)| match i {
        8 | 13 | 18 | 23 => b == b'-',
        _ => b.is_ascii_hexdigit(),
    });
    let boundary = rest[36..]
        .bytes()
        .next()
        .is_none_or(|b| !b.is_ascii_alphanumeric());
    if !shape || !boundary {
        return None;
    }
    Uuid::parse_str(candidate)
        .ok()
        .map(|id| (Token::Guid(id), 36))
}

fn time(rest: &str) -> Option<(Token, usize)> {
    let date = rest.get(..10)?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let tail = &rest[10..];
    if !tail.starts_with('T') {
        let at = date.and_hms_opt(0, 0, 0)?.and_utc();
        return Some((Token::Time(at), 10));
    }
    let used = tail
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'.' | b'+' | b'-'))
        .count();
    let text = &rest[..10 + used];
    let at = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
    Some((Token::Time(at), 10 + used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_literals_graph_writes_without_quotes() {
        let tokens =
            tokenize("assignedLicenses/any(u:u/skuId eq cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46)")
                .unwrap();
        assert!(matches!(tokens[tokens.len() - 2], Token::Guid(_)));
        let tokens = tokenize("activityDateTime ge 2024-05-01T00:00:00Z and x eq 'it''s'").unwrap();
        assert!(matches!(tokens[2], Token::Time(_)));
        assert_eq!(tokens[6], Token::Str("it's".into()));
    }

    #[test]
    fn rejects_unterminated_strings() {
        assert!(tokenize("mail eq 'x").is_err());
    }
}
