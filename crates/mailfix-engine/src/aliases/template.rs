//! Temporary alias addresses: the template (`{alias}.mailfix-{run}@{domain}`), the markers that
//! identify mailfix's and the original script's aliases, and the local-part rules they obey.
//!
//! The alias is always added as lowercase `smtp:`: uppercase `SMTP:` would make it the primary
//! address (docs/protocol.md §1.10). The local part is an RFC 5321 dot-atom (the characters Exchange accepts
//! in an alias) of at most 64 characters; when the user's values make it longer, the `{alias}` /
//! `{upn_local}` values are cut, never the marker or the run id.

use std::fmt;
use std::str::FromStr;

use crate::run_id::RunId;

/// What every mailfix alias carries in its local part.
pub const MAILFIX_MARKER: &str = ".mailfix-";
/// What the original PowerShell script's aliases carry.
pub const SCRIPT_MARKER: &str = ".forcemailwriteback@";
/// The default template (README "Fix").
pub const DEFAULT_TEMPLATE: &str = "{alias}.mailfix-{run}@{domain}";
/// RFC 5321 limit on a local part.
pub const MAX_LOCAL_PART: usize = 64;

/// Whose temporary alias an address is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TempAliasKind {
    /// Added by mailfix (local part contains `.mailfix-`).
    Mailfix,
    /// Added by the original script (`<alias>.forcemailwriteback@<domain>`).
    OriginalScript,
}

/// Whether `address` (bare, or a proxy address with an `smtp:` prefix) is a temporary alias, and
/// whose. Proxy addresses of other types (`SIP:`, `X500:` ...) never are. A mailfix alias has the
/// marker followed by a run id (`.mailfix-r7f3k2`, then the end of the local part or a character
/// that is not a letter or digit, as in a retry's `-x2`): an address that merely contains
/// `.mailfix-` is someone else's.
pub fn temp_alias_kind(address: &str) -> Option<TempAliasKind> {
    let address = match address.split_once(':') {
        Some((kind, rest)) if kind.eq_ignore_ascii_case("smtp") => rest,
        Some(_) => return None,
        None => address,
    }
    .to_ascii_lowercase();
    let (local, _) = address.rsplit_once('@')?;
    if local
        .match_indices(MAILFIX_MARKER)
        .any(|(at, marker)| starts_with_run_id(&local[at + marker.len()..]))
    {
        Some(TempAliasKind::Mailfix)
    } else if address.contains(SCRIPT_MARKER) {
        Some(TempAliasKind::OriginalScript)
    } else {
        None
    }
}

/// Whether `text` starts with a run id that ends there or before a character other than a letter
/// or digit.
fn starts_with_run_id(text: &str) -> bool {
    let len = RunId::LEN;
    text.get(..len)
        .is_some_and(|id| id.parse::<RunId>().is_ok())
        && !text[len..].starts_with(|c: char| c.is_ascii_alphanumeric())
}

/// `address` without a leading `smtp:`/`SMTP:` prefix.
pub fn strip_smtp(address: &str) -> &str {
    match address.split_once(':') {
        Some((kind, rest)) if kind.eq_ignore_ascii_case("smtp") => rest,
        _ => address,
    }
}

/// The proxy-address form Exchange is given: always lowercase `smtp:` (a secondary address).
pub fn secondary_proxy(address: &str) -> String {
    format!("smtp:{}", strip_smtp(address).to_ascii_lowercase())
}

