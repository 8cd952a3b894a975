//! One cached access token per resource (Graph, Exchange): fetched on first use, refreshed a
//! little before it expires, and dropped when a request using it gets a 401. Fetching is
//! single-flight per resource: concurrent requests wait for the one sign-in in progress.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use super::flows::SignIn;
use crate::cloud::Resource;
use crate::error::Error;
use crate::execute::Transport;
use crate::secret::Secret;

#[derive(Clone, Debug)]
struct Cached {
    token: Secret,
    expires_at: Instant,
    lifetime: Duration,
}

/// Whether a token issued for `lifetime` and expiring at `expires_at` is still good to use at
/// `now`: it must outlive `refresh_before`, capped at a fifth of its lifetime so that short-lived
/// tokens (a time-compressed simulator) are not refreshed on every request.
pub(crate) fn is_fresh(
    now: Instant,
    expires_at: Instant,
    lifetime: Duration,
    refresh_before: Duration,
) -> bool {
    now + refresh_before.min(lifetime / 5) < expires_at
}

/// The per-resource token cache in front of [`SignIn`].
#[derive(Debug)]
pub(crate) struct Tokens {
    pub(crate) sign_in: SignIn,
    refresh_before: Duration,
    graph: Mutex<Option<Cached>>,
    exchange: Mutex<Option<Cached>>,
}

impl Tokens {
    pub(crate) fn new(sign_in: SignIn, refresh_before: Duration) -> Self {
        Self {
            sign_in,
            refresh_before,
            graph: Mutex::new(None),
            exchange: Mutex::new(None),
        }
    }

    fn slot(&self, resource: Resource) -> &Mutex<Option<Cached>> {
        match resource {
            Resource::Graph => &self.graph,
            Resource::Exchange => &self.exchange,
        }
    }

    /// A valid token for `resource`.
    pub(crate) async fn get(
        &self,
        resource: Resource,
        transport: &Transport,
    ) -> Result<Secret, Error> {
        let mut slot = self.slot(resource).lock().await;
        if let Some(c) = slot.as_ref()
            && is_fresh(
                Instant::now(),
                c.expires_at,
                c.lifetime,
                self.refresh_before,
            )
        {
            return Ok(c.token.clone());
        }
        let fetched = self.sign_in.fetch(resource, transport).await?;
        *slot = Some(Cached {
            token: fetched.access.clone(),
            expires_at: Instant::now() + fetched.lifetime,
            lifetime: fetched.lifetime,
        });
        Ok(fetched.access)
    }

    /// Drops `used` if it is still the cached token (a concurrent request may have replaced it).
    pub(crate) async fn invalidate(&self, resource: Resource, used: &Secret) {
        let mut slot = self.slot(resource).lock().await;
        if slot.as_ref().is_some_and(|c| &c.token == used) {
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refreshes_five_minutes_early_or_at_four_fifths_of_short_lifetimes() {
        let t0 = Instant::now();
        let hour = Duration::from_secs(3599);
        let buffer = Duration::from_secs(300);
        let exp = t0 + hour;
        assert!(is_fresh(t0, exp, hour, buffer));
        assert!(is_fresh(
            t0 + hour - Duration::from_secs(301),
            exp,
            hour,
            buffer
        ));
        assert!(!is_fresh(
            t0 + hour - Duration::from_secs(300),
            exp,
            hour,
            buffer
        ));
        let short = Duration::from_secs(10);
        let exp = t0 + short;
        assert!(is_fresh(
            t0 + Duration::from_millis(7_900),
            exp,
            short,
            buffer
        ));
        assert!(!is_fresh(t0 + Duration::from_secs(8), exp, short, buffer));
    }
}
