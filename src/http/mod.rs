//! What both doors share at the HTTP level: path ids, query strings, and the board's links.
//! `api/` and `web/` build on this and never on each other.

pub mod board_links;
pub mod id;
pub mod query;

pub use id::{PathId, UserPathId};
