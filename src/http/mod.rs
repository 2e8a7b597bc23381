//! What both doors share at the HTTP level: path ids, query strings, the board's links, and
//! what a public offer address answers when the offer is gone.
//! `api/` and `web/` build on this and never on each other.

pub mod application_form;
pub mod application_links;
pub mod board_links;
pub mod conditional;
pub mod cv_download;
pub mod gone;
pub mod id;
pub mod query;

pub use id::{PathId, UserPathId};
