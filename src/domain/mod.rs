//! Domain types: parse-don't-validate constructors for everything a client sends, and the
//! rules both doors share. No Rocket and no SQL here; the API and the pages both build on these.

pub mod access;
pub mod application;
pub mod board;
pub mod fields;
pub mod id;
pub mod iso;
pub mod job_posting;
pub mod lifecycle;
pub mod mail;
pub mod offer;
pub mod posting;
pub mod user;
pub mod webhook;

#[cfg(test)]
mod fuzz;

pub use fields::{FieldErrors, JsonObject};
pub use id::parse_id;
