//! Integration tests: the app over a real PostgreSQL, one fresh database per test.

mod auth;
mod helpers;
mod offers;
mod users;
