//! A form upload endpoint on bare hyper, written as a tackle
//! [`handler`](tackle::request::handler()):
//! `cargo run --example request_hyper`, then open http://127.0.0.1:8001
//! (or the address in `TACKLE_ADDR`) and send a few files.
//!
//! `GET /` is an HTML form; `POST /upload` reads it with `form()` (files
//! past 512 KiB spooled to temporary files) and answers a JSON summary:
//!
//! ```text
//! {"fields": {"title": ["Holiday"]},
//!  "files": {"photos": [{"filename": "beach.jpg", "content_type": "image/jpeg", "size": 48213}]}}
//! ```
//!
//! A field over `max_form_memory_size`, or a body over
//! `max_content_length`, is `413 Payload Too Large` naming the limit,
//! rendered as HTML, problem+JSON or text by the request's `Accept`.

use std::net::SocketAddr;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{Service as _, service_fn};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::{Map, Value, json};
use tackle::request::response::Response;
use tackle::request::{Body, BodyLimits, HttpError, Request, handler};
use tokio::net::TcpListener;

/// The upload page: one text field and any number of files.
pub const FORM_PAGE: &str = r#"<!doctype html>
<title>tackle upload</title>
<form method="post" action="/upload" enctype="multipart/form-data">
  <p><label>Title <input name="title"></label></p>
  <p><label>Files <input type="file" name="files" multiple></label></p>
  <p><button>Upload</button></p>
</form>
"#;

/// The body limits this server sets: uploads of 16 MiB at most, and the
/// default `max_form_memory_size` (500 000 bytes) for each text field.
pub fn default_limits() -> BodyLimits {
    BodyLimits::new().max_content_length(16 * 1024 * 1024)
}

/// The app: `GET /` the form page, `POST /upload` the summary of what was
/// posted, 405 for another method and 404 for another path.
pub async fn app(mut request: Request<Incoming>) -> Result<http::Response<Body>, HttpError> {
    use http::Method;
    match (request.path(), request.method()) {
        ("/", &Method::GET | &Method::HEAD) => Ok(Response::html(FORM_PAGE)),
        ("/", _) => Err(HttpError::method_not_allowed([Method::GET, Method::HEAD])),
        ("/upload", &Method::POST) => {
            let form = request.form().await?;
            Ok(Response::json(&summary(&form)))
        }
        ("/upload", _) => Err(HttpError::method_not_allowed([Method::POST])),
        _ => Err(HttpError::not_found()),
    }
}

/// The posted form as JSON: each field's values, and each file's name,
/// media type and size (its content stays on the server).
pub fn summary(form: &tackle::request::form::FormData) -> Value {
    let fields: Map<String, Value> = form
        .fields
        .grouped()
        .into_iter()
        .map(|(name, values)| (name.to_owned(), json!(values)))
        .collect();
    let files: Map<String, Value> = form
        .files
        .grouped()
        .into_iter()
        .map(|(name, files)| {
            let files: Vec<Value> = files
                .into_iter()
                .map(|file| {
                    json!({
                        "filename": file.filename(),
                        "content_type": file.content_type(),
                        "size": file.size(),
                    })
                })
                .collect();
            (name.to_owned(), Value::Array(files))
        })
        .collect();
    json!({ "fields": fields, "files": files })
}

/// Serves [`app`] over HTTP/1.1 on every connection `listener` accepts,
/// each request given `limits`.
pub async fn serve(listener: TcpListener, limits: BodyLimits) -> std::io::Result<()> {
    // `handler` makes a tower service; hyper takes its own kind of service.
    let app = TowerToHyperService::new(handler(app));
    loop {
        let (stream, _peer) = listener.accept().await?;
        let limits = limits.clone();
        tokio::spawn(async move {
            // The body readers take their limits from the request's
            // extensions, so they go in before the handler sees it.
            let service = service_fn(move |mut request: http::Request<Incoming>| {
                request.extensions_mut().insert(limits.clone());
                app.call(request)
            });
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                eprintln!("connection error: {e}");
            }
        });
    }
}

#[allow(dead_code)] // The socket test includes this file for `serve`.
#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr: SocketAddr = std::env::var("TACKLE_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:8001".to_string())
        .parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let listener = TcpListener::bind(addr).await?;
    println!("upload form on http://{}", listener.local_addr()?);
    serve(listener, default_limits()).await
}
