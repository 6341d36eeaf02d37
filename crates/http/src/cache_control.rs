//! The `Cache-Control` header (RFC 9111 §5.2): request and response
//! directives, typed, with unknown extensions kept.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use http::{HeaderName, HeaderValue, header};

use crate::header::{header_value, is_ows, is_token, quote, split_list, trim_ows, unquote};
use crate::{ParseError, TypedHeader};

/// The largest delta-seconds value kept: RFC 9111 §1.2.2 has caches treat
/// any larger (or overflowing) value as 2^31 seconds, "infinity".
pub const DELTA_SECONDS_MAX: u64 = 1 << 31;

const PUBLIC: u16 = 1 << 0;
const PRIVATE: u16 = 1 << 1;
const NO_CACHE: u16 = 1 << 2;
const NO_STORE: u16 = 1 << 3;
const NO_TRANSFORM: u16 = 1 << 4;
const MUST_REVALIDATE: u16 = 1 << 5;
const PROXY_REVALIDATE: u16 = 1 << 6;
const MUST_UNDERSTAND: u16 = 1 << 7;
const IMMUTABLE: u16 = 1 << 8;
const ONLY_IF_CACHED: u16 = 1 << 9;

/// The `Cache-Control` header, for requests and responses alike.
///
/// Directive names are case-insensitive. Parsing never fails and is lenient
/// the way RFC 9111 asks caches to be:
/// - a numeric argument may be quoted (`max-age="3"`); a value over 2^31
///   seconds is kept as 2^31 ([`DELTA_SECONDS_MAX`]); a missing or invalid
///   one (`max-age=abc`, `max-age=-1`, bare `max-age`) reads as 0, so the
///   response is stale rather than fresh (RFC 9111 §4.2.1). Only
///   `max-stale` may stand alone: then any staleness is accepted;
/// - when a directive is repeated, the first occurrence counts (RFC 9111
///   §4.2.1), except that an unqualified `no-cache` or `private` wins over a
///   qualified one (the most restrictive, as the same section asks), and
///   the field names of several qualified ones add up;
/// - directives it does not know are kept, in order, with their unquoted
///   argument ([`extensions`](Self::extensions)); elements whose name is not
///   a token are dropped.
///
/// Parsing allocates nothing unless the value has extensions or field-name
/// lists. Formatting writes the known directives in a fixed order, then the
/// extensions.
///
/// ```
/// use std::time::Duration;
/// use tackle_http::cache_control::CacheControl;
///
/// let cc: CacheControl = "Public, max-age=\"3600\", community=UCI".parse().unwrap();
/// assert!(cc.public());
/// assert_eq!(cc.max_age(), Some(Duration::from_secs(3600)));
/// assert_eq!(cc.extension("community"), Some(Some("UCI")));
///
/// let built = CacheControl::new().with_public().with_max_age(Duration::from_secs(60));
/// assert_eq!(built.to_string(), "public, max-age=60");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CacheControl {
    flags: u16,
    max_age: Option<u32>,
    s_maxage: Option<u32>,
    stale_while_revalidate: Option<u32>,
    stale_if_error: Option<u32>,
    min_fresh: Option<u32>,
    /// `Some(None)` is a bare `max-stale`: any staleness.
    max_stale: Option<Option<u32>>,
    /// Everything that needs the heap, absent in the common case. Never
    /// `Some` of an empty `Extras`, so that equality is structural.
    extras: Option<Box<Extras>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Extras {
    no_cache_fields: Vec<HeaderName>,
    private_fields: Vec<HeaderName>,
    extensions: Vec<(String, Option<String>)>,
}

impl Extras {
    fn is_empty(&self) -> bool {
        self.no_cache_fields.is_empty()
            && self.private_fields.is_empty()
            && self.extensions.is_empty()
    }
}

/// The directives this type knows.
#[derive(Clone, Copy)]
enum Directive {
    Flag(u16),
    NoCache,
    Private,
    MaxAge,
    SMaxage,
    StaleWhileRevalidate,
    StaleIfError,
    MinFresh,
    MaxStale,
}

/// The longest directive name this type knows, `stale-while-revalidate`.
const LONGEST_KNOWN: usize = 22;

/// Looks a directive name up case-insensitively. Senders write names in
/// lowercase, so that is tried first; otherwise the name is lowercased into a
/// stack buffer (no allocation) and tried again.
fn known_directive(name: &[u8]) -> Option<Directive> {
    if let Some(directive) = lowercase_directive(name) {
        return Some(directive);
    }
    if !name.iter().any(u8::is_ascii_uppercase) {
        return None;
    }
    let mut buffer = [0u8; LONGEST_KNOWN];
    let lower = buffer.get_mut(..name.len())?;
    for (to, from) in lower.iter_mut().zip(name) {
        *to = from.to_ascii_lowercase();
    }
    lowercase_directive(lower)
}