/// Why a template or a rendered alias is unusable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AliasError {
    /// The template is not `local@domain`.
    #[error("alias template '{0}' must have the form LOCAL@DOMAIN, e.g. {DEFAULT_TEMPLATE}")]
    NotAnAddress(String),
    /// The template names an unknown placeholder.
    #[error(
        "alias template uses unknown placeholder {{{0}}} (known: {{alias}}, {{run}}, {{domain}}, {{upn_local}})"
    )]
    UnknownPlaceholder(String),
    /// The template's local part lacks the `.mailfix-` marker followed by `{run}`.
    #[error(
        "alias template's local part must contain '{MAILFIX_MARKER}{{run}}' (so that cleanup finds the alias and each run's addresses are new), e.g. {DEFAULT_TEMPLATE}"
    )]
    MissingMarker,
    /// The template's fixed text holds a character no address may hold.
    #[error(
        "alias template '{template}' holds {found}: an address's local part takes only letters, digits, single dots and !#$%&'*+-/=?^_`{{|}}~, its domain letters, digits, dots and hyphens"
    )]
    InvalidCharacter {
        /// The template.
        template: String,
        /// What is wrong, e.g. `a space`.
        found: String,
    },
    /// The fixed part of the local part alone is longer than 64 characters.
    #[error(
        "alias local part would be {0} characters without the user's alias; the limit is {MAX_LOCAL_PART}"
    )]
    TooLong(usize),
    /// The rendered local part is not a valid dot-atom.
    #[error("alias local part '{0}' is not a valid address local part")]
    InvalidLocalPart(String),
    /// The domain is not a host name.
    #[error("alias domain '{0}' is not a valid domain")]
    InvalidDomain(String),
}

/// The values a template is rendered with.
#[derive(Clone, Copy, Debug)]
pub struct AliasVars<'a> {
    /// The user's `mailNickname`.
    pub alias: &'a str,
    /// The run id (plus a retry suffix, see [`AliasTemplate::render`]).
    pub run: &'a str,
    /// The domain, by default the tenant's initial `*.onmicrosoft.com` domain.
    pub domain: &'a str,
    /// The part of the UPN before `@`.
    pub upn_local: &'a str,
}

/// One piece of a template: fixed text or a placeholder.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Alias,
    Run,
    Domain,
    UpnLocal,
}

/// A validated alias template, split into its pieces once: placeholders are expanded in one pass,
/// so a value that looks like a placeholder (a nickname `{upn_local}`) stays as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasTemplate {
    local: Vec<Part>,
    domain: Vec<Part>,
}

impl Default for AliasTemplate {
    fn default() -> Self {
        DEFAULT_TEMPLATE
            .parse()
            .expect("the default alias template is valid")
    }
}

impl FromStr for AliasTemplate {
    type Err = AliasError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (local, domain) = s
            .split_once('@')
            .filter(|(l, d)| !l.is_empty() && !d.is_empty() && !d.contains('@'))
            .ok_or_else(|| AliasError::NotAnAddress(s.to_owned()))?;
        let template = AliasTemplate {
            local: parts(local)?,
            domain: parts(domain)?,
        };
        if !local.contains(&format!("{MAILFIX_MARKER}{{run}}")) {
            return Err(AliasError::MissingMarker);
        }
        template.check_characters(s)?;
        Ok(template)
    }
}

impl fmt::Display for AliasTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", text_of(&self.local), text_of(&self.domain))
    }
}

/// `text` split into fixed text and placeholders.
fn parts(text: &str) -> Result<Vec<Part>, AliasError> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        if open > 0 {
            out.push(Part::Text(rest[..open].to_owned()));
        }
        out.push(match &rest[open + 1..close] {
            "alias" => Part::Alias,
            "run" => Part::Run,
            "domain" => Part::Domain,
            "upn_local" => Part::UpnLocal,
            other => return Err(AliasError::UnknownPlaceholder(other.to_owned())),
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Part::Text(rest.to_owned()));
    }
    Ok(out)
}

fn text_of(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|p| match p {
            Part::Text(t) => t.as_str(),
            Part::Alias => "{alias}",
            Part::Run => "{run}",
            Part::Domain => "{domain}",
            Part::UpnLocal => "{upn_local}",
        })
        .collect()
}

