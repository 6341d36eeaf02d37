//! Where mails go: the [`MailTransport`] trait, SMTP through `lettre`, and the spool directory.
//!
//! A transport only delivers one composed mail; retries, the outer deadline, the circuit breaker and
//! the fallback to the spool are the worker's job ([`crate::worker::Outbox`]), so a custom transport
//! stays a few lines long.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use lettre::address::{Address, Envelope};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::mail::Composed;

pub use crate::spool::SpoolTransport;

/// The future a [`MailTransport`] returns.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// Where mails go. Implement it for a custom transport.
///
/// `send` delivers one mail or says why not. Classify the failure: [`SendError::transient`] for
/// anything a later attempt may fix (connection refused, timeouts, a dropped connection, 4xx
/// replies), [`SendError::permanent`] for what it will not (5xx replies, an invalid address). The
/// worker retries only transient failures, and bounds every call with its own deadline, so a
/// transport need not time itself out.
///
/// ```
/// use tackle_errormail::mail::Composed;
/// use tackle_errormail::transport::{MailTransport, SendError, SendFuture};
///
/// struct Stdout;
///
/// impl MailTransport for Stdout {
///     fn send<'a>(&'a self, mail: &'a Composed) -> SendFuture<'a> {
///         Box::pin(async move {
///             println!("{}", String::from_utf8_lossy(&mail.bytes));
///             Ok::<(), SendError>(())
///         })
///     }
/// }
/// ```
pub trait MailTransport: Send + Sync + 'static {
    /// Delivers `mail` (its envelope is `mail.from` and `mail.to`, its content `mail.bytes`).
    fn send<'a>(&'a self, mail: &'a Composed) -> SendFuture<'a>;
}

impl<T: MailTransport + ?Sized> MailTransport for std::sync::Arc<T> {
    fn send<'a>(&'a self, mail: &'a Composed) -> SendFuture<'a> {
        (**self).send(mail)
    }
}

/// Why a mail was not delivered: transient (worth retrying) or permanent.
#[derive(Debug, Clone)]
pub struct SendError {
    kind: SendErrorKind,
    message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SendErrorKind {
    Transient,
    Permanent,
}

impl SendError {
    /// A failure a later attempt may fix: connection errors, timeouts, disconnects, 4xx replies.
    pub fn transient(message: impl Into<String>) -> SendError {
        SendError {
            kind: SendErrorKind::Transient,
            message: message.into(),
        }
    }

    /// A failure retrying will not fix: 5xx replies, invalid addresses, a rejected configuration.
    pub fn permanent(message: impl Into<String>) -> SendError {
        SendError {
            kind: SendErrorKind::Permanent,
            message: message.into(),
        }
    }

    /// Whether a retry may succeed.
    pub fn is_transient(&self) -> bool {
        self.kind == SendErrorKind::Transient
    }

    /// Whether the failure is final (the worker does not retry it).
    pub fn is_permanent(&self) -> bool {
        self.kind == SendErrorKind::Permanent
    }

    /// What went wrong, without credentials.
    pub fn message(&self) -> &str {
        &self.message
    }

    fn from_lettre(err: &lettre::transport::smtp::Error) -> SendError {
        // The chain is flattened into the message so the log line shows the OS or TLS cause.
        let mut message = err.to_string();
        let mut source = err.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            source = cause.source();
        }
        // 5xx replies and client-side errors (a malformed envelope, no usable auth mechanism) fail
        // the same way every time; connection, network, TLS, response-parse and 4xx errors may not.
        if err.is_permanent() || err.is_client() {
            SendError::permanent(message)
        } else {
            SendError::transient(message)
        }
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            SendErrorKind::Transient => "transient",
            SendErrorKind::Permanent => "permanent",
        };
        write!(f, "{kind} mail delivery failure: {}", self.message)
    }
}

impl StdError for SendError {}

/// SMTP delivery through `lettre` (tokio, rustls).
///
/// Each mail opens its own connection (no pool: a connection the server dropped while idle can't
/// fail the next report). Credentials come from the URL's userinfo and are never logged: `Debug`
/// shows the URL without them.
#[derive(Clone)]
pub struct SmtpTransport {
    inner: AsyncSmtpTransport<Tokio1Executor>,
    redacted_url: String,
    has_credentials: bool,
}

impl SmtpTransport {
    /// lettre's own timeout, applied to the TCP connect. It does not bound a server that accepts and
    /// then says nothing; the worker's outer deadline ([`crate::worker::WorkerConfig::send_timeout`])
    /// does.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

    /// A transport from a connection URL:
    ///
    /// - `smtp://host:port` — plain SMTP (port 25 by default);
    /// - `smtp://host:port?tls=required` — STARTTLS, refused if the server does not offer it
    ///   (port 587 by default); `?tls=opportunistic` upgrades when offered;
    /// - `smtps://host:port` — implicit TLS (port 465 by default);
    /// - `smtp://user:password@host` — AUTH with percent-decoded credentials;
    /// - a path (`smtp://host/client.example.com`) sets the EHLO name.
    ///
    /// The error never repeats the URL, so it is safe to log.
    pub fn from_url(url: &str) -> Result<SmtpTransport, SendError> {
        SmtpTransport::from_url_with_timeout(url, SmtpTransport::DEFAULT_TIMEOUT)
    }

