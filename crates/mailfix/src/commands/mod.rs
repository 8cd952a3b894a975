//! The subcommands of `mailfix`, one file each.

pub mod sim;
