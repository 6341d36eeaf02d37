//! The secrets that guard the debugger's actions: a per-process token and
//! double-submit value embedded in every page, and the PIN with its lockout
//! and the cookies it hands out.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// The environment variable that sets the PIN (9 digits, dashes and spaces
/// ignored) instead of a random one.
pub const PIN_ENV: &str = "TACKLE_DEBUGGER_PIN";
/// Wrong PINs after which every attempt is refused until restart.
pub const MAX_PIN_FAILURES: u32 = 10;
/// How many PIN cookies are valid at once; the oldest is forgotten first.
const MAX_PIN_SESSIONS: usize = 16;

/// `n` random bytes as lowercase hex.
pub(crate) fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares secrets in time that does not depend on where they differ.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The process's token and double-submit value, made once: every layer in
/// the process shares them.
pub(crate) struct ProcessSecrets {
    pub(crate) token: String,
    pub(crate) csrf: String,
}

pub(crate) fn process_secrets() -> &'static ProcessSecrets {
    static SECRETS: OnceLock<ProcessSecrets> = OnceLock::new();
    SECRETS.get_or_init(|| ProcessSecrets {
        token: random_hex(16),
        csrf: random_hex(16),
    })
}

/// The process's PIN: from [`PIN_ENV`], or random and printed once (every
/// layer without its own PIN shares it).
pub(crate) fn process_pin() -> &'static str {
    static PIN: OnceLock<String> = OnceLock::new();
    PIN.get_or_init(|| {
        if let Some(pin) = std::env::var(PIN_ENV).ok().and_then(|v| normalize_pin(&v)) {
            tracing::info!("tackle debugger: PIN set by {PIN_ENV}");
            return pin;
        }
        if std::env::var_os(PIN_ENV).is_some() {
            tracing::warn!("{PIN_ENV} is not 9 digits; using a random debugger PIN instead");
        }
        let pin = random_pin();
        // Where the developer looks, once, and not in the log.
        eprintln!(" * tackle debugger PIN: {}", display_pin(&pin));
        pin
    })
}

/// Nine digits from the OS's random generator (uniform: rejection of the
/// top of the `u64` range).
fn random_pin() -> String {
    const RANGE: u64 = 1_000_000_000;
    let zone = u64::MAX - u64::MAX % RANGE;
    loop {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).expect("the operating system's random number generator");
        let n = u64::from_le_bytes(bytes);
        if n < zone {
            return format!("{:09}", n % RANGE);
        }
    }
}

