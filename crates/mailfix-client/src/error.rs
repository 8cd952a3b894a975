//! The client's one error type: a kind to match on, plus what the service said (status, code,
//! message, request id, `Retry-After`) and a hint that tells a person what to do next.
//!
//! Every failure of the client (configuration, sign-in, HTTP, service) is an [`Error`]. Secrets and
//! tokens never appear in it: messages are built from service error texts and our own words only.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Which remote service an error or a request belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Service {
    /// The Microsoft identity platform (token and device-code endpoints).
    Login,
    /// Microsoft Graph v1.0.
    Graph,
    /// The Exchange Online admin API (`InvokeCommand`).
    Exchange,
}

impl Service {
    /// A short lowercase name (`login`, `graph`, `exchange`), used in counters and logs.
    pub fn name(self) -> &'static str {
        match self {
            Service::Login => "login",
            Service::Graph => "graph",
            Service::Exchange => "exchange",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Service::Login => "sign-in",
            Service::Graph => "Graph",
            Service::Exchange => "Exchange",
        })
    }
}

/// Why sign-in failed, from the AADSTS code or OAuth error of the identity platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignInKind {
    /// AADSTS7000215 / 7000222: the client secret is wrong or expired.
    InvalidSecret,
    /// AADSTS700016: no application with this client id in the tenant.
    UnknownApp,
    /// AADSTS90002: the tenant does not exist (in this cloud).
    UnknownTenant,
    /// AADSTS70011: the scope is not valid.
    InvalidScope,
    /// AADSTS700027 and relatives: the certificate assertion was refused.
    InvalidAssertion,
    /// `invalid_grant`: the cached refresh token expired or was revoked.
    InvalidGrant,
    /// AADSTS7000218: a credential-less (device code) request from an app that is not a public
    /// client.
    NotPublicClient,
    /// Device code: the user declined.
    AuthorizationDeclined,
    /// Device code: the code expired before the user finished.
    DeviceCodeExpired,
    /// Any other sign-in error.
    Other,
}

/// What kind of failure an [`Error`] is. Match on it, or use the predicates of [`Error`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The configuration is invalid: an endpoint, the CA file, a credential source.
    Config,
    /// Sign-in failed.
    SignIn(SignInKind),
    /// 401 even after getting a fresh token.
    Unauthorized,
    /// 403: the app lacks a permission or role (see the hint).
    Forbidden,
    /// The object does not exist (Graph 404, Exchange `ManagementObjectNotFoundException`).
    NotFound,
    /// Throttled (429, or 503 with `Retry-After`) and the retry budget ran out.
    Throttled,
    /// A transient server failure (408, 5xx) that persisted through the retry budget.
    Transient,
    /// The network failed (connect, reset, timeout) and the retry budget ran out, or a write
    /// could not be retried safely because its outcome is unknown.
    Network,
    /// 400 or another 4xx the service considers the caller's fault.
    BadRequest,
    /// 409, or a create that conflicts with an existing object.
    Conflict,
    /// 410: a delta link expired; start a new delta round.
    Gone,
    /// The object is synchronised from on-premises AD and cannot be changed in the cloud.
    SyncedObject,
    /// The proxy address is already used by another recipient (`owner` when the service names it).
    ProxyAddressInUse {
        /// The recipient that holds the address, as Exchange names it.
        owner: Option<String>,
    },
    /// The address's domain is not an accepted domain of the organisation.
    DomainNotAccepted,
    /// Exchange's write to Entra ID (its "dual-write") found another directory object with the
    /// same proxy address (`ObjectConflict`); Microsoft's text says it may be transient.
    DualWriteConflict,
    /// Exchange's "maximum number of concurrent requests per tenant", after retries.
    ConcurrencyLimit,
    /// Any other error the service reported.
    Service,
    /// The response could not be understood.
    Decode,
}

