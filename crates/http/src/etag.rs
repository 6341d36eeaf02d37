//! Entity tags (RFC 9110 §8.8.3): the `ETag` response header, and the tag
//! lists of `If-Match` (§13.1.1) and `If-None-Match` (§13.1.2).
//!
//! Parsing is lenient where Werkzeug's `parse_etags` is, because some servers
//! send broken tags and browsers echo them back verbatim:
//!
//! - an unquoted tag (`abc`, `W/abc`) is read as if quoted (`"abc"`, `W/"abc"`);
//! - the weakness prefix is accepted as `w/` as well as `W/`.
//!
//! Everything else follows the RFC grammar: the characters of a tag are
//! `%x21 / %x23-7E / obs-text` (no spaces, no `"`), list elements are
//! separated by commas with optional whitespace, empty elements are skipped,
//! and `*` stands alone. Formatting always produces the canonical quoted form.
//!
//! ```
//! use tackle_http::{EntityTag, IfNoneMatch, TypedHeader};
//!
//! let current = EntityTag::strong("v2").unwrap();
//! let header = http::HeaderValue::from_static(r#"W/"v1", W/"v2""#);
//! let if_none_match = IfNoneMatch::from_header(&header).unwrap();
//! assert!(!if_none_match.precondition_passes(&current)); // answer 304
//! assert_eq!(current.to_string(), r#""v2""#);
//! ```

use std::fmt;
use std::str::FromStr;

use http::{HeaderName, HeaderValue, header};

use crate::header::{header_str, trim_ows, trim_ows_start};
use crate::{ParseError, TypedHeader};

/// Which bytes may appear inside an opaque-tag (`etagc`, RFC 9110 §8.8.3):
/// `%x21 / %x23-7E / obs-text`. A table makes the per-byte test one load.
const ETAGC: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b == 0x21 || (b >= 0x23 && b <= 0x7e) || b >= 0x80;
        b += 1;
    }
    table
};

#[inline]
fn is_etagc(b: u8) -> bool {
    ETAGC[usize::from(b)]
}

/// A validator naming one version of a representation (RFC 9110 §8.8.3):
/// `"xyzzy"` (strong) or `W/"xyzzy"` (weak).
///
/// `==` means "identical" (same weakness and tag). HTTP compares entity tags
/// with [`strong_eq`](Self::strong_eq) (`If-Match`, `If-Range`) or
/// [`weak_eq`](Self::weak_eq) (`If-None-Match`). As a [`TypedHeader`] it is
/// the `ETag` header.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EntityTag {
    weak: bool,
    tag: Box<str>,
}

impl EntityTag {
    /// A strong entity tag: the representation is byte-for-byte the same
    /// whenever the tag is. Fails if `tag` holds a `"`, a space or an ASCII
    /// control character; any text from U+0080 up is allowed (it is
    /// `obs-text` on the wire, RFC 9110 §8.8.3).
    pub fn strong(tag: impl Into<String>) -> Result<Self, ParseError> {
        Self::new(false, tag.into())
    }

    /// A weak entity tag: the representation is equivalent, not necessarily
    /// identical, whenever the tag is. Same character rules as
    /// [`strong`](Self::strong).
    pub fn weak(tag: impl Into<String>) -> Result<Self, ParseError> {
        Self::new(true, tag.into())
    }

    fn new(weak: bool, tag: String) -> Result<Self, ParseError> {
        if tag.bytes().all(is_etagc) {
            Ok(EntityTag {
                weak,
                tag: tag.into_boxed_str(),
            })
        } else {
            Err(ParseError::invalid(
                "ETag",
                "character not allowed in an entity tag",
            ))
        }
    }

    /// The opaque tag, without quotes or weakness prefix.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// Whether the tag is weak (`W/"..."`).
    pub fn is_weak(&self) -> bool {
        self.weak
    }

    /// Strong comparison (RFC 9110 §8.8.3.2): both tags strong and their
    /// opaque tags identical.
    pub fn strong_eq(&self, other: &EntityTag) -> bool {
        !self.weak && !other.weak && self.tag == other.tag
    }

    /// Weak comparison (RFC 9110 §8.8.3.2): opaque tags identical, whatever
    /// their weakness.
    pub fn weak_eq(&self, other: &EntityTag) -> bool {
        self.tag == other.tag
    }
}

