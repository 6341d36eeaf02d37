//! The service the tests talk to: it echoes what it got, sets cookies and
//! redirects, by path.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use tackle_request::Body;

/// Routes:
/// - `/raw`: the request body back, with the request's `Content-Type`;
/// - `/set/<case>`: a `Set-Cookie` line per case (see `set_cookie`), no
///   deeper path;
/// - `/redirect/<status>`: that status to `/echo`;
/// - `/relative/dir/page`: 302 to `../echo?from=relative`;
/// - `/chain/<n>`: 302 to `/chain/<n-1>`, `/chain/0` echoes;
/// - `/login-redirect`: sets `session=abc` and 303 to `/echo`;
/// - anything else: a JSON echo of the request.
#[derive(Clone)]
pub struct App;

type Reply = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

impl tower_service::Service<Request<Body>> for App {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Reply;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Reply {
        Box::pin(async move { Ok(route(request).await) })
    }
}

async fn route(request: Request<Body>) -> Response<Body> {
    let path = request.uri().path().to_owned();
    if let Some(case) = path.strip_prefix("/set/")
        && !case.contains('/')
    {
        return Response::builder()
            .header("set-cookie", set_cookie(case))
            .body(Body::from("set"))
            .unwrap();
    }
    if let Some(status) = path.strip_prefix("/redirect/") {
        return redirect(status.parse().unwrap(), "/echo");
    }
    if path == "/relative/dir/page" {
        return redirect(302, "../echo?from=relative");
    }
    if let Some(n) = path.strip_prefix("/chain/") {
        let n: u32 = n.parse().unwrap();
        if n > 0 {
            return redirect(302, &format!("/chain/{}", n - 1));
        }
    }
    if path == "/login-redirect" {
        let mut response = redirect(303, "/echo");
        response
            .headers_mut()
            .insert("set-cookie", "session=abc; Path=/".parse().unwrap());
        return response;
    }
    let (parts, body) = request.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    if path == "/raw" {
        let mut response = Response::new(Body::from(bytes));
        if let Some(content_type) = parts.headers.get("content-type") {
            response
                .headers_mut()
                .insert("content-type", content_type.clone());
        }
        return response;
    }
    let header = |name: &str| {
        let values: Vec<&str> = parts
            .headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    };
    let echo = serde_json::json!({
        "method": parts.method.as_str(),
        "uri": parts.uri.to_string(),
        "path": parts.uri.path(),
        "query": parts.uri.query(),
        "host": header("host"),
        "cookie": header("cookie"),
        "content_type": header("content-type"),
        "content_length": header("content-length"),
        "x_test": header("x-test"),
        "body": String::from_utf8_lossy(&bytes),
    });
    Response::builder()
        .header("content-type", "application/json")
        .body(Body::from(echo.to_string()))
        .unwrap()
}

fn redirect(status: u16, location: &str) -> Response<Body> {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("location", location)
        .body(Body::empty())
        .unwrap()
}

fn set_cookie(case: &str) -> &'static str {
    match case {
        "login" => "session=abc; Path=/; HttpOnly",
        "logout" => "session=; Path=/; Max-Age=0",
        // No Path: the default path is the request's directory, `/set`.
        "prefs" => "theme=dark",
        "account" => "plan=pro; Path=/account",
        "secure" => "token=s3; Path=/; Secure",
        "expired" => "old=1; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        "foreign" => "x=1; Path=/; Domain=example.com",
        "lasting" => "keep=1; Path=/; Max-Age=3600",
        other => panic!("no cookie case {other}"),
    }
}
