//! Converters: what a path parameter accepts, and how a value is written
//! back into a URL (Werkzeug's converters).
//!
//! A parameter `{id:int}` names the converter `int`; `{slug:string(min=1,max=64)}`
//! passes it arguments. A converter sees the percent-decoded segment; when
//! it rejects it, the route does not match (the next route is tried, and
//! without one the answer is 404), so a handler only ever sees values its
//! converter accepted.
//!
//! | converter | accepts | arguments |
//! |---|---|---|
//! | *(none)*, `string` | any non-empty segment (an encoded `%2F` included) | `min`, `max`, `length` (in characters) |
//! | `int` | optional `-`, then ASCII digits, fits an `i64` | `min`, `max` |
//! | `uint` | ASCII digits, fits a `u64` | `min`, `max` |
//! | `float` | optional `-`, digits, optional `.` and digits | `min`, `max` |
//! | `uuid` | `8-4-4-4-12` hexadecimal digits, any case | none |
//! | `any(a,b,...)` | exactly one of the listed words | the words |
//! | `path`, `{*name}` | the rest of the path, slashes included (last only) | none |
//!
//! User converters implement [`Converter`] and are registered with
//! [`Router::converter`](crate::Router::converter).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// A path-parameter type: parses a (percent-decoded) segment into a value,
/// and formats a value back for URL building.
///
/// ```
/// use tackle_routing::Converter;
///
/// /// Accepts `on`/`off`.
/// struct Switch;
///
/// impl Converter for Switch {
///     type Value = bool;
///     fn parse(&self, segment: &str) -> Option<bool> {
///         match segment {
///             "on" => Some(true),
///             "off" => Some(false),
///             _ => None,
///         }
///     }
///     fn format(&self, value: &bool) -> String {
///         if *value { "on".into() } else { "off".into() }
///     }
/// }
///
/// assert_eq!(Switch.parse("on"), Some(true));
/// assert_eq!(Switch.format(&false), "off");
/// ```
pub trait Converter: Send + Sync + 'static {
    /// The value a segment stands for.
    type Value;

    /// The value of `segment`, or `None` when the segment does not fit (the
    /// route then does not match).
    fn parse(&self, segment: &str) -> Option<Self::Value>;

    /// `value` written as a path segment (before percent-encoding). Parsing
    /// the result must give `value` back.
    fn format(&self, value: &Self::Value) -> String;

    /// The converter's rank among routes of the same shape: lower is tried
    /// first. The built-in ones: `any` 20, `uint` 40, `int` 45, `float`
    /// and `uuid` 50, `string` 100, `path` 200; user converters default
    /// to 50.
    fn weight(&self) -> u32 {
        50
    }

    /// Whether the value may contain `/` (only for a parameter that ends
    /// the pattern, as `path` does).
    fn matches_slashes(&self) -> bool {
        false
    }
}

/// The converter of one parameter, with its value type erased so that one
/// route can hold converters of different types.
pub(crate) trait DynConverter: Send + Sync {
    fn accepts(&self, segment: &str) -> bool;
    /// The canonical form of `value` (parse, then format), or `None`.
    fn canonical(&self, value: &str) -> Option<String>;
    fn weight(&self) -> u32;
    fn matches_slashes(&self) -> bool;
}

impl<C: Converter> DynConverter for C {
    fn accepts(&self, segment: &str) -> bool {
        self.parse(segment).is_some()
    }

    fn canonical(&self, value: &str) -> Option<String> {
        self.parse(value).map(|value| self.format(&value))
    }

    fn weight(&self) -> u32 {
        Converter::weight(self)
    }

    fn matches_slashes(&self) -> bool {
        Converter::matches_slashes(self)
    }
}

/// The arguments written after a converter's name: `string(min=1,max=64)`
/// has the keywords `min` and `max`; `any(en,de)` has the positional
/// arguments `en` and `de`. Values are taken as written, trimmed of spaces;
/// quoting is not supported, so an argument cannot contain `,` or `)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConverterArgs {
    positional: Vec<String>,
    keywords: Vec<(String, String)>,
}