impl fmt::Display for EntityTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        EntityTagRef::from(self).fmt(f)
    }
}

impl fmt::Debug for EntityTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntityTag({self})")
    }
}

impl FromStr for EntityTag {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse_value(s)
    }
}

impl TypedHeader for EntityTag {
    const NAME: HeaderName = header::ETAG;

    fn parse_value(value: &str) -> Result<Self, ParseError> {
        let bytes = trim_ows(value.as_bytes());
        match scan_tag(bytes) {
            Ok((tag, [])) => Ok(EntityTag {
                weak: tag.weak,
                // Tags split at ASCII bytes, so a slice of a `&str` stays UTF-8.
                tag: String::from_utf8_lossy(tag.tag).into(),
            }),
            Ok(_) => Err(ParseError::invalid("ETag", "text after the entity tag")),
            Err(reason) => Err(ParseError::invalid("ETag", reason)),
        }
    }

    fn to_header_value(&self) -> HeaderValue {
        owned_header_value(self.to_string())
    }
}

/// An entity tag borrowed from an [`EntityTagList`], so that iterating a list
/// allocates nothing.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct EntityTagRef<'a> {
    weak: bool,
    tag: &'a str,
}

impl<'a> EntityTagRef<'a> {
    /// The opaque tag, without quotes or weakness prefix.
    pub fn tag(&self) -> &'a str {
        self.tag
    }

    /// Whether the tag is weak (`W/"..."`).
    pub fn is_weak(&self) -> bool {
        self.weak
    }

    /// Strong comparison with `other` (RFC 9110 §8.8.3.2).
    pub fn strong_eq(&self, other: &EntityTag) -> bool {
        !self.weak && !other.weak && self.tag == other.tag()
    }

    /// Weak comparison with `other` (RFC 9110 §8.8.3.2).
    pub fn weak_eq(&self, other: &EntityTag) -> bool {
        self.tag == other.tag()
    }
}

impl<'a> From<&'a EntityTag> for EntityTagRef<'a> {
    fn from(tag: &'a EntityTag) -> Self {
        EntityTagRef {
            weak: tag.weak,
            tag: &tag.tag,
        }
    }
}

impl From<EntityTagRef<'_>> for EntityTag {
    fn from(tag: EntityTagRef<'_>) -> Self {
        EntityTag {
            weak: tag.weak,
            tag: tag.tag.into(),
        }
    }
}

impl PartialEq<EntityTag> for EntityTagRef<'_> {
    fn eq(&self, other: &EntityTag) -> bool {
        self.weak == other.weak && self.tag == other.tag()
    }
}

impl fmt::Display for EntityTagRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.weak {
            f.write_str("W/")?;
        }
        write!(f, "\"{}\"", self.tag)
    }
}

/// The value of `If-Match` or `If-None-Match`: `*` (any current
/// representation) or a list of entity tags, possibly empty.
///
/// Parsing validates the whole value once and keeps it: copied inline when
/// short (up to 31 bytes, which covers the usual single tag), otherwise as a
/// [`HeaderValue`] clone that shares the header's bytes. [`iter`](Self::iter)
/// and the `matches_*` methods then walk it lazily without allocating. `==`
/// compares the tags, not the spelling.
#[derive(Clone)]
pub struct EntityTagList(ListRepr);

/// The longest list kept inline: 31 bytes fit beside the [`HeaderValue`]'s
/// spare byte, so the list stays as small as a `HeaderValue` (40 bytes) and
/// moves cheaply; measured faster than 46 bytes, which grows the enum.
const INLINE_CAPACITY: usize = 31;

/// `Inline` and `Shared` hold a validated list in UTF-8 (the invariant `iter`
/// relies on).
#[derive(Clone)]
enum ListRepr {
    Any,
    /// Copying a short value is cheaper than sharing it, which costs two
    /// atomic operations on the header's reference count.
    Inline {
        len: u8,
        bytes: [u8; INLINE_CAPACITY],
    },
    Shared(HeaderValue),
}

impl ListRepr {
    #[inline]
    fn as_bytes(&self) -> &[u8] {
        match self {
            ListRepr::Any => b"",
            ListRepr::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            ListRepr::Shared(value) => value.as_bytes(),
        }
    }

