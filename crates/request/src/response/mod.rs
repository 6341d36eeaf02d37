//! Responses tackle creates: the [`Body`] they carry, the [`Response`]
//! constructors (text, HTML, JSON, bytes, streams, redirects, downloads) and
//! [`ResponseExt`], builder methods for the status and typed headers.
//!
//! Every constructor returns a plain `http::Response<Body>`, so it goes
//! straight back through hyper, tower or axum (axum takes it as an
//! `IntoResponse` once its body converts). An [`HttpError`](crate::HttpError)
//! becomes one with `into()`.
//!
//! ```
//! use http::{StatusCode, header};
//! use tackle_http::EntityTag;
//! use tackle_request::response::{Response, ResponseExt};
//!
//! let response = Response::json(&serde_json::json!({"id": 7}))
//!     .with_status(StatusCode::CREATED)
//!     .with_etag(&EntityTag::strong("7-1")?);
//! assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
//! assert_eq!(response.headers()[header::CONTENT_LENGTH], "8");
//! # Ok::<(), tackle_http::ParseError>(())
//! ```

mod body;
mod builders;
mod layer_body;
mod redirect;
mod response_ext;

pub use body::{Body, BoxError};
pub use builders::Response;
pub use layer_body::LayerBody;
pub use redirect::InvalidRedirect;
pub use response_ext::ResponseExt;
