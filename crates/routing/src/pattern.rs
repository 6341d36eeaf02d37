//! Route patterns: matchit's syntax (`/users/{id}`, `/files/{*path}`,
//! `{{`/`}}` for literal braces) with converters (`{id:int}`,
//! `{lang:any(en,de)}`, `{rest:path}`).
//!
//! A pattern is compiled into its *shape*, the matchit route with each
//! parameter renamed by position (`/users/{p0}`), so that routes differing
//! only in converters share one matchit entry and are tried in a fixed
//! order; and into the parts URL building fills in.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use crate::converter::{Converters, DynConverter};
use crate::path;

/// A compiled route pattern.
#[derive(Clone)]
pub(crate) struct Pattern {
    /// The pattern as written.
    source: Arc<str>,
    /// The matchit route.
    shape: String,
    parts: Vec<Part>,
    params: Vec<Param>,
    /// No parameter has a converter to ask.
    accepts_anything: bool,
}

#[derive(Clone, Debug)]
enum Part {
    /// Path text, already in matching form (percent-encoded as needed).
    Static(String),
    /// The parameter at this index.
    Param(usize),
}

#[derive(Clone)]
pub(crate) struct Param {
    pub(crate) name: Arc<str>,
    /// `int`, `string(min=1)`: decides the order among routes of one shape.
    spec: String,
    pub(crate) converter: Arc<dyn DynConverter>,
    /// The converter is the default one, which accepts any non-empty
    /// segment: no need to call it.
    pub(crate) accepts_any: bool,
}

