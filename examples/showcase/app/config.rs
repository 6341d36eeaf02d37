//! The showcase's configuration, read once from the environment.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `TACKLE_ADDR` | `127.0.0.1:8000` | the address to listen on (port 0: any free port) |
//! | `TACKLE_ENV` | `development` | `development`: the debugger is on; `production`: error mail on, debugger off |
//! | `REDIS_URL` | unset | keep sessions in Redis (shared by every instance) instead of memory |
//! | `SMTP_URL` | unset | send error mail through SMTP instead of only spooling it |
//! | `TACKLE_STATIC_DIR` | unset | serve `/static/` from this directory instead of the embedded bundle |
//! | `TACKLE_DATA_DIR` | a fresh temporary directory | where uploads (and, in production, the mail spool) go |
//! | `TACKLE_SECRET_KEY` | unset | the session key (at least 32 bytes); see [`Config::secret_key`] |
//!
//! A value that cannot be used is reported on stderr naming the variable,
//! and the process exits with status 2 (see `main.rs`), before anything is
//! bound or written.

use std::ffi::OsString;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use tackle::errormail::SmtpTransport;

/// Which way the app runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The debugger answers failures with its page; nothing is mailed.
    Development,
    /// Failures get a generic 500 and a mail; no debugger.
    Production,
}

/// Everything the environment says.
#[derive(Debug)]
pub struct Config {
    /// `TACKLE_ADDR`.
    pub addr: SocketAddr,
    /// `TACKLE_ENV`.
    pub mode: Mode,
    /// `REDIS_URL`: sessions in Redis when set.
    pub redis_url: Option<String>,
    /// `SMTP_URL`: error mail through SMTP when set.
    pub smtp: Option<SmtpTransport>,
    /// `TACKLE_STATIC_DIR`: a directory to serve at `/static/` instead of
    /// the bundle compiled into the binary (handy while editing the CSS).
    pub static_dir: Option<PathBuf>,
    /// `TACKLE_DATA_DIR`, or `None` for a fresh temporary directory.
    pub data_dir: Option<PathBuf>,
    /// `TACKLE_SECRET_KEY`. Without Redis, a key keeps the whole session in
    /// an encrypted cookie, so sessions survive a restart and every
    /// instance given the same key accepts the others' cookies; without a
    /// key, sessions live in this process's memory.
    pub secret_key: Option<Vec<u8>>,
}

/// A variable whose value cannot be used.
#[derive(Debug)]
pub struct ConfigError {
    variable: &'static str,
    problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.problem)
    }
}

impl std::error::Error for ConfigError {}

/// The shortest secret key accepted, in bytes (tackle-session's
/// `CookieStore` needs 32; 64 random ones are better).
const MIN_KEY_BYTES: usize = 32;

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var_os(name))
    }

    /// Reads the variables through `lookup`, so a test can pass its own.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> Result<Config, ConfigError> {
        let text = |variable: &'static str| -> Result<Option<String>, ConfigError> {
            match lookup(variable) {
                None => Ok(None),
                Some(value) => value.into_string().map(Some).map_err(|_| ConfigError {
                    variable,
                    problem: "not valid UTF-8".into(),
                }),
            }
        };
        // An empty variable is treated as unset: `FOO= cmd` is a common way
        // of switching something off.
        let non_empty = |variable| Ok::<_, ConfigError>(text(variable)?.filter(|v| !v.is_empty()));

        let addr = match non_empty("TACKLE_ADDR")? {
            None => SocketAddr::from(([127, 0, 0, 1], 8000)),
            Some(value) => value.parse().map_err(|_| ConfigError {
                variable: "TACKLE_ADDR",
                problem: format!("{value:?} is not an IP address and port such as 127.0.0.1:8000"),
            })?,
        };
        let mode = match non_empty("TACKLE_ENV")?.as_deref() {
            None | Some("development") => Mode::Development,
            Some("production") => Mode::Production,
            Some(other) => {
                return Err(ConfigError {
                    variable: "TACKLE_ENV",
                    problem: format!("{other:?} is neither \"development\" nor \"production\""),
                });
            }
        };
        let url =
            |variable: &'static str, schemes: &[&str]| -> Result<Option<String>, ConfigError> {
                let Some(value) = non_empty(variable)? else {
                    return Ok(None);
                };
                if schemes.iter().any(|scheme| value.starts_with(scheme)) {
                    Ok(Some(value))
                } else {
                    // Never echo the value: a URL may hold a password.
                    Err(ConfigError {
                        variable,
                        problem: format!("must start with one of {}", schemes.join(", ")),
                    })
                }
            };
        let redis_url = url(
            "REDIS_URL",
            &["redis://", "rediss://", "redis+unix://", "unix://"],
        )?;
        let smtp = match url("SMTP_URL", &["smtp://", "smtps://"])? {
            None => None,
            Some(value) => Some(SmtpTransport::from_url(&value).map_err(|e| ConfigError {
                variable: "SMTP_URL",
                problem: e.to_string(),
            })?),
        };

        let directory = |variable: &'static str, must_exist: bool| match lookup(variable) {
            None => Ok(None),
            Some(value) if value.is_empty() => Ok(None),
            Some(value) => {
                let path = PathBuf::from(value);
                if must_exist && !path.is_dir() {
                    Err(ConfigError {
                        variable,
                        problem: format!("{} is not a directory", path.display()),
                    })
                } else {
                    Ok(Some(path))
                }
            }
        };
        let static_dir = directory("TACKLE_STATIC_DIR", true)?;
        // Created at startup if missing.
        let data_dir = directory("TACKLE_DATA_DIR", false)?;

        let secret_key = match non_empty("TACKLE_SECRET_KEY")? {
            None => None,
            Some(key) if key.len() < MIN_KEY_BYTES => {
                return Err(ConfigError {
                    variable: "TACKLE_SECRET_KEY",
                    problem: format!(
                        "must be at least {MIN_KEY_BYTES} bytes (it is {}); \
                         try `openssl rand -base64 48`",
                        key.len()
                    ),
                });
            }
            Some(key) => Some(key.into_bytes()),
        };

        Ok(Config {
            addr,
            mode,
            redis_url,
            smtp,
            static_dir,
            data_dir,
            secret_key,
        })
    }
}
