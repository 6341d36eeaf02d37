//! The upload endpoint of `request_hyper`, inside an axum router:
//! `cargo run --example request_axum`, then open http://127.0.0.1:8001
//! (or the address in `TACKLE_ADDR`).
//!
//! A tackle [`handler`](tackle::request::handler()) is a tower service, so
//! axum mounts it with `route_service("/upload", service)`, or, as here,
//! with `route` and `get_service` / `post_service`, so that axum answers
//! 405 for other methods. With the `axum` feature,
//! tackle's `HttpError` is also an axum response: the router's fallback
//! below returns one. Body limits reach the handler through axum's
//! `Extension` layer, which puts them in every request's extensions.

use std::net::SocketAddr;

use axum::Extension;
use axum::body::Body as AxumBody;
use axum::routing::{get_service, post_service};
use serde_json::{Map, Value, json};
use tackle::request::form::FormData;
use tackle::request::response::Response;
use tackle::request::{BodyLimits, HttpError, Request, handler};
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

/// The router: `GET /` the form page, `POST /upload` the JSON summary of
/// what was posted, each request read under `limits`.
pub fn app(limits: BodyLimits) -> axum::Router {
    let form_page = handler(|_: Request<AxumBody>| async { Ok(Response::html(FORM_PAGE)) });
    let upload = handler(|mut request: Request<AxumBody>| async move {
        let form = request.form().await?;
        Ok(Response::json(&summary(&form)))
    });
    axum::Router::new()
        .route("/", get_service(form_page))
        .route("/upload", post_service(upload))
        // An axum handler returning tackle's `HttpError` (feature `axum`).
        .fallback(|| async { HttpError::not_found() })
        .layer(Extension(limits))
}

/// The posted form as JSON: each field's values, and each file's name,
/// media type and size (its content stays on the server).
pub fn summary(form: &FormData) -> Value {
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

#[allow(dead_code)] // The socket test includes this file for `app`.
#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr: SocketAddr = std::env::var("TACKLE_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:8001".to_string())
        .parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let listener = TcpListener::bind(addr).await?;
    println!("upload form on http://{}", listener.local_addr()?);
    axum::serve(listener, app(default_limits())).await
}
