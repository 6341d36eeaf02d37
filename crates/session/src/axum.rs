//! [`Session`] as an axum extractor.

use axum_core::extract::FromRequestParts;
use http::StatusCode;
use http::request::Parts;

use crate::Session;

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Session>().cloned().ok_or((
            StatusCode::INTERNAL_SERVER_ERROR,
            "no session: add tackle_session::SessionLayer around this route",
        ))
    }
}
