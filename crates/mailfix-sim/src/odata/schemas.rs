//! Filter rules and property names of the resources the simulator serves: user, group, directory
//! objects in member lists, userRegistrationDetails and directoryAudit. Property names are those of
//! the Graph v1.0 CSDL (reference/openapi/graph-v1.0-types-subset.json).

use super::rules::ops::{ANY, ENDS, EQ, IN, NE, NULL, RANGE, STARTS, STRING};
use super::rules::{Kind, PropRule, Schema};

const fn prop(name: &'static str, kind: Kind, default: u16, advanced: u16) -> PropRule {
    PropRule {
        name,
        kind,
        default,
        advanced,
    }
}

const PLAN: &[PropRule] = &[
    prop("servicePlanId", Kind::Str, EQ, 0),
    prop("capabilityStatus", Kind::Str, EQ, 0),
    prop("service", Kind::Str, EQ, 0),
];

const IDENTITY: &[PropRule] = &[
    prop("issuerAssignedId", Kind::Str, EQ, 0),
    prop("issuer", Kind::Str, EQ, 0),
    prop("signInType", Kind::Str, EQ, 0),
];

const LICENSE: &[PropRule] = &[prop("skuId", Kind::Str, EQ, 0)];

const USER_PROPS: &[PropRule] = &[
    prop("id", Kind::Str, EQ | IN, 0),
    prop("userPrincipalName", Kind::Str, STRING | RANGE, ENDS),
    prop("mail", Kind::Str, STRING | RANGE, ENDS | NULL),
    prop("mailNickname", Kind::Str, STRING | RANGE, NULL),
    prop("displayName", Kind::Str, STRING, NULL),
    prop("givenName", Kind::Str, STRING | RANGE, NULL),
    prop("surname", Kind::Str, STRING | RANGE, NULL),
    prop("jobTitle", Kind::Str, EQ | IN | RANGE, NULL),
    prop("accountEnabled", Kind::Bool, EQ | IN, RANGE),
    prop("userType", Kind::Str, EQ | IN, NULL),
    prop("onPremisesSyncEnabled", Kind::Bool, EQ | IN, RANGE | NULL),
    prop("mobilePhone", Kind::Str, 0, STRING | RANGE | NULL),
    prop("city", Kind::Str, STRING | RANGE, NULL),
    prop("country", Kind::Str, STRING | RANGE, NULL),
    prop("department", Kind::Str, STRING | RANGE, NULL),
    prop("companyName", Kind::Str, 0, STRING | RANGE | NULL),
    prop("officeLocation", Kind::Str, 0, STRING | RANGE | NULL),
    prop("employeeId", Kind::Str, EQ | STARTS, NULL),
    prop("createdDateTime", Kind::Time, EQ | RANGE, IN),
    prop(
        "proxyAddresses",
        Kind::Strings,
        ANY | EQ | STARTS | RANGE,
        ENDS,
    ),
    prop("otherMails", Kind::Strings, ANY | EQ | STARTS | RANGE, ENDS),
    prop("businessPhones", Kind::Strings, ANY | EQ, 0),
    prop("assignedPlans", Kind::Objects(PLAN), ANY, 0),
    prop("assignedLicenses", Kind::Objects(LICENSE), ANY, 0),
    prop("identities", Kind::Objects(IDENTITY), ANY, 0),
];

/// Every structural property of `microsoft.graph.user` (CSDL), plus `id` and `deletedDateTime`.
pub const USER_KNOWN: &[&str] = &[
    "id",
    "deletedDateTime",
    "aboutMe",
    "accountEnabled",
    "ageGroup",
    "assignedLicenses",
    "assignedPlans",
    "authorizationInfo",
    "birthday",
    "businessPhones",
    "city",
    "companyName",
    "consentProvidedForMinor",
    "country",
    "createdDateTime",
    "creationType",
    "customSecurityAttributes",
    "department",
    "deviceEnrollmentLimit",
    "displayName",
    "employeeHireDate",
    "employeeId",
    "employeeLeaveDateTime",
    "employeeOrgData",
    "employeeType",
    "externalUserState",
    "externalUserStateChangeDateTime",
    "faxNumber",
    "givenName",
    "hireDate",
    "identities",
    "identityParentId",
    "imAddresses",
    "interests",
    "isManagementRestricted",
    "isResourceAccount",
    "jobTitle",
    "lastPasswordChangeDateTime",
    "legalAgeGroupClassification",
    "licenseAssignmentStates",
    "mail",
    "mailboxSettings",
    "mailNickname",
    "mobilePhone",
    "mySite",
    "officeLocation",
    "onPremisesDistinguishedName",
    "onPremisesDomainName",
    "onPremisesExtensionAttributes",
    "onPremisesImmutableId",
    "onPremisesLastSyncDateTime",
    "onPremisesProvisioningErrors",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "onPremisesUserPrincipalName",
    "otherMails",
    "passwordPolicies",
    "passwordProfile",
    "pastProjects",
    "postalCode",
    "preferredDataLocation",
    "preferredLanguage",
    "preferredName",
    "print",
    "provisionedPlans",
    "proxyAddresses",
    "responsibilities",
    "schools",
    "securityIdentifier",
    "serviceProvisioningErrors",
    "showInAddressList",
    "signInActivity",
    "signInSessionsValidFromDateTime",
    "skills",
    "state",
    "streetAddress",
    "surname",
    "usageLocation",
    "userPrincipalName",
    "userType",
];