impl ConverterArgs {
    pub(crate) fn parse(text: &str) -> ConverterArgs {
        let mut args = ConverterArgs::default();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item.split_once('=') {
                Some((key, value)) => args
                    .keywords
                    .push((key.trim().to_owned(), value.trim().to_owned())),
                None => args.positional.push(item.to_owned()),
            }
        }
        args
    }

    /// The positional arguments, in order.
    pub fn positional(&self) -> &[String] {
        &self.positional
    }

    /// The value of the keyword argument `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.keywords
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The keyword argument `key` parsed as a `T`; an error says which
    /// argument did not parse.
    pub fn parse_keyword<T: std::str::FromStr>(&self, key: &str) -> Result<Option<T>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => value
                .parse()
                .map(Some)
                .map_err(|_| format!("argument {key}={value} is not valid")),
        }
    }

    /// An error unless every keyword is one of `allowed` and there are no
    /// positional arguments: converters call it to reject typos.
    pub fn only_keywords(&self, allowed: &[&str]) -> Result<(), String> {
        if let Some(extra) = self.positional.first() {
            return Err(format!("unexpected argument {extra:?}"));
        }
        match self.keywords.iter().find(|(k, _)| !allowed.contains(&&**k)) {
            Some((key, _)) => Err(format!(
                "unknown argument {key:?} (expected one of: {})",
                allowed.join(", ")
            )),
            None => Ok(()),
        }
    }
}

/// Builds a converter from its arguments, or says why they are wrong.
type Factory = dyn Fn(&ConverterArgs) -> Result<Arc<dyn DynConverter>, String> + Send + Sync;

/// The converters a router knows by name: the built-in ones and those
/// registered with [`Router::converter`](crate::Router::converter).
#[derive(Clone)]
pub(crate) struct Converters {
    by_name: HashMap<String, Arc<Factory>>,
}

impl fmt::Debug for Converters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<_> = self.by_name.keys().collect();
        names.sort();
        f.debug_set().entries(names).finish()
    }
}

impl Default for Converters {
    fn default() -> Self {
        let mut converters = Converters {
            by_name: HashMap::new(),
        };
        converters.insert("string", |args| Ok(Arc::new(Text::from_args(args)?)));
        converters.insert("int", |args| Ok(Arc::new(Number::<i64>::from_args(args)?)));
        converters.insert("uint", |args| Ok(Arc::new(Number::<u64>::from_args(args)?)));
        converters.insert("float", |args| {
            Ok(Arc::new(Number::<f64>::from_args(args)?))
        });
        converters.insert("uuid", |args| {
            args.only_keywords(&[])?;
            Ok(Arc::new(Uuid))
        });
        converters.insert("any", |args| Ok(Arc::new(AnyOf::from_args(args)?)));
        converters.insert("path", |args| {
            args.only_keywords(&[])?;
            Ok(Arc::new(Path))
        });
        converters
    }
}

impl Converters {
    pub(crate) fn insert<F>(&mut self, name: &str, factory: F)
    where
        F: Fn(&ConverterArgs) -> Result<Arc<dyn DynConverter>, String> + Send + Sync + 'static,
    {
        self.by_name.insert(name.to_owned(), Arc::new(factory));
    }

    /// The converter `name` with `args`, or a message saying why not.
    pub(crate) fn make(&self, name: &str, args: &str) -> Result<Arc<dyn DynConverter>, String> {
        let factory = self
            .by_name
            .get(name)
            .ok_or_else(|| format!("unknown converter {name:?}"))?;
        factory(&ConverterArgs::parse(args)).map_err(|why| format!("converter {name}: {why}"))
    }

    /// The converter of a parameter written without one.
    pub(crate) fn default_converter() -> Arc<dyn DynConverter> {
        Arc::new(Text::default())
    }
}

/// `string`: a non-empty segment, optionally bounded in characters.
#[derive(Debug)]
struct Text {
    min: usize,
    max: usize,
}

impl Default for Text {
    fn default() -> Self {
        Text {
            min: 1,
            max: usize::MAX,
        }
    }
}

impl Text {
    fn from_args(args: &ConverterArgs) -> Result<Text, String> {
        args.only_keywords(&["min", "max", "length"])?;
        let mut text = Text::default();
        if let Some(length) = args.parse_keyword("length")? {
            text.min = length;
            text.max = length;
        }
        if let Some(min) = args.parse_keyword("min")? {
            text.min = min;
        }
        if let Some(max) = args.parse_keyword("max")? {
            text.max = max;
        }
        // An empty segment never reaches a converter: the router does not
        // match empty parameters.
        text.min = text.min.max(1);
        if text.min > text.max {
            return Err(format!("min ({}) is over max ({})", text.min, text.max));
        }
        Ok(text)
    }
}

impl Converter for Text {
    type Value = String;

    fn parse(&self, segment: &str) -> Option<String> {
        // Count characters only as far as the bounds need.
        let count = segment.chars().take(self.max.saturating_add(1)).count();
        (self.min..=self.max)
            .contains(&count)
            .then(|| segment.to_owned())
    }

    fn format(&self, value: &String) -> String {
        value.clone()
    }

    fn weight(&self) -> u32 {
        100
    }
}

