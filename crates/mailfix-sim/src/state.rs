//! The simulator's shared state: the tenant, the clock, the token authority, behaviour settings, and
//! the request log, throttle and fault machinery that wrap every route.

use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::clock::SimClock;
use crate::delta_tokens::DeltaTokens;
use crate::faults::{FaultConfig, Faults};
use crate::identity::Identity;
use crate::log::RequestLog;
use crate::model::Tenant;
use crate::scenario::build::{BuildError, build_tenant};
use crate::scenario::hire::HireRate;
use crate::scenario::{BehaviourSpec, Scenario};
use crate::throttle::{Limits, Throttle, UnknownLimit};
use crate::webhooks::Webhooks;

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
    /// Random stream for behaviour (registration attempts), seeded for reproducibility. Write-back
    /// delays are not drawn from it (see [`SimState::writeback_delay`]).
    pub rng: Mutex<ChaCha8Rng>,
    /// The seed the scenario was built with.
    pub seed: u64,
    /// The base URL this simulator is reachable at (`https://127.0.0.1:PORT`), set once bound.
    pub base_url: std::sync::OnceLock<String>,
    /// The scenario the tenant was built from (and is rebuilt from by `POST /_sim/reset`).
    pub scenario: RwLock<Arc<Scenario>>,
    /// The generation of `users/delta` tokens (`POST /_sim/delta/expire`).
    pub delta_tokens: DeltaTokens,
    /// Continuous hiring (`--hire-rate`, `POST /_sim/users/hire-rate`).
    pub hiring: HireRate,
    /// What the webhook receiver (`/_sim/webhooks/…`) was sent.
    pub webhooks: Webhooks,
}

/// Why state could not be made from a scenario.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The scenario is inconsistent.
    #[error("the scenario cannot be built: {0}")]
    Build(#[from] BuildError),
    /// The scenario's `behaviour.limits` names an unknown key.
    #[error(transparent)]
    Limits(#[from] UnknownLimit),
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
            scenario: RwLock::new(Arc::new(Scenario::default())),
            delta_tokens: DeltaTokens::default(),
            hiring: HireRate::default(),
            webhooks: Webhooks::default(),
        }
    }

    /// State for `scenario` built with `seed`: the tenant, its throttling limits and its faults.
    pub fn from_scenario(
        scenario: Arc<Scenario>,
        seed: u64,
        clock: SimClock,
        identity: Identity,
    ) -> Result<Self, StateError> {
        let limits = Limits::from_map(&scenario.behaviour.limits)?;
        let tenant = build_tenant(&scenario, seed, clock.now())?;
        let tenant_id = tenant.id.to_string();
        let behaviour = scenario.behaviour.clone();
        let mut state = Self::new(tenant, behaviour.clone(), clock, identity, seed);
        state.throttle = Throttle::new(limits, &tenant_id);
        state.faults = Faults::with_config(fault_config(&behaviour), seed);
        state.scenario = RwLock::new(scenario);
        Ok(state)
    }

    /// Rebuilds the tenant from the scenario and seed, and clears the log, throttling, faults and
    /// behaviour changes made since start.
    pub fn reset(&self) -> Result<(), StateError> {
        let scenario = self
            .scenario
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let limits = Limits::from_map(&scenario.behaviour.limits)?;
        let tenant = build_tenant(&scenario, self.seed, self.clock.now())?;
        *self
            .tenant
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = tenant;
        *self
            .behaviour
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = scenario.behaviour.clone();
        self.log.clear();
        self.throttle.reset();
        self.throttle.set_limits(limits);
        self.faults.set_config(fault_config(&scenario.behaviour));
        self.faults.reseed(self.seed);
        *self.lock_rng() = ChaCha8Rng::seed_from_u64(self.seed ^ 0x5eed_f00d);
        self.hiring.restart(self.clock.now());
        self.webhooks.clear();
        Ok(())
    }

    /// The behaviour's random stream (registration picks).
    pub fn lock_rng(&self) -> std::sync::MutexGuard<'_, ChaCha8Rng> {
        self.rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The write-back delay of `user` (its object id): uniform in the behaviour's
    /// `[writeback_min_s, writeback_max_s]`, and a function of the seed and the user alone, so
    /// that two simulators of the same scenario and seed give every user the same delay whatever
    /// order the changes come in.
    pub fn writeback_delay(&self, user: &str) -> chrono::Duration {
        user_delay(&self.behaviour(), self.seed, user)
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

    /// Un-sticks every stuck user (`POST /_sim/unstick`): held write-backs are scheduled with
    /// each user's delay ([`SimState::writeback_delay`]). Returns (users un-stuck, write-backs
    /// scheduled).
    pub fn unstick(&self) -> (usize, usize) {
        let behaviour = self.behaviour();
        let now = self.clock.now();
        let mut tenant = self.write_tenant();
        let seed = self.seed;
        let delay = |id: &str| user_delay(&behaviour, seed, id);
        tenant.unstick_all(now, delay, seconds(behaviour.consistency_lag_s))
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

/// The write-back delay of the user with object id `user`: uniform in `[writeback_min_s,
/// writeback_max_s]`, drawn from a stream seeded by `seed` and the id (FNV-1a, stable across
/// builds and platforms).
pub fn user_delay(behaviour: &BehaviourSpec, seed: u64, user: &str) -> chrono::Duration {
    use rand::RngExt;
    let min = behaviour.writeback_min_s.max(0.0);
    let max = behaviour.writeback_max_s.max(min);
    if max <= min {
        return seconds(min);
    }
    let id = user.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ WRITEBACK_STREAM ^ id);
    seconds(rng.random_range(min..=max))
}

/// Mixed into the seed of the write-back delays, so that they are not the scenario's stream.
const WRITEBACK_STREAM: u64 = 0x3f1d_5eed_0b0c_4a11;

/// Simulated seconds as a chrono duration (microsecond precision, negative values as zero).
pub fn seconds(s: f64) -> chrono::Duration {
    chrono::Duration::microseconds((s.max(0.0) * 1e6).min(i64::MAX as f64) as i64)
}

/// The fault settings a behaviour asks for: `fault_rate` as uniform rules, and the latencies.
pub fn fault_config(behaviour: &BehaviourSpec) -> FaultConfig {
    FaultConfig {
        graph_latency_ms: behaviour.graph_latency_ms,
        exo_latency_ms: behaviour.exo_latency_ms,
        ..FaultConfig::uniform(behaviour.fault_rate)
    }
}
