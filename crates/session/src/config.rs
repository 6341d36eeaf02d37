//! How sessions expire and what their cookie looks like.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tackle_http::SameSite;

/// The time sessions are measured by, in whole seconds since the Unix
/// epoch: the system clock, or one a test controls.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> u64;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// The settings of a [`SessionLayer`](crate::SessionLayer); see its table
/// of defaults.
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) cookie_name: String,
    pub(crate) path: String,
    pub(crate) domain: Option<String>,
    pub(crate) same_site: SameSite,
    pub(crate) secure: bool,
    pub(crate) persistent: bool,
    pub(crate) idle_timeout: Duration,
    pub(crate) absolute_lifetime: Duration,
    pub(crate) refresh_fraction: f64,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            cookie_name: "session".to_owned(),
            path: "/".to_owned(),
            domain: None,
            same_site: SameSite::Lax,
            secure: true,
            persistent: false,
            idle_timeout: Duration::from_secs(24 * 3600),
            absolute_lifetime: Duration::from_secs(7 * 24 * 3600),
            refresh_fraction: 0.25,
            clock: Arc::new(SystemClock),
        }
    }
}

/// When a loaded session stands, by its creation and last-refresh times.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Standing {
    /// Past its idle deadline or absolute lifetime.
    Expired,
    /// Alive; `refresh` when its idle deadline is due to be pushed back.
    Alive { refresh: bool },
}

impl Config {
    /// Where a session created at `created` and last refreshed at
    /// `refreshed` stands at `now`.
    pub(crate) fn standing(&self, created: u64, refreshed: u64, now: u64) -> Standing {
        let idle = self.idle_timeout.as_secs();
        let absolute = self.absolute_lifetime.as_secs();
        if now >= created.saturating_add(absolute) || now >= refreshed.saturating_add(idle) {
            return Standing::Expired;
        }
        let every = (idle as f64 * self.refresh_fraction).floor() as u64;
        Standing::Alive {
            refresh: now.saturating_sub(refreshed) >= every.max(1),
        }
    }

    /// The time left to live of a session created at `created` and
    /// refreshed at `refreshed`: to the nearer of its idle deadline and its
    /// absolute end; at least one second.
    pub(crate) fn ttl(&self, created: u64, refreshed: u64, now: u64) -> Duration {
        let idle_end = refreshed.saturating_add(self.idle_timeout.as_secs());
        let absolute_end = created.saturating_add(self.absolute_lifetime.as_secs());
        Duration::from_secs(idle_end.min(absolute_end).saturating_sub(now).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Idle 100 s, absolute 1000 s, refresh every 25 s.
    fn config() -> Config {
        Config {
            idle_timeout: Duration::from_secs(100),
            absolute_lifetime: Duration::from_secs(1000),
            refresh_fraction: 0.25,
            ..Config::default()
        }
    }

    #[test]
    fn expiry_table() {
        use Standing::*;
        let c = config();
        // (created, refreshed, now, standing, ttl seconds)
        #[rustfmt::skip]
        let cases: &[(u64, u64, u64, Standing, u64)] = &[
            (0, 0, 0, Alive { refresh: false }, 100),
            (0, 0, 24, Alive { refresh: false }, 76),
            (0, 0, 25, Alive { refresh: true }, 75),
            (0, 0, 99, Alive { refresh: true }, 1),
            (0, 0, 100, Expired, 1),
            (0, 90, 120, Alive { refresh: true }, 70),
            (0, 950, 960, Alive { refresh: false }, 40),
            (0, 990, 999, Alive { refresh: false }, 1),
            (0, 999, 1000, Expired, 1),
            (0, 1000, 1000, Expired, 1),
        ];
        for &(created, refreshed, now, standing, ttl) in cases {
            assert_eq!(
                c.standing(created, refreshed, now),
                standing,
                "{created} {refreshed} {now}"
            );
            assert_eq!(
                c.ttl(created, refreshed, now).as_secs(),
                ttl,
                "ttl {created} {refreshed} {now}"
            );
        }
    }
}
