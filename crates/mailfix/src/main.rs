//! The `mailfix` command line.

fn main() {}
