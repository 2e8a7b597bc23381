//! Integration tests: the app over a real PostgreSQL, one fresh database per test.

mod applications;
mod architecture;
mod attacker;
mod auth;
mod bench_sql;
mod board;
mod board_filters;
mod board_pages;
mod browser;
mod credentials;
mod discovery;
mod docs;
mod harness;
mod helpers;
mod hostile;
mod matrix;
mod offers;
mod ops;
mod pages;
mod posting_pages;
mod postings;
mod retention;
mod throttle;
mod users;
mod web;