impl fmt::Debug for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}:{}}}", self.name, self.spec)
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl Pattern {
    /// Compiles `source`, or says what is wrong with it.
    pub(crate) fn parse(source: &str, converters: &Converters) -> Result<Pattern, String> {
        if !source.starts_with('/') {
            return Err("a route must start with '/'".to_owned());
        }
        let mut pattern = Pattern {
            source: Arc::from(source),
            shape: String::with_capacity(source.len()),
            parts: Vec::new(),
            params: Vec::new(),
            accepts_anything: false,
        };
        let mut text = String::new();
        let mut rest = source;
        while let Some(c) = rest.chars().next() {
            match c {
                '{' if rest.starts_with("{{") => {
                    text.push('{');
                    rest = &rest[2..];
                }
                '}' if rest.starts_with("}}") => {
                    text.push('}');
                    rest = &rest[2..];
                }
                '}' => return Err("unmatched '}' (write '}}' for a literal brace)".to_owned()),
                '{' => {
                    let end = rest
                        .find('}')
                        .ok_or("unclosed '{' (write '{{' for a literal brace)")?;
                    pattern.push_static(&mut text);
                    pattern.push_param(&rest[1..end], converters)?;
                    rest = &rest[end + 1..];
                }
                _ => {
                    text.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        pattern.push_static(&mut text);
        pattern.check_catch_all()?;
        pattern.accepts_anything = pattern.params.iter().all(|p| p.accepts_any);
        Ok(pattern)
    }

    fn push_static(&mut self, text: &mut String) {
        if text.is_empty() {
            return;
        }
        // Braces come out escaped, so the text needs no matchit escaping.
        let normal = path::normalize_static(text);
        self.shape.push_str(&normal);
        self.parts.push(Part::Static(normal));
        text.clear();
    }

    fn push_param(&mut self, inside: &str, converters: &Converters) -> Result<(), String> {
        let (name, spec) = match inside.strip_prefix('*') {
            Some(name) => (name, "path"),
            None => inside.split_once(':').unwrap_or((inside, "")),
        };
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(format!(
                "parameter {{{inside}}} needs a name of letters, digits and '_'"
            ));
        }
        if self.params.iter().any(|p| &*p.name == name) {
            return Err(format!("parameter {name:?} appears twice"));
        }
        let spec = spec.trim();
        let converter = if spec.is_empty() {
            Converters::default_converter()
        } else {
            let (converter_name, args) = match spec.split_once('(') {
                Some((converter_name, args)) => {
                    let args = args
                        .strip_suffix(')')
                        .ok_or_else(|| format!("converter {spec:?} misses its ')'"))?;
                    (converter_name.trim(), args)
                }
                None => (spec, ""),
            };
            converters.make(converter_name, args)?
        };
        let index = self.params.len();
        if converter.matches_slashes() {
            self.shape.push_str(&format!("{{*p{index}}}"));
        } else {
            self.shape.push_str(&format!("{{p{index}}}"));
        }
        self.params.push(Param {
            name: Arc::from(name),
            spec: if spec.is_empty() {
                "string".to_owned()
            } else {
                spec.to_owned()
            },
            accepts_any: spec.is_empty(),
            converter,
        });
        self.parts.push(Part::Param(index));
        Ok(())
    }

    /// A parameter that takes slashes must be a whole last segment: that is
    /// what matchit's catch-all can match.
    fn check_catch_all(&self) -> Result<(), String> {
        for (i, part) in self.parts.iter().enumerate() {
            let Part::Param(index) = part else { continue };
            let param = &self.params[*index];
            if !param.converter.matches_slashes() {
                continue;
            }
            let after_slash = match i.checked_sub(1).map(|j| &self.parts[j]) {
                Some(Part::Static(text)) => text.ends_with('/'),
                _ => false,
            };
            if i + 1 != self.parts.len() || !after_slash {
                return Err(format!(
                    "parameter {:?} takes slashes, so it must be a whole segment at the end",
                    param.name
                ));
            }
        }
        Ok(())
    }

    /// The pattern as written.
    pub(crate) fn source(&self) -> &Arc<str> {
        &self.source
    }

    /// The matchit route.
    pub(crate) fn shape(&self) -> &str {
        &self.shape
    }

    /// Whether a parameter shares its segment with literal text
    /// (`/img-{id}.png`): matchit does not always backtrack out of such a
    /// segment, so a miss must be double-checked.
    pub(crate) fn has_partial_segment(&self) -> bool {
        self.parts.iter().enumerate().any(|(i, part)| {
            let Part::Param(_) = part else { return false };
            let before = match i.checked_sub(1).map(|j| &self.parts[j]) {
                Some(Part::Static(text)) => text.ends_with('/'),
                _ => true,
            };
            let after = match self.parts.get(i + 1) {
                Some(Part::Static(text)) => text.starts_with('/'),
                _ => true,
            };
            !(before && after)
        })
    }

    /// The literal text before the first parameter.
    pub(crate) fn static_prefix(&self) -> &str {
        match self.parts.first() {
            Some(Part::Static(text)) => text,
            _ => "",
        }
    }

    /// The number of literal characters: more is more specific.
    pub(crate) fn literal_len(&self) -> usize {
        self.parts
            .iter()
            .map(|part| match part {
                Part::Static(text) => text.len(),
                Part::Param(_) => 0,
            })
            .sum()
    }

    pub(crate) fn params(&self) -> &[Param] {
        &self.params
    }

    /// Whether every parameter takes any value (no converter to ask).
    pub(crate) fn accepts_anything(&self) -> bool {
        self.accepts_anything
    }

    /// Whether a route of this pattern and one of `other` would match the
    /// same paths and capture the same values: their converters are the
    /// same, parameter for parameter.
    pub(crate) fn same_converters(&self, other: &Pattern) -> bool {
        self.shape == other.shape
            && self
                .params
                .iter()
                .zip(&other.params)
                .all(|(a, b)| a.spec == b.spec)
    }

    /// The order in which routes of one shape are tried: by converter
    /// weight, parameter by parameter, then by converter text, then by the
    /// pattern itself. It depends on nothing but the two patterns.
    pub(crate) fn priority(&self, other: &Pattern) -> Ordering {
        let key = |p: &Param| (p.converter.weight(), p.spec.clone());
        self.params
            .iter()
            .map(key)
            .cmp(other.params.iter().map(key))
            .then_with(|| self.source.cmp(&other.source))
    }

    /// The path of this pattern with `values` filled in, or the name of the
    /// first parameter missing or not fitting its converter. Used values
    /// are marked in `used`.
    pub(crate) fn build(
        &self,
        out: &mut String,
        values: &[(&str, &str)],
        used: &mut [bool],
    ) -> Result<(), BuildFailure> {
        for part in &self.parts {
            match part {
                Part::Static(text) => out.push_str(text),
                Part::Param(index) => {
                    let param = &self.params[*index];
                    let position = values
                        .iter()
                        .position(|(name, _)| *name == &*param.name)
                        .ok_or_else(|| BuildFailure::Missing(param.name.clone()))?;
                    used[position] = true;
                    let value = values[position].1;
                    let canonical = param
                        .converter
                        .canonical(value)
                        .ok_or_else(|| BuildFailure::Invalid(param.name.clone()))?;
                    if param.converter.matches_slashes() {
                        out.push_str(&path::encode_path(&canonical));
                    } else if canonical.is_empty() {
                        return Err(BuildFailure::Invalid(param.name.clone()));
                    } else {
                        out.push_str(&path::encode_segment(&canonical));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Why [`Pattern::build`] failed.
#[derive(Debug)]
pub(crate) enum BuildFailure {
    Missing(Arc<str>),
    Invalid(Arc<str>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(source: &str) -> Result<Pattern, String> {
        Pattern::parse(source, &Converters::default())
    }

    #[test]
    fn shapes_rename_parameters_by_position() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("/", "/", &[]),
            ("/users/{id}", "/users/{p0}", &["id"]),
            (
                "/users/{id:int}/posts/{slug}",
                "/users/{p0}/posts/{p1}",
                &["id", "slug"],
            ),
            ("/files/{*path}", "/files/{*p0}", &["path"]),
            ("/files/{rest:path}", "/files/{*p0}", &["rest"]),
            ("/img-{id:uint}.png", "/img-{p0}.png", &["id"]),
            // Literal braces are escaped, so they never meet matchit's own.
            ("/{{literal}}/{x}", "/%7Bliteral%7D/{p0}", &["x"]),
            ("/{x}}}", "/{p0}%7D", &["x"]),
            (
                "/{lang:any(en,de)}/{slug:string(min=1,max=64)}",
                "/{p0}/{p1}",
                &["lang", "slug"],
            ),
            ("/café", "/caf%C3%A9", &[]),
        ];
        for &(source, shape, names) in cases {
            let pattern = parse(source).unwrap_or_else(|e| panic!("{source}: {e}"));
            assert_eq!(pattern.shape(), shape, "{source}");
            let got: Vec<&str> = pattern.params().iter().map(|p| &*p.name).collect();
            assert_eq!(got, names, "{source}");
        }
    }

    #[test]
    fn bad_patterns_say_why() {
        let cases: &[(&str, &str)] = &[
            ("users", "a route must start with '/'"),
            ("/a/{id", "unclosed '{' (write '{{' for a literal brace)"),
            ("/a/}", "unmatched '}' (write '}}' for a literal brace)"),
            (
                "/a/{}",
                "parameter {} needs a name of letters, digits and '_'",
            ),
            (
                "/a/{:int}",
                "parameter {:int} needs a name of letters, digits and '_'",
            ),
            (
                "/a/{x-y}",
                "parameter {x-y} needs a name of letters, digits and '_'",
            ),
            ("/{id}/{id}", "parameter \"id\" appears twice"),
            ("/{id:nope}", "unknown converter \"nope\""),
            ("/{id:int(min=1}", "converter \"int(min=1\" misses its ')'"),
            (
                "/{p:path}/edit",
                "parameter \"p\" takes slashes, so it must be a whole segment at the end",
            ),
            (
                "/x{p:path}",
                "parameter \"p\" takes slashes, so it must be a whole segment at the end",
            ),
        ];
        for &(source, message) in cases {
            match parse(source) {
                Err(why) => assert_eq!(why, message, "{source}"),
                Ok(_) => panic!("{source} was accepted"),
            }
        }
    }

    #[test]
    fn build_fills_encodes_and_checks() {
        let pattern = parse("/users/{id:int}/{name}/{*rest}").unwrap();
        let mut out = String::new();
        let values = [
            ("rest", "a b/c"),
            ("name", "x/y"),
            ("id", "007"),
            ("page", "2"),
        ];
        let mut used = [false; 4];
        pattern.build(&mut out, &values, &mut used).unwrap();
        assert_eq!(out, "/users/7/x%2Fy/a%20b/c");
        assert_eq!(used, [true, true, true, false]);

        let mut out = String::new();
        let failure = pattern.build(&mut out, &[("id", "x")], &mut [false]);
        assert!(matches!(failure, Err(BuildFailure::Invalid(name)) if &*name == "id"));
        let failure = pattern.build(&mut String::new(), &[("id", "1")], &mut [false]);
        assert!(matches!(failure, Err(BuildFailure::Missing(name)) if &*name == "name"));
    }

    #[test]
    fn priority_prefers_typed_converters() {
        let int = parse("/v/{id:int}").unwrap();
        let any = parse("/v/{id:any(a,b)}").unwrap();
        let text = parse("/v/{name}").unwrap();
        assert_eq!(int.priority(&text), Ordering::Less);
        assert_eq!(any.priority(&int), Ordering::Less);
        assert_eq!(text.priority(&text), Ordering::Equal);
        assert!(int.same_converters(&parse("/v/{other:int}").unwrap()));
        assert!(!int.same_converters(&text));
    }
}
