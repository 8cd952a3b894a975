//! mailfix engine: scope resolution, rules, plans, apply/watch/resume and the journal.
#![warn(missing_docs)]
