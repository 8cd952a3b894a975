//! The tenant: every object of one simulated Microsoft 365 organisation, with the indexes that make
//! lookups cheap at a million users.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    AppRegistration, AuditEvent, Group, GroupIdx, Mailbox, OtherObject, User, UserIdx, UserMethods,
};

/// A domain of the tenant.
#[derive(Clone, Debug)]
pub struct Domain {
    /// The domain name, lowercase.
    pub name: String,
    /// The `*.onmicrosoft.com` domain created with the tenant.
    pub is_initial: bool,
    /// The default domain for new users.
    pub is_default: bool,
    /// Whether Exchange accepts mail (and addresses) for it.
    pub accepted: bool,
}

/// Who holds a proxy address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressOwner {
    /// A user (its mailbox and directory object share the address).
    User(UserIdx),
    /// A mail-enabled group.
    Group(GroupIdx),
}

/// One simulated tenant.
#[derive(Debug, Default)]
pub struct Tenant {
    /// Tenant id (`tid`).
    pub id: Uuid,
    /// The initial `*.onmicrosoft.com` domain.
    pub initial_domain: String,
    /// All domains, the initial one included.
    pub domains: Vec<Domain>,
    /// Users, addressed by [`UserIdx`]; deleted users stay as tombstones.
    pub users: Vec<User>,
    /// Groups, addressed by [`GroupIdx`].
    pub groups: Vec<Group>,
    /// Devices, contacts and service principals.
    pub others: Vec<OtherObject>,
    /// Mailboxes by user (boxed: a table of a million inline mailboxes would be half empty slots).
    pub mailboxes: HashMap<UserIdx, Box<Mailbox>>,
    /// Authentication methods by user (absent = none registered).
    pub methods: HashMap<UserIdx, UserMethods>,
    /// Directory audit events, in time order.
    pub audits: Vec<AuditEvent>,
    /// App registrations that may sign in to this tenant.
    pub apps: Vec<AppRegistration>,
    /// Every proxy address in the tenant (lowercase, without the type prefix) and its owner.
    pub addresses: HashMap<String, AddressOwner>,
    /// Addresses removed recently, reserved until the given simulated time (lowercase, no prefix).
    pub reserved: HashMap<String, DateTime<Utc>>,
    /// The last change sequence number handed out (for `users/delta`).
    pub change_seq: u64,
    /// Write-backs not yet applied, ordered by due time.
    pub writebacks: Vec<super::PendingWriteback>,
    /// Cached transitive group memberships (see `model::membership`).
    pub membership: super::membership::MembershipCache,
    /// Former owner of each reserved address (same keys as `reserved`).
    pub reserved_by: HashMap<String, AddressOwner>,
    /// Stuck users whose mailbox changed: their write-back waits for `POST /_sim/unstick`.
    pub held_writebacks: Vec<UserIdx>,
    /// Directory roles users hold (set through `POST /_sim/users/{key}/roles`), by user.
    pub user_roles: HashMap<UserIdx, Vec<String>>,
    /// The first address added to each mailbox and when its dual-write first failed (switch
    /// `exo.dual_write_conflict_s`).
    pub dual_write_conflicts: HashMap<UserIdx, (String, DateTime<Utc>)>,
    user_by_id: HashMap<Uuid, UserIdx>,
    user_by_upn: HashMap<String, UserIdx>,
    group_by_id: HashMap<Uuid, GroupIdx>,
    other_by_id: HashMap<Uuid, u32>,
}

impl Tenant {
    /// An empty tenant with its initial domain.
    pub fn new(id: Uuid, initial_domain: &str) -> Self {
        let initial = initial_domain.to_ascii_lowercase();
        Self {
            id,
            domains: vec![Domain {
                name: initial.clone(),
                is_initial: true,
                is_default: true,
                accepted: true,
            }],
            initial_domain: initial,
            ..Self::default()
        }
    }

    /// Makes room for `users` more users (and their mailboxes and addresses) at once, so that a large
    /// build does not hold old and new copies of growing tables at the same time.
    pub fn reserve_users(&mut self, users: usize) {
        self.users.reserve(users);
        self.user_by_id.reserve(users);
        self.user_by_upn.reserve(users);
        self.mailboxes.reserve(users);
        self.addresses.reserve(users);
    }