    /// Keeps a validated list, inline if it fits, else in the header value
    /// that `shared` makes (`None` if it cannot).
    fn validated(list: &[u8], shared: impl FnOnce() -> Option<HeaderValue>) -> Option<Self> {
        if list.len() <= INLINE_CAPACITY {
            let mut bytes = [0; INLINE_CAPACITY];
            bytes[..list.len()].copy_from_slice(list);
            // `list.len()` fits in a u8 because the capacity does.
            return Some(ListRepr::Inline {
                len: list.len() as u8,
                bytes,
            });
        }
        shared().map(ListRepr::Shared)
    }
}

impl EntityTagList {
    /// `*`: matches any current representation.
    pub fn any() -> Self {
        EntityTagList(ListRepr::Any)
    }

    /// Whether this is `*`.
    #[inline]
    pub fn is_any(&self) -> bool {
        matches!(self.0, ListRepr::Any)
    }

    /// The listed tags in the order sent; none for `*`.
    pub fn iter(&self) -> EntityTags<'_> {
        EntityTags {
            rest: self.0.as_bytes(),
        }
    }

    /// Whether `*`, or any listed tag strongly equals `current`
    /// (the `If-Match` comparison).
    #[inline]
    pub fn matches_strong(&self, current: &EntityTag) -> bool {
        self.any_raw(|tag| !tag.weak && !current.weak && tag.tag == current.tag.as_bytes())
    }

    /// Whether `*`, or any listed tag weakly equals `current`
    /// (the `If-None-Match` comparison).
    #[inline]
    pub fn matches_weak(&self, current: &EntityTag) -> bool {
        self.any_raw(|tag| tag.tag == current.tag.as_bytes())
    }

    /// Whether `*`, or `found` holds for a listed tag; compares raw bytes, so
    /// matching skips the UTF-8 checks that [`iter`](Self::iter) makes.
    #[inline]
    fn any_raw(&self, found: impl Fn(RawTag<'_>) -> bool) -> bool {
        if self.is_any() {
            return true;
        }
        let mut rest = self.0.as_bytes();
        while let Some(tag) = next_validated(&mut rest) {
            if found(tag) {
                return true;
            }
        }
        false
    }

    /// Parses a field value; `what` names the header in errors.
    fn parse_str(value: &str, what: &'static str) -> Result<Self, ParseError> {
        if validate_list(value.as_bytes(), what)? {
            return Ok(Self::any());
        }
        let list = value.as_bytes();
        ListRepr::validated(list, || HeaderValue::from_bytes(list).ok())
            .map(EntityTagList)
            .ok_or_else(|| ParseError::invalid(what, "control character in value"))
    }

    /// Parses a header line, keeping its bytes when they are UTF-8 (the
    /// common case); ISO-8859-1 bytes are converted like [`header_str`].
    #[inline]
    fn parse_header(value: &HeaderValue, what: &'static str) -> Result<Self, ParseError> {
        let bytes = value.as_bytes();
        if bytes == b"*" {
            return Ok(Self::any());
        }
        if bytes.is_ascii() || std::str::from_utf8(bytes).is_ok() {
            if validate_list(bytes, what)? {
                return Ok(Self::any());
            }
            let repr = ListRepr::validated(bytes, || Some(value.clone()));
            return repr
                .map(EntityTagList)
                .ok_or_else(|| ParseError::invalid(what, "control character in value"));
        }
        Self::parse_str(&header_str(value), what)
    }
}

impl FromStr for EntityTagList {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse_str(s, "entity-tag list")
    }
}

impl FromIterator<EntityTag> for EntityTagList {
    /// A list of the given tags (an empty list if there are none, never `*`).
    fn from_iter<I: IntoIterator<Item = EntityTag>>(tags: I) -> Self {
        let mut text = String::new();
        for tag in tags {
            if !text.is_empty() {
                text.push_str(", ");
            }
            text.push_str(if tag.weak { "W/\"" } else { "\"" });
            text.push_str(&tag.tag);
            text.push('"');
        }
        let inline = ListRepr::validated(text.as_bytes(), || None);
        EntityTagList(inline.unwrap_or_else(|| ListRepr::Shared(owned_header_value(text))))
    }
}

impl<'a> IntoIterator for &'a EntityTagList {
    type Item = EntityTagRef<'a>;
    type IntoIter = EntityTags<'a>;

