//! All SQL lives here. Functions take a pool (or any executor) and return domain types.

pub mod board;
pub mod offers;
pub mod users;
