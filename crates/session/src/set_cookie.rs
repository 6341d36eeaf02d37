//! The session cookie: finding it in `Cookie` headers without parsing the
//! others, and writing `Set-Cookie` with the layer's attributes.

use std::time::Duration;

use cookie::Cookie;
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

/// `Set-Cookie` values for one layer's cookie.
pub(crate) struct CookieSpec<'a> {
    config: &'a Config,
}

impl<'a> CookieSpec<'a> {
    pub(crate) fn new(config: &'a Config) -> Self {
        CookieSpec { config }
    }

    fn build(&self, value: String) -> Cookie<'static> {
        let config = self.config;
        let mut cookie = Cookie::new(config.cookie_name.clone(), value);
        cookie.set_path(config.path.clone());
        if let Some(domain) = &config.domain {
            cookie.set_domain(domain.clone());
        }
        cookie.set_http_only(true);
        // Browsers drop a `SameSite=None` cookie that is not `Secure`.
        cookie.set_secure(config.secure || config.same_site == cookie::SameSite::None);
        cookie.set_same_site(config.same_site);
        cookie
    }

    /// The cookie holding `value`: for the browser session, or for `ttl`
    /// when the layer makes persistent cookies.
    pub(crate) fn value(&self, value: &str, ttl: Duration) -> HeaderValue {
        let mut cookie = self.build(value.to_owned());
        if self.config.persistent {
            cookie.set_max_age(cookie::time::Duration::seconds(
                i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX),
            ));
        }
        header(&cookie)
    }

    /// The cookie that makes the client drop it: empty, `Max-Age=0` and an
    /// `Expires` in the past.
    pub(crate) fn removal(&self) -> HeaderValue {
        let mut cookie = self.build(String::new());
        cookie.make_removal();
        header(&cookie)
    }
}

fn header(cookie: &Cookie<'_>) -> HeaderValue {
    HeaderValue::try_from(cookie.to_string())
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
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
        let spec = CookieSpec::new(&config);
        let value = spec.value("abc", Duration::from_secs(60));
        assert_eq!(value, "session=abc; HttpOnly; SameSite=Lax; Secure; Path=/");
        let removal = spec.removal().to_str().unwrap().to_owned();
        assert!(
            removal.starts_with(
                "session=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0; Expires="
            )
        );
        let persistent = Config {
            persistent: true,
            ..Config::default()
        };
        let value = CookieSpec::new(&persistent).value("abc", Duration::from_secs(60));
        assert!(value.to_str().unwrap().contains("Max-Age=60"));
    }
}