impl AliasTemplate {
    /// Renders the address (lowercase, without the `smtp:` prefix).
    ///
    /// `suffix` makes a different address for the same user and run, for the one retry after
    /// "address already in use": it is appended to the run id as `{run}-{suffix}`.
    pub fn render(&self, vars: &AliasVars<'_>, suffix: Option<&str>) -> Result<String, AliasError> {
        let run = match suffix {
            Some(s) => format!("{}-{}", vars.run, s),
            None => vars.run.to_owned(),
        }
        .to_ascii_lowercase();
        let upn_local = sanitize(vars.upn_local);
        let alias = Some(sanitize(vars.alias))
            .filter(|a| !a.is_empty())
            .or_else(|| Some(upn_local.clone()).filter(|u| !u.is_empty()))
            .unwrap_or_else(|| "user".to_owned());
        let domain_value = vars.domain.to_ascii_lowercase();
        let values = Values {
            alias: "",
            run: &run,
            domain: &domain_value,
            upn_local: "",
        };
        let domain = expand(&self.domain, &values).to_ascii_lowercase();
        if !is_valid_domain(&domain) {
            return Err(AliasError::InvalidDomain(domain));
        }
        let local = self.fit_local(&alias, &upn_local, &values)?;
        if !is_valid_local_part(&local) {
            return Err(AliasError::InvalidLocalPart(local));
        }
        Ok(format!("{local}@{domain}"))
    }

    /// The local part with `{alias}` and `{upn_local}` cut to fit in 64 characters; the budget is
    /// what the rest of the local part leaves once expanded.
    fn fit_local(
        &self,
        alias: &str,
        upn_local: &str,
        values: &Values<'_>,
    ) -> Result<String, AliasError> {
        let fixed = expand(&self.local, values).len();
        let budget = MAX_LOCAL_PART
            .checked_sub(fixed)
            .ok_or(AliasError::TooLong(fixed))?;
        let uses = |part: &Part| self.local.iter().filter(|p| *p == part).count();
        let (alias_uses, upn_uses) = (uses(&Part::Alias), uses(&Part::UpnLocal));
        // The alias gets the budget first, then the UPN's local part gets what is left.
        let alias_len = budget.checked_div(alias_uses).unwrap_or(0).min(alias.len());
        let alias = truncate(alias, alias_len);
        let left = budget - alias.len() * alias_uses;
        let upn_len = left.checked_div(upn_uses).unwrap_or(0).min(upn_local.len());
        let upn_local = truncate(upn_local, upn_len);
        let values = Values {
            alias,
            upn_local,
            ..*values
        };
        Ok(expand(&self.local, &values).to_ascii_lowercase())
    }

    /// Refuses fixed text no address can hold (a space, a second `@`, `..`), before any user is
    /// read.
    fn check_characters(&self, template: &str) -> Result<(), AliasError> {
        let invalid = |found: String| AliasError::InvalidCharacter {
            template: template.to_owned(),
            found,
        };
        let sample = Values {
            alias: "a",
            run: "r00000",
            domain: "example.com",
            upn_local: "a",
        };
        let local = expand(&self.local, &sample);
        if let Some(c) = local.chars().find(|c| !is_atext(*c) && *c != '.') {
            return Err(invalid(describe(c)));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(invalid(
                "a dot at the start or end of the local part, or two in a row".to_owned(),
            ));
        }
        let domain = expand(&self.domain, &sample);
        let bad = |c: &char| !c.is_ascii_alphanumeric() && !matches!(c, '.' | '-');
        if let Some(c) = domain.chars().find(bad) {
            return Err(invalid(format!("{} in the domain", describe(c))));
        }
        Ok(())
    }
}

/// A character as a message names it: `a space`, `'@'`.
fn describe(c: char) -> String {
    match c {
        ' ' => "a space".to_owned(),
        c if c.is_whitespace() => "a blank".to_owned(),
        c => format!("'{c}'"),
    }
}

/// The values of the placeholders.
#[derive(Clone, Copy)]
struct Values<'a> {
    alias: &'a str,
    run: &'a str,
    domain: &'a str,
    upn_local: &'a str,
}

/// The template's parts with the values put in, in one pass.
fn expand(parts: &[Part], values: &Values<'_>) -> String {
    parts
        .iter()
        .map(|p| match p {
            Part::Text(t) => t.as_str(),
            Part::Alias => values.alias,
            Part::Run => values.run,
            Part::Domain => values.domain,
            Part::UpnLocal => values.upn_local,
        })
        .collect()
}

