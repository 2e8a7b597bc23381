//! Integration tests: the app over a real PostgreSQL, one fresh database per test.

mod attacker;
mod auth;
mod board;
mod board_pages;
mod browser;
mod credentials;
mod docs;
mod helpers;
mod hostile;
mod matrix;
mod offers;
mod ops;
mod pages;
mod throttle;
mod users;