fn lowercase_directive(name: &[u8]) -> Option<Directive> {
    use Directive::*;
    Some(match name {
        b"public" => Flag(PUBLIC),
        b"private" => Private,
        b"no-cache" => NoCache,
        b"no-store" => Flag(NO_STORE),
        b"max-age" => MaxAge,
        b"s-maxage" => SMaxage,
        b"must-revalidate" => Flag(MUST_REVALIDATE),
        b"proxy-revalidate" => Flag(PROXY_REVALIDATE),
        b"must-understand" => Flag(MUST_UNDERSTAND),
        b"no-transform" => Flag(NO_TRANSFORM),
        b"immutable" => Flag(IMMUTABLE),
        b"stale-while-revalidate" => StaleWhileRevalidate,
        b"stale-if-error" => StaleIfError,
        b"max-stale" => MaxStale,
        b"min-fresh" => MinFresh,
        b"only-if-cached" => Flag(ONLY_IF_CACHED),
        _ => return None,
    })
}

/// Reads a delta-seconds argument (RFC 9111 §1.2.2), quoted or not,
/// saturating at 2^31; anything else is 0.
fn delta_seconds(arg: Option<&[u8]>) -> u32 {
    let digits = match arg {
        Some([b'"', inner @ .., b'"']) => inner,
        Some(arg) => arg,
        None => return 0,
    };
    if digits.is_empty() {
        return 0;
    }
    let mut value: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return 0;
        }
        value = (value * 10 + u64::from(b - b'0')).min(DELTA_SECONDS_MAX);
    }
    clamp_seconds(value)
}

fn clamp_seconds(seconds: u64) -> u32 {
    u32::try_from(seconds.min(DELTA_SECONDS_MAX)).unwrap_or(u32::MAX)
}

fn duration(seconds: Option<u32>) -> Option<Duration> {
    seconds.map(|s| Duration::from_secs(u64::from(s)))
}

/// The field names of a qualified `no-cache="a, b"` or `private=a`; names
/// that are not valid field names are dropped.
fn field_names(arg: &[u8]) -> Vec<HeaderName> {
    let text = text_of(arg);
    let list = unquote(&text);
    split_list(&list)
        .filter_map(|name| HeaderName::from_bytes(name.as_bytes()).ok())
        .collect()
}

/// The `name[=argument]` elements of a `Cache-Control` value, with
/// surrounding whitespace trimmed and empty elements skipped.
///
/// This is [`split_list`] and a split at the first `=` fused into one pass
/// over the bytes, with no UTF-8 check of the whole value: `Cache-Control` is
/// parsed on every cached response, and is benchmarked against the `headers`
/// crate. Only extension arguments are ever turned into text.
struct Directives<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Directives<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Directives { bytes, pos: 0 }
    }
}

impl<'a> Iterator for Directives<'a> {
    type Item = (&'a [u8], Option<&'a [u8]>);

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.bytes;
        let mut i = self.pos;
        while i < bytes.len() && (is_ows(bytes[i]) || bytes[i] == b',') {
            i += 1;
        }
        if i >= bytes.len() {
            self.pos = i;
            return None;
        }
        let start = i;
        let mut equals = None;
        let mut in_quotes = false;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if in_quotes => i += 1,
                b'"' => in_quotes = !in_quotes,
                b',' if !in_quotes => break,
                b'=' if !in_quotes && equals.is_none() => equals = Some(i),
                _ => {}
            }
            i += 1;
        }
        // A backslash ending the value steps one past it.
        let end = i.min(bytes.len());
        self.pos = end;
        let element = bytes.get(start..end).unwrap_or_default();
        Some(match equals {
            None => (trim_ows(element), None),
            Some(at) => (
                trim_ows(bytes.get(start..at).unwrap_or_default()),
                Some(trim_ows(bytes.get(at + 1..end).unwrap_or_default())),
            ),
        })
    }
}

