//! Throttling: Graph resource-unit buckets per app and tenant, the 5-per-10-s limit of reports and
//! audit logs, and Exchange's rate budget and concurrency limit (docs/protocol.md §2.7, §1.7).
//!
//! The middleware admits top-level requests; the `$batch` handler admits each item itself with
//! [`Throttle::admit_graph`]. Buckets refill continuously in simulated time; the `Retry-After` told
//! to a client is converted to wall-clock time. A client that comes back before its `Retry-After`
//! elapsed is refused again with the remaining time and the refusal is marked `early`.

pub mod buckets;
pub mod cost;
pub mod exo;
pub mod limits;
pub mod refusal;
pub mod told;

pub use buckets::{BucketKind, Throttle};
pub use cost::{Cost, GraphFamily, cost};
pub use exo::ExoPermit;
pub use limits::{LIMIT_KEYS, LimitKey, Limits, UnknownLimit};
pub use refusal::{Admitted, Throttled, primary_bucket};
pub use told::client_request_id;