/// The user's collection-valued properties among [`USER_KNOWN`] (they render as `[]`, not `null`).
pub const USER_COLLECTIONS: &[&str] = &[
    "assignedLicenses",
    "assignedPlans",
    "businessPhones",
    "identities",
    "imAddresses",
    "interests",
    "licenseAssignmentStates",
    "onPremisesProvisioningErrors",
    "otherMails",
    "pastProjects",
    "provisionedPlans",
    "proxyAddresses",
    "responsibilities",
    "schools",
    "serviceProvisioningErrors",
    "skills",
];

/// Filter rules of `/users`.
pub static USER: Schema = Schema {
    resource: "User",
    type_name: "microsoft.graph.user",
    props: USER_PROPS,
    known: USER_KNOWN,
    directory: true,
};

/// Filter rules of member lists without a cast (directory objects; users dominate).
pub static DIRECTORY_OBJECT: Schema = Schema {
    resource: "DirectoryObject",
    type_name: "microsoft.graph.directoryObject",
    props: USER_PROPS,
    known: USER_KNOWN,
    directory: true,
};

const GROUP_PROPS: &[PropRule] = &[
    prop("id", Kind::Str, EQ | IN, 0),
    prop("displayName", Kind::Str, STRING, NULL),
    prop("description", Kind::Str, STRING, NULL),
    prop("mail", Kind::Str, STRING, NULL),
    prop("mailNickname", Kind::Str, STRING, NULL),
    prop("mailEnabled", Kind::Bool, EQ, 0),
    prop("securityEnabled", Kind::Bool, EQ | IN, 0),
    prop("onPremisesSyncEnabled", Kind::Bool, EQ, NULL),
    prop("hasMembersWithLicenseErrors", Kind::Bool, EQ, 0),
    prop("membershipRuleProcessingState", Kind::Str, EQ, 0),
    prop("groupTypes", Kind::Strings, ANY | EQ, 0),
    prop("proxyAddresses", Kind::Strings, ANY | EQ | STARTS, ENDS),
];

/// Every structural property of `microsoft.graph.group` (CSDL), plus `id` and `deletedDateTime`.
pub const GROUP_KNOWN: &[&str] = &[
    "id",
    "deletedDateTime",
    "accessType",
    "allowExternalSenders",
    "assignedLabels",
    "assignedLicenses",
    "autoSubscribeNewMembers",
    "classification",
    "createdDateTime",
    "description",
    "displayName",
    "expirationDateTime",
    "groupTypes",
    "hasMembersWithLicenseErrors",
    "hideFromAddressLists",
    "hideFromOutlookClients",
    "infoCatalogs",
    "isArchived",
    "isAssignableToRole",
    "isFavorite",
    "isManagementRestricted",
    "isSubscribedByMail",
    "licenseProcessingState",
    "mail",
    "mailEnabled",
    "mailNickname",
    "membershipRule",
    "membershipRuleProcessingState",
    "onPremisesDomainName",
    "onPremisesExtensionAttributes",
    "onPremisesLastSyncDateTime",
    "onPremisesNetBiosName",
    "onPremisesProvisioningErrors",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "organizationId",
    "preferredDataLocation",
    "preferredLanguage",
    "proxyAddresses",
    "renewedDateTime",
    "resourceBehaviorOptions",
    "resourceProvisioningOptions",
    "securityEnabled",
    "securityIdentifier",
    "serviceProvisioningErrors",
    "theme",
    "uniqueName",
    "unseenConversationsCount",
    "unseenCount",
    "unseenMessagesCount",
    "visibility",
    "welcomeMessageEnabled",
];

/// The group's collection-valued properties among [`GROUP_KNOWN`].
pub const GROUP_COLLECTIONS: &[&str] = &[
    "assignedLabels",
    "assignedLicenses",
    "groupTypes",
    "infoCatalogs",
    "onPremisesProvisioningErrors",
    "proxyAddresses",
    "resourceBehaviorOptions",
    "resourceProvisioningOptions",
    "serviceProvisioningErrors",
];

/// Filter rules of `/groups`.
pub static GROUP: Schema = Schema {
    resource: "Group",
    type_name: "microsoft.graph.group",
    props: GROUP_PROPS,
    known: GROUP_KNOWN,
    directory: true,
};