    /// [`from_url`](Self::from_url) with lettre's connect timeout set to `timeout`.
    pub fn from_url_with_timeout(url: &str, timeout: Duration) -> Result<SmtpTransport, SendError> {
        let inner = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| SendError::permanent(format!("invalid SMTP URL: {e}")))?
            .timeout(Some(timeout))
            .build();
        let (redacted_url, has_credentials) = redact_userinfo(url);
        Ok(SmtpTransport {
            inner,
            redacted_url,
            has_credentials,
        })
    }
}

impl fmt::Debug for SmtpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("SmtpTransport");
        d.field("url", &self.redacted_url);
        if self.has_credentials {
            d.field("credentials", &"[REDACTED]");
        }
        d.finish()
    }
}

impl MailTransport for SmtpTransport {
    fn send<'a>(&'a self, mail: &'a Composed) -> SendFuture<'a> {
        Box::pin(async move {
            let envelope = envelope(mail)?;
            // lettre ends DATA with CRLF "." CRLF whatever the message ends with; the message's own
            // final CRLF is that first CRLF, or the server would store an extra empty line.
            let bytes = mail.bytes.strip_suffix(b"\r\n").unwrap_or(&mail.bytes);
            self.inner
                .send_raw(&envelope, bytes)
                .await
                .map(drop)
                .map_err(|e| SendError::from_lettre(&e))
        })
    }
}

/// The SMTP envelope of a composed mail; `from`/`to` may be bare addresses or `Name <addr>`.
fn envelope(mail: &Composed) -> Result<Envelope, SendError> {
    let from = parse_address(&mail.from)?;
    let to = mail
        .to
        .iter()
        .map(|a| parse_address(a))
        .collect::<Result<Vec<_>, _>>()?;
    Envelope::new(Some(from), to)
        .map_err(|e| SendError::permanent(format!("invalid envelope: {e}")))
}

fn parse_address(text: &str) -> Result<Address, SendError> {
    let text = text.trim();
    if let Ok(address) = text.parse::<Address>() {
        return Ok(address);
    }
    text.parse::<Mailbox>()
        .map(|m| m.email)
        .map_err(|e| SendError::permanent(format!("invalid mail address {text:?}: {e}")))
}

/// `scheme://user:pass@host:port/...` → (`scheme://host:port/...`, true).
fn redact_userinfo(url: &str) -> (String, bool) {
    let Some(scheme_end) = url.find("://") else {
        return (url.to_owned(), false);
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => (
            format!("{}{}", &url[..scheme_end + 3], &rest[at + 1..]),
            true,
        ),
        None => (url.to_owned(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_redacted_from_debug() {
        let t = SmtpTransport::from_url("smtp://alice:s3cr%40t@mail.example.com:2525?tls=required")
            .unwrap();
        let debug = format!("{t:?}");
        assert!(!debug.contains("s3cr"), "{debug}");
        assert!(!debug.contains("alice"), "{debug}");
        assert!(debug.contains("mail.example.com:2525"), "{debug}");
        assert!(debug.contains("[REDACTED]"), "{debug}");
    }

    #[test]
    fn url_forms_are_accepted() {
        for url in [
            "smtp://127.0.0.1:25",
            "smtp://localhost",
            "smtps://mail.example.com",
            "smtp://mail.example.com:587?tls=required",
            "smtp://mail.example.com?tls=opportunistic",
            "smtp://u:p@mail.example.com/client.example.com",
        ] {
            assert!(SmtpTransport::from_url(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn bad_urls_are_permanent_and_do_not_echo_the_password() {
        for url in [
            "http://u:hunter2@mail.example.com",
            "smtp://u:hunter2@mail.example.com?tls=bogus",
            "not a url hunter2",
        ] {
            let err = SmtpTransport::from_url(url).unwrap_err();
            assert!(err.is_permanent(), "{url}");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn redaction_keeps_everything_but_userinfo() {
        assert_eq!(
            redact_userinfo("smtp://a:b@h:1/x?tls=required"),
            ("smtp://h:1/x?tls=required".to_owned(), true)
        );
        assert_eq!(
            redact_userinfo("smtp://h:1"),
            ("smtp://h:1".to_owned(), false)
        );
        // An '@' after the authority is not userinfo.
        assert_eq!(
            redact_userinfo("smtp://h/a@b"),
            ("smtp://h/a@b".to_owned(), false)
        );
    }

    #[test]
    fn addresses_with_display_names_parse() {
        assert_eq!(
            parse_address("Errors <errors@example.com>")
                .unwrap()
                .to_string(),
            "errors@example.com"
        );
        assert_eq!(
            parse_address(" ops@example.com ").unwrap().to_string(),
            "ops@example.com"
        );
        assert!(parse_address("not an address").unwrap_err().is_permanent());
    }
}
