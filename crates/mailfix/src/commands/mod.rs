//! One module per subcommand; each exposes `run(args, ctx) -> Result<Exit, CliError>`.

pub mod audit;
pub mod auth;
pub mod cleanup;
pub mod demo;
pub mod fix;
pub mod guard;
pub mod runs;
pub mod scan;
pub mod seed;
pub mod sim;
pub mod sim_banner;
