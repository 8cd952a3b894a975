//! Links to a user's page in the Microsoft Entra admin center of the tenant's cloud. The hosts are
//! the three Microsoft lists for the admin center (global, US Government for GCC High and DoD, and
//! 21Vianet); the page is the user profile blade. Sources in `crates/mailfix-sim/COVERAGE.md`
//! ("Entra admin center links").

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::settings::CloudName;

/// Characters escaped in the user id path segment (an object id is a GUID; anything else is
/// encoded rather than trusted).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'\'')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`');

/// The path of a user's profile page, after the admin center's host.
const USER_PAGE: &str =
    "/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/";

/// The Entra admin center of one cloud.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Portal {
    host: &'static str,
}

impl Portal {
    /// The admin center of `cloud`.
    pub fn for_cloud(cloud: CloudName) -> Self {
        let host = match cloud {
            CloudName::Global => "https://entra.microsoft.com",
            CloudName::UsGovHigh | CloudName::UsGovDod => "https://entra.microsoft.us",
            CloudName::China => "https://entra.microsoftonline.cn",
        };
        Portal { host }
    }

    /// The page of the user with object id `id`; `None` without an id (a user the audit log names
    /// but the directory no longer holds).
    pub fn user(&self, id: &str) -> Option<String> {
        let id = id.trim();
        (!id.is_empty()).then(|| {
            format!(
                "{}{USER_PAGE}{}",
                self.host,
                utf8_percent_encode(id, SEGMENT)
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cloud_links_to_its_own_admin_center() {
        let id = "0b6f1a10-0000-4000-8000-00000000a001";
        let link = |cloud| Portal::for_cloud(cloud).user(id).unwrap();
        assert_eq!(
            link(CloudName::Global),
            format!("https://entra.microsoft.com{USER_PAGE}{id}")
        );
        assert!(link(CloudName::UsGovHigh).starts_with("https://entra.microsoft.us/#view/"));
        assert!(link(CloudName::UsGovDod).starts_with("https://entra.microsoft.us/#view/"));
        assert!(link(CloudName::China).starts_with("https://entra.microsoftonline.cn/#view/"));
    }

    #[test]
    fn an_id_is_one_path_segment_and_no_id_is_no_link() {
        let portal = Portal::for_cloud(CloudName::Global);
        let odd = portal.user("a/b\"<x>").unwrap();
        assert!(odd.ends_with("/userId/a%2Fb%22%3Cx%3E"), "{odd}");
        assert_eq!(portal.user(""), None);
    }
}
