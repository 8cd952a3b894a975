//! Scenarios: what a simulated tenant contains and how it behaves, built in (`small`, `enterprise`) or
//! read from a JSON file (the format is [`Scenario`], documented in `COVERAGE.md`).

pub mod build;
pub mod spec;

pub use spec::{
    AppSpec, AuditSpec, BehaviourSpec, GroupSpec, MailboxSpec, MemberSpec, MethodsSpec, OtherSpec,
    PlanSpec, Scenario, TenantSpec, UserSpec,
};
