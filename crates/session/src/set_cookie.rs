//! The session cookie: finding it in `Cookie` headers without parsing the
//! others, and writing `Set-Cookie` from text prepared once per layer.

use std::fmt::Write as _;
use std::time::Duration;

use cookie::SameSite;
use http::HeaderValue;

use crate::config::Config;

/// The first value of the cookie `name` in these `Cookie` header lines.
pub(crate) fn find<'a>(lines: &'a [HeaderValue], name: &str) -> Option<&'a str> {
    lines.iter().find_map(|line| {
        let text = line.to_str().ok()?;
        text.split(';').find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key.trim() == name).then(|| value.trim().trim_matches('"'))
        })
    })
}

/// The attributes of a layer's cookie, formatted once:
/// `; HttpOnly; SameSite=Lax; Secure; Path=/` and the domain.
pub(crate) fn attributes(config: &Config) -> String {
    let mut text = String::from("; HttpOnly; SameSite=");
    text.push_str(match config.same_site {
        SameSite::Strict => "Strict",
        SameSite::Lax => "Lax",
        SameSite::None => "None",
    });
    // Browsers drop a `SameSite=None` cookie that is not `Secure`.
    if config.secure || config.same_site == SameSite::None {
        text.push_str("; Secure");
    }
    let _ = write!(text, "; Path={}", config.path);
    if let Some(domain) = &config.domain {
        let _ = write!(text, "; Domain={domain}");
    }
    text
}

/// The cookie holding `value`: for the browser session, or for `ttl` when
/// the layer makes persistent cookies.
pub(crate) fn value(config: &Config, attributes: &str, value: &str, ttl: Duration) -> HeaderValue {
    let mut text =
        String::with_capacity(config.cookie_name.len() + value.len() + attributes.len() + 24);
    text.push_str(&config.cookie_name);
    text.push('=');
    text.push_str(value);
    text.push_str(attributes);
    if config.persistent {
        let _ = write!(text, "; Max-Age={}", ttl.as_secs());
    }
    header(text)
}

/// The cookie that makes the client drop it: empty, `Max-Age=0` and an
/// `Expires` in the past.
pub(crate) fn removal(config: &Config, attributes: &str) -> HeaderValue {
    header(format!(
        "{}={attributes}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        config.cookie_name
    ))
}

fn header(text: String) -> HeaderValue {
    HeaderValue::try_from(text).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_cookie_only() {
        let lines = [
            HeaderValue::from_static("theme=dark; session=abc; other=x"),
            HeaderValue::from_static("session=second"),
        ];
        assert_eq!(find(&lines, "session"), Some("abc"));
        assert_eq!(find(&lines, "theme"), Some("dark"));
        assert_eq!(find(&lines, "sess"), None);
        assert_eq!(
            find(&[HeaderValue::from_static("session=\"q\"")], "session"),
            Some("q")
        );
    }

    #[test]
    fn secure_attributes() {
        let config = Config::default();
        let attributes = attributes(&config);
        let cookie = value(&config, &attributes, "abc", Duration::from_secs(60));
        assert_eq!(
            cookie,
            "session=abc; HttpOnly; SameSite=Lax; Secure; Path=/"
        );
        assert_eq!(
            removal(&config, &attributes),
            "session=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        );
        let persistent = Config {
            persistent: true,
            secure: false,
            same_site: SameSite::None,
            domain: Some("example.com".into()),
            ..Config::default()
        };
        let attributes = super::attributes(&persistent);
        let cookie = value(&persistent, &attributes, "abc", Duration::from_secs(60));
        assert_eq!(
            cookie,
            "session=abc; HttpOnly; SameSite=None; Secure; Path=/; Domain=example.com; Max-Age=60"
        );
    }
}
