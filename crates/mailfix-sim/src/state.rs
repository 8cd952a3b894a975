//! The simulator's shared state: the tenant, the clock, the token authority, behaviour settings, and
//! the request log, throttle and fault machinery that wrap every route.

use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::clock::SimClock;
use crate::faults::Faults;
use crate::identity::Identity;
use crate::log::RequestLog;
use crate::model::Tenant;
use crate::scenario::BehaviourSpec;
use crate::throttle::Throttle;

/// Shared state handed to every route.
pub type AppState = Arc<SimState>;

/// Everything the simulator knows. Locks are `std` locks and are never held across an `.await`.
#[derive(Debug)]
pub struct SimState {
    /// The simulated tenant.
    pub tenant: RwLock<Tenant>,
    /// Simulated time.
    pub clock: SimClock,
    /// Timings and limits, changeable at run time through the control plane.
    pub behaviour: RwLock<BehaviourSpec>,
    /// Token signing and verification.
    pub identity: Identity,
    /// Every request served.
    pub log: RequestLog,
    /// Throttling buckets.
    pub throttle: Throttle,
    /// Injected faults.
    pub faults: Faults,
    /// Random stream for behaviour (write-back delays, faults), seeded for reproducibility.
    pub rng: Mutex<ChaCha8Rng>,
    /// The seed the scenario was built with.
    pub seed: u64,
    /// The base URL this simulator is reachable at (`https://127.0.0.1:PORT`), set once bound.
    pub base_url: std::sync::OnceLock<String>,
}

impl SimState {
    /// State for a built tenant.
    pub fn new(
        tenant: Tenant,
        behaviour: BehaviourSpec,
        clock: SimClock,
        identity: Identity,
        seed: u64,
    ) -> Self {
        let faults = Faults::new(behaviour.fault_rate);
        Self {
            tenant: RwLock::new(tenant),
            clock,
            behaviour: RwLock::new(behaviour),
            identity,
            log: RequestLog::default(),
            throttle: Throttle::default(),
            faults,
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_f00d)),
            seed,
            base_url: std::sync::OnceLock::new(),
        }
    }

    /// Reads the tenant after applying everything due by now (write-backs, expired reservations).
    pub fn read_tenant(&self) -> RwLockReadGuard<'_, Tenant> {
        self.catch_up();
        self.tenant
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Locks the tenant for writing after applying everything due by now.
    pub fn write_tenant(&self) -> RwLockWriteGuard<'_, Tenant> {
        let mut tenant = self
            .tenant
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        tenant.tick(self.clock.now());
        tenant
    }

    /// A copy of the current behaviour settings.
    pub fn behaviour(&self) -> BehaviourSpec {
        self.behaviour
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn catch_up(&self) {
        let now = self.clock.now();
        let due = {
            let tenant = self
                .tenant
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            tenant.has_due(now)
        };
        if due {
            let mut tenant = self
                .tenant
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            tenant.tick(now);
        }
    }
}
