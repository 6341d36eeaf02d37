//! HTTP authentication (RFC 9110 §11): the `Authorization` request header
//! ([`Authorization`]) and the `WWW-Authenticate` response header
//! ([`WwwAuthenticate`]), with Basic (RFC 7617), Bearer (RFC 6750) and any
//! other scheme, Digest (RFC 7616) included, as auth-params or a token68.
//!
//! After its scheme, a credential or challenge carries nothing, one
//! `token68` (`Bearer mF_9.B5f-4.1JqM`), or comma-separated `name=value`
//! auth-params whose quoted values may hold commas ([`AuthData`]). When the
//! text after the scheme matches the token68 grammar it is read as a token68,
//! even `abc=`, which could also be a parameter with an empty value: RFC 9110
//! §11.2 leaves this ambiguity and every implementation resolves it this way.
//!
//! Lenient reading: parameter names are matched case-insensitively, both
//! token and quoted values are accepted for every parameter, empty list
//! elements are skipped, and list elements that are neither `name=value` nor
//! a new scheme are skipped. A parameter whose value holds an ASCII control
//! character other than tab is skipped as well: a header cannot carry one
//! (only text passed to `parse_value` can), so it could not be written back.
//!
//! Formatting quotes every parameter value except the few RFC 7616 defines
//! as bare tokens (`algorithm`, `nc`, `qop`, `stale`, `userhash`), so the
//! RFC examples format back exactly.
//!
//! ```
//! use tackle_http::auth::{Authorization, Challenge, WwwAuthenticate};
//!
//! let auth: Authorization = "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".parse().unwrap();
//! assert_eq!(auth.as_basic(), Some(("Aladdin", "open sesame")));
//!
//! let challenge = WwwAuthenticate::from(Challenge::basic("WallyWorld"));
//! assert_eq!(challenge.to_string(), r#"Basic realm="WallyWorld", charset="UTF-8""#);
//! ```

mod auth_data;
mod authorization;
mod www_authenticate;

pub use auth_data::AuthData;
pub use authorization::Authorization;
pub use www_authenticate::{Challenge, WwwAuthenticate};
