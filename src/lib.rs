//! job-offers: employers publish and manage job offers through a JSON API and HTML pages,
//! both over the same domain types and queries, on PostgreSQL.

pub mod api;
pub mod auth;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod network;
pub mod ops;
pub mod outbox;
pub mod repo;
pub mod web;
pub mod webhooks;

use rocket::figment::Figment;
use rocket::{Build, Rocket};

/// Rocket's own configuration sources (Rocket.toml, `ROCKET_*`), plus the conventional
/// variables `DATABASE_URL` and `SMTP_URL`, which win over `databases.offers.url` and
/// `smtp_url`.
pub fn figment() -> Figment {
    let mut figment = rocket::Config::figment();
    for (variable, key) in [
        ("DATABASE_URL", "databases.offers.url"),
        ("SMTP_URL", "smtp_url"),
    ] {
        match std::env::var(variable) {
            Ok(url) if !url.is_empty() => figment = figment.merge((key, url)),
            _ => {}
        }
    }
    figment
}

/// The application as configured by the environment.
pub fn rocket() -> Rocket<Build> {
    build(figment())
}

/// The application over an explicit configuration (tests pass their own database URL).
pub fn build(figment: Figment) -> Rocket<Build> {
    let shield = security_headers(&figment);
    rocket::custom(figment)
        .attach(shield)
        .attach(ops::stage())
        .attach(config::stage())
        .attach(auth::stage())
        .attach(db::stage())
        .attach(outbox::stage())
        .attach(ops::retention::stage())
        .attach(webhooks::stage())
        .attach(api::stage())
        .attach(web::stage())
}

/// Rocket's default security headers, plus HSTS outside development: production runs behind
/// TLS (terminated at the ingress), and browsers must never fall back to plain HTTP.
fn security_headers(figment: &Figment) -> rocket::shield::Shield {
    use rocket::shield::{Hsts, Shield};
    if config::is_development_profile(figment) {
        Shield::default()
    } else {
        Shield::default().enable(Hsts::IncludeSubDomains(rocket::time::Duration::days(365)))
    }
}
