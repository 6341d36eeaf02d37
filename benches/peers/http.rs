//! `http/` scenarios: tackle-http against the `headers` crate's typed headers.

use crate::harness::Scenario;

/// Every `http/` scenario.
pub fn scenarios() -> Vec<Scenario> {
    vec![Scenario::solo("http/list/split", || {
        tackle_http::header::split_list("gzip, br;q=0.5, \"a, b\"").count()
    })]
}