#[derive(Clone, Debug)]
struct Inner {
    kind: ErrorKind,
    service: Option<Service>,
    operation: Option<String>,
    status: Option<u16>,
    code: Option<String>,
    message: String,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    hint: Option<String>,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

/// A client error. Cheap to move (boxed) and to clone.
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

impl Error {
    /// A new error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                service: None,
                operation: None,
                status: None,
                code: None,
                message: message.into(),
                request_id: None,
                retry_after: None,
                hint: None,
                source: None,
            }),
        }
    }

    /// A configuration error.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }

    /// A response that could not be understood.
    pub(crate) fn decode(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Decode, message)
    }

    /// Sets the service and operation the error came from.
    pub fn at(mut self, service: Service, operation: impl Into<String>) -> Self {
        self.inner.service = Some(service);
        self.inner.operation = Some(operation.into());
        self
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    /// Sets the service's error code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        let code = code.into();
        self.inner.code = (!code.is_empty()).then_some(code);
        self
    }

    /// Sets the request id the service assigned.
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.inner.request_id = request_id.filter(|r| !r.is_empty());
        self
    }

    /// Sets the `Retry-After` the service gave.
    pub fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.inner.retry_after = retry_after;
        self
    }

    /// Sets the hint (what to do about it).
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.inner.hint = Some(hint.into());
        self
    }

    /// Sets the hint unless one is already set.
    pub(crate) fn or_hint(self, hint: Option<String>) -> Self {
        match (&self.inner.hint, hint) {
            (None, Some(h)) => self.with_hint(h),
            _ => self,
        }
    }

    /// Sets the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Arc::new(source));
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The service the failing request went to.
    pub fn service(&self) -> Option<Service> {
        self.inner.service
    }

    /// The operation that failed (e.g. `users.get`, `Set-Mailbox`).
    pub fn operation(&self) -> Option<&str> {
        self.inner.operation.as_deref()
    }

    /// The HTTP status, when the failure is an HTTP response.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The service's error code (`Request_ResourceNotFound`, `AADSTS7000215`, the Exchange
    /// exception type, ...).
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }

    /// The service's message (or ours).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The request id to quote to Microsoft support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The last `Retry-After` the service gave.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// What to do about it (e.g. the permission to grant and how).
    pub fn hint(&self) -> Option<&str> {
        self.inner.hint.as_deref()
    }

    /// Throttled (429, 503 with `Retry-After`, or Exchange's concurrency limit).
    pub fn is_throttled(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Throttled | ErrorKind::ConcurrencyLimit
        ) || self.inner.status == Some(429)
    }

    /// The object does not exist.
    pub fn is_not_found(&self) -> bool {
        self.inner.kind == ErrorKind::NotFound
    }

    /// A permission or role is missing.
    pub fn is_forbidden(&self) -> bool {
        self.inner.kind == ErrorKind::Forbidden
    }

    /// The token was refused, or sign-in failed.
    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Unauthorized | ErrorKind::SignIn(_)
        )
    }

    /// The service refused because the tenant lacks Microsoft Entra ID P1 or P2 (the
    /// registration report's licence), not for a missing permission.
    pub fn is_no_premium_licence(&self) -> bool {
        self.inner.status == Some(403)
            && self.inner.code.as_deref() == Some(crate::graph::error::NO_PREMIUM_LICENCE)
    }

    /// Trying again later may succeed (throttling, 5xx, network).
    pub fn is_transient(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Throttled
                | ErrorKind::Transient
                | ErrorKind::Network
                | ErrorKind::ConcurrencyLimit
        )
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("Error");
        d.field("kind", &i.kind);
        if let Some(s) = i.service {
            d.field("service", &s);
        }
        if let Some(o) = &i.operation {
            d.field("operation", o);
        }
        if let Some(s) = i.status {
            d.field("status", &s);
        }
        if let Some(c) = &i.code {
            d.field("code", c);
        }
        d.field("message", &i.message);
        if let Some(r) = &i.request_id {
            d.field("request_id", r);
        }
        if let Some(r) = i.retry_after {
            d.field("retry_after", &r);
        }
        if let Some(h) = &i.hint {
            d.field("hint", h);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        match (i.service, &i.operation) {
            (Some(s), Some(op)) => write!(f, "{s} {op}: ")?,
            (Some(s), None) => write!(f, "{s}: ")?,
            _ => {}
        }
        if let Some(status) = i.status {
            write!(f, "{status} ")?;
        }
        if let Some(code) = &i.code {
            write!(f, "{code}: ")?;
        }
        f.write_str(&i.message)?;
        if let Some(r) = &i.request_id {
            write!(f, " (request-id {r})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// The kind an HTTP failure has by its status alone (service-specific texts refine it).
pub(crate) fn kind_for_status(status: u16, retry_after: Option<Duration>) -> ErrorKind {
    match status {
        401 => ErrorKind::Unauthorized,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        410 => ErrorKind::Gone,
        429 => ErrorKind::Throttled,
        503 if retry_after.is_some() => ErrorKind::Throttled,
        408 | 500..=599 => ErrorKind::Transient,
        400..=499 => ErrorKind::BadRequest,
        _ => ErrorKind::Service,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_a_headline_with_status_code_and_request_id() {
        let e = Error::new(ErrorKind::Forbidden, "Insufficient privileges.")
            .at(Service::Graph, "users.list")
            .with_status(403)
            .with_code("Authorization_RequestDenied")
            .with_request_id(Some("r-1".into()))
            .with_hint("grant User.Read.All");
        assert_eq!(
            e.to_string(),
            "Graph users.list: 403 Authorization_RequestDenied: Insufficient privileges. (request-id r-1)"
        );
        assert!(e.is_forbidden() && !e.is_transient());
        assert_eq!(e.hint(), Some("grant User.Read.All"));
    }

    #[test]
    fn predicates_follow_the_kind() {
        let throttled = Error::new(ErrorKind::Throttled, "x");
        assert!(throttled.is_throttled() && throttled.is_transient());
        let exo = Error::new(ErrorKind::ConcurrencyLimit, "x");
        assert!(exo.is_throttled());
        let sign_in = Error::new(ErrorKind::SignIn(SignInKind::InvalidSecret), "x");
        assert!(sign_in.is_unauthorized() && !sign_in.is_transient());
        assert!(Error::new(ErrorKind::NotFound, "x").is_not_found());
        assert!(Error::new(ErrorKind::Network, "x").is_transient());
    }
}
