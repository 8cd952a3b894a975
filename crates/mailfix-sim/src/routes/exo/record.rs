//! Exchange's wire records: `Exchange.GenericHashTable` objects whose typed properties carry
//! annotations, as in `reference/fixtures/exo-invokecommand-observed.json` — collections
//! `X@odata.type: #Collection(String)`, GUIDs `X@data.type: System.Guid` + `X@odata.type: #Guid`,
//! dates `X@data.type: System.DateTime`, small integers `System.Int16`/`#Int16`, `System.Int32`.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::model::{Domain, Mailbox, Tenant, User, UserIdx};

/// A record under construction.
#[derive(Debug, Default)]
pub struct Record(Map<String, Value>);

impl Record {
    /// A plain string (or null) property.
    pub fn text(mut self, key: &str, value: Option<&str>) -> Self {
        self.0
            .insert(key.to_owned(), value.map_or(Value::Null, Value::from));
        self
    }

    /// A boolean property.
    pub fn flag(mut self, key: &str, value: bool) -> Self {
        self.0.insert(key.to_owned(), Value::Bool(value));
        self
    }

    /// A string collection with its `@odata.type`.
    pub fn strings(mut self, key: &str, values: &[String]) -> Self {
        self.0
            .insert(format!("{key}@odata.type"), "#Collection(String)".into());
        self.0.insert(
            key.to_owned(),
            values.iter().map(|v| Value::from(v.as_str())).collect(),
        );
        self
    }

    /// A GUID with both annotations.
    pub fn guid(mut self, key: &str, value: Uuid) -> Self {
        self.0
            .insert(format!("{key}@data.type"), "System.Guid".into());
        self.0.insert(format!("{key}@odata.type"), "#Guid".into());
        self.0.insert(key.to_owned(), value.to_string().into());
        self
    }

    /// A GUID with only the OData annotation (as `ExchangeObjectId` is captured).
    pub fn odata_guid(mut self, key: &str, value: Uuid) -> Self {
        self.0.insert(format!("{key}@odata.type"), "#Guid".into());
        self.0.insert(key.to_owned(), value.to_string().into());
        self
    }

    /// A date-time with its `@data.type`, in Exchange's seven-digit format.
    pub fn date(mut self, key: &str, value: DateTime<Utc>, offset: bool) -> Self {
        let suffix = if offset { "+00:00" } else { "Z" };
        // Exchange prints seven fractional digits (ticks of 100 ns).
        let ticks = value.timestamp_subsec_nanos() / 100;
        let text = format!("{}.{ticks:07}{suffix}", value.format("%Y-%m-%dT%H:%M:%S"));
        self.0
            .insert(format!("{key}@data.type"), "System.DateTime".into());
        self.0.insert(key.to_owned(), text.into());
        self
    }

    /// A 16-bit integer with both annotations.
    pub fn int16(mut self, key: &str, value: i16) -> Self {
        self.0
            .insert(format!("{key}@data.type"), "System.Int16".into());
        self.0.insert(format!("{key}@odata.type"), "#Int16".into());
        self.0.insert(key.to_owned(), value.into());
        self
    }

    /// A 32-bit integer with its `@data.type`.
    pub fn int32(mut self, key: &str, value: i32) -> Self {
        self.0
            .insert(format!("{key}@data.type"), "System.Int32".into());
        self.0.insert(key.to_owned(), value.into());
        self
    }

    /// The finished JSON object.
    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

/// The database a mailbox lives in, stable per mailbox.
fn database(mailbox: &Mailbox) -> (String, Uuid) {
    let n = mailbox.guid.as_bytes()[0] % 40;
    let name = format!("SYDPR01DG{:03}-db{:03}", 100 + u32::from(n), n);
    let guid = Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes());
    (name, guid)
}