/// The numeric types of `int`, `uint` and `float`.
trait Numeric: Copy + PartialOrd + std::str::FromStr + fmt::Display + Send + Sync + 'static {
    const SIGNED: bool;
    const FRACTION: bool;
    /// Every `uint` is an `int` and every `int` a `float`: the narrower
    /// converter goes first, or it could never match.
    const WEIGHT: u32;
}

impl Numeric for i64 {
    const SIGNED: bool = true;
    const FRACTION: bool = false;
    const WEIGHT: u32 = 45;
}

impl Numeric for u64 {
    const SIGNED: bool = false;
    const FRACTION: bool = false;
    const WEIGHT: u32 = 40;
}

impl Numeric for f64 {
    const SIGNED: bool = true;
    const FRACTION: bool = true;
    const WEIGHT: u32 = 50;
}

/// `int`, `uint`, `float`: plain decimal notation (no `+`, exponent, `inf`
/// or `NaN`, which the standard parsers would take), optionally bounded.
#[derive(Debug)]
struct Number<T> {
    min: Option<T>,
    max: Option<T>,
}

impl<T: Numeric> Number<T> {
    fn from_args(args: &ConverterArgs) -> Result<Self, String> {
        args.only_keywords(&["min", "max"])?;
        Ok(Number {
            min: args.parse_keyword("min")?,
            max: args.parse_keyword("max")?,
        })
    }

    fn is_decimal(text: &str) -> bool {
        let digits = match text.strip_prefix('-') {
            Some(rest) if T::SIGNED => rest,
            _ => text,
        };
        let (whole, fraction) = match digits.split_once('.') {
            Some((whole, fraction)) if T::FRACTION => (whole, Some(fraction)),
            _ => (digits, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        all_digits(whole) && fraction.is_none_or(all_digits)
    }
}

impl<T: Numeric> Converter for Number<T> {
    type Value = T;

    fn parse(&self, segment: &str) -> Option<T> {
        if !Self::is_decimal(segment) {
            return None;
        }
        let value: T = segment.parse().ok()?;
        let in_range = self.min.is_none_or(|min| value >= min)
            && self.max.is_none_or(|max| value <= max)
            // A float too large for f64 parses as infinity.
            && value.to_string().bytes().all(|b| b != b'i');
        in_range.then_some(value)
    }

    fn format(&self, value: &T) -> String {
        value.to_string()
    }

    fn weight(&self) -> u32 {
        T::WEIGHT
    }
}

/// `uuid`: the hyphenated form, any case; formatted in lowercase.
#[derive(Debug)]
struct Uuid;

impl Converter for Uuid {
    type Value = String;

    fn parse(&self, segment: &str) -> Option<String> {
        let bytes = segment.as_bytes();
        let shaped = bytes.len() == 36
            && bytes.iter().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => *b == b'-',
                _ => b.is_ascii_hexdigit(),
            });
        shaped.then(|| segment.to_ascii_lowercase())
    }

    fn format(&self, value: &String) -> String {
        value.clone()
    }
}

/// `any(a,b,c)`: one of the listed words, compared exactly.
#[derive(Debug)]
struct AnyOf {
    words: Vec<String>,
}

impl AnyOf {
    fn from_args(args: &ConverterArgs) -> Result<AnyOf, String> {
        if let Some((key, _)) = args.keywords.first() {
            return Err(format!("unexpected keyword argument {key:?}"));
        }
        if args.positional.is_empty() {
            return Err("needs at least one word, as in any(en,de)".to_owned());
        }
        if let Some(word) = args.positional.iter().find(|w| w.contains('/')) {
            return Err(format!("word {word:?} contains '/'"));
        }
        Ok(AnyOf {
            words: args.positional.clone(),
        })
    }
}

impl Converter for AnyOf {
    type Value = String;

    fn parse(&self, segment: &str) -> Option<String> {
        self.words
            .iter()
            .any(|w| w == segment)
            .then(|| segment.to_owned())
    }

    fn format(&self, value: &String) -> String {
        value.clone()
    }

    fn weight(&self) -> u32 {
        20
    }
}

/// `path`: the rest of the path, non-empty, slashes included.
#[derive(Debug)]
struct Path;

impl Converter for Path {
    type Value = String;

    fn parse(&self, segment: &str) -> Option<String> {
        (!segment.is_empty()).then(|| segment.to_owned())
    }

    fn format(&self, value: &String) -> String {
        value.clone()
    }

    fn weight(&self) -> u32 {
        200
    }

