//! HTTP vocabulary for tackle: typed headers, content negotiation, cache
//! directives, entity tags, dates, ranges, conditional-request evaluation,
//! cookies, proxies, hosts and safe paths.
//!
//! Pure functions and types: no I/O, no async, no tower. Every parser takes
//! text a client sent, returns `Option`/`Result`, never panics and runs in
//! time linear in its input; every type formats back to a value that parses
//! to itself.
//!
//! ```
//! use tackle_http::header::{split_list, Parameters};
//!
//! let items: Vec<&str> = split_list(r#"gzip, br;q=0.5, "a, b""#).collect();
//! assert_eq!(items, ["gzip", "br;q=0.5", r#""a, b""#]);
//! let params = Parameters::parse_str("; filename*=UTF-8''%E2%82%AC.txt");
//! assert_eq!(params.get("filename"), Some("€.txt"));
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod error;
pub mod header;
mod multimap;

pub use error::ParseError;
pub use header::TypedHeader;
pub use multimap::MultiMap;