const URD_PROPS: &[PropRule] = &[
    prop("id", Kind::Str, EQ | IN, 0),
    prop("userPrincipalName", Kind::Str, STRING, 0),
    prop("userDisplayName", Kind::Str, STRING, 0),
    prop("userType", Kind::Str, EQ | NE, 0),
    prop("isAdmin", Kind::Bool, EQ | NE, 0),
    prop("isMfaCapable", Kind::Bool, EQ | NE, 0),
    prop("isMfaRegistered", Kind::Bool, EQ | NE, 0),
    prop("isPasswordlessCapable", Kind::Bool, EQ | NE, 0),
    prop("isSsprCapable", Kind::Bool, EQ | NE, 0),
    prop("isSsprEnabled", Kind::Bool, EQ | NE, 0),
    prop("isSsprRegistered", Kind::Bool, EQ | NE, 0),
    prop(
        "isSystemPreferredAuthenticationMethodEnabled",
        Kind::Bool,
        EQ | NE,
        0,
    ),
    prop("lastUpdatedDateTime", Kind::Time, EQ | RANGE, 0),
    prop("methodsRegistered", Kind::Strings, ANY | EQ, 0),
    prop(
        "systemPreferredAuthenticationMethods",
        Kind::Strings,
        ANY | EQ,
        0,
    ),
    prop(
        "userPreferredMethodForSecondaryAuthentication",
        Kind::Str,
        EQ | NE,
        0,
    ),
];

/// Every property of `microsoft.graph.userRegistrationDetails`.
pub const URD_KNOWN: &[&str] = &[
    "id",
    "isAdmin",
    "isMfaCapable",
    "isMfaRegistered",
    "isPasswordlessCapable",
    "isSsprCapable",
    "isSsprEnabled",
    "isSsprRegistered",
    "isSystemPreferredAuthenticationMethodEnabled",
    "lastUpdatedDateTime",
    "methodsRegistered",
    "systemPreferredAuthenticationMethods",
    "userDisplayName",
    "userPreferredMethodForSecondaryAuthentication",
    "userPrincipalName",
    "userType",
];

/// Filter rules of `reports/authenticationMethods/userRegistrationDetails`.
pub static USER_REGISTRATION: Schema = Schema {
    resource: "UserRegistrationDetails",
    type_name: "microsoft.graph.userRegistrationDetails",
    props: URD_PROPS,
    known: URD_KNOWN,
    directory: false,
};

const TARGET: &[PropRule] = &[
    prop("id", Kind::Str, EQ, 0),
    prop("displayName", Kind::Str, EQ | STARTS, 0),
    prop("userPrincipalName", Kind::Str, EQ | STARTS, 0),
    prop("type", Kind::Str, EQ, 0),
];

const AUDIT_PROPS: &[PropRule] = &[
    prop("id", Kind::Str, EQ, 0),
    prop("category", Kind::Str, EQ, 0),
    prop("correlationId", Kind::Str, EQ, 0),
    prop("activityDisplayName", Kind::Str, EQ | STARTS, 0),
    prop("activityDateTime", Kind::Time, EQ | RANGE, 0),
    prop("loggedByService", Kind::Str, EQ, 0),
    prop("operationType", Kind::Str, EQ, 0),
    prop("result", Kind::Str, EQ, 0),
    prop("initiatedBy/user/id", Kind::Str, EQ, 0),
    prop(
        "initiatedBy/user/userPrincipalName",
        Kind::Str,
        EQ | STARTS,
        0,
    ),
    prop("initiatedBy/user/displayName", Kind::Str, EQ, 0),
    prop("initiatedBy/app/appId", Kind::Str, EQ, 0),
    prop("initiatedBy/app/displayName", Kind::Str, EQ, 0),
    prop("targetResources", Kind::Objects(TARGET), ANY, 0),
];

/// Every property of `microsoft.graph.directoryAudit`.
pub const AUDIT_KNOWN: &[&str] = &[
    "id",
    "activityDateTime",
    "activityDisplayName",
    "additionalDetails",
    "category",
    "correlationId",
    "initiatedBy",
    "loggedByService",
    "operationType",
    "result",
    "resultReason",
    "targetResources",
];

/// Filter rules of `auditLogs/directoryAudits`.
pub static DIRECTORY_AUDIT: Schema = Schema {
    resource: "DirectoryAudit",
    type_name: "microsoft.graph.directoryAudit",
    props: AUDIT_PROPS,
    known: AUDIT_KNOWN,
    directory: false,
};

/// Resolves a property name case-insensitively against a type's names, giving the canonical
/// spelling (`proxyaddresses` → `proxyAddresses`).
pub fn canonical(known: &'static [&'static str], name: &str) -> Option<&'static str> {
    known.iter().copied().find(|k| k.eq_ignore_ascii_case(name))
}