    fn matches_slashes(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(spec: &str, args: &str, segment: &str) -> bool {
        Converters::default()
            .make(spec, args)
            .unwrap()
            .accepts(segment)
    }

    #[test]
    fn builtin_converters_accept_and_reject() {
        // (converter, arguments, segment, accepted)
        let cases: &[(&str, &str, &str, bool)] = &[
            ("int", "", "42", true),
            ("int", "", "-42", true),
            ("int", "", "0", true),
            ("int", "", "007", true),
            ("int", "", "+42", false),
            ("int", "", "4.2", false),
            ("int", "", "", false),
            ("int", "", "-", false),
            ("int", "", "1e3", false),
            ("int", "", "９", false),
            ("int", "", "9223372036854775807", true),
            ("int", "", "9223372036854775808", false),
            ("int", "min=1,max=10", "10", true),
            ("int", "min=1,max=10", "11", false),
            ("int", "min=1,max=10", "0", false),
            ("uint", "", "42", true),
            ("uint", "", "-1", false),
            ("uint", "", "18446744073709551615", true),
            ("uint", "", "18446744073709551616", false),
            ("float", "", "1.5", true),
            ("float", "", "-0.25", true),
            ("float", "", "2", true),
            ("float", "", "1.", false),
            ("float", "", ".5", false),
            ("float", "", "inf", false),
            ("float", "", "NaN", false),
            ("float", "", "1e5", false),
            ("float", "max=1.5", "1.6", false),
            ("uuid", "", "936da01f-9abd-4d9d-80c7-02af85c822a8", true),
            ("uuid", "", "936DA01F-9ABD-4D9D-80C7-02AF85C822A8", true),
            ("uuid", "", "936da01f9abd4d9d80c702af85c822a8", false),
            ("uuid", "", "936da01f-9abd-4d9d-80c7-02af85c822a", false),
            ("uuid", "", "936da01g-9abd-4d9d-80c7-02af85c822a8", false),
            ("any", "en,de,fr", "de", true),
            ("any", "en, de ,fr", "de", true),
            ("any", "en,de,fr", "es", false),
            ("any", "en,de,fr", "EN", false),
            ("string", "", "hello world", true),
            // An encoded slash (`%2F`) stays inside its segment.
            ("string", "", "a/b", true),
            ("string", "min=2,max=3", "ab", true),
            ("string", "min=2,max=3", "abc", true),
            ("string", "min=2,max=3", "a", false),
            ("string", "min=2,max=3", "abcd", false),
            ("string", "max=2", "éé", true),
            ("string", "length=2", "abc", false),
            ("path", "", "a/b/c", true),
            ("path", "", "", false),
        ];
        for &(name, args, segment, expected) in cases {
            assert_eq!(
                accepts(name, args, segment),
                expected,
                "{name}({args}) on {segment:?}"
            );
        }
    }

    #[test]
    fn canonical_forms_for_building() {
        let cases: &[(&str, &str, &str, Option<&str>)] = &[
            ("int", "", "007", Some("7")),
            ("int", "", "-0", Some("0")),
            ("float", "", "1.50", Some("1.5")),
            ("float", "", "2.0", Some("2")),
            (
                "uuid",
                "",
                "936DA01F-9ABD-4D9D-80C7-02AF85C822A8",
                Some("936da01f-9abd-4d9d-80c7-02af85c822a8"),
            ),
            ("any", "a,b", "c", None),
            ("uint", "", "x", None),
        ];
        let converters = Converters::default();
        for &(name, args, value, expected) in cases {
            let converter = converters.make(name, args).unwrap();
            assert_eq!(
                converter.canonical(value).as_deref(),
                expected,
                "{name} {value}"
            );
        }
    }

    #[test]
    fn bad_converter_specs_are_named() {
        let cases: &[(&str, &str, &str)] = &[
            ("nope", "", "unknown converter \"nope\""),
            ("int", "min=x", "converter int: argument min=x is not valid"),
            (
                "int",
                "step=2",
                "converter int: unknown argument \"step\" (expected one of: min, max)",
            ),
            (
                "any",
                "",
                "converter any: needs at least one word, as in any(en,de)",
            ),
            (
                "string",
                "min=5,max=2",
                "converter string: min (5) is over max (2)",
            ),
            ("uuid", "v4", "converter uuid: unexpected argument \"v4\""),
        ];
        let converters = Converters::default();
        for &(name, args, message) in cases {
            match converters.make(name, args) {
                Err(why) => assert_eq!(why, message, "{name}({args})"),
                Ok(_) => panic!("{name}({args}) was accepted"),
            }
        }
    }

    #[test]
    fn args_parse_positional_and_keywords() {
        let args = ConverterArgs::parse(" en , de,min = 2,,");
        assert_eq!(args.positional(), ["en", "de"]);
        assert_eq!(args.get("min"), Some("2"));
        assert_eq!(args.parse_keyword::<u8>("min"), Ok(Some(2)));
        assert_eq!(args.parse_keyword::<u8>("max"), Ok(None));
    }
}