/// A mailbox as `Get-Mailbox` returns it (the captured properties and those mailfix reads).
pub fn mailbox(tenant: &Tenant, mailbox: &Mailbox) -> Value {
    let user: &User = &tenant.users[mailbox.user as usize];
    let primary = mailbox.primary_smtp().unwrap_or(&user.user_principal_name);
    let (db, db_guid) = database(mailbox);
    let ou = format!(
        "auspr01a008.prod.outlook.com/Microsoft Exchange Hosted Organizations/{}",
        tenant.initial_domain
    );
    let upn = user.user_principal_name.as_str();
    Record::default()
        .strings("AcceptMessagesOnlyFromWithDisplayNames", &[])
        .text("Database", Some(&db))
        .guid("DatabaseGuid", db_guid)
        .text("MailboxProvisioningConstraint", None)
        .flag("IsMonitoringMailbox", false)
        .text("MailboxRegionSuffix", Some("None"))
        .int16("PitrCopyIntervalInSeconds", 0)
        .flag("LitigationHoldEnabled", false)
        .text("LitigationHoldDuration", Some("Unlimited"))
        .text("RetentionPolicy", Some("Default MRM Policy"))
        .guid("ExchangeGuid", Uuid::new_v5(&mailbox.guid, b"exchange"))
        .text("ForwardingAddress", None)
        .text("ForwardingSmtpAddress", None)
        .flag("DeliverToMailboxAndForward", false)
        .text("RetainDeletedItemsFor", Some("14.00:00:00"))
        .flag("IsMailboxEnabled", true)
        .strings("Languages", &["en-AU".to_owned()])
        .text("ProhibitSendQuota", Some("99 GB (106,300,440,576 bytes)"))
        .text(
            "ProhibitSendReceiveQuota",
            Some("100 GB (107,374,182,400 bytes)"),
        )
        .text("IssueWarningQuota", Some("98 GB (105,226,698,752 bytes)"))
        .text("RecipientLimits", Some("500"))
        .text("UserPrincipalName", Some(upn))
        .text("WindowsLiveID", Some(upn))
        .text("MicrosoftOnlineServicesID", Some(upn))
        .guid("ArchiveGuid", Uuid::nil())
        .text("ArchiveStatus", Some("None"))
        .flag("AuditEnabled", true)
        .text("AuditLogAgeLimit", Some("90.00:00:00"))
        .date("WhenMailboxCreated", mailbox.when_created, true)
        .text("UsageLocation", Some("Australia"))
        .int32("RecipientSoftDeletedStatus", 0)
        .flag("AccountDisabled", !user.account_enabled)
        .text("Alias", Some(&mailbox.alias))
        .text("DisplayName", Some(&mailbox.display_name))
        .strings("EmailAddresses", &mailbox.email_addresses)
        .text("ExternalDirectoryObjectId", Some(&user.id.to_string()))
        .flag("HiddenFromAddressListsEnabled", false)
        .text("MaxSendSize", Some("35 MB (36,700,160 bytes)"))
        .text("MaxReceiveSize", Some("36 MB (37,748,736 bytes)"))
        .text("PrimarySmtpAddress", Some(primary))
        .text("WindowsEmailAddress", Some(primary))
        .text("RecipientType", Some("UserMailbox"))
        .text(
            "RecipientTypeDetails",
            Some(&mailbox.recipient_type_details),
        )
        .text("OrganizationalUnit", Some(&ou))
        .text("CustomAttribute1", Some(""))
        .strings("ExtensionCustomAttribute1", &[])
        .flag("IsDirSynced", user.on_premises_sync_enabled == Some(true))
        .flag("EmailAddressPolicyEnabled", false)
        .text("Identity", Some(&mailbox.alias))
        .text("Id", Some(&mailbox.alias))
        .text("Name", Some(&mailbox.alias))
        .odata_guid("ExchangeObjectId", mailbox.exchange_object_id)
        .guid("Guid", mailbox.guid)
        .date("WhenChangedUTC", mailbox.when_changed, false)
        .date("WhenCreatedUTC", mailbox.when_created, false)
        .into_value()
}

/// A user as `Get-User` returns it: `RecipientType` `User` without a mailbox, `UserMailbox` with one.
pub fn user(tenant: &Tenant, idx: UserIdx) -> Value {
    let user = &tenant.users[idx as usize];
    let mailbox = tenant.mailboxes.get(&idx);
    let recipient_type = if mailbox.is_some() {
        "UserMailbox"
    } else {
        "User"
    };
    let details = match (mailbox, user.user_type) {
        (Some(_), _) => "UserMailbox",
        (None, crate::model::UserType::Guest) => "GuestMailUser",
        (None, _) => "User",
    };
    let name = mailbox.map_or(user.mail_nickname.as_str(), |m| m.alias.as_str());
    let guid = mailbox.map_or_else(|| Uuid::new_v5(&user.id, b"recipient"), |m| m.guid);
    Record::default()
        .text("UserPrincipalName", Some(&user.user_principal_name))
        .text("DisplayName", Some(&user.display_name))
        .text("FirstName", user.given_name.as_deref())
        .text("LastName", user.surname.as_deref())
        .text(
            "WindowsEmailAddress",
            Some(user.mail.as_deref().unwrap_or("")),
        )
        .text("RecipientType", Some(recipient_type))
        .text("RecipientTypeDetails", Some(details))
        .text("ExternalDirectoryObjectId", Some(&user.id.to_string()))
        .flag("IsDirSynced", user.on_premises_sync_enabled == Some(true))
        .flag("AccountDisabled", !user.account_enabled)
        .text("Identity", Some(name))
        .text("Id", Some(name))
        .text("Name", Some(name))
        .guid("Guid", guid)
        .date("WhenCreatedUTC", user.created, false)
        .into_value()
}

/// An accepted domain as `Get-AcceptedDomain` returns it.
pub fn accepted_domain(domain: &Domain) -> Value {
    Record::default()
        .text("DomainName", Some(&domain.name))
        .text("DomainType", Some("Authoritative"))
        .flag("Default", domain.is_default)
        .flag("InitialDomain", domain.is_initial)
        .flag("MatchSubDomains", false)
        .flag("AddressBookEnabled", true)
        .text("Identity", Some(&domain.name))
        .text("Id", Some(&domain.name))
        .text("Name", Some(&domain.name))
        .guid(
            "Guid",
            Uuid::new_v5(&Uuid::NAMESPACE_DNS, domain.name.as_bytes()),
        )
        .into_value()
}