/// Cuts an ASCII string to `len` bytes and drops the dots that would end up next to the marker.
fn truncate(value: &str, len: usize) -> &str {
    value[..len.min(value.len())].trim_end_matches('.')
}

/// Whether `c` may appear in a dot-atom (RFC 5321 `atext`, ASCII only).
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

/// Lowercase, only `atext` and single inner dots.
fn sanitize(value: &str) -> String {
    let kept: String = value
        .chars()
        .filter(|&c| is_atext(c) || c == '.')
        .collect::<String>()
        .to_ascii_lowercase();
    kept.split('.')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(".")
}

/// RFC 5321 dot-atom of at most 64 characters.
pub fn is_valid_local_part(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= MAX_LOCAL_PART
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(is_atext))
}

fn is_valid_domain(domain: &str) -> bool {
    domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(alias: &'a str, upn_local: &'a str) -> AliasVars<'a> {
        AliasVars {
            alias,
            run: "r7f3k2",
            domain: "Contoso.onmicrosoft.com",
            upn_local,
        }
    }

    #[test]
    fn default_template_renders_lowercase() {
        let t = AliasTemplate::default();
        let address = t.render(&vars("Anna.Berg", "anna"), None).unwrap();
        assert_eq!(address, "anna.berg.mailfix-r7f3k2@contoso.onmicrosoft.com");
        assert_eq!(secondary_proxy(&address), format!("smtp:{address}"));
        assert_eq!(secondary_proxy("SMTP:X@Y.com"), "smtp:x@y.com");
    }

    #[test]
    fn retry_suffix_changes_the_address_and_keeps_the_marker() {
        let t = AliasTemplate::default();
        let first = t.render(&vars("anna", "anna"), None).unwrap();
        let retry = t.render(&vars("anna", "anna"), Some("x2")).unwrap();
        assert_ne!(first, retry);
        assert_eq!(retry, "anna.mailfix-r7f3k2-x2@contoso.onmicrosoft.com");
        assert_eq!(temp_alias_kind(&retry), Some(TempAliasKind::Mailfix));
    }

    #[test]
    fn long_alias_is_cut_deterministically_never_the_marker() {
        let t = AliasTemplate::default();
        let long = "a".repeat(50) + ".b" + &"c".repeat(30);
        let address = t.render(&vars(&long, "x"), None).unwrap();
        let (local, _) = address.split_once('@').unwrap();
        assert_eq!(local.len(), MAX_LOCAL_PART);
        assert!(local.ends_with(".mailfix-r7f3k2"));
        assert_eq!(address, t.render(&vars(&long, "x"), None).unwrap());
        // A cut that would leave a dot next to the marker drops the dot.
        let dotted = "a".repeat(49) + "." + &"b".repeat(20);
        let address = t.render(&vars(&dotted, "x"), None).unwrap();
        assert!(is_valid_local_part(address.split_once('@').unwrap().0));
    }

    #[test]
    fn invalid_characters_are_dropped_and_empty_alias_falls_back() {
        let t = AliasTemplate::default();
        let address = t.render(&vars("Åsa (HR) ..x", "asa"), None).unwrap();
        assert_eq!(address, "sahr.x.mailfix-r7f3k2@contoso.onmicrosoft.com");
        let address = t.render(&vars("", "Bob.Smith"), None).unwrap();
        assert_eq!(address, "bob.smith.mailfix-r7f3k2@contoso.onmicrosoft.com");
        let address = t.render(&vars("ÅÄÖ", ""), None).unwrap();
        assert_eq!(address, "user.mailfix-r7f3k2@contoso.onmicrosoft.com");
    }

    #[test]
    fn templates_are_validated() {
        assert!(matches!(
            "nobody".parse::<AliasTemplate>(),
            Err(AliasError::NotAnAddress(_))
        ));
        assert!(matches!(
            "{alias}.mailfix-{nope}@{domain}".parse::<AliasTemplate>(),
            Err(AliasError::UnknownPlaceholder(p)) if p == "nope"
        ));
        assert_eq!(
            "{alias}.tmp-{run}@{domain}".parse::<AliasTemplate>(),
            Err(AliasError::MissingMarker)
        );
        assert_eq!(
            "{alias}.mailfix-x@{domain}".parse::<AliasTemplate>(),
            Err(AliasError::MissingMarker)
        );
        let custom: AliasTemplate = "{upn_local}.mailfix-{run}@fix.contoso.com".parse().unwrap();
        let address = custom.render(&vars("ignored", "Kim"), None).unwrap();
        assert_eq!(address, "kim.mailfix-r7f3k2@fix.contoso.com");
    }

    #[test]
    fn placeholders_are_expanded_once_and_the_budget_counts_the_expansion() {
        let t = AliasTemplate::default();
        let address = t.render(&vars("x{upn_local}", "anna"), None).unwrap();
        assert_eq!(
            address,
            "x{upn_local}.mailfix-r7f3k2@contoso.onmicrosoft.com"
        );
        let with_domain: AliasTemplate = "{alias}.{domain}.mailfix-{run}@{domain}".parse().unwrap();
        let long = "a".repeat(60);
        let address = with_domain.render(&vars(&long, "x"), None).unwrap();
        let (local, _) = address.split_once('@').unwrap();
        assert_eq!(local.len(), MAX_LOCAL_PART, "{local}");
        assert!(
            local.ends_with(".contoso.onmicrosoft.com.mailfix-r7f3k2"),
            "{local}"
        );
    }

    #[test]
    fn characters_no_address_holds_are_refused_when_parsed() {
        for (template, found) in [
            ("{alias} x.mailfix-{run}@{domain}", "a space"),
            (
                "{alias}.mailfix-{run}@fix contoso.com",
                "a space in the domain",
            ),
            ("{alias}..mailfix-{run}@{domain}", "two in a row"),
            ("{alias}(x).mailfix-{run}@{domain}", "'('"),
        ] {
            let error = template.parse::<AliasTemplate>().unwrap_err();
            let message = error.to_string();
            assert!(message.contains(found), "{template}: {message}");
            assert!(message.contains(template), "{template}: {message}");
        }
        assert_eq!(
            "{run}.mailfix-{alias}@{domain}".parse::<AliasTemplate>(),
            Err(AliasError::MissingMarker),
            "the run id must follow the marker"
        );
    }

    #[test]
    fn too_long_fixed_part_and_bad_domain_are_errors() {
        let long = format!("{}.mailfix-{{run}}@{{domain}}", "x".repeat(60));
        let t: AliasTemplate = long.parse().unwrap();
        assert!(matches!(
            t.render(&vars("a", "a"), None),
            Err(AliasError::TooLong(_))
        ));
        let bad = AliasVars {
            domain: "not a domain",
            ..vars("a", "a")
        };
        assert!(matches!(
            AliasTemplate::default().render(&bad, None),
            Err(AliasError::InvalidDomain(_))
        ));
    }

    #[test]
    fn recognises_both_kinds_of_temporary_alias() {
        use TempAliasKind::*;
        assert_eq!(
            temp_alias_kind("smtp:anna.mailfix-r7f3k2@contoso.com"),
            Some(Mailfix)
        );
        assert_eq!(
            temp_alias_kind("SMTP:Anna.ForceMailWriteback@contoso.com"),
            Some(OriginalScript)
        );
        assert_eq!(temp_alias_kind("smtp:anna@contoso.com"), None);
        assert_eq!(
            temp_alias_kind("smtp:anna@x.mailfix-r7f3k2.com"),
            None,
            "marker in the domain"
        );
        assert_eq!(temp_alias_kind("SIP:anna.mailfix-r7f3k2@contoso.com"), None);
        assert_eq!(
            temp_alias_kind("anna.mailfix-r7f3k2-x2@contoso.com"),
            Some(Mailfix),
            "a retry's suffix"
        );
        for other in [
            "anna.mailfix-r1@contoso.com",
            "anna.mailfix-team@contoso.com",
            "anna.mailfix-r7f3k2x@contoso.com",
            "anna.mailfix-R7F3K@contoso.com",
            "anna.mailfix-@contoso.com",
        ] {
            assert_eq!(temp_alias_kind(other), None, "{other}");
        }
    }
}
