//! The HTTP surface: sign-in, Graph v1.0, the Exchange admin API and the `/_sim/` control plane, each a
//! router of its own, merged here and wrapped in the request log / fault / throttle middleware.

mod app;
pub mod control;
pub mod exo;
pub mod fault_answer;
pub mod graph;
pub mod login;
pub mod middleware;

pub use app::router;
