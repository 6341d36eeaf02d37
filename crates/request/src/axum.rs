//! axum integration (feature `axum`): [`HttpError`] and [`Body`] are
//! axum responses, and a [`Body`] converts into axum's body.
//!
//! A [`handler`](crate::handler()) needs none of this: it is a `tower`
//! service answering `http::Response<Body>`, which axum's
//! `Router::route_service` takes as it is. These impls are for axum's own
//! handlers, so that they can return an `HttpError` (or use `?` on one) and
//! a tackle [`Body`]:
//!
//! ```
//! use axum_core::response::IntoResponse;
//! use tackle_request::{Body, HttpError};
//!
//! async fn show(id: u32) -> Result<Body, HttpError> {
//!     if id == 0 {
//!         return Err(HttpError::not_found());
//!     }
//!     Ok(Body::from(format!("item {id}")))
//! }
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let response = show(0).await.into_response();
//! assert_eq!(response.status(), 404);
//! assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8");
//! # });
//! ```
//!
//! `IntoResponse` is not given the request, so an `HttpError` renders as
//! `From<HttpError> for http::Response<Body>` does: the HTML page. To honour
//! the request's `Accept` (problem+JSON, text), take the request headers in
//! the handler and return `error.to_response(&headers)` instead (see
//! [`HttpError::to_response`]), or write the endpoint as a
//! [`handler`](crate::handler()), which does that for every error.
//!
//! Converting a [`Body`] into axum's is `axum_core::body::Body::new(body)`
//! (axum wraps any `http_body::Body` once), which the `From` impl here
//! spells as `.into()`; the other way is [`Body::new`]`(axum_body)`.

use axum_core::response::{IntoResponse, Response};

use crate::{Body, HttpError};

impl IntoResponse for HttpError {
    /// The HTML page of [`HttpError::render`] without `Accept`, with the
    /// error's status and extra headers; use
    /// [`to_response`](HttpError::to_response) for one chosen by `Accept`.
    fn into_response(self) -> Response {
        http::Response::<Body>::from(self).into_response()
    }
}

impl IntoResponse for Body {
    /// A `200 OK` response with this body and no headers.
    fn into_response(self) -> Response {
        Response::new(axum_core::body::Body::new(self))
    }
}

impl From<Body> for axum_core::body::Body {
    /// Wraps the body, boxing it once; an empty or buffered body keeps its
    /// exact size hint, so the server still sends `Content-Length`.
    fn from(body: Body) -> Self {
        axum_core::body::Body::new(body)
    }
}

#[cfg(test)]
mod tests {
    use http::StatusCode;
    use http::header::{ACCEPT, ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
    use http::{HeaderMap, HeaderValue, Method};
    use http_body::Body as _;
    use http_body_util::BodyExt;

    use super::*;

    async fn text(response: Response) -> String {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn an_error_is_the_html_page_with_its_status_and_headers() {
        let error = HttpError::method_not_allowed([Method::GET, Method::POST]);
        let expected = http::Response::<bytes::Bytes>::from(error.clone());
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[ALLOW], "GET, POST");
        assert_eq!(response.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
        assert_eq!(
            response.headers()[CONTENT_LENGTH],
            expected.body().len().to_string().as_str()
        );
        assert_eq!(text(response).await.as_bytes(), &expected.body()[..]);
    }

    #[tokio::test]
    async fn to_response_is_the_accept_aware_way() {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("text/plain"));
        let error = HttpError::bad_request("no name given");
        let response = error.to_response(&headers).map(Body::from).into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
        assert_eq!(text(response).await, "400 Bad Request: no name given\n");
    }

    #[tokio::test]
    async fn results_of_either_kind_are_responses() {
        let ok: Result<Body, HttpError> = Ok(Body::from("made"));
        let response = ok.into_response();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(text(response).await, "made");

        let err: Result<Body, HttpError> = Err(HttpError::gone());
        assert_eq!(err.into_response().status(), StatusCode::GONE);
    }

    #[tokio::test]
    async fn a_body_converts_keeping_its_length() {
        let cases: Vec<(Body, Option<u64>, &str)> = vec![
            (Body::empty(), Some(0), ""),
            (Body::from("hello"), Some(5), "hello"),
            (
                Body::new(http_body_util::Full::new(bytes::Bytes::from_static(
                    b"boxed",
                ))),
                Some(5),
                "boxed",
            ),
        ];
        for (body, exact, content) in cases {
            let axum_body: axum_core::body::Body = body.into();
            assert_eq!(axum_body.size_hint().exact(), exact, "{content}");
            let bytes = axum_body.collect().await.unwrap().to_bytes();
            assert_eq!(bytes, content);
        }
    }
}
