//! Sign-in: credentials (secret, certificate, device code), the client assertion, the `oauth2`
//! flows over our transport, the per-resource token cache and token introspection.

mod aadsts;
pub mod assertion;
pub mod certificate;
pub mod claims;
pub mod credential;
mod device;
pub(crate) mod flows;
pub(crate) mod http;
mod refresh_file;
#[cfg(test)]
pub(crate) mod test_cert;
pub(crate) mod tokens;

pub use certificate::{AssertionAlgorithm, ClientCertificate};
pub use claims::TokenClaims;
pub use credential::{Credential, DeviceCodeOptions, DeviceCodePrompt, DevicePromptFn};
