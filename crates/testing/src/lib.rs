//! A test client for tower services, in the manner of Werkzeug's test
//! client: requests go to the service in-process as
//! `http::Request<tackle_request::Body>`, with a cookie jar kept across
//! requests, form, multipart and JSON bodies, and redirects followed by the
//! browser rules when asked. [`TestServer`] serves the same service over a
//! real loopback socket for tests that need one.
//!
//! - [`TestClient`]: the client and its defaults (redirects not followed,
//!   host `localhost`, cookies kept);
//! - [`RequestBuilder`]: headers, query, `form`, `multipart`, `json`,
//!   `body`, `cookie`, then `send`;
//! - [`TestResponse`]: status, headers, body as bytes, text or JSON, the
//!   response's cookies and the redirect [`history`](TestResponse::history);
//! - [`CookieJar`]: the RFC 6265 store (domain, path, expiry, `Secure`);
//! - [`MultipartForm`]: `multipart/form-data` bodies;
//! - [`TestServer`]: hyper on `127.0.0.1:0`, shut down on drop.
//!
//! ```
//! use std::convert::Infallible;
//! use std::future::{Ready, ready};
//! use std::task::{Context, Poll};
//!
//! use http::{Request, Response};
//! use tackle_request::Body;
//! use tackle_testing::TestClient;
//!
//! /// Greets the path it is called on.
//! #[derive(Clone)]
//! struct Hello;
//!
//! impl tower_service::Service<Request<Body>> for Hello {
//!     type Response = Response<Body>;
//!     type Error = Infallible;
//!     type Future = Ready<Result<Response<Body>, Infallible>>;
//!
//!     fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
//!         Poll::Ready(Ok(()))
//!     }
//!
//!     fn call(&mut self, request: Request<Body>) -> Self::Future {
//!         let greeting = format!("hello {}", request.uri().path());
//!         ready(Ok(Response::builder()
//!             .header("set-cookie", "seen=1; Path=/")
//!             .body(Body::from(greeting))
//!             .unwrap()))
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let client = TestClient::new(Hello);
//! let response = client.get("/world").send().await;
//! assert_eq!(response.status(), 200);
//! assert_eq!(response.text(), "hello /world");
//! assert_eq!(client.cookie_jar().get("seen"), Some("1"));
//! # });
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod client;
mod cookie_jar;
mod multipart;
mod request_builder;
mod response;
mod server;
mod uri;

pub use client::TestClient;
pub use cookie_jar::{CookieJar, StoredCookie};
pub use multipart::MultipartForm;
pub use request_builder::RequestBuilder;
pub use response::{Redirect, TestResponse};
pub use server::TestServer;
pub use uri::DEFAULT_HOST;

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