/// `text` as 9 digits, dashes and spaces removed; `None` otherwise.
pub(crate) fn normalize_pin(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    (digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// `123456789` as `123-456-789`.
pub(crate) fn display_pin(pin: &str) -> String {
    if pin.len() == 9 {
        format!("{}-{}-{}", &pin[..3], &pin[3..6], &pin[6..])
    } else {
        pin.to_owned()
    }
}

/// What a PIN attempt came to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// Right: the value for the PIN cookie.
    Unlocked(String),
    /// Wrong: this many attempts are left; answer after `delay`.
    Wrong { left: u32, delay: Duration },
    /// Too many wrong PINs: refused until restart, right or not.
    Locked,
}

/// The PIN of one layer, its failure count and the cookies it issued.
pub(crate) struct PinGuard {
    pin: String,
    failures: AtomicU32,
    sessions: Mutex<Vec<(String, Instant)>>,
    ttl: Duration,
    delay: Duration,
}

impl PinGuard {
    pub(crate) fn new(pin: String, ttl: Duration, delay: Duration) -> Self {
        PinGuard {
            pin,
            failures: AtomicU32::new(0),
            sessions: Mutex::new(Vec::new()),
            ttl,
            delay,
        }
    }

    /// How long a PIN cookie is valid.
    pub(crate) fn ttl(&self) -> Duration {
        self.ttl
    }

    pub(crate) fn is_locked(&self) -> bool {
        self.failures.load(Ordering::SeqCst) >= MAX_PIN_FAILURES
    }

    /// Checks `entered`. Every attempt counts as a failure before it is
    /// checked (and is taken back when right), so concurrent guesses cannot
    /// get past the limit.
    pub(crate) fn attempt(&self, entered: &str) -> Attempt {
        let reserved = self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |f| {
                (f < MAX_PIN_FAILURES).then_some(f + 1)
            });
        let Ok(before) = reserved else {
            return Attempt::Locked;
        };
        let right = normalize_pin(entered).is_some_and(|pin| same(&pin, &self.pin));
        if right {
            self.failures.fetch_sub(1, Ordering::SeqCst);
            return Attempt::Unlocked(self.issue());
        }
        let failures = before + 1;
        if failures >= MAX_PIN_FAILURES {
            tracing::warn!(
                "tackle debugger: {MAX_PIN_FAILURES} wrong PINs; PIN entry is locked until restart"
            );
        }
        Attempt::Wrong {
            left: MAX_PIN_FAILURES - failures,
            delay: self.delay * failures,
        }
    }

    fn issue(&self) -> String {
        let value = random_hex(16);
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        sessions.retain(|(_, expires)| *expires > now);
        if sessions.len() >= MAX_PIN_SESSIONS {
            sessions.remove(0);
        }
        sessions.push((value.clone(), now + self.ttl));
        value
    }

    /// Whether `cookie` is a PIN cookie this guard issued that has not
    /// expired.
    pub(crate) fn is_unlocked(&self, cookie: Option<&str>) -> bool {
        let Some(cookie) = cookie else { return false };
        let now = Instant::now();
        let sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        sessions
            .iter()
            .any(|(value, expires)| *expires > now && same(value, cookie))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_nine_digits() {
        for _ in 0..100 {
            let pin = random_pin();
            assert_eq!(normalize_pin(&pin).as_deref(), Some(pin.as_str()));
        }
        assert_eq!(normalize_pin("123-456-789").as_deref(), Some("123456789"));
        assert_eq!(normalize_pin(" 123 456 789 ").as_deref(), Some("123456789"));
        assert_eq!(normalize_pin("12345678"), None);
        assert_eq!(normalize_pin("1234567890"), None);
        assert_eq!(normalize_pin("12345678a"), None);
        assert_eq!(display_pin("123456789"), "123-456-789");
    }

    #[test]
    fn ten_failures_lock_until_restart() {
        let guard = PinGuard::new(
            "123456789".into(),
            Duration::from_secs(60),
            Duration::from_millis(100),
        );
        for n in 1..MAX_PIN_FAILURES {
            assert_eq!(
                guard.attempt("000000000"),
                Attempt::Wrong {
                    left: MAX_PIN_FAILURES - n,
                    delay: Duration::from_millis(100) * n
                }
            );
        }
        // A right PIN in between does not reset the count.
        assert!(matches!(guard.attempt("123456789"), Attempt::Unlocked(_)));
        assert!(matches!(
            guard.attempt("000000000"),
            Attempt::Wrong { left: 0, .. }
        ));
        assert!(guard.is_locked());
        assert_eq!(guard.attempt("123456789"), Attempt::Locked);
    }

    #[test]
    fn cookies_are_checked_and_expire() {
        let guard = PinGuard::new(
            "123456789".into(),
            Duration::from_millis(50),
            Duration::ZERO,
        );
        let Attempt::Unlocked(cookie) = guard.attempt("123-456-789") else {
            panic!("the right PIN unlocks");
        };
        assert!(guard.is_unlocked(Some(&cookie)));
        assert!(!guard.is_unlocked(Some("0123")));
        assert!(!guard.is_unlocked(None));
        std::thread::sleep(Duration::from_millis(60));
        assert!(!guard.is_unlocked(Some(&cookie)));
    }

    #[test]
    fn secrets_compare() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}
