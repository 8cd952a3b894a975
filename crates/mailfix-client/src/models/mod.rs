//! Typed models of the Graph and Exchange objects mailfix reads and writes.
//!
//! These are the client's own serde types; the simulator has separate wire structs on purpose.

pub mod audit;
pub mod directory_object;
pub mod exchange;
pub mod group;
pub mod lenient;
pub mod methods;
pub mod registration;
pub mod user;

pub use audit::{AuditIdentity, AuditTarget, DirectoryAudit};
pub use directory_object::DirectoryObject;
pub use exchange::{AcceptedDomain, Mailbox, Recipient};
pub use group::Group;
pub use lenient::null_as_default;
pub use methods::{AuthenticationMethod, EmailMethod, PhoneMethod, PhoneType};
pub use registration::RegistrationDetails;
pub use user::{AssignedPlan, ProvisioningError, User};