/// Bytes as text: UTF-8 when they are, ISO-8859-1 otherwise (as
/// [`header_str`](crate::header::header_str) reads a whole value).
fn text_of(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// Sets a directive's value unless an earlier occurrence already did.
fn set_first<T>(slot: &mut Option<T>, value: T) {
    if slot.is_none() {
        *slot = Some(value);
    }
}

impl CacheControl {
    /// No directives.
    pub fn new() -> Self {
        Self::default()
    }

    fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    fn with_flag(mut self, flag: u16) -> Self {
        self.flags |= flag;
        self
    }

    fn extras_mut(&mut self) -> &mut Extras {
        self.extras.get_or_insert_with(Box::default)
    }

    fn extras(&self) -> Option<&Extras> {
        self.extras.as_deref()
    }

    /// Applies one directive; `unqualified` collects the `no-cache` and
    /// `private` directives seen without field names.
    fn apply(&mut self, name: &[u8], arg: Option<&[u8]>, unqualified: &mut u16) {
        let Some(directive) = known_directive(name) else {
            if let Some(name) = std::str::from_utf8(name).ok().filter(|n| is_token(n)) {
                let value = arg.map(|a| unquote(&text_of(a)).into_owned());
                self.extras_mut()
                    .extensions
                    .push((name.to_ascii_lowercase(), value));
            }
            return;
        };
        match directive {
            Directive::Flag(flag) => self.flags |= flag,
            Directive::NoCache => self.apply_qualified(NO_CACHE, arg, unqualified),
            Directive::Private => self.apply_qualified(PRIVATE, arg, unqualified),
            Directive::MaxAge => set_first(&mut self.max_age, delta_seconds(arg)),
            Directive::SMaxage => set_first(&mut self.s_maxage, delta_seconds(arg)),
            Directive::StaleWhileRevalidate => {
                set_first(&mut self.stale_while_revalidate, delta_seconds(arg));
            }
            Directive::StaleIfError => set_first(&mut self.stale_if_error, delta_seconds(arg)),
            Directive::MinFresh => set_first(&mut self.min_fresh, delta_seconds(arg)),
            Directive::MaxStale => {
                set_first(&mut self.max_stale, arg.map(|a| delta_seconds(Some(a))));
            }
        }
    }

    /// Applies `no-cache` or `private`, with field names or without.
    fn apply_qualified(&mut self, flag: u16, arg: Option<&[u8]>, unqualified: &mut u16) {
        self.flags |= flag;
        let fields = arg.map(field_names).unwrap_or_default();
        if fields.is_empty() {
            *unqualified |= flag;
            return;
        }
        let extras = self.extras_mut();
        if flag == NO_CACHE {
            extras.no_cache_fields.extend(fields);
        } else {
            extras.private_fields.extend(fields);
        }
    }

    fn parse_bytes(value: &[u8]) -> Self {
        let mut cc = CacheControl::new();
        let mut unqualified = 0;
        for (name, arg) in Directives::new(value) {
            cc.apply(name, arg, &mut unqualified);
        }
        cc.finish(unqualified)
    }

    /// Settles what the whole value says once every element is applied.
    fn finish(mut self, unqualified: u16) -> Self {
        if let Some(extras) = self.extras.as_deref_mut() {
            if unqualified & NO_CACHE != 0 {
                extras.no_cache_fields.clear();
            }
            if unqualified & PRIVATE != 0 {
                extras.private_fields.clear();
            }
            if extras.is_empty() {
                self.extras = None;
            }
        }
        self
    }

    // Getters.

    /// `max-age`: how long the response stays fresh (response), or the
    /// oldest response the client takes (request).
    pub fn max_age(&self) -> Option<Duration> {
        duration(self.max_age)
    }

    /// `s-maxage`: `max-age` for shared caches (response).
    pub fn s_maxage(&self) -> Option<Duration> {
        duration(self.s_maxage)
    }

    /// `stale-while-revalidate` (RFC 5861): how long a stale response may be
    /// served while it is revalidated in the background (response).
    pub fn stale_while_revalidate(&self) -> Option<Duration> {
        duration(self.stale_while_revalidate)
    }

    /// `stale-if-error` (RFC 5861): how long a stale response may be served
    /// when revalidation fails.
    pub fn stale_if_error(&self) -> Option<Duration> {
        duration(self.stale_if_error)
    }

    /// `min-fresh`: the client wants a response still fresh this much longer
    /// (request).
    pub fn min_fresh(&self) -> Option<Duration> {
        duration(self.min_fresh)
    }

    /// `max-stale` (request): `None` when absent, `Some(None)` for a bare
    /// `max-stale` (any staleness), `Some(Some(limit))` otherwise.
    pub fn max_stale(&self) -> Option<Option<Duration>> {
        self.max_stale.map(duration)
    }

    /// `no-cache`, with or without field names: the response must be
    /// revalidated before reuse. A cache may treat the qualified form as
    /// unqualified (RFC 9111 §5.2.2.4).
    pub fn no_cache(&self) -> bool {
        self.has(NO_CACHE)
    }

    /// The field names of a qualified `no-cache="set-cookie"`; empty when
    /// unqualified or absent.
    pub fn no_cache_fields(&self) -> &[HeaderName] {
        self.extras().map_or(&[], |e| &e.no_cache_fields)
    }

    /// `no-store`: do not store any part of the request or response.
    pub fn no_store(&self) -> bool {
        self.has(NO_STORE)
    }

    /// `private`, with or without field names: shared caches must not store
    /// the response (response).
    pub fn private(&self) -> bool {
        self.has(PRIVATE)
    }

    /// The field names of a qualified `private="set-cookie"`; empty when
    /// unqualified or absent.
    pub fn private_fields(&self) -> &[HeaderName] {
        self.extras().map_or(&[], |e| &e.private_fields)
    }

    /// `public`: any cache may store the response (response).
    pub fn public(&self) -> bool {
        self.has(PUBLIC)
    }

    /// `must-revalidate`: once stale, never serve without revalidating
    /// (response).
    pub fn must_revalidate(&self) -> bool {
        self.has(MUST_REVALIDATE)
    }

    /// `proxy-revalidate`: `must-revalidate` for shared caches (response).
    pub fn proxy_revalidate(&self) -> bool {
        self.has(PROXY_REVALIDATE)
    }

    /// `must-understand`: store only if the status code is understood
    /// (response).
    pub fn must_understand(&self) -> bool {
        self.has(MUST_UNDERSTAND)
    }

    /// `immutable` (RFC 8246): the response will not change while fresh
    /// (response).
    pub fn immutable(&self) -> bool {
        self.has(IMMUTABLE)
    }

    /// `no-transform`: intermediaries must not transform the content.
    pub fn no_transform(&self) -> bool {
        self.has(NO_TRANSFORM)
    }

    /// `only-if-cached`: answer from a cache or with 504 (request).
    pub fn only_if_cached(&self) -> bool {
        self.has(ONLY_IF_CACHED)
    }

    /// The directives this type does not know, in header order: lowercase
    /// name, and the unquoted argument if any.
    pub fn extensions(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.extras()
            .map_or(&[][..], |e| &e.extensions)
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_deref()))
    }

    /// The first extension named `name` (case-insensitive): `None` when
    /// absent, `Some(None)` when it has no argument.
    pub fn extension(&self, name: &str) -> Option<Option<&str>> {
        self.extensions()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    // Builders.

    /// Adds `public`.
    pub fn with_public(self) -> Self {
        self.with_flag(PUBLIC)
    }

    /// Adds an unqualified `private`, dropping any field names.
    pub fn with_private(mut self) -> Self {
        if let Some(extras) = self.extras.as_deref_mut() {
            extras.private_fields.clear();
        }
        self.with_flag(PRIVATE).finish(0)
    }

    /// Adds `private="..."` naming these fields (the directive becomes
    /// qualified); with no names it is unqualified.
    pub fn with_private_fields(mut self, fields: impl IntoIterator<Item = HeaderName>) -> Self {
        let fields: Vec<HeaderName> = fields.into_iter().collect();
        if !fields.is_empty() {
            self.extras_mut().private_fields.extend(fields);
        }
        self.with_flag(PRIVATE)
    }

    /// Adds an unqualified `no-cache`, dropping any field names.
    pub fn with_no_cache(mut self) -> Self {
        if let Some(extras) = self.extras.as_deref_mut() {
            extras.no_cache_fields.clear();
        }
        self.with_flag(NO_CACHE).finish(0)
    }

    /// Adds `no-cache="..."` naming these fields (the directive becomes
    /// qualified); with no names it is unqualified.
    pub fn with_no_cache_fields(mut self, fields: impl IntoIterator<Item = HeaderName>) -> Self {
        let fields: Vec<HeaderName> = fields.into_iter().collect();
        if !fields.is_empty() {
            self.extras_mut().no_cache_fields.extend(fields);
        }
        self.with_flag(NO_CACHE)
    }

    /// Adds `no-store`.
    pub fn with_no_store(self) -> Self {
        self.with_flag(NO_STORE)
    }

    /// Adds `no-transform`.
    pub fn with_no_transform(self) -> Self {
        self.with_flag(NO_TRANSFORM)
    }

    /// Adds `must-revalidate`.
    pub fn with_must_revalidate(self) -> Self {
        self.with_flag(MUST_REVALIDATE)
    }

    /// Adds `proxy-revalidate`.
    pub fn with_proxy_revalidate(self) -> Self {
        self.with_flag(PROXY_REVALIDATE)
    }

    /// Adds `must-understand`.
    pub fn with_must_understand(self) -> Self {
        self.with_flag(MUST_UNDERSTAND)
    }

    /// Adds `immutable`.
    pub fn with_immutable(self) -> Self {
        self.with_flag(IMMUTABLE)
    }

    /// Adds `only-if-cached`.
    pub fn with_only_if_cached(self) -> Self {
        self.with_flag(ONLY_IF_CACHED)
    }

    /// Sets `max-age` in whole seconds (fractions dropped, capped at 2^31).
    pub fn with_max_age(mut self, age: Duration) -> Self {
        self.max_age = Some(clamp_seconds(age.as_secs()));
        self
    }

    /// Sets `s-maxage` in whole seconds (fractions dropped, capped at 2^31).
    pub fn with_s_maxage(mut self, age: Duration) -> Self {
        self.s_maxage = Some(clamp_seconds(age.as_secs()));
        self
    }

    /// Sets `stale-while-revalidate` in whole seconds (capped at 2^31).
    pub fn with_stale_while_revalidate(mut self, window: Duration) -> Self {
        self.stale_while_revalidate = Some(clamp_seconds(window.as_secs()));
        self
    }

    /// Sets `stale-if-error` in whole seconds (capped at 2^31).
    pub fn with_stale_if_error(mut self, window: Duration) -> Self {
        self.stale_if_error = Some(clamp_seconds(window.as_secs()));
        self
    }

    /// Sets `min-fresh` in whole seconds (capped at 2^31).
    pub fn with_min_fresh(mut self, fresh: Duration) -> Self {
        self.min_fresh = Some(clamp_seconds(fresh.as_secs()));
        self
    }

    /// Sets `max-stale=<seconds>` (capped at 2^31).
    pub fn with_max_stale(mut self, limit: Duration) -> Self {
        self.max_stale = Some(Some(clamp_seconds(limit.as_secs())));
        self
    }

    /// Sets a bare `max-stale`: any staleness is accepted.
    pub fn with_any_max_stale(mut self) -> Self {
        self.max_stale = Some(None);
        self
    }

    /// Appends an extension directive. Fails when `name` is not a token or
    /// is a directive this type knows, or `value` holds control characters.
    pub fn with_extension(mut self, name: &str, value: Option<&str>) -> Result<Self, ParseError> {
        if !is_token(name) || known_directive(name.as_bytes()).is_some() {
            return Err(ParseError::invalid("Cache-Control", "bad extension name"));
        }
        if value.is_some_and(|v| v.chars().any(|c| c.is_control() && c != '\t')) {
            return Err(ParseError::invalid(
                "Cache-Control",
                "control character in extension",
            ));
        }
        self.extras_mut()
            .extensions
            .push((name.to_ascii_lowercase(), value.map(str::to_string)));
        Ok(self)
    }
}

