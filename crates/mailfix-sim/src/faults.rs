//! Injected faults: by service/route and rate, answered with 429, 500, 503, 504, a reset connection,
//! a malformed answer (an HTML error page, a body that is not JSON, a truncated body, a 500 without
//! a body), or added latency.
//!
//! The middleware rolls for top-level requests; the `$batch` handler rolls for each item with
//! [`Faults::roll`] (a reset becomes a 503 for an item). Rolls draw from a random stream seeded from
//! the scenario seed, so a single client sees the same faults on every run.

use std::sync::Mutex;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::log::Service;

/// A fault to inject instead of the real answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After`.
    Throttle,
    /// 500.
    Internal,
    /// 503 with `Retry-After`.
    Unavailable,
    /// 504.
    GatewayTimeout,
    /// The connection is dropped mid-response.
    Reset,
    /// 502 with a gateway's HTML error page (`text/html`), as a proxy in between answers.
    Html,
    /// 200 with a `text/plain` body that is not JSON.
    NotJson,
    /// The real answer with its body cut in half (a complete HTTP message whose JSON ends early).
    Truncated,
    /// 500 with an empty body.
    Empty,
}

impl Fault {
    /// Every kind, in the order of their names in [`Fault::name`].
    pub const ALL: [Fault; 9] = [
        Fault::Throttle,
        Fault::Internal,
        Fault::Unavailable,
        Fault::GatewayTimeout,
        Fault::Reset,
        Fault::Html,
        Fault::NotJson,
        Fault::Truncated,
        Fault::Empty,
    ];

    /// The HTTP status of the fault (`None` when the route's own status is kept: a reset or a
    /// truncated body).
    pub fn status(self) -> Option<u16> {
        match self {
            Fault::Throttle => Some(429),
            Fault::Internal | Fault::Empty => Some(500),
            Fault::Unavailable => Some(503),
            Fault::GatewayTimeout => Some(504),
            Fault::Html => Some(502),
            Fault::NotJson => Some(200),
            Fault::Reset | Fault::Truncated => None,
        }
    }

    /// Whether the route runs first (its change is made) and its answer is then spoiled; the other
    /// kinds answer instead of the route.
    pub fn after_route(self) -> bool {
        matches!(self, Fault::Reset | Fault::Truncated)
    }

    /// The name the request log and the control plane use (`429`, `500`, `503`, `504`, `reset`,
    /// `html`, `not-json`, `truncated`, `empty`).
    pub fn name(self) -> String {
        match self {
            Fault::Throttle => "429",
            Fault::Internal => "500",
            Fault::Unavailable => "503",
            Fault::GatewayTimeout => "504",
            Fault::Reset => "reset",
            Fault::Html => "html",
            Fault::NotJson => "not-json",
            Fault::Truncated => "truncated",
            Fault::Empty => "empty",
        }
        .to_owned()
    }
}

impl Serialize for Fault {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let name = self.name();
        match name.parse::<u16>() {
            Ok(status) => serializer.serialize_u16(status),
            Err(_) => serializer.serialize_str(&name),
        }
    }
}

impl<'de> Deserialize<'de> for Fault {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u16),
            Text(String),
        }
        let text = match Raw::deserialize(deserializer)? {
            Raw::Number(n) => n.to_string(),
            Raw::Text(t) => t.to_ascii_lowercase(),
        };
        Fault::ALL
            .into_iter()
            .find(|f| f.name() == text)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "unknown fault kind '{text}' (expected 429, 500, 503, 504, \"reset\", \"html\", \
                     \"not-json\", \"truncated\" or \"empty\")"
                ))
            })
    }
}

/// Which service a rule applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultService {
    /// Graph.
    Graph,
    /// The Exchange admin API.
    Exo,
    /// Sign-in.
    Login,
}

impl FaultService {
    fn matches(self, service: Service) -> bool {
        matches!(
            (self, service),
            (FaultService::Graph, Service::Graph)
                | (FaultService::Exo, Service::Exo)
                | (FaultService::Login, Service::Login)
        )
    }
}

/// One rule: requests to `service` whose path starts with `path_prefix` fail at `rate` with one of
/// `kinds` (chosen uniformly).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// The service.
    pub service: FaultService,
    /// Only paths starting with this (e.g. `/v1.0/users`); every path when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    /// Share of matching requests that fail (0..1).
    pub rate: f64,
    /// The faults to choose from.
    pub kinds: Vec<Fault>,
}

/// All fault settings, as `GET/POST /_sim/faults` shows and takes them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FaultConfig {
    /// Rules, first match wins.
    pub rules: Vec<FaultRule>,
    /// Real milliseconds added before every Graph response.
    pub graph_latency_ms: u64,
    /// Real milliseconds added before every Exchange response.
    pub exo_latency_ms: u64,
    /// `Retry-After` of injected 429 and 503 answers, in simulated seconds.
    pub retry_after_s: f64,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            rules: Vec::new(),
            graph_latency_ms: 0,
            exo_latency_ms: 0,
            retry_after_s: 1.0,
        }
    }
}

