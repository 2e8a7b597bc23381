//! Domain types: parse-don't-validate constructors for everything a client sends.
//! No Rocket and no SQL here; the API and the pages both build on these.

pub mod board;
pub mod fields;
pub mod offer;
pub mod user;

#[cfg(test)]
mod fuzz;

pub use fields::{FieldErrors, JsonObject};
