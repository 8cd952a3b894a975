//! `mailfix demo` (SPEC §10): the whole story in one command. It starts the simulator in this
//! process (scenario `small`, a fixed seed, a clock 60 times faster, HTTPS with its own CA), tells
//! the story with the real commands over loopback, checks that it ended as expected (exit 0, else
//! 1), and with `--keep` leaves the simulator running with the connection info printed.

mod check;
mod narrate;
mod run;
mod setup;
mod starters;
mod story;

pub use run::run;
