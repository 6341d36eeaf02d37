//! URL building (Werkzeug's `url_for`): the path of a named route with its
//! parameters filled in by their converters, percent-encoded, and the
//! parameters the route does not take appended as the query string.

use std::collections::HashMap;
use std::sync::Arc;

use tackle_http::urlencoded::encode_form;
use tackle_request::extensions::BuildUrlError;

use crate::pattern::{BuildFailure, Pattern};

/// Why a URL could not be built: no route has the name (with the closest
/// name suggested), or a parameter is missing or does not fit its
/// converter. The same type as [`tackle_request::extensions::BuildUrlError`],
/// which handlers get from a [`UrlBuilder`](tackle_request::UrlBuilder).
pub type BuildError = BuildUrlError;

/// The named routes of a router, and of the routers mounted in it, with
/// the prefix each is mounted under.
#[derive(Clone, Debug, Default)]
pub(crate) struct Names {
    routes: HashMap<Arc<str>, NamedRoute>,
}

#[derive(Clone, Debug)]
struct NamedRoute {
    prefix: Arc<str>,
    pattern: Pattern,
}

impl Names {
    /// Whether no route has a name.
    pub(crate) fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// Adds `name` for `pattern` under `prefix`; an error when the name is
    /// taken by another route.
    pub(crate) fn insert(
        &mut self,
        name: &str,
        prefix: &str,
        pattern: &Pattern,
    ) -> Result<(), String> {
        if let Some(existing) = self.routes.get(name) {
            let same = &*existing.prefix == prefix && existing.pattern.source() == pattern.source();
            if same {
                return Ok(());
            }
            return Err(format!(
                "route name {name:?} is given to {:?} and to {:?}",
                format!("{}{}", existing.prefix, existing.pattern.source()),
                format!("{prefix}{}", pattern.source())
            ));
        }
        self.routes.insert(
            Arc::from(name),
            NamedRoute {
                prefix: Arc::from(prefix),
                pattern: pattern.clone(),
            },
        );
        Ok(())
    }

    /// Adds every name of `other` under `prefix`.
    pub(crate) fn import(&mut self, prefix: &str, other: &Names) -> Result<(), String> {
        for (name, route) in &other.routes {
            self.insert(name, &format!("{prefix}{}", route.prefix), &route.pattern)?;
        }
        Ok(())
    }

    /// The URL of `name` with `params`, after `prefix` (a mount prefix).
    pub(crate) fn build(
        &self,
        prefix: &str,
        name: &str,
        params: &[(&str, &str)],
    ) -> Result<String, BuildError> {
        let route = self
            .routes
            .get(name)
            .ok_or_else(|| BuildError::unknown_route(name).with_suggestion(self.closest(name)))?;
        let mut url = String::with_capacity(prefix.len() + route.prefix.len() + 32);
        url.push_str(prefix);
        url.push_str(&route.prefix);
        let mut used = vec![false; params.len()];
        route
            .pattern
            .build(&mut url, params, &mut used)
            .map_err(|failure| match failure {
                BuildFailure::Missing(param) => BuildError::missing_param(name, &param),
                BuildFailure::Invalid(param) => BuildError::invalid_param(name, &param),
            })?;
        if used.iter().any(|used| !used) {
            url.push('?');
            url.push_str(&encode_form(
                params
                    .iter()
                    .zip(&used)
                    .filter(|(_, used)| !**used)
                    .map(|(pair, _)| *pair),
            ));
        }
        Ok(url)
    }

    /// The known name most like `name`, if any is close.
    fn closest(&self, name: &str) -> Option<&str> {
        self.routes
            .keys()
            .map(|known| (strsim::jaro_winkler(name, known), known))
            .filter(|(score, _)| *score >= 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
            .map(|(_, known)| &**known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::converter::Converters;

    fn names() -> Names {
        let converters = Converters::default();
        let mut names = Names::default();
        for (name, source) in [
            ("user.show", "/users/{id:int}"),
            ("user.list", "/users"),
            ("file", "/files/{*path}"),
            ("lang", "/{lang:any(en,de)}/about"),
        ] {
            let pattern = Pattern::parse(source, &converters).unwrap();
            names.insert(name, "", &pattern).unwrap();
        }
        names
    }

    /// Parameters as a test case gives them.
    type Params = &'static [(&'static str, &'static str)];

    #[test]
    fn builds_paths_and_queries() {
        let names = names();
        let cases: &[(&str, &str, Params, &str)] = &[
            ("", "user.show", &[("id", "42")], "/users/42"),
            ("", "user.show", &[("id", "042")], "/users/42"),
            ("/api", "user.show", &[("id", "7")], "/api/users/7"),
            ("", "user.list", &[], "/users"),
            (
                "",
                "user.list",
                &[("page", "2"), ("q", "a b&c")],
                "/users?page=2&q=a+b%26c",
            ),
            (
                "",
                "user.show",
                &[("tab", "x"), ("id", "1")],
                "/users/1?tab=x",
            ),
            (
                "",
                "file",
                &[("path", "docs/read me.txt")],
                "/files/docs/read%20me.txt",
            ),
            ("", "lang", &[("lang", "de")], "/de/about"),
        ];
        for &(prefix, name, params, url) in cases {
            assert_eq!(
                names.build(prefix, name, params).unwrap(),
                url,
                "{name} {params:?}"
            );
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let names = names();
        let cases: &[(&str, Params, &str)] = &[
            (
                "user.show",
                &[],
                "route \"user.show\" needs parameter \"id\"",
            ),
            (
                "user.show",
                &[("id", "x")],
                "parameter \"id\" is not valid for route \"user.show\"",
            ),
            (
                "lang",
                &[("lang", "fr")],
                "parameter \"lang\" is not valid for route \"lang\"",
            ),
            (
                "user.shwo",
                &[],
                "no route named \"user.shwo\" (did you mean \"user.show\"?)",
            ),
            (
                "usr.list",
                &[],
                "no route named \"usr.list\" (did you mean \"user.list\"?)",
            ),
            ("zzz", &[], "no route named \"zzz\""),
        ];
        for &(name, params, message) in cases {
            let error = names.build("", name, params).unwrap_err();
            assert_eq!(error.to_string(), message, "{name}");
        }
    }

    #[test]
    fn a_name_twice_is_an_error_naming_both() {
        let mut names = names();
        let pattern = Pattern::parse("/people/{id}", &Converters::default()).unwrap();
        assert_eq!(
            names.insert("user.show", "", &pattern),
            Err(
                "route name \"user.show\" is given to \"/users/{id:int}\" and to \"/people/{id}\""
                    .to_owned()
            )
        );
    }
}