impl FaultConfig {
    /// The uniform rule of `--fault-rate`: Graph and Exchange requests fail at `rate` with a 429, 503,
    /// 504 or a reset.
    pub fn uniform(rate: f64) -> Self {
        let kinds = vec![
            Fault::Throttle,
            Fault::Unavailable,
            Fault::GatewayTimeout,
            Fault::Reset,
        ];
        let rules = if rate > 0.0 {
            [FaultService::Graph, FaultService::Exo]
                .into_iter()
                .map(|service| FaultRule {
                    service,
                    path_prefix: None,
                    rate,
                    kinds: kinds.clone(),
                })
                .collect()
        } else {
            Vec::new()
        };
        Self {
            rules,
            ..Self::default()
        }
    }
}

/// Fault injection state.
#[derive(Debug)]
pub struct Faults {
    config: Mutex<FaultConfig>,
    rng: Mutex<ChaCha8Rng>,
}

impl Default for Faults {
    fn default() -> Self {
        Self::new(0.0)
    }
}

impl Faults {
    /// Faults at a uniform rate over Graph and Exchange.
    pub fn new(rate: f64) -> Self {
        Self::with_config(FaultConfig::uniform(rate), 0)
    }

    /// Faults as configured, rolling from a stream seeded with `seed`.
    pub fn with_config(config: FaultConfig, seed: u64) -> Self {
        Self {
            config: Mutex::new(config),
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed ^ 0xfa17)),
        }
    }

    /// The current settings.
    pub fn config(&self) -> FaultConfig {
        lock(&self.config).clone()
    }

    /// Replaces the settings.
    pub fn set_config(&self, config: FaultConfig) {
        *lock(&self.config) = config;
    }

    /// Restarts the random stream from `seed`.
    pub fn reseed(&self, seed: u64) {
        *lock(&self.rng) = ChaCha8Rng::seed_from_u64(seed ^ 0xfa17);
    }

    /// Real latency to add to a request to `service`.
    pub fn latency(&self, service: Service) -> std::time::Duration {
        let config = lock(&self.config);
        let ms = match service {
            Service::Graph => config.graph_latency_ms,
            Service::Exo => config.exo_latency_ms,
            Service::Login | Service::Control => 0,
        };
        std::time::Duration::from_millis(ms)
    }

    /// Whether to inject a fault into a request to `service` at `path`, and which.
    pub fn roll(&self, service: Service, path: &str) -> Option<Fault> {
        let config = lock(&self.config);
        let rule = config.rules.iter().find(|r| {
            r.service.matches(service)
                && r.path_prefix.as_deref().is_none_or(|p| path.starts_with(p))
        })?;
        if rule.kinds.is_empty() || rule.rate <= 0.0 {
            return None;
        }
        let mut rng = lock(&self.rng);
        if !rng.random_bool(rule.rate.clamp(0.0, 1.0)) {
            return None;
        }
        Some(rule.kinds[rng.random_range(0..rule.kinds.len())])
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_from_the_documented_json() {
        let json = r#"{"rules":[{"service":"graph","path_prefix":"/v1.0/users","rate":0.5,
            "kinds":[429,500,503,504,"reset","html","not-json","truncated","empty"]}],
            "graph_latency_ms":5}"#;
        let config: FaultConfig = serde_json::from_str(json).unwrap();
        assert_eq!(config.rules[0].kinds, Fault::ALL);
        let back = serde_json::to_value(&config).unwrap();
        assert_eq!(back["rules"][0]["kinds"][4], "reset");
        assert_eq!(back["rules"][0]["kinds"][3], 504);
        assert_eq!(back["rules"][0]["kinds"][6], "not-json");
        assert!(
            serde_json::from_str::<FaultConfig>(
                r#"{"rules":[{"service":"graph","rate":1,"kinds":[418]}]}"#
            )
            .is_err()
        );
    }

    #[test]
    fn rolls_follow_the_rule_and_the_seed() {
        let config = FaultConfig::uniform(0.5);
        let a = Faults::with_config(config.clone(), 7);
        let b = Faults::with_config(config, 7);
        let rolls_a: Vec<_> = (0..50)
            .map(|_| a.roll(Service::Graph, "/v1.0/users"))
            .collect();
        let rolls_b: Vec<_> = (0..50)
            .map(|_| b.roll(Service::Graph, "/v1.0/users"))
            .collect();
        assert_eq!(rolls_a, rolls_b);
        assert!(rolls_a.iter().any(Option::is_some) && rolls_a.iter().any(Option::is_none));
        assert_eq!(a.roll(Service::Control, "/_sim/state"), None);
    }
}
