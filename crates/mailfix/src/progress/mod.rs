//! Renders engine events for people: an indicatif display on a terminal, plain status lines
//! otherwise, nothing with `-q`. Machine output (JSON, CSV) never goes through here.

mod items;
mod reporters;

pub use reporters::reporter;
