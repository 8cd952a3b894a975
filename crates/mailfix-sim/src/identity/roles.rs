//! Directory roles in tokens: the `wids` claim carries role *template ids* (GUIDs), as the
//! identity platform issues them (access-token claims reference; e.g. an app-only token's `wids`
//! `["9b895d92-…", "0997a1d0-…"]`), while scenarios and the control plane name roles by display
//! name. Known names map to their template ids; other names pass through unchanged.

/// Built-in roles the simulator knows: display name and template id.
pub const ROLE_TEMPLATES: &[(&str, &str)] = &[
    (
        "Global Administrator",
        "62e90394-69f5-4237-9190-012177145e10",
    ),
    (
        "Exchange Administrator",
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
    ),
    (
        "Exchange Recipient Administrator",
        "31392ffb-586c-42d1-9346-e59415a2cc4e",
    ),
    ("Global Reader", "f2ef992c-3afb-46b9-b7cf-a126ee74c451"),
    ("User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1"),
    (
        "Authentication Administrator",
        "c4e39bd9-1100-46d3-8c65-fb160da0071f",
    ),
    (
        "Privileged Authentication Administrator",
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
    ),
    ("Reports Reader", "4a5d8f65-41da-4de4-8968-e035b65339cf"),
];

/// The `wids` value for a role name (its template id when known).
pub fn template_id(name: &str) -> String {
    ROLE_TEMPLATES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map_or_else(|| name.to_owned(), |(_, id)| (*id).to_owned())
}

/// The role name for a `wids` value (the name when the template id is known).
pub fn role_name(wid: &str) -> String {
    ROLE_TEMPLATES
        .iter()
        .find(|(_, id)| id.eq_ignore_ascii_case(wid))
        .map_or_else(|| wid.to_owned(), |(n, _)| (*n).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_template_ids_round_trip() {
        let id = template_id("exchange administrator");
        assert_eq!(id, "29232cdf-9323-42fd-ade2-1d097af3e4de");
        assert_eq!(role_name(&id), "Exchange Administrator");
        assert_eq!(template_id("Custom Role"), "Custom Role");
        assert_eq!(role_name("Custom Role"), "Custom Role");
    }
}
