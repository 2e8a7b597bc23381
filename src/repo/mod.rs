//! All SQL lives here. Functions take a pool (or any executor) and return domain types.

pub mod offers;
pub mod users;
