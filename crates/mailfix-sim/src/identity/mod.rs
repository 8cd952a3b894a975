//! The simulated Microsoft identity platform: the token signing key, access-token issue and
//! verification. Sign-in routes (discovery, token endpoint, device code) live in `routes/login.rs`.

pub mod tokens;

pub use tokens::{Audience, AuthError, Caller, Identity};
