//! The dense indexes users and groups are kept by.

/// Index of a user in [`Tenant::users`](super::Tenant::users).
pub type UserIdx = u32;
/// Index of a group in [`Tenant::groups`](super::Tenant::groups).
pub type GroupIdx = u32;
