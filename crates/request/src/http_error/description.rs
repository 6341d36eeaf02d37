//! The reason phrase and default client-facing description of each error
//! status (RFC 9110 §15.5, §15.6).

use http::StatusCode;

/// The registered reason phrase, or a class name for an unregistered status.
pub(super) fn reason(status: StatusCode) -> &'static str {
    match status.canonical_reason() {
        Some(reason) => reason,
        None if status.is_client_error() => "Client Error",
        None => "Server Error",
    }
}

/// A sentence saying what the status means to the person who sent the
/// request; it says nothing about the server's internals.
pub(super) fn describe(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "The server could not understand the request.",
        401 => "The server could not verify that you are authorized to access this resource.",
        402 => "Payment is required to access this resource.",
        403 => "You do not have permission to access this resource.",
        404 => "The requested URL was not found on the server.",
        405 => "The method is not allowed for the requested URL.",
        406 => "The resource cannot be provided in a form the client accepts.",
        407 => "The client must first authenticate with the proxy.",
        408 => "The server timed out waiting for the request.",
        409 => "The request conflicts with the current state of the resource.",
        410 => "The resource is no longer available and will not be available again.",
        411 => "The request needs a Content-Length header.",
        412 => "A precondition in the request headers was not met.",
        413 => "The request body is larger than the server allows.",
        414 => "The request URL is longer than the server allows.",
        415 => "The server does not support the media type of the request body.",
        416 => "The requested range cannot be served.",
        417 => "The server cannot meet the expectation in the Expect header.",
        418 => "The server is a teapot and refuses to brew coffee.",
        421 => "The request was sent to a server that cannot answer it.",
        422 => "The request was well-formed but its content could not be processed.",
        423 => "The resource is locked.",
        424 => "The request failed because a request it depends on failed.",
        425 => "The server will not process a request that might be replayed.",
        426 => "The client must switch to a different protocol.",
        428 => "The request must be conditional.",
        429 => "Too many requests were sent; try again later.",
        431 => "The request header fields are larger than the server allows.",
        451 => "The resource is unavailable for legal reasons.",
        500 => "The server hit an internal error and could not complete the request.",
        501 => "The server does not support the action requested.",
        502 => "The server, acting as a gateway, got an invalid response from upstream.",
        503 => "The server cannot handle the request right now; try again later.",
        504 => "The server, acting as a gateway, got no response from upstream in time.",
        505 => "The server does not support the HTTP version of the request.",
        507 => "The server has no room to store what the request needs.",
        508 => "The server found an infinite loop while processing the request.",
        511 => "The client must authenticate to gain network access.",
        _ if status.is_client_error() => "The server could not handle the request.",
        _ => "The server could not complete the request.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_status_has_a_reason_and_description() {
        for code in 400..=599 {
            let status = StatusCode::from_u16(code).unwrap();
            assert!(!reason(status).is_empty(), "{code}");
            let text = describe(status);
            assert!(text.ends_with('.'), "{code}: {text}");
        }
    }

    #[test]
    fn reasons() {
        let cases: &[(u16, &str)] = &[
            (404, "Not Found"),
            (413, "Payload Too Large"),
            (431, "Request Header Fields Too Large"),
            (499, "Client Error"),
            (500, "Internal Server Error"),
            (599, "Server Error"),
        ];
        for &(code, expected) in cases {
            assert_eq!(
                reason(StatusCode::from_u16(code).unwrap()),
                expected,
                "{code}"
            );
        }
    }
}
