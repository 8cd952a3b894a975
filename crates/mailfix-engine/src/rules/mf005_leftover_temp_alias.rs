//! MF005 `leftover-temp-alias`: a temporary alias of mailfix or of the original script remains.

use super::rule::{Input, declare_rule};
use crate::aliases::{TempAliasKind, temp_alias_kind};
use crate::facts::UserFacts;
use crate::finding::Severity;

declare_rule! {
    /// ## What it checks
    /// `proxyAddresses` holds a temporary alias: an SMTP address whose local part carries mailfix's
    /// `.mailfix-` marker, or one of the original PowerShell script's `.forcemailwriteback@`
    /// addresses.
    ///
    /// ## Why it matters
    /// A temporary alias has done its job once `mail` is filled. Left in place it clutters the
    /// address book entry, can receive mail, and keeps the address reserved.
    ///
    /// ## Remedy
    /// `mailfix cleanup` removes the aliases the journal recorded; `mailfix cleanup --sweep` also
    /// finds and removes the ones no journal knows about (the original script's).
    pub static LEFTOVER_TEMP_ALIAS = Rule {
        id: "MF005",
        name: "leftover-temp-alias",
        severity: Severity::Warning,
        fixable: true,
        remedy: "mailfix cleanup",
        input: Input::Directory,
        detect: detect,
    };
}

fn detect(facts: &UserFacts) -> Option<String> {
    let leftovers: Vec<String> = facts
        .proxy_addresses
        .iter()
        .filter_map(|address| {
            let whose = match temp_alias_kind(address)? {
                TempAliasKind::Mailfix => "mailfix",
                TempAliasKind::OriginalScript => "original script",
            };
            Some(format!("{address} ({whose})"))
        })
        .collect();
    (!leftovers.is_empty())
        .then(|| format!("temporary alias left behind: {}", leftovers.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    #[test]
    fn finds_both_kinds_of_leftover() {
        let mut user = healthy();
        let proxies = user.proxy_addresses.get_or_insert_with(Vec::new);
        proxies.push("smtp:anna.mailfix-r7f3k2@contoso.onmicrosoft.com".to_owned());
        proxies.push("smtp:anna.forcemailwriteback@contoso.onmicrosoft.com".to_owned());
        let finding = LEFTOVER_TEMP_ALIAS.check(&facts(user)).expect("finding");
        assert!(
            finding
                .detail
                .contains("r7f3k2@contoso.onmicrosoft.com (mailfix)")
        );
        assert!(
            finding
                .detail
                .contains("forcemailwriteback@contoso.onmicrosoft.com (original script)")
        );
    }

    #[test]
    fn ordinary_addresses_are_not_leftovers() {
        let mut user = healthy();
        let proxies = user.proxy_addresses.get_or_insert_with(Vec::new);
        proxies.push("smtp:mailfix-team@contoso.com".to_owned());
        proxies.push("SIP:anna.mailfix-r7f3k2@contoso.com".to_owned());
        assert!(LEFTOVER_TEMP_ALIAS.check(&facts(user)).is_none());
    }
}