impl TypedHeader for CacheControl {
    const NAME: HeaderName = header::CACHE_CONTROL;
    const IS_LIST: bool = true;

    /// Never fails; see the type's docs for how odd values are read.
    fn parse_value(value: &str) -> Result<Self, ParseError> {
        Ok(CacheControl::parse_bytes(value.as_bytes()))
    }

    /// Reads the bytes directly: the grammar is ASCII, and only extension
    /// arguments are decoded (as UTF-8, or ISO-8859-1 when not UTF-8).
    fn from_header(value: &HeaderValue) -> Result<Self, ParseError> {
        Ok(CacheControl::parse_bytes(value.as_bytes()))
    }

    fn to_header_value(&self) -> HeaderValue {
        header_value(self.to_string())
    }
}

impl FromStr for CacheControl {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_value(s)
    }
}

/// Writes directives separated by `, `.
struct DirectiveWriter<'a, 'f> {
    f: &'a mut fmt::Formatter<'f>,
    first: bool,
}

impl DirectiveWriter<'_, '_> {
    fn name(&mut self, name: &str) -> fmt::Result {
        if !std::mem::take(&mut self.first) {
            self.f.write_str(", ")?;
        }
        self.f.write_str(name)
    }

    fn flag(&mut self, present: bool, name: &str) -> fmt::Result {
        if present { self.name(name) } else { Ok(()) }
    }

