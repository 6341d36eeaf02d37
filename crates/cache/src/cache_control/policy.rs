//! [`Policy`]: what a matching rule does to the response.

use std::fmt;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue, header};
use tackle_http::cache_control::DELTA_SECONDS_MAX;
use tackle_http::header::{is_token, split_list};
use tackle_http::{CacheControl, Date, Expires, HttpDate, ParseError, TypedHeader};

/// `Expires` for a response that must not be reused: a date in the past,
/// for HTTP/1.0 caches that do not read `Cache-Control`.
fn expired() -> HeaderValue {
    HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT")
}

/// One year, the `max-age` of [`Policy::immutable`].
const ONE_YEAR: Duration = Duration::from_secs(31_536_000);

/// The headers a matching [`Rule`](super::Rule) sets: `Cache-Control`, and
/// optionally `Expires` and `Vary`.
///
/// The `Cache-Control` value is formatted once, when the policy is built;
/// applying it to a response copies a reference-counted header value.
///
/// | builder | effect on a matching response |
/// |---|---|
/// | [`new`](Self::new), [`parse`](Self::parse) | sets `Cache-Control` (kept from the handler unless the layer overrides) |
/// | [`with_expires`](Self::with_expires) | also sets `Expires` from `max-age` (off by default) |
/// | [`with_vary`](Self::with_vary) | merges names into `Vary`, whatever the handler set (none by default) |
///
/// ```
/// use std::time::Duration;
/// use tackle_cache::Policy;
/// use tackle_http::CacheControl;
///
/// let a = Policy::parse("public, max-age=3600").unwrap();
/// let b = Policy::new(CacheControl::new().with_public().with_max_age(Duration::from_secs(3600)));
/// assert_eq!(a.cache_control(), b.cache_control());
/// assert!(Policy::parse("max-age=soon").is_err());
/// ```
#[derive(Clone)]
pub struct Policy {
    cache_control: CacheControl,
    /// `None` for an empty `CacheControl`: the policy then sets no
    /// `Cache-Control` at all.
    header: Option<HeaderValue>,
    expires: bool,
    /// Lowercase, without duplicates; `[*]` alone when `*` was given.
    vary: Vec<HeaderName>,
    /// `vary` joined, for the common response that has no `Vary` yet.
    vary_header: Option<HeaderValue>,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("cache_control", &self.cache_control.to_string())
            .field("expires", &self.expires)
            .field("vary", &self.vary)
            .finish()
    }
}

impl Policy {
    /// Sets this `Cache-Control` value. An empty value sets no
    /// `Cache-Control` (the policy may still set `Vary`).
    pub fn new(cache_control: CacheControl) -> Self {
        let header =
            (cache_control != CacheControl::new()).then(|| cache_control.to_header_value());
        Policy {
            cache_control,
            header,
            expires: false,
            vary: Vec::new(),
            vary_header: None,
        }
    }

