//! The simulated Microsoft identity platform: the token signing key, access-token issue and
//! verification, client assertions, device-code sign-ins, discovery documents and the token
//! endpoint's rules. The HTTP routes (discovery, token endpoint, device code) live in
//! `routes/login.rs`.

pub mod aadsts;
pub mod assertion;
pub mod cloud;
pub mod delegated;
pub mod device_code;
pub mod discovery;
pub mod grants;
pub mod roles;
pub mod scopes;
pub mod store;
pub mod tokens;

pub use aadsts::AadError;
pub use cloud::SimCloud;
pub use grants::SignInClient;
pub use tokens::{Audience, AuthError, Caller, Identity};
