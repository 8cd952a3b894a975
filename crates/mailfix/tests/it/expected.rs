//! What a scan must find, derived from the scenario definition alone (labels and spec fields),
//! never from mailfix's output: which users a scope holds, and which rules fire for each.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use mailfix_sim::scenario::{MemberSpec, Scenario, UserSpec, all_users};

/// `(upn in lowercase, rule id)` pairs.
pub type Findings = BTreeSet<(String, String)>;

/// The users `--group NAME` reaches: members of the group and of every group nested in it
/// (cycles tolerated), by UPN in lowercase.
pub fn group_members(scenario: &Scenario, name: &str) -> BTreeSet<String> {
    let groups: BTreeMap<&str, &Vec<MemberSpec>> = scenario
        .groups
        .iter()
        .rev() // "first match" wins for duplicated names
        .map(|g| (g.display_name.as_str(), &g.members))
        .collect();
    let mut users = BTreeSet::new();
    let mut seen = BTreeSet::from([name]);
    let mut queue = VecDeque::from([name]);
    while let Some(group) = queue.pop_front() {
        for member in groups[group].iter() {
            match member {
                MemberSpec::User(upn) => {
                    users.insert(upn.to_ascii_lowercase());
                }
                MemberSpec::Group(g) => {
                    if seen.insert(g.as_str()) {
                        queue.push_back(g.as_str());
                    }
                }
                MemberSpec::Other(_) => {}
            }
        }
    }
    users
}

/// Which users a scope keeps by default: enabled members (README "Scan", whom to look at).
pub fn kept(user: &UserSpec, include_disabled: bool, include_guests: bool) -> bool {
    (user.enabled || include_disabled) && (!user.guest || include_guests)
}

/// The directory rules (MF001–MF005, MF008) a scenario user must trigger, from its label, after
/// checking that the spec fields say what the label promises (so a changed generator fails here,
/// not silently in the comparison).
pub fn directory_rules(user: &UserSpec) -> Vec<&'static str> {
    let upn = &user.upn;
    let mail_empty = user.mail.as_deref().is_none_or(str::is_empty);
    let addresses: Vec<&str> = user
        .mailbox
        .iter()
        .flat_map(|m| m.extra_addresses.iter().map(String::as_str))
        .collect();
    let marker = addresses
        .iter()
        .any(|a| a.contains(".forcemailwriteback@") || a.contains(".mailfix-"));
    match user.label.as_str() {
        "healthy" => {
            assert_eq!(user.mail.as_deref(), Some(upn.as_str()), "{upn}");
            assert!(!marker && user.provisioning_error.is_none(), "{upn}");
            vec![]
        }
        "empty-mail" | "stuck" => {
            assert!(
                mail_empty && user.mailbox.is_some() && user.synced != Some(true),
                "{upn}"
            );
            vec!["MF001"]
        }
        "synced" => {
            assert!(mail_empty && user.synced == Some(true), "{upn}");
            vec!["MF003"]
        }
        "no-mailbox" => {
            assert!(mail_empty && user.mailbox.is_none(), "{upn}");
            vec!["MF002"]
        }
        "leftover-alias" => {
            assert!(marker && !mail_empty, "{upn}");
            vec!["MF005"]
        }
        "provisioning-error" => {
            assert!(user.provisioning_error.is_some(), "{upn}");
            vec!["MF008"]
        }
        "mail-not-primary" => {
            assert!(user.mail.as_deref().is_some_and(|m| m != upn), "{upn}");
            vec!["MF004"]
        }
        // Scanned only with --include-disabled: licensed with a mailbox, sometimes without mail.
        "disabled" => {
            assert!(!user.enabled && user.mailbox.is_some(), "{upn}");
            if mail_empty { vec!["MF001"] } else { vec![] }
        }
        // Scanned only with --include-guests: `mail` is their home address, no mailbox.
        "guest" => {
            assert!(user.guest && !mail_empty && user.mailbox.is_none(), "{upn}");
            vec![]
        }
        other => panic!("label '{other}' of {upn} is new: say here what scan must find"),
    }
}

/// MF006 with `--methods`: no mobile phone method, or no email method.
pub fn methods_rule(user: &UserSpec) -> Option<&'static str> {
    (user.methods.mobile.is_none() || user.methods.email.is_none()).then_some("MF006")
}

/// MF007 with `--registration`: a user registered (SSPR) when one of its past attempts succeeded,
/// which happens when `mail` was set (`UserSpec::registration_attempts`); MFA-registered when also
/// holding a phone method.
pub fn registration_rule(user: &UserSpec) -> Option<&'static str> {
    let sspr =
        user.registration_attempts > 0 && user.mail.as_deref().is_some_and(|m| !m.is_empty());
    let m = &user.methods;
    let phone = m.mobile.is_some() || m.alternate_mobile.is_some() || m.office.is_some();
    (!(sspr && phone)).then_some("MF007")
}

/// Everything scan must find among the users `in_scope` accepts.
pub fn findings(
    scenario: &Scenario,
    in_scope: impl Fn(&UserSpec) -> bool,
    methods: bool,
    registration: bool,
) -> Findings {
    let mut out = Findings::new();
    for user in all_users(scenario) {
        if !in_scope(&user) {
            continue;
        }
        let mut rules = directory_rules(&user);
        rules.extend(methods.then(|| methods_rule(&user)).flatten());
        rules.extend(registration.then(|| registration_rule(&user)).flatten());
        for rule in rules {
            out.insert((user.upn.to_ascii_lowercase(), rule.to_owned()));
        }
    }
    out
}

/// The `(upn, rule)` pairs of a `scan -o json` document.
pub fn from_json(doc: &serde_json::Value) -> Findings {
    doc["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            let upn = f["user"]["upn"].as_str().expect("upn").to_ascii_lowercase();
            (upn, f["rule"].as_str().expect("rule").to_owned())
        })
        .collect()
}