    /// Parses a `Cache-Control` response value, strictly.
    ///
    /// [`CacheControl`]'s own parser is lenient, as a cache must be; a policy
    /// is configuration, so this rejects what that parser would silently
    /// read differently from what was meant:
    /// - an empty value, or one holding control characters;
    /// - a directive name that is not a token, or a directive repeated;
    /// - `max-age`, `s-maxage`, `stale-while-revalidate` and `stale-if-error`
    ///   without a number of seconds, or with one over 2^31;
    /// - an argument on a directive that takes none (`public=1`);
    /// - request-only directives (`min-fresh`, `max-stale`,
    ///   `only-if-cached`).
    ///
    /// Unknown directives (extensions) are kept.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let invalid = |reason| ParseError::invalid("Cache-Control", reason);
        if HeaderValue::from_str(value).is_err() {
            return Err(invalid("control character in value"));
        }
        let mut seen: Vec<String> = Vec::new();
        for element in split_list(value) {
            let (name, arg) = match element.split_once('=') {
                Some((name, arg)) => (
                    name.trim_matches([' ', '\t']),
                    Some(arg.trim_matches([' ', '\t'])),
                ),
                None => (element, None),
            };
            if !is_token(name) {
                return Err(invalid("directive name is not a token"));
            }
            let name = name.to_ascii_lowercase();
            if seen.contains(&name) {
                return Err(invalid("directive repeated"));
            }
            check_directive(&name, arg).map_err(invalid)?;
            seen.push(name);
        }
        if seen.is_empty() {
            return Err(invalid("no directives"));
        }
        Ok(Policy::new(value.parse()?))
    }

    /// `no-store`: nothing may be kept, by any cache.
    pub fn no_store() -> Self {
        Policy::new(CacheControl::new().with_no_store())
    }

    /// `no-cache`: caches may store the response but must revalidate it
    /// before every reuse.
    pub fn no_cache() -> Self {
        Policy::new(CacheControl::new().with_no_cache())
    }

    /// `public, max-age=31536000, immutable`: for content that never
    /// changes under its URL, such as fingerprinted assets.
    pub fn immutable() -> Self {
        Policy::new(
            CacheControl::new()
                .with_public()
                .with_max_age(ONE_YEAR)
                .with_immutable(),
        )
    }

    /// Also sets `Expires`, for HTTP/1.0 caches (off by default).
    ///
    /// With `max-age`, `Expires` is the response's `Date` (or now, when it
    /// has no valid one) plus `max-age`; `s-maxage` is not used. Without
    /// `max-age` but with `no-store` or `no-cache`, it is
    /// `Thu, 01 Jan 1970 00:00:00 GMT`, already expired. Otherwise no
    /// `Expires` is set. A response that has an `Expires` keeps it unless
    /// the layer overrides.
    pub fn with_expires(mut self) -> Self {
        self.expires = true;
        self
    }

    /// Merges these header names into the response's `Vary`.
    ///
    /// A name is added only when no `Vary` line of the response lists it
    /// already (compared without regard to case); the missing ones go on one
    /// new `Vary` line, so the combined list never holds a name twice. A
    /// response that varies on `*` is left alone; a policy naming `*`
    /// replaces the response's `Vary` with `*`. `Vary` is merged whether or
    /// not the handler set its own `Cache-Control`: it only ever widens
    /// what a cache must compare.
    ///
    /// # Panics
    ///
    /// When a name is not a valid header name.
    #[track_caller]
    pub fn with_vary<I, K>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: TryInto<HeaderName> + fmt::Debug,
    {
        for name in names {
            let shown = format!("{name:?}");
            let Ok(name) = name.try_into() else {
                panic!("Policy::with_vary: {shown} is not a valid header name");
            };
            if !self.vary.contains(&name) {
                self.vary.push(name);
            }
        }
        if self.vary.iter().any(|n| n.as_str() == "*") {
            self.vary.retain(|n| n.as_str() == "*");
        }
        self.vary_header = if self.vary.is_empty() {
            None
        } else {
            Some(join(self.vary.iter()))
        };
        self
    }

    /// The `Cache-Control` value the policy sets.
    pub fn cache_control(&self) -> &CacheControl {
        &self.cache_control
    }

    /// The names the policy merges into `Vary`, lowercase.
    pub fn vary(&self) -> &[HeaderName] {
        &self.vary
    }

    /// Applies the policy to a matching response's headers.
    pub(crate) fn apply(&self, headers: &mut HeaderMap, override_existing: bool) {
        if override_existing || !headers.contains_key(header::CACHE_CONTROL) {
            if let Some(value) = &self.header {
                headers.insert(header::CACHE_CONTROL, value.clone());
            }
            if self.expires && (override_existing || !headers.contains_key(header::EXPIRES)) {
                if let Some(value) = self.expires_value(headers) {
                    headers.insert(header::EXPIRES, value);
                }
            }
        }
        self.merge_vary(headers);
    }

    fn expires_value(&self, headers: &HeaderMap) -> Option<HeaderValue> {
        let Some(max_age) = self.cache_control.max_age() else {
            let is_expired = self.cache_control.no_store() || self.cache_control.no_cache();
            return is_expired.then(expired);
        };
        let base = Date::from_headers(headers)
            .and_then(Result::ok)
            .map_or_else(HttpDate::now, |date| date.0);
        let secs = base.unix_secs().saturating_add(max_age.as_secs());
        let at = HttpDate::from_unix_secs(secs).unwrap_or(HttpDate::MAX);
        Some(Expires(at).to_header_value())
    }

    fn merge_vary(&self, headers: &mut HeaderMap) {
        let Some(all) = &self.vary_header else {
            return;
        };
        if !headers.contains_key(header::VARY) {
            headers.insert(header::VARY, all.clone());
            return;
        }
        if varies_on(headers, "*") {
            return;
        }
        if self.vary[0].as_str() == "*" {
            headers.insert(header::VARY, all.clone());
            return;
        }
        let missing = self.vary.iter().filter(|n| !varies_on(headers, n.as_str()));
        match missing.clone().count() {
            0 => {}
            n if n == self.vary.len() => {
                headers.append(header::VARY, all.clone());
            }
            _ => {
                headers.append(header::VARY, join(missing));
            }
        }
    }
}

