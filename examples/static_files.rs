//! Static files in front of an app, on bare hyper: `cargo run --example
//! static_files`, then try http://127.0.0.1:8004 (or the address in
//! `TACKLE_ADDR`; `TACKLE_STATIC_DIR` serves another directory):
//!
//! ```text
//! curl -i localhost:8004/static/css/site.css                        # 200, ETag, Cache-Control: no-cache
//! curl -i --compressed localhost:8004/static/css/site.css           # site.css.gz, Content-Encoding: gzip
//! curl -i localhost:8004/static/app.3f2a9c1b.js                     # immutable for a year
//! curl -i localhost:8004/static/docs/guide.txt -r 0-8,-10           # 206 multipart/byteranges
//! curl -i localhost:8004/static/docs                                # 308 to /static/docs/
//! curl -i localhost:8004/static/docs/                               # the directory listing
//! curl -i localhost:8004/static/.env                                # 404: dotfiles are never served
//! curl -i localhost:8004/download                                   # send_file as an attachment
//! curl -i localhost:8004/                                           # the app (no file matches)
//! ```
//!
//! [`SharedData`] mounts the directory at `/static` in front of the app:
//! GET and HEAD under the prefix are answered from the files, everything
//! else reaches the app, whose `/download` route answers with
//! [`SendFile`].

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tackle::request::BoxError;
use tackle::static_files::{SendFile, SharedData, StaticFiles};
use tokio::net::TcpListener;
use tower::util::BoxCloneService;
use tower::{ServiceBuilder, ServiceExt};

/// The response body of the app and of the files alike.
type Body = http_body_util::combinators::UnsyncBoxBody<Bytes, BoxError>;

/// The bundled demo directory, or `TACKLE_STATIC_DIR`.
pub fn static_dir() -> PathBuf {
    std::env::var_os("TACKLE_STATIC_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/public"))
}

/// The app behind the files: `/` and `/download`.
async fn app_handler(
    request: Request<Incoming>,
    dir: PathBuf,
) -> Result<Response<Body>, Infallible> {
    if request.uri().path() == "/download" {
        let response = SendFile::new(dir.join("index.html"))
            .download_as("tackle-static demo.html")
            .send(&request)
            .await;
        return Ok(response.map(|body| body.map_err(BoxError::from).boxed_unsync()));
    }
    let (status, text) = match request.uri().path() {
        "/" => (StatusCode::OK, "the app: try /static/ for the files\n"),
        _ => (StatusCode::NOT_FOUND, "not a file, not a route\n"),
    };
    let mut response = Response::new(
        Full::new(Bytes::from(text))
            .map_err(BoxError::from)
            .boxed_unsync(),
    );
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        "text/plain; charset=utf-8".parse().unwrap(),
    );
    Ok(response)
}

/// The files of `dir` at `/static` (listing on, `*.map` hidden) in front of
/// the app.
pub fn app(dir: PathBuf) -> BoxCloneService<Request<Incoming>, Response<Body>, Infallible> {
    let files = StaticFiles::new(&dir).listing(true).disallow("*.map");
    let handler_dir = dir.clone();
    let service = ServiceBuilder::new()
        .layer(SharedData::new().mount("/static", files))
        .service_fn(move |request| app_handler(request, handler_dir.clone()))
        .map_response(|response: Response<_>| response.map(|body| body.boxed_unsync()));
    BoxCloneService::new(service)
}

/// Serves `app` over HTTP/1.1 on every connection `listener` accepts.
pub async fn serve(
    listener: TcpListener,
    app: BoxCloneService<Request<Incoming>, Response<Body>, Infallible>,
) -> std::io::Result<()> {
    let service = TowerToHyperService::new(app);
    loop {
        let (stream, _peer) = listener.accept().await?;
        let service = service.clone();
        tokio::spawn(async move {
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                eprintln!("connection error: {e}");
            }
        });
    }
}

#[allow(dead_code)] // The socket test includes this file for `app` and `serve`.
#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr: SocketAddr = std::env::var("TACKLE_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:8004".to_string())
        .parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let listener = TcpListener::bind(addr).await?;
    let dir = static_dir();
    println!(
        "serving {} at http://{}/static/ in front of an app",
        dir.display(),
        listener.local_addr()?
    );
    serve(listener, app(dir)).await
}
