//! Integration tests: the app over a real PostgreSQL, one fresh database per test.

mod auth;
mod board;
mod browser;
mod docs;
mod helpers;
mod hostile;
mod offers;
mod ops;
mod pages;
mod throttle;
mod users;
