//! In-memory attempt limits: failed sign-ins per (client, username) and registrations per
//! client, each in a fixed window. Per process: with several replicas each keeps its own
//! counts, which still bounds an attacker to `replicas × limit` guesses per window.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Past this many tracked keys, expired windows are dropped; if all are live, counting
/// restarts rather than letting a flood of distinct keys grow memory without bound.
const MAX_TRACKED_KEYS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    count: u32,
}

/// At most `limit` events per key in each `window`.
#[derive(Debug)]
pub struct Throttle {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<String, Window>>,
}

impl Throttle {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds to wait)` when `key` has used up its window.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        match windows.get(key) {
            Some(window) if window.count >= self.limit => {
                let elapsed = window.started.elapsed();
                if elapsed >= self.window {
                    Ok(())
                } else {
                    Err((self.window - elapsed).as_secs().max(1))
                }
            }
            _ => Ok(()),
        }
    }

    /// Counts one event for `key`.
    pub fn record(&self, key: &str) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() >= MAX_TRACKED_KEYS && !windows.contains_key(key) {
            let window = self.window;
            windows.retain(|_, w| w.started.elapsed() < window);
            if windows.len() >= MAX_TRACKED_KEYS {
                windows.clear();
            }
        }
        let now = Instant::now();
        let entry = windows.entry(key.to_owned()).or_insert(Window {
            started: now,
            count: 0,
        });
        if entry.started.elapsed() >= self.window {
            *entry = Window {
                started: now,
                count: 0,
            };
        }
        entry.count += 1;
    }

    /// Forgets `key` (a successful sign-in clears its failures).
    pub fn clear(&self, key: &str) {
        self.windows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

/// The key of sign-in failures: one client guessing one account.
pub fn login_key(client: Option<IpAddr>, username: &str) -> String {
    format!("{}|{}", client_label(client), username.to_lowercase())
}

/// The key of registrations: one client.
pub fn registration_key(client: Option<IpAddr>) -> String {
    client_label(client)
}

fn client_label(client: Option<IpAddr>) -> String {
    client.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

/// Both limits, managed as Rocket state.
#[derive(Debug)]
pub struct AbuseLimits {
    pub failed_logins: Throttle,
    pub registrations: Throttle,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_applies_per_key_and_ends_with_the_window() {
        let throttle = Throttle::new(2, Duration::from_millis(50));
        throttle.record("a");
        throttle.record("a");
        assert!(throttle.check("a").is_err());
        assert!(throttle.check("b").is_ok());
        std::thread::sleep(Duration::from_millis(60));
        assert!(throttle.check("a").is_ok());
    }

    #[test]
    fn clearing_a_key_lifts_its_limit() {
        let throttle = Throttle::new(1, Duration::from_secs(60));
        throttle.record("a");
        assert!(throttle.check("a").is_err());
        throttle.clear("a");
        assert!(throttle.check("a").is_ok());
    }

    #[test]
    fn login_keys_ignore_username_case() {
        let ip = Some("127.0.0.1".parse().unwrap());
        assert_eq!(login_key(ip, "Alice"), login_key(ip, "alice"));
        assert_ne!(login_key(ip, "alice"), login_key(None, "alice"));
    }
}
