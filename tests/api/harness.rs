//! The harness itself: every test's database is gone when the test ends, passed or failed, so
//! a run leaves the server as it found it.

use std::sync::{Arc, Mutex};

use sqlx::{Connection, PgConnection};

use crate::helpers::{admin_url, spawn_app};

async fn database_exists(name: &str) -> bool {
    let mut admin = PgConnection::connect(&admin_url()).await.unwrap();
    let exists = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    exists
}

#[rocket::async_test]
async fn a_test_database_is_dropped_when_its_app_is_dropped() {
    let app = spawn_app().await;
    app.user("alice").await;
    let name = app.database().name().to_owned();
    assert!(database_exists(&name).await, "{name} exists while in use");
    drop(app);
    assert!(!database_exists(&name).await, "{name} outlived its app");
}

#[rocket::async_test]
async fn a_test_database_is_dropped_even_when_its_test_panics() {
    let name = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&name);
    // A test of its own: a thread with its own runtime, as the test runner gives each test.
    let failing_test = std::thread::spawn(move || {
        rocket::tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                let app = spawn_app().await;
                *seen.lock().unwrap() = Some(app.database().name().to_owned());
                panic!("a failing test (on purpose: its database must be dropped all the same)");
            })
    });
    assert!(failing_test.join().is_err(), "the test failed");
    let name = name.lock().unwrap().clone().expect("the app was spawned");
    assert!(!database_exists(&name).await, "{name} outlived its test");
}