    fn seconds(&mut self, name: &str, seconds: Option<u32>) -> fmt::Result {
        match seconds {
            Some(s) => {
                self.name(name)?;
                write!(self.f, "={s}")
            }
            None => Ok(()),
        }
    }

    /// `name` or `name="a, b"`; the quoted form is what RFC 9111 §5.2.2.4
    /// asks senders to use even for one field.
    fn qualified(&mut self, present: bool, name: &str, fields: &[HeaderName]) -> fmt::Result {
        if !present {
            return Ok(());
        }
        self.name(name)?;
        for (i, field) in fields.iter().enumerate() {
            self.f.write_str(if i == 0 { "=\"" } else { ", " })?;
            self.f.write_str(field.as_str())?;
        }
        if fields.is_empty() {
            Ok(())
        } else {
            self.f.write_str("\"")
        }
    }
}

impl fmt::Display for CacheControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = DirectiveWriter { f, first: true };
        out.flag(self.public(), "public")?;
        out.qualified(self.private(), "private", self.private_fields())?;
        out.qualified(self.no_cache(), "no-cache", self.no_cache_fields())?;
        out.flag(self.no_store(), "no-store")?;
        out.seconds("max-age", self.max_age)?;
        out.seconds("s-maxage", self.s_maxage)?;
        out.flag(self.must_revalidate(), "must-revalidate")?;
        out.flag(self.proxy_revalidate(), "proxy-revalidate")?;
        out.flag(self.must_understand(), "must-understand")?;
        out.flag(self.no_transform(), "no-transform")?;
        out.flag(self.immutable(), "immutable")?;
        out.seconds("stale-while-revalidate", self.stale_while_revalidate)?;
        out.seconds("stale-if-error", self.stale_if_error)?;
        match self.max_stale {
            Some(None) => out.name("max-stale")?,
            Some(limit) => out.seconds("max-stale", limit)?,
            None => {}
        }
        out.seconds("min-fresh", self.min_fresh)?;
        out.flag(self.only_if_cached(), "only-if-cached")?;
        for (name, value) in self.extensions() {
            out.name(name)?;
            if let Some(value) = value {
                write!(out.f, "={}", quote(value))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn name(n: &str) -> HeaderName {
        HeaderName::from_bytes(n.as_bytes()).unwrap()
    }

    fn cc() -> CacheControl {
        CacheControl::new()
    }

    fn ext(c: CacheControl, n: &str, v: Option<&str>) -> CacheControl {
        c.with_extension(n, v).unwrap()
    }

    #[test]
    fn parse_table() {
        let cases: Vec<(&str, CacheControl)> = vec![
            // Werkzeug test_cache_control_header and TestCacheControl.
            (
                "max-age=0, no-cache",
                cc().with_max_age(secs(0)).with_no_cache(),
            ),
            (
                "private, community=\"UCI\"",
                ext(cc().with_private(), "community", Some("UCI")),
            ),
            ("no-transform", cc().with_no_transform()),
            ("min-fresh=0", cc().with_min_fresh(secs(0))),
            ("must-understand", cc().with_must_understand()),
            (
                "stale-while-revalidate=1",
                cc().with_stale_while_revalidate(secs(1)),
            ),
            ("stale-if-error=1", cc().with_stale_if_error(secs(1))),
            // Werkzeug keeps a bare min-fresh as None; a numeric directive
            // without its argument reads as 0 here (RFC 9111 §4.2.1).
            ("min-fresh", cc().with_min_fresh(secs(0))),
            ("max-age", cc().with_max_age(secs(0))),
            ("max-age=", cc().with_max_age(secs(0))),
            // RFC 9111 and RFC 8246 / RFC 5861 examples.
            ("max-age=604800", cc().with_max_age(secs(604800))),
            (
                "max-age=31536000, immutable",
                cc().with_max_age(secs(31536000)).with_immutable(),
            ),
            (
                "max-age=600, stale-while-revalidate=30",
                cc().with_max_age(secs(600))
                    .with_stale_while_revalidate(secs(30)),
            ),
            (
                "max-age=600, stale-if-error=1200",
                cc().with_max_age(secs(600)).with_stale_if_error(secs(1200)),
            ),
            (
                "s-maxage=60, proxy-revalidate",
                cc().with_s_maxage(secs(60)).with_proxy_revalidate(),
            ),
            ("no-store", cc().with_no_store()),
            ("must-revalidate", cc().with_must_revalidate()),
            (
                "only-if-cached, max-stale, min-fresh=30",
                cc().with_only_if_cached()
                    .with_any_max_stale()
                    .with_min_fresh(secs(30)),
            ),
            ("max-stale=10", cc().with_max_stale(secs(10))),
            // Field-name lists, quoted or as one token.
            (
                "no-cache=\"Set-Cookie, x-foo\"",
                cc().with_no_cache_fields([header::SET_COOKIE, name("x-foo")]),
            ),
            (
                "private=\"set-cookie\"",
                cc().with_private_fields([header::SET_COOKIE]),
            ),
            (
                "private=set-cookie",
                cc().with_private_fields([header::SET_COOKIE]),
            ),
            (
                "no-cache=\"bad name, x\"",
                cc().with_no_cache_fields([name("x")]),
            ),
            ("no-cache=\"\"", cc().with_no_cache()),
            // Repeats: unqualified wins, qualified ones add up.
            ("no-cache=\"x\", no-cache", cc().with_no_cache()),
            ("private, private=\"x\"", cc().with_private()),
            (
                "no-cache=\"a\", no-cache=\"b\"",
                cc().with_no_cache_fields([name("a"), name("b")]),
            ),
            // Repeats of valued directives: the first counts.
            ("max-age=5, max-age=10", cc().with_max_age(secs(5))),
            ("max-stale, max-stale=5", cc().with_any_max_stale()),
            // Quoted numbers, case, whitespace.
            ("max-age=\"3\"", cc().with_max_age(secs(3))),
            (
                "MAX-AGE=5, No-Store, PUBLIC",
                cc().with_max_age(secs(5)).with_no_store().with_public(),
            ),
            ("max-age = 5", cc().with_max_age(secs(5))),
            ("  public ,,\t, ", cc().with_public()),
            // Invalid numbers read as 0 (stale), never negative.
            ("max-age=-1", cc().with_max_age(secs(0))),
            ("max-age=1.5", cc().with_max_age(secs(0))),
            ("max-age=abc", cc().with_max_age(secs(0))),
            ("s-maxage=\"", cc().with_s_maxage(secs(0))),
            // RFC 9111 §1.2.2: overflow saturates at 2^31.
            ("max-age=2147483647", cc().with_max_age(secs(2147483647))),
            ("max-age=2147483648", cc().with_max_age(secs(2147483648))),
            ("max-age=2147483649", cc().with_max_age(secs(2147483648))),
            (
                "max-age=99999999999999999999999999",
                cc().with_max_age(secs(DELTA_SECONDS_MAX)),
            ),
            // Arguments on flag directives are ignored.
            ("public=yes", cc().with_public()),
            // Extensions keep order and arguments.
            (
                "foo, bar=baz, qux=\"a, b\", Foo=\"\"",
                ext(
                    ext(
                        ext(ext(cc(), "foo", None), "bar", Some("baz")),
                        "qux",
                        Some("a, b"),
                    ),
                    "Foo",
                    Some(""),
                ),
            ),
            ("community=UCI", ext(cc(), "community", Some("UCI"))),
            // Nothing, or only garbage.
            ("", cc()),
            (", ,,", cc()),
            ("a b, =5, \"q\"", cc()),
        ];
        for (input, want) in &cases {
            let got: CacheControl = input.parse().unwrap();
            assert_eq!(&got, want, "{input:?}");
        }
    }

    #[test]
    fn getters() {
        let c: CacheControl = "public, private=\"x\", no-cache=\"y\", no-store, max-age=1, s-maxage=2, \
            must-revalidate, proxy-revalidate, must-understand, no-transform, immutable, \
            stale-while-revalidate=3, stale-if-error=4, max-stale=5, min-fresh=6, only-if-cached, ext"
            .parse()
            .unwrap();
        assert!(c.public() && c.private() && c.no_cache() && c.no_store());
        assert!(c.must_revalidate() && c.proxy_revalidate() && c.must_understand());
        assert!(c.no_transform() && c.immutable() && c.only_if_cached());
        assert_eq!(c.private_fields(), [name("x")]);
        assert_eq!(c.no_cache_fields(), [name("y")]);
        assert_eq!(
            [
                c.max_age(),
                c.s_maxage(),
                c.stale_while_revalidate(),
                c.stale_if_error(),
                c.min_fresh()
            ],
            [1, 2, 3, 4, 6].map(|s| Some(secs(s)))
        );
        assert_eq!(c.max_stale(), Some(Some(secs(5))));
        assert_eq!(c.extension("EXT"), Some(None));
        assert_eq!(c.extension("other"), None);
        let empty = CacheControl::new();
        assert!(!empty.public() && !empty.no_cache() && empty.max_age().is_none());
        assert_eq!(empty.max_stale(), None);
        assert!(empty.no_cache_fields().is_empty() && empty.extensions().next().is_none());
    }

    #[test]
    fn format_table() {
        let cases: Vec<(CacheControl, &str)> = vec![
            (
                cc().with_public().with_max_age(secs(3600)),
                "public, max-age=3600",
            ),
            (cc().with_no_cache(), "no-cache"),
            (
                cc().with_max_age(secs(3)).with_no_cache(),
                "no-cache, max-age=3",
            ),
            (
                cc().with_no_cache_fields([header::SET_COOKIE, name("x-foo")]),
                "no-cache=\"set-cookie, x-foo\"",
            ),
            (
                cc().with_private_fields([header::SET_COOKIE]),
                "private=\"set-cookie\"",
            ),
            (
                cc().with_private_fields([header::SET_COOKIE])
                    .with_private(),
                "private",
            ),
            (cc().with_any_max_stale(), "max-stale"),
            (cc().with_max_stale(secs(7)), "max-stale=7"),
            (ext(ext(cc(), "x", Some("a b")), "y", None), "x=\"a b\", y"),
            (cc().with_max_age(Duration::MAX), "max-age=2147483648"),
            (cc().with_max_age(Duration::from_millis(1500)), "max-age=1"),
            (ext(cc(), "X-Ext", None), "x-ext"),
            (cc(), ""),
        ];
        for (value, want) in &cases {
            assert_eq!(value.to_string(), *want);
            assert_eq!(value.to_header_value(), *want);
        }
    }

    #[test]
    fn extension_builder_refuses_bad_input() {
        assert!(cc().with_extension("max-age", Some("1")).is_err());
        assert!(cc().with_extension("No-Cache", None).is_err());
        assert!(cc().with_extension("bad name", None).is_err());
        assert!(cc().with_extension("x", Some("a\r\nb")).is_err());
        assert!(cc().with_extension("x", Some("tab\tok")).is_ok());
    }

    #[test]
    fn common_values_do_not_allocate_extras() {
        let c: CacheControl = "public, max-age=60, no-cache, private, no-cache=\"\""
            .parse()
            .unwrap();
        assert!(c.extras.is_none());
        let c: CacheControl = "no-cache=\"x\", no-cache".parse().unwrap();
        assert!(c.extras.is_none());
    }

    #[test]
    fn from_headers_reads_every_line() {
        let mut headers = http::HeaderMap::new();
        headers.append(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.append(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=5"),
        );
        let c = CacheControl::from_headers(&headers).unwrap().unwrap();
        assert_eq!(c, cc().with_no_cache().with_private().with_max_age(secs(5)));
        assert!(CacheControl::from_headers(&http::HeaderMap::new()).is_none());
        // Bytes that are not UTF-8 only matter inside extension arguments,
        // which are then read as ISO-8859-1.
        let latin1 = HeaderValue::from_bytes(b"x=\"caf\xe9\", max-age=3").unwrap();
        let c = CacheControl::from_header(&latin1).unwrap();
        assert_eq!(c, ext(cc().with_max_age(secs(3)), "x", Some("café")));
    }

    #[test]
    fn hundred_thousand_directives_stay_linear() {
        let header = "max-age=1, x-ext=\"v\", ".repeat(50_000);
        let c: CacheControl = header.parse().unwrap();
        assert_eq!(c.max_age(), Some(secs(1)));
        assert_eq!(c.extensions().count(), 50_000);
        let fields = vec!["x-a"; 100_000].join(", ");
        let c: CacheControl = format!("no-cache=\"{fields}\"").parse().unwrap();
        assert_eq!(c.no_cache_fields().len(), 100_000);
        let digits = "9".repeat(100_000);
        let c: CacheControl = format!("max-age={digits}").parse().unwrap();
        assert_eq!(c.max_age(), Some(secs(DELTA_SECONDS_MAX)));
    }

    fn cache_control() -> impl Strategy<Value = CacheControl> {
        let seconds = || proptest::option::of(0..=DELTA_SECONDS_MAX);
        let field = proptest::sample::select(vec!["set-cookie", "x-foo", "authorization", "vary"]);
        let fields = || proptest::collection::vec(field.clone(), 0..3);
        let extension = (
            "[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,10}".prop_filter("known names are not extensions", |n| {
                known_directive(n.as_bytes()).is_none()
            }),
            proptest::option::of("[ -~\u{a0}-\u{ff}\t]{0,8}"),
        );
        (
            any::<u16>(),
            [seconds(), seconds(), seconds(), seconds(), seconds()],
            proptest::option::of(seconds()),
            (fields(), fields()),
            proptest::collection::vec(extension, 0..3),
        )
            .prop_map(
                |(flags, [a, b, c, d, e], max_stale, (no_cache, private), extensions)| {
                    let mut v = CacheControl::new();
                    for (bit, set) in [
                        (
                            PUBLIC,
                            CacheControl::with_public as fn(CacheControl) -> CacheControl,
                        ),
                        (NO_STORE, CacheControl::with_no_store),
                        (NO_TRANSFORM, CacheControl::with_no_transform),
                        (MUST_REVALIDATE, CacheControl::with_must_revalidate),
                        (PROXY_REVALIDATE, CacheControl::with_proxy_revalidate),
                        (MUST_UNDERSTAND, CacheControl::with_must_understand),
                        (IMMUTABLE, CacheControl::with_immutable),
                        (ONLY_IF_CACHED, CacheControl::with_only_if_cached),
                        (NO_CACHE, CacheControl::with_no_cache),
                        (PRIVATE, CacheControl::with_private),
                    ] {
                        if flags & bit != 0 {
                            v = set(v);
                        }
                    }
                    if !no_cache.is_empty() {
                        v = v.with_no_cache_fields(no_cache.iter().map(|n| name(n)));
                    }
                    if !private.is_empty() {
                        v = v.with_private_fields(private.iter().map(|n| name(n)));
                    }
                    let setters = [
                        CacheControl::with_max_age as fn(CacheControl, Duration) -> CacheControl,
                        CacheControl::with_s_maxage,
                        CacheControl::with_stale_while_revalidate,
                        CacheControl::with_stale_if_error,
                        CacheControl::with_min_fresh,
                    ];
                    for (value, set) in [a, b, c, d, e].into_iter().zip(setters) {
                        if let Some(s) = value {
                            v = set(v, secs(s));
                        }
                    }
                    match max_stale {
                        Some(Some(s)) => v = v.with_max_stale(secs(s)),
                        Some(None) => v = v.with_any_max_stale(),
                        None => {}
                    }
                    for (n, value) in &extensions {
                        v = v.with_extension(n, value.as_deref()).unwrap();
                    }
                    v
                },
            )
    }

    proptest! {
        #[test]
        fn cache_control_round_trips(value in cache_control()) {
            prop_assert_eq!(value.to_string().parse::<CacheControl>().unwrap(), value.clone());
            prop_assert_eq!(CacheControl::from_header(&value.to_header_value()).unwrap(), value);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,60}") {
            let c: CacheControl = s.parse().unwrap();
            let _ = c.to_string();
        }
    }
}