    fn into_iter(self) -> EntityTags<'a> {
        self.iter()
    }
}

impl PartialEq for EntityTagList {
    fn eq(&self, other: &Self) -> bool {
        self.is_any() == other.is_any() && self.iter().eq(other.iter())
    }
}

impl Eq for EntityTagList {}

impl fmt::Display for EntityTagList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_any() {
            return f.write_str("*");
        }
        for (i, tag) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            tag.fmt(f)?;
        }
        Ok(())
    }
}

impl fmt::Debug for EntityTagList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_any() {
            return f.write_str("EntityTagList(*)");
        }
        f.debug_tuple("EntityTagList")
            .field(&format_args!("{self}"))
            .finish()
    }
}

/// The entity tags of an [`EntityTagList`], borrowed in order.
#[derive(Clone, Debug)]
pub struct EntityTags<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for EntityTags<'a> {
    type Item = EntityTagRef<'a>;

    fn next(&mut self) -> Option<EntityTagRef<'a>> {
        let raw = next_validated(&mut self.rest)?;
        Some(EntityTagRef {
            weak: raw.weak,
            // The list was validated as UTF-8 and tags split at ASCII bytes,
            // so this cannot fail; an empty tag would be harmless.
            tag: std::str::from_utf8(raw.tag).unwrap_or_default(),
        })
    }
}

/// Defines a typed header whose value is an [`EntityTagList`].
macro_rules! tag_list_header {
    ($(#[$doc:meta])* $name:ident, $header:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Debug)]
        pub struct $name(pub EntityTagList);

        impl $name {
            /// `*`.
            pub fn any() -> Self {
                $name(EntityTagList::any())
            }

            /// The tag list.
            pub fn tags(&self) -> &EntityTagList {
                &self.0
            }
        }

        impl TypedHeader for $name {
            const NAME: HeaderName = header::$header;
            const IS_LIST: bool = true;

            fn parse_value(value: &str) -> Result<Self, ParseError> {
                EntityTagList::parse_str(value, $what).map($name)
            }

            #[inline]
            fn from_header(value: &HeaderValue) -> Result<Self, ParseError> {
                EntityTagList::parse_header(value, $what).map($name)
            }

            fn to_header_value(&self) -> HeaderValue {
                match &self.0.0 {
                    ListRepr::Any => HeaderValue::from_static("*"),
                    _ => owned_header_value(self.0.to_string()),
                }
            }
        }

        impl FromStr for $name {
            type Err = ParseError;

            fn from_str(s: &str) -> Result<Self, ParseError> {
                Self::parse_value(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<EntityTagList> for $name {
            fn from(list: EntityTagList) -> Self {
                $name(list)
            }
        }

        impl FromIterator<EntityTag> for $name {
            fn from_iter<I: IntoIterator<Item = EntityTag>>(tags: I) -> Self {
                $name(tags.into_iter().collect())
            }
        }
    };
}

tag_list_header!(
    /// The `If-Match` request header (RFC 9110 §13.1.1): perform the request
    /// only if the current representation's tag strongly matches one listed,
    /// or, for `*`, if there is a current representation at all.
    IfMatch,
    IF_MATCH,
    "If-Match"
);

tag_list_header!(
    /// The `If-None-Match` request header (RFC 9110 §13.1.2): perform the
    /// request only if no listed tag weakly matches the current
    /// representation's, or, for `*`, if there is no current representation.
    IfNoneMatch,
    IF_NONE_MATCH,
    "If-None-Match"
);

impl IfMatch {
    /// Whether the condition holds for an existing representation tagged
    /// `current`: `*`, or a listed tag strongly equal to it.
    #[inline]
    pub fn precondition_passes(&self, current: &EntityTag) -> bool {
        self.0.matches_strong(current)
    }
}

impl IfNoneMatch {
    /// Whether the condition holds for an existing representation tagged
    /// `current`: not `*`, and no listed tag weakly equal to it.
    #[inline]
    pub fn precondition_passes(&self, current: &EntityTag) -> bool {
        !self.0.matches_weak(current)
    }
}

/// A tag as found in the input: weakness and the opaque-tag bytes.
struct RawTag<'a> {
    weak: bool,
    tag: &'a [u8],
}

/// Reads one entity tag at the start of `s` (no leading whitespace) and
/// returns it with the unread rest. Accepts the lenient forms described in
/// the module docs.
fn scan_tag(s: &[u8]) -> Result<(RawTag<'_>, &[u8]), &'static str> {
    let (weak, s) = match s {
        [b'W' | b'w', b'/', rest @ ..] => (true, rest),
        _ => (false, s),
    };
    if let [b'"', inner @ ..] = s {
        let i = inner
            .iter()
            .position(|&b| !is_etagc(b))
            .ok_or("unterminated entity tag")?;
        if inner[i] != b'"' {
            return Err("character not allowed in an entity tag");
        }
        let (tag, rest) = inner.split_at(i);
        Ok((RawTag { weak, tag }, rest.get(1..).unwrap_or_default()))
    } else {
        let end = s
            .iter()
            .position(|&b| b == b',' || !is_etagc(b))
            .unwrap_or(s.len());
        let (tag, rest) = s.split_at(end);
        match tag {
            [] => return Err("missing entity tag"),
            // `*` means "any" only alone; inside a list it is a mistake, not a tag.
            b"*" => return Err("'*' must be the whole value"),
            _ => {}
        }
        Ok((RawTag { weak, tag }, rest))
    }
}

/// The next tag of a list, advancing `rest` past it and its separator; `None`
/// at the end. Empty list elements are skipped (RFC 9110 §5.6.1).
fn next_in_list<'a>(rest: &mut &'a [u8]) -> Option<Result<RawTag<'a>, &'static str>> {
    let start = rest
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b','))?;
    let (tag, after) = match scan_tag(&rest[start..]) {
        Ok(found) => found,
        Err(reason) => return Some(Err(reason)),
    };
    let after = trim_ows_start(after);
    match after {
        [] => *rest = after,
        [b',', tail @ ..] => *rest = tail,
        _ => return Some(Err("entity tags must be separated by commas")),
    }
    Some(Ok(tag))
}

/// The next tag of a list already checked by [`validate_list`], advancing
/// `rest` past it. Knowing the list is valid, it only looks for the bytes that
/// end a tag, which makes matching cheaper than validating.
#[inline]
fn next_validated<'a>(rest: &mut &'a [u8]) -> Option<RawTag<'a>> {
    let start = rest
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b','))?;
    let (weak, s) = match &rest[start..] {
        [b'W' | b'w', b'/', tail @ ..] => (true, tail),
        tail => (false, tail),
    };
    let (tag, tail) = match s {
        [b'"', inner @ ..] => {
            let end = inner.iter().position(|&b| b == b'"').unwrap_or(inner.len());
            let (tag, tail) = inner.split_at(end);
            (tag, tail.get(1..).unwrap_or_default())
        }
        _ => {
            let end = s
                .iter()
                .position(|&b| matches!(b, b' ' | b'\t' | b','))
                .unwrap_or(s.len());
            s.split_at(end)
        }
    };
    *rest = tail;
    Some(RawTag { weak, tag })
}

