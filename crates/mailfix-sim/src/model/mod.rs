//! The simulated tenant's state and rules, free of HTTP types (moto's `models.py`).
//!
//! Routes extract a request, call into these types under the tenant lock, and render the result with
//! their own wire structs. Everything here is keyed by dense indexes (`UserIdx`, `GroupIdx`) so that a
//! million users fit comfortably in memory.

pub mod addresses;
pub mod apps;
pub mod audit;
pub mod directory;
pub mod groups;
mod indexes;
pub mod mailboxes;
pub mod membership;
pub mod method_rules;
pub mod methods;
pub mod tenant;
pub mod user_update;
pub mod users;
pub mod writeback;

pub use addresses::AddressConflict;
pub use apps::{AppRegistration, CertificateCredential};
pub use audit::AuditEvent;
pub use directory::{ObjectKind, ObjectRef, OtherObject};
pub use groups::Group;
pub use indexes::{GroupIdx, UserIdx};
pub use mailboxes::Mailbox;
pub use methods::{EmailMethod, PhoneMethod, PhoneType, UserMethods};
pub use tenant::{AddressOwner, Domain, Tenant};
pub use users::{AssignedPlan, ProvisioningError, User, UserType};
pub use writeback::PendingWriteback;