    /// Adds a user and indexes it and its proxy addresses. Returns its index.
    pub fn add_user(&mut self, mut user: User) -> UserIdx {
        let idx = index(self.users.len());
        self.change_seq += 1;
        user.change_seq = self.change_seq;
        self.user_by_id.insert(user.id, idx);
        self.user_by_upn
            .insert(user.user_principal_name.to_ascii_lowercase(), idx);
        for address in &user.proxy_addresses {
            if let Some(bare) = smtp_address(address) {
                self.addresses.insert(bare, AddressOwner::User(idx));
            }
        }
        self.users.push(user);
        idx
    }

    /// Adds a group and indexes it. Returns its index.
    pub fn add_group(&mut self, group: Group) -> GroupIdx {
        let idx = index(self.groups.len());
        self.group_by_id.insert(group.id, idx);
        if let Some(mail) = &group.mail {
            self.addresses
                .insert(mail.to_ascii_lowercase(), AddressOwner::Group(idx));
        }
        self.groups.push(group);
        idx
    }

    /// Adds a device, contact or service principal. Returns its index.
    pub fn add_other(&mut self, other: OtherObject) -> u32 {
        let idx = index(self.others.len());
        self.other_by_id.insert(other.id, idx);
        self.others.push(other);
        idx
    }

    /// Adds a mailbox for `user` and indexes its SMTP addresses.
    pub fn add_mailbox(&mut self, mailbox: Mailbox) {
        for address in &mailbox.email_addresses {
            if let Some(bare) = smtp_address(address) {
                self.addresses
                    .insert(bare, AddressOwner::User(mailbox.user));
            }
        }
        self.mailboxes.insert(mailbox.user, Box::new(mailbox));
    }

    /// A live (not deleted) user by object id.
    pub fn user_by_id(&self, id: Uuid) -> Option<UserIdx> {
        self.user_by_id
            .get(&id)
            .copied()
            .filter(|&i| !self.users[i as usize].deleted)
    }

    /// A live user by user principal name (case-insensitive).
    pub fn user_by_upn(&self, upn: &str) -> Option<UserIdx> {
        self.user_by_upn
            .get(&upn.to_ascii_lowercase())
            .copied()
            .filter(|&i| !self.users[i as usize].deleted)
    }

    /// A live user by object id or UPN, as Graph's `/users/{id | userPrincipalName}` accepts.
    pub fn user_by_key(&self, key: &str) -> Option<UserIdx> {
        match Uuid::parse_str(key) {
            Ok(id) => self.user_by_id(id),
            Err(_) => self.user_by_upn(key),
        }
    }

    /// A group by object id.
    pub fn group_by_id(&self, id: Uuid) -> Option<GroupIdx> {
        self.group_by_id.get(&id).copied()
    }

    /// A device, contact or service principal by object id.
    pub fn other_by_id(&self, id: Uuid) -> Option<u32> {
        self.other_by_id.get(&id).copied()
    }

    /// Groups whose display name equals `name` (case-insensitive, as Graph's `eq` on strings).
    pub fn groups_named(&self, name: &str) -> Vec<GroupIdx> {
        self.groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.display_name.eq_ignore_ascii_case(name))
            .map(|(i, _)| index(i))
            .collect()
    }

    /// Records that `user` changed now, for `users/delta`.
    pub fn touch_user(&mut self, user: UserIdx) {
        self.change_seq += 1;
        self.users[user as usize].change_seq = self.change_seq;
    }

    /// Whether `domain` is one of the tenant's domains that Exchange accepts.
    pub fn is_accepted_domain(&self, domain: &str) -> bool {
        self.domains
            .iter()
            .any(|d| d.accepted && d.name.eq_ignore_ascii_case(domain))
    }
}

/// The bare, lowercase address of an `SMTP:`/`smtp:` proxy address (or of an address without a type).
/// Other address types (`SIP:`, `SPO:`, `X500:`) return `None`.
pub fn smtp_address(proxy: &str) -> Option<String> {
    match proxy.split_once(':') {
        Some((kind, rest)) if kind.eq_ignore_ascii_case("smtp") => Some(rest.to_ascii_lowercase()),
        Some(_) => None,
        None => Some(proxy.to_ascii_lowercase()),
    }
}

fn index(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}