/// Checks one directive of a policy; see [`Policy::parse`].
fn check_directive(name: &str, arg: Option<&str>) -> Result<(), &'static str> {
    match name {
        "max-age" | "s-maxage" | "stale-while-revalidate" | "stale-if-error" => {
            let digits = arg.map(|a| {
                a.strip_prefix('"')
                    .and_then(|a| a.strip_suffix('"'))
                    .unwrap_or(a)
            });
            let Some(digits) =
                digits.filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
            else {
                return Err("directive needs a number of seconds");
            };
            // Leading zeros aside, more than 10 digits is over 2^31 anyway.
            let significant = digits.trim_start_matches('0');
            if significant.len() > 10 || significant.parse::<u64>().unwrap_or(0) > DELTA_SECONDS_MAX
            {
                return Err("delta-seconds over 2^31");
            }
            Ok(())
        }
        "public" | "no-store" | "no-transform" | "must-revalidate" | "proxy-revalidate"
        | "must-understand" | "immutable"
            if arg.is_some() =>
        {
            Err("directive takes no argument")
        }
        "min-fresh" | "max-stale" | "only-if-cached" => {
            Err("request directive in a response policy")
        }
        // `no-cache` and `private` take optional field names; anything else
        // is an extension.
        _ => Ok(()),
    }
}

/// Whether any `Vary` line lists `name`, without regard to case.
fn varies_on(headers: &HeaderMap, name: &str) -> bool {
    headers.get_all(header::VARY).iter().any(|line| {
        line.as_bytes()
            .split(|&b| b == b',')
            .any(|item| item.trim_ascii().eq_ignore_ascii_case(name.as_bytes()))
    })
}

fn join<'a>(names: impl Iterator<Item = &'a HeaderName>) -> HeaderValue {
    let mut text = String::new();
    for name in names {
        if !text.is_empty() {
            text.push_str(", ");
        }
        text.push_str(name.as_str());
    }
    HeaderValue::from_str(&text).expect("header names form a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_parse() {
        for ok in [
            "public, max-age=3600",
            "no-cache",
            "private, no-cache=\"set-cookie, x-a\"",
            "max-age=\"60\", community=UCI",
            "no-store, max-age=0",
            "s-maxage=2147483648",
        ] {
            assert!(Policy::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            " , ",
            "max-age",
            "max-age=",
            "max-age=abc",
            "max-age=-1",
            "max-age=2147483649",
            "max-age=99999999999999999999999",
            "public=yes",
            "max-age=1, max-age=2",
            "Public, public",
            "min-fresh=3",
            "max-stale",
            "only-if-cached",
            "pub lic",
            "public, \"x\"",
            "public\n",
        ] {
            assert!(Policy::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn empty_cache_control_sets_no_header() {
        let mut headers = HeaderMap::new();
        Policy::new(CacheControl::new()).apply(&mut headers, true);
        assert!(headers.is_empty());
    }

    #[test]
    fn vary_names_are_deduplicated_and_star_wins() {
        let p = Policy::no_cache().with_vary(["Accept", "accept", "Cookie"]);
        assert_eq!(p.vary(), ["accept", "cookie"]);
        let p = Policy::no_cache().with_vary(["Accept", "*"]);
        assert_eq!(p.vary(), ["*"]);
    }

    #[test]
    #[should_panic(expected = "is not a valid header name")]
    fn bad_vary_name_panics() {
        let _ = Policy::no_cache().with_vary(["bad name"]);
    }
}
