//! Directory-side writes to a user (Graph `PATCH /users/{id}`): the few properties mailfix could
//! touch, with Graph's rules for synchronized users, `mail` and proxy-address uniqueness. A changed
//! `mail` becomes the primary `SMTP:` proxy address, and advanced (eventually consistent) queries keep
//! seeing the old values for the configured lag.

use chrono::{DateTime, Duration, Utc};

use super::tenant::{AddressOwner, smtp_address};
use super::users::StaleView;
use super::{Tenant, UserIdx};

/// The writable properties of a patch; `Some(None)` sets null.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserPatch {
    /// `displayName`.
    pub display_name: Option<String>,
    /// `givenName`.
    pub given_name: Option<Option<String>>,
    /// `surname`.
    pub surname: Option<Option<String>>,
    /// `jobTitle`.
    pub job_title: Option<Option<String>>,
    /// `mobilePhone`.
    pub mobile_phone: Option<Option<String>>,
    /// `mail`.
    pub mail: Option<Option<String>>,
    /// `accountEnabled`.
    pub account_enabled: Option<bool>,
}

impl UserPatch {
    /// Whether the patch changes nothing the simulator models.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Why a patch was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    /// The user is synchronized from on-premises AD.
    #[error(
        "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration."
    )]
    Synced,
    /// `mail` set to null or to something that is not an address.
    #[error("Invalid value specified for property 'mail' of resource 'User'.")]
    InvalidMail,
    /// The address is another object's proxy address, or still reserved after a removal.
    #[error("Another object with the same value for property proxyAddresses already exists.")]
    ProxyConflict {
        /// The conflicting address.
        address: String,
        /// Object id of the holder, when an object holds it.
        holder: Option<String>,
    },
}

impl Tenant {
    /// Applies `patch` to `user` at `now`; advanced queries see the old `mail` and
    /// `proxyAddresses` until `now + lag`.
    pub fn patch_user(
        &mut self,
        user: UserIdx,
        patch: UserPatch,
        now: DateTime<Utc>,
        lag: Duration,
    ) -> Result<(), PatchError> {
        let u = &self.users[user as usize];
        if u.on_premises_sync_enabled == Some(true) && !patch.is_empty() {
            return Err(PatchError::Synced);
        }
        if let Some(mail) = &patch.mail {
            let mail = mail.as_deref().ok_or(PatchError::InvalidMail)?;
            self.check_new_mail(user, mail)?;
        }
        let u = &mut self.users[user as usize];
        if let Some(v) = patch.display_name {
            u.display_name = v;
        }
        if let Some(v) = patch.given_name {
            u.given_name = v;
        }
        if let Some(v) = patch.surname {
            u.surname = v;
        }
        if let Some(v) = patch.job_title {
            u.job_title = v;
        }
        if let Some(v) = patch.mobile_phone {
            u.mobile_phone = v;
        }
        if let Some(v) = patch.account_enabled {
            u.account_enabled = v;
        }
        if let Some(Some(mail)) = patch.mail {
            self.set_mail(user, &mail, now, lag);
        }
        self.touch_user(user);
        Ok(())
    }

    fn check_new_mail(&self, user: UserIdx, mail: &str) -> Result<(), PatchError> {
        let valid = mail.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@') && mail.is_ascii()
        }) && !mail.contains(char::is_whitespace);
        if !valid {
            return Err(PatchError::InvalidMail);
        }
        let bare = mail.to_ascii_lowercase();
        let holder = match self.addresses.get(&bare) {
            Some(AddressOwner::User(u)) if *u == user => return Ok(()),
            Some(AddressOwner::User(u)) => Some(self.users[*u as usize].id.to_string()),
            Some(AddressOwner::Group(g)) => Some(self.groups[*g as usize].id.to_string()),
            None if self.reserved.contains_key(&bare) => None,
            None => return Ok(()),
        };
        Err(PatchError::ProxyConflict {
            address: mail.to_owned(),
            holder,
        })
    }

    fn set_mail(&mut self, user: UserIdx, mail: &str, now: DateTime<Utc>, lag: Duration) {
        let u = &mut self.users[user as usize];
        let stale_until = now + lag;
        match &mut u.stale {
            Some(stale) if now < stale.until => stale.until = stale_until,
            _ => {
                u.stale = Some(StaleView {
                    mail: u.mail.clone(),
                    proxy_addresses: u.proxy_addresses.clone(),
                    until: stale_until,
                });
            }
        }
        let bare = mail.to_ascii_lowercase();
        let mut proxies: Vec<String> = u
            .proxy_addresses
            .iter()
            .filter(|p| smtp_address(p).as_deref() != Some(bare.as_str()))
            .map(|p| match p.strip_prefix("SMTP:") {
                Some(rest) => format!("smtp:{rest}"),
                None => p.clone(),
            })
            .collect();
        proxies.insert(0, format!("SMTP:{mail}"));
        u.proxy_addresses = proxies;
        u.mail = Some(mail.to_owned());
        self.addresses.insert(bare, AddressOwner::User(user));
    }
}
