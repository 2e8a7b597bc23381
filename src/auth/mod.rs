//! Authentication: password hashing, JWT issue/verify, and the request guards built on them.

pub mod accounts;
pub mod guard;
pub mod password;
pub mod throttle;
pub mod token;

pub use guard::{ApiUser, AuthFailure};
