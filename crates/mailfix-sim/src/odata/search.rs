//! A minimal `$search` for directory objects: `"property:term"` clauses joined by `AND` / `OR`
//! (`AND` binds tighter; juxtaposition means `AND`). A clause matches when a word of the property
//! value starts with the term, case-insensitively, the way Graph's tokenized search does for
//! `displayName`, `mail` and `userPrincipalName`.

use super::eval::{Fields, Val, starts_with_fold};

/// A parsed `$search`: alternatives, each a list of clauses that must all match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Search {
    any_of: Vec<Vec<(String, String)>>,
}

/// Properties a search clause may name.
pub const SEARCHABLE: &[&str] = &[
    "displayName",
    "description",
    "mail",
    "mailNickname",
    "userPrincipalName",
    "givenName",
    "surname",
    "jobTitle",
];

impl Search {
    /// Parses a `$search` value such as `"displayName:wa" OR "displayName:ad"`.
    pub fn parse(input: &str) -> Result<Self, String> {
        let mut any_of = vec![Vec::new()];
        let mut rest = input.trim();
        while !rest.is_empty() {
            if let Some(after) = strip_word(rest, "OR") {
                if any_of.last().is_none_or(Vec::is_empty) {
                    return Err(syntax(input));
                }
                any_of.push(Vec::new());
                rest = after;
                continue;
            }
            if let Some(after) = strip_word(rest, "AND") {
                rest = after;
                continue;
            }
            let body = rest.strip_prefix('"').ok_or_else(|| syntax(input))?;
            let end = body.find('"').ok_or_else(|| syntax(input))?;
            let clause = &body[..end];
            let (property, term) = clause.split_once(':').ok_or_else(|| {
                format!("Syntax error: '{clause}' must be written as \"property:term\".")
            })?;
            let property = SEARCHABLE
                .iter()
                .find(|p| p.eq_ignore_ascii_case(property.trim()))
                .ok_or_else(|| format!("Unsupported property '{property}' in $search."))?;
            if let Some(group) = any_of.last_mut() {
                group.push(((*property).to_owned(), term.trim().to_owned()));
            }
            rest = body[end + 1..].trim_start();
        }
        if any_of.iter().any(Vec::is_empty) {
            return Err(syntax(input));
        }
        Ok(Self { any_of })
    }

    /// Whether `object` matches.
    pub fn matches(&self, object: &dyn Fields) -> bool {
        self.any_of.iter().any(|all| {
            all.iter().all(
                |(property, term)| match object.field(std::slice::from_ref(property)) {
                    Val::Str(value) => words(&value).any(|w| starts_with_fold(w, term)),
                    _ => false,
                },
            )
        })
    }
}

fn strip_word<'a>(rest: &'a str, word: &str) -> Option<&'a str> {
    let head = rest.get(..word.len())?;
    let after = &rest[word.len()..];
    (head == word && after.starts_with(char::is_whitespace)).then(|| after.trim_start())
}

fn words(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

fn syntax(input: &str) -> String {
    format!("Syntax error: character '{input}' is not valid at this position in $search.")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Named(&'static str);
    impl Fields for Named {
        fn field(&self, path: &[String]) -> Val<'_> {
            match path[0].as_str() {
                "displayName" => Val::str(self.0),
                _ => Val::Null,
            }
        }
    }

    #[test]
    fn matches_word_prefixes_with_or() {
        let s = Search::parse("\"displayName:wa\" OR \"displayName:ad\"").unwrap();
        assert!(s.matches(&Named("Oscar Ward")));
        assert!(s.matches(&Named("Adele Vance")));
        assert!(!s.matches(&Named("Bob Swan")));
        let s = Search::parse("\"displayName:os\" AND \"displayName:wa\"").unwrap();
        assert!(s.matches(&Named("Oscar Ward")));
        assert!(!s.matches(&Named("Oscar Bell")));
        assert!(Search::parse("displayName:wa").is_err());
        assert!(Search::parse("\"city:x\"").is_err());
    }
}