/// Checks a whole `If-Match`/`If-None-Match` value; `Ok(true)` for `*`.
fn validate_list(value: &[u8], what: &'static str) -> Result<bool, ParseError> {
    if trim_ows(value) == b"*" {
        return Ok(true);
    }
    let mut rest = value;
    while let Some(tag) = next_in_list(&mut rest) {
        if let Err(reason) = tag {
            return Err(ParseError::invalid(what, reason));
        }
    }
    Ok(false)
}

/// A header value from text this module formatted (quoted etagc only),
/// without the extra copy `HeaderValue::from_str` makes; non-ASCII tags are
/// `obs-text`, which `from_str` would refuse.
fn owned_header_value(text: String) -> HeaderValue {
    if !text.bytes().all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f)) {
        return crate::header::header_value(text);
    }
    // Every byte was just checked, so this cannot fail.
    HeaderValue::try_from(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn strong(t: &str) -> EntityTag {
        EntityTag::strong(t).unwrap()
    }

    fn weak(t: &str) -> EntityTag {
        EntityTag::weak(t).unwrap()
    }

    #[test]
    fn parse_etag_table() {
        // (input, Some((weak, tag)) or None for invalid)
        #[rustfmt::skip]
        let cases: &[(&str, Option<(bool, &str)>)] = &[
            // RFC 9110 §8.8.3 examples
            (r#""xyzzy""#, Some((false, "xyzzy"))),
            (r#"W/"xyzzy""#, Some((true, "xyzzy"))),
            (r#""""#, Some((false, ""))),
            (r#"W/"""#, Some((true, ""))),
            ("  \"a\"\t", Some((false, "a"))),
            ("\"café\"", Some((false, "café"))),
            (r#""!#$%&'()*+,-./09:;<=>?@[\]^_`{|}~""#, Some((false, "!#$%&'()*+,-./09:;<=>?@[\\]^_`{|}~"))),
            // Werkzeug-style leniency
            ("blar", Some((false, "blar"))),
            ("W/blar", Some((true, "blar"))),
            (r#"w/"foo""#, Some((true, "foo"))),
            // invalid
            ("", None),
            ("W/", None),
            (r#""unterminated"#, None),
            (r#""in"side""#, None),
            (r#""a b""#, None),
            ("a b", None),
            (r#""a", "b""#, None),
            ("\"tab\there\"", None),
        ];
        for (input, want) in cases {
            let got = input
                .parse::<EntityTag>()
                .ok()
                .map(|t| (t.is_weak(), t.tag().to_owned()));
            let want = want.map(|(w, t)| (w, t.to_owned()));
            assert_eq!(got, want, "{input}");
        }
    }

    #[test]
    fn constructors_reject_invalid_characters() {
        #[rustfmt::skip]
        let cases: &[(&str, bool)] = &[
            ("xyzzy", true),
            ("", true),
            ("ünïcode", true),
            ("a\"b", false),
            ("a b", false),
            ("a\r\nSet-Cookie: x", false),
            ("\u{7f}", false),
        ];
        for (tag, ok) in cases {
            assert_eq!(EntityTag::strong(*tag).is_ok(), *ok, "{tag:?}");
            assert_eq!(EntityTag::weak(*tag).is_ok(), *ok, "{tag:?}");
        }
        assert_eq!(weak("x").to_string(), r#"W/"x""#);
        assert_eq!(strong("x").to_string(), r#""x""#);
    }

    #[test]
    fn comparison_table_rfc9110() {
        // RFC 9110 §8.8.3.2: (etag 1, etag 2, strong match, weak match)
        #[rustfmt::skip]
        let cases: &[(&str, &str, bool, bool)] = &[
            (r#"W/"1""#, r#"W/"1""#, false, true),
            (r#"W/"1""#, r#"W/"2""#, false, false),
            (r#"W/"1""#, r#""1""#, false, true),
            (r#""1""#, r#""1""#, true, true),
            (r#""1""#, r#""2""#, false, false),
        ];
        for (a, b, strong_match, weak_match) in cases {
            let (a, b): (EntityTag, EntityTag) = (a.parse().unwrap(), b.parse().unwrap());
            assert_eq!(a.strong_eq(&b), *strong_match, "{a} {b}");
            assert_eq!(b.strong_eq(&a), *strong_match, "{b} {a}");
            assert_eq!(a.weak_eq(&b), *weak_match, "{a} {b}");
            assert_eq!(
                EntityTagRef::from(&a).strong_eq(&b),
                *strong_match,
                "{a} {b}"
            );
            assert_eq!(EntityTagRef::from(&a).weak_eq(&b), *weak_match, "{a} {b}");
        }
    }

    #[test]
    fn parse_list_table() {
        // (input, Some(tags as canonical text) or None for invalid); "*" for Any
        #[rustfmt::skip]
        let cases: &[(&str, Option<&str>)] = &[
            // RFC 9110 §13.1.1 and §13.1.2 examples
            (r#""xyzzy""#, Some(r#""xyzzy""#)),
            (r#""xyzzy", "r2d2xxxx", "c3piozzzz""#, Some(r#""xyzzy", "r2d2xxxx", "c3piozzzz""#)),
            (r#"W/"xyzzy""#, Some(r#"W/"xyzzy""#)),
            (r#"W/"xyzzy", W/"r2d2xxxx", W/"c3piozzzz""#, Some(r#"W/"xyzzy", W/"r2d2xxxx", W/"c3piozzzz""#)),
            ("*", Some("*")),
            (" * ", Some("*")),
            // Werkzeug test_etags
            (r#""foo", "bar", W/"baz", blar"#, Some(r#""foo", "bar", W/"baz", "blar""#)),
            (r#"W/"foo""#, Some(r#"W/"foo""#)),
            // list syntax
            ("", Some("")),
            (" , ,", Some("")),
            (r#","a",,"b","#, Some(r#""a", "b""#)),
            ("\"a\"\t,\t\"b\"", Some(r#""a", "b""#)),
            (r#""a,b""#, Some(r#""a,b""#)),
            (r#""*""#, Some(r#""*""#)),
            // invalid
            (r#"*, "a""#, None),
            (r#""a" "b""#, None),
            (r#""a""b""#, None),
            (r#""a", "b"#, None),
            (r#""a", b c"#, None),
        ];
        for (input, want) in cases {
            let got = input.parse::<EntityTagList>().ok().map(|l| l.to_string());
            assert_eq!(got.as_deref(), *want, "{input}");
            let header = HeaderValue::from_str(input).unwrap();
            let got = IfNoneMatch::from_header(&header)
                .ok()
                .map(|l| l.to_string());
            assert_eq!(got.as_deref(), *want, "{input} as header");
        }
    }

    #[test]
    fn list_matching_table() {
        // (list, current tag, matches_strong, matches_weak)
        #[rustfmt::skip]
        let cases: &[(&str, &str, bool, bool)] = &[
            (r#""xyzzy", "r2d2xxxx", "c3piozzzz""#, r#""r2d2xxxx""#, true, true),
            (r#""xyzzy", "r2d2xxxx", "c3piozzzz""#, r#"W/"r2d2xxxx""#, false, true),
            (r#"W/"xyzzy", W/"r2d2xxxx""#, r#""xyzzy""#, false, true),
            (r#""xyzzy""#, r#""other""#, false, false),
            ("*", r#""anything""#, true, true),
            ("*", r#"W/"anything""#, true, true),
            ("", r#""x""#, false, false),
            // Werkzeug: "baz" is only weakly listed, "blar" strongly
            (r#""foo", "bar", W/"baz", blar"#, r#""baz""#, false, true),
            (r#""foo", "bar", W/"baz", blar"#, r#""blar""#, true, true),
            (r#""foo", "bar", W/"baz", blar"#, r#""qux""#, false, false),
        ];
        for (list, current, strong_match, weak_match) in cases {
            let list: EntityTagList = list.parse().unwrap();
            let current: EntityTag = current.parse().unwrap();
            assert_eq!(
                list.matches_strong(&current),
                *strong_match,
                "{list} vs {current}"
            );
            assert_eq!(
                list.matches_weak(&current),
                *weak_match,
                "{list} vs {current}"
            );
            assert_eq!(
                IfNoneMatch(list.clone()).precondition_passes(&current),
                !*weak_match
            );
            assert_eq!(IfMatch(list).precondition_passes(&current), *strong_match);
        }
    }

    #[test]
    fn latin1_header_bytes_are_read_as_iso_8859_1() {
        let header = HeaderValue::from_bytes(b"\"caf\xe9\", W/\"x\"").unwrap();
        let list = IfMatch::from_header(&header).unwrap();
        let tags: Vec<String> = list.tags().iter().map(|t| t.to_string()).collect();
        assert_eq!(tags, ["\"café\"", "W/\"x\""]);
        assert!(list.0.matches_strong(&strong("café")));
    }

    #[test]
    fn a_list_is_as_small_as_a_header_value() {
        assert_eq!(
            std::mem::size_of::<EntityTagList>(),
            std::mem::size_of::<HeaderValue>()
        );
    }

    #[test]
    fn short_and_long_lists_behave_alike() {
        let long_tag = "0123456789abcdef0123456789abcdef01234567";
        for text in [
            r#""a", W/"b""#.to_string(),
            format!(r#""a", W/"b", "{long_tag}""#),
        ] {
            let from_header =
                IfNoneMatch::from_header(&HeaderValue::from_str(&text).unwrap()).unwrap();
            let from_str: IfNoneMatch = text.parse().unwrap();
            assert_eq!(from_header, from_str, "{text}");
            assert!(!from_header.precondition_passes(&strong("b")), "{text}");
            assert!(from_header.precondition_passes(&strong("c")), "{text}");
            let collected: IfNoneMatch = from_str.tags().iter().map(EntityTag::from).collect();
            assert_eq!(collected.to_string(), text);
        }
    }

    #[test]
    fn several_header_lines_combine() {
        let mut headers = http::HeaderMap::new();
        headers.append(header::IF_NONE_MATCH, HeaderValue::from_static("\"a\""));
        headers.append(header::IF_NONE_MATCH, HeaderValue::from_static("W/\"b\""));
        let list = IfNoneMatch::from_headers(&headers).unwrap().unwrap();
        assert_eq!(list.to_string(), r#""a", W/"b""#);
        assert!(!list.precondition_passes(&strong("b")));
    }

    #[test]
    fn errors_name_the_header() {
        let e = "\"a\" \"b\"".parse::<IfMatch>().unwrap_err();
        assert_eq!(e.what(), "If-Match");
        let e = "\"a".parse::<IfNoneMatch>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid If-None-Match: unterminated entity tag"
        );
        let e = "a b".parse::<EntityTag>().unwrap_err();
        assert_eq!(e.what(), "ETag");
    }

    #[test]
    fn header_values_are_canonical() {
        let tag: EntityTag = "W/blar".parse().unwrap();
        assert_eq!(tag.to_header_value(), "W/\"blar\"");
        assert_eq!(IfMatch::any().to_header_value(), "*");
        let list: IfNoneMatch = [strong("a"), weak("b")].into_iter().collect();
        assert_eq!(list.to_header_value(), r#""a", W/"b""#);
        let obs = strong("é");
        assert_eq!(obs.to_header_value().as_bytes(), "\"é\"".as_bytes());
    }

    #[test]
    fn long_lists_are_linear() {
        let text = "\"abcdef\", ".repeat(100_000);
        let list: EntityTagList = text.parse().unwrap();
        assert_eq!(list.iter().count(), 100_000);
        assert!(!list.matches_weak(&strong("zzz")));
        let unterminated = "\"".to_string() + &"a".repeat(100_000);
        assert!(unterminated.parse::<EntityTagList>().is_err());
    }

    fn arb_tag() -> impl Strategy<Value = EntityTag> {
        (any::<bool>(), "[!#-~\u{80}-\u{10ffff}]{0,12}").prop_map(|(w, t)| {
            if w {
                EntityTag::weak(t).unwrap()
            } else {
                EntityTag::strong(t).unwrap()
            }
        })
    }

    proptest! {
        #[test]
        fn entity_tag_round_trips(tag in arb_tag()) {
            let text = tag.to_string();
            prop_assert_eq!(text.parse::<EntityTag>().unwrap(), tag.clone());
            let header = tag.to_header_value();
            prop_assert_eq!(EntityTag::from_header(&header).unwrap(), tag);
        }

        #[test]
        fn entity_tag_list_round_trips(tags in proptest::collection::vec(arb_tag(), 0..6)) {
            let list: EntityTagList = tags.iter().cloned().collect();
            let parsed: EntityTagList = list.to_string().parse().unwrap();
            prop_assert_eq!(&parsed, &list);
            let owned: Vec<EntityTag> = parsed.iter().map(EntityTag::from).collect();
            prop_assert_eq!(owned, tags);
            let header: IfMatch = list.clone().into();
            prop_assert_eq!(IfMatch::from_header(&header.to_header_value()).unwrap(), header);
        }

        #[test]
        fn list_parser_never_panics(
            s in "([\\x20-\\x7e\t\u{80}-\u{ff}]|\"[a-c]{0,2}\"|W/\"[a-c]\"|w/[a-c]|[a-c]{1,2}| |,|\\*){0,12}"
        ) {
            if let Ok(list) = s.parse::<EntityTagList>() {
                let reparsed: EntityTagList = list.to_string().parse().unwrap();
                prop_assert_eq!(&reparsed, &list);
                // The fast walk over a validated list sees the tags the strict one does.
                let mut rest = s.as_bytes();
                let mut strict = Vec::new();
                while let Some(Ok(tag)) = next_in_list(&mut rest) {
                    strict.push((tag.weak, tag.tag));
                }
                let fast: Vec<(bool, &[u8])> =
                    list.iter().map(|t| (t.is_weak(), t.tag().as_bytes())).collect();
                if !list.is_any() {
                    prop_assert_eq!(fast, strict);
                }
            }
        }
    }
}
