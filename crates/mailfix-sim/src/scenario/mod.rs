//! Scenarios: what a simulated tenant contains and how it behaves, built in (`small`, `small-gov`,
//! `enterprise`, `scale`) or read from a JSON file (the format is [`Scenario`], documented in `COVERAGE.md`).

pub mod build;
pub mod enterprise;
pub mod file;
pub mod generate;
pub mod gov;
pub mod groups;
pub mod hire;
pub mod plans;
pub mod registration;
pub mod small;
pub mod spec;

pub use enterprise::{all_users, enterprise, population, scale};
pub use file::{LoadError, load};
pub use gov::small_gov;
pub use small::small;
pub use spec::{
    AppSpec, AuditSpec, BehaviourSpec, GeneratedSpec, GroupSpec, MailboxSpec, MemberSpec,
    MethodsSpec, OtherSpec, PlanSpec, Scenario, TenantSpec, UserSpec,
};
