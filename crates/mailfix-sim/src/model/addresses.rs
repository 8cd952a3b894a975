//! Proxy-address bookkeeping across the tenant: every SMTP address belongs to one recipient, and an
//! address that was removed stays reserved for its former owner for a while (Exchange refuses to
//! give it to anybody else until then, with the same error as for an address in use).

use chrono::{DateTime, Utc};

use super::Tenant;
use super::tenant::AddressOwner;

/// Why an address cannot be given to a recipient: who holds (or recently held) it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressConflict {
    /// Another recipient has it now.
    InUse(AddressOwner),
    /// It was removed from another recipient and is still reserved for it.
    Reserved(AddressOwner),
}

impl AddressConflict {
    /// The recipient that holds or held the address.
    pub fn owner(self) -> AddressOwner {
        match self {
            AddressConflict::InUse(owner) | AddressConflict::Reserved(owner) => owner,
        }
    }
}

impl Tenant {
    /// Whether `claimant` may take the bare (lowercase, unprefixed) SMTP address `bare` at `now`.
    /// An address it already holds, or that is reserved for it, is available to it.
    pub fn check_address(
        &self,
        bare: &str,
        claimant: AddressOwner,
        now: DateTime<Utc>,
    ) -> Result<(), AddressConflict> {
        if let Some(&holder) = self.addresses.get(bare)
            && holder != claimant
        {
            return Err(AddressConflict::InUse(holder));
        }
        let reserved_for_other = self
            .reserved
            .get(bare)
            .filter(|&&until| until > now)
            .and_then(|_| self.reserved_by.get(bare))
            .filter(|&&former| former != claimant);
        match reserved_for_other {
            Some(&former) => Err(AddressConflict::Reserved(former)),
            None => Ok(()),
        }
    }

    /// Gives `bare` to `owner` (ending any reservation of it).
    pub fn claim_address(&mut self, bare: &str, owner: AddressOwner) {
        self.reserved.remove(bare);
        self.reserved_by.remove(bare);
        self.addresses.insert(bare.to_owned(), owner);
    }

    /// Takes `bare` away from whoever holds it and reserves it for them until `until`.
    pub fn release_address(&mut self, bare: &str, until: DateTime<Utc>) {
        if let Some(owner) = self.addresses.remove(bare) {
            self.reserved.insert(bare.to_owned(), until);
            self.reserved_by.insert(bare.to_owned(), owner);
        }
    }

    /// Forgets reservations that ended by `now`.
    pub fn expire_reservations(&mut self, now: DateTime<Utc>) {
        if self.reserved.is_empty() {
            return;
        }
        let reserved_by = &mut self.reserved_by;
        self.reserved.retain(|address, until| {
            let keep = *until > now;
            if !keep {
                reserved_by.remove(address);
            }
            keep
        });
    }

    /// How many addresses are reserved at `now`.
    pub fn reserved_count(&self, now: DateTime<Utc>) -> usize {
        self.reserved.values().filter(|&&until| until > now).count()
    }

    /// The name Exchange shows for a recipient in its errors (the mailbox alias, else the
    /// `mailNickname`).
    pub fn recipient_name(&self, owner: AddressOwner) -> String {
        match owner {
            AddressOwner::User(idx) => match self.mailboxes.get(&idx) {
                Some(mailbox) => mailbox.alias.clone(),
                None => self.users[idx as usize].mail_nickname.clone(),
            },
            AddressOwner::Group(idx) => self.groups[idx as usize].mail_nickname.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use uuid::Uuid;

    use super::*;

    #[test]
    fn a_released_address_is_reserved_for_its_former_owner_only() {
        let mut tenant = Tenant::new(Uuid::nil(), "t.onmicrosoft.com");
        let now = Utc::now();
        let (a, b) = (AddressOwner::User(0), AddressOwner::User(1));
        tenant.claim_address("x@t.com", a);
        assert_eq!(
            tenant.check_address("x@t.com", b, now),
            Err(AddressConflict::InUse(a))
        );
        tenant.release_address("x@t.com", now + Duration::hours(1));
        assert_eq!(
            tenant.check_address("x@t.com", b, now),
            Err(AddressConflict::Reserved(a))
        );
        assert_eq!(tenant.check_address("x@t.com", a, now), Ok(()));
        let later = now + Duration::hours(2);
        assert_eq!(tenant.check_address("x@t.com", b, later), Ok(()));
        tenant.expire_reservations(later);
        assert_eq!(tenant.reserved_count(now), 0);
        assert!(tenant.reserved_by.is_empty());
    }
}
