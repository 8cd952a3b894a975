//! The part of Exchange's OPATH `-Filter` syntax the simulator emulates on `Get-Mailbox`: terms
//! `ExternalDirectoryObjectId -eq '<object id>'` joined by `-or`, each or all of them in
//! parentheses (property and operator names in any case, values in single quotes with `''` for a
//! quote, or in double quotes). That is how a client reads many known mailboxes in one request.
//! Any other filter is refused with a message saying what is emulated, never ignored.

use super::error::ExoError;

/// The object ids a filter selects.
pub fn object_ids(filter: &str) -> Result<Vec<String>, ExoError> {
    let mut rest = filter.trim();
    let mut ids = Vec::new();
    loop {
        rest = rest.trim_start().trim_start_matches('(').trim_start();
        rest = keyword(rest, "ExternalDirectoryObjectId").ok_or_else(unsupported)?;
        rest = keyword(rest.trim_start(), "-eq").ok_or_else(unsupported)?;
        let (value, after) = quoted(rest.trim_start()).ok_or_else(unsupported)?;
        ids.push(value);
        rest = after.trim_start().trim_start_matches(')').trim_start();
        if rest.is_empty() {
            return Ok(ids);
        }
        rest = keyword(rest, "-or").ok_or_else(unsupported)?;
    }
}

/// `text` after a case-insensitive `word`, which must end there (a space, quote or parenthesis
/// follows, or nothing).
fn keyword<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let head = text.get(..word.len())?;
    let rest = &text[word.len()..];
    let ends = rest
        .chars()
        .next()
        .is_none_or(|c| c.is_whitespace() || "'\"()".contains(c));
    (head.eq_ignore_ascii_case(word) && ends).then_some(rest)
}

/// A quoted value and what follows it.
fn quoted(text: &str) -> Option<(String, &str)> {
    let quote = text.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let mut value = String::new();
    let mut chars = text[1..].char_indices();
    while let Some((i, c)) = chars.next() {
        if c != quote {
            value.push(c);
            continue;
        }
        let after = &text[1 + i + 1..];
        if quote == '\'' && after.starts_with('\'') {
            value.push('\'');
            chars.next();
            continue;
        }
        return Some((value, after));
    }
    None
}

fn unsupported() -> ExoError {
    ExoError::binding(
        "Filter",
        "The simulator emulates only filters of the form \
         \"ExternalDirectoryObjectId -eq '<object id>' -or ExternalDirectoryObjectId -eq '<object id>' ...\".",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_terms_joined_by_or_in_any_case_with_or_without_parentheses() {
        assert_eq!(
            object_ids("ExternalDirectoryObjectId -eq 'a'").unwrap(),
            ["a"]
        );
        assert_eq!(
            object_ids(
                "(externaldirectoryobjectid -EQ \"a\") -OR (ExternalDirectoryObjectId -eq 'b')"
            )
            .unwrap(),
            ["a", "b"]
        );
        assert_eq!(
            object_ids("((ExternalDirectoryObjectId -eq 'o''brien'))").unwrap(),
            ["o'brien"]
        );
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "EmailAddresses -like 'smtp:a*'",
            "ExternalDirectoryObjectId -ne 'a'",
            "ExternalDirectoryObjectId -eq 'a' -and ExternalDirectoryObjectId -eq 'b'",
            "ExternalDirectoryObjectId -eq 'a",
            "ExternalDirectoryObjectIdX -eq 'a'",
        ] {
            let err = object_ids(bad).unwrap_err();
            assert!(format!("{err:?}").contains("Filter"), "{bad}");
        }
    }
}
