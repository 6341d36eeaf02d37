//! `CatchPanicLayer`: a panic in `call` or in the response future becomes a
//! generic 500 with the report attached, the panic site captured by the hook.

use http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use tackle_report::{CatchPanicLayer, ReportKind, ResponseReportExt, install_panic_hook};
use tower::{ServiceBuilder, ServiceExt};

fn explode(order: u32) -> String {
    panic!("order {order} has no lines")
}

#[tokio::test]
async fn a_panic_in_the_future_is_a_500_with_its_report() {
    install_panic_hook();
    let app = ServiceBuilder::new()
        .layer(CatchPanicLayer::new().app("shop", "1.2.3"))
        .service_fn(|request: Request<String>| async move {
            if request.uri().path() == "/boom" {
                let text = explode(42);
                return Ok::<_, std::convert::Infallible>(Response::new(text));
            }
            Ok(Response::new("fine".to_string()))
        });
    let request = Request::get("/boom?x=1")
        .header(header::ACCEPT, "application/json")
        .header(header::AUTHORIZATION, "Bearer secret")
        .body(String::new())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let report = response.report().expect("the report is attached").clone();
    assert_eq!(report.kind, ReportKind::Panic);
    assert_eq!(report.message, "order 42 has no lines");
    let location = report.location.as_ref().expect("the hook saw the site");
    assert!(location.file.ends_with("catch_panic.rs"), "{location}");
    let frames = report.frames.as_ref().expect("frames").resolve();
    assert!(
        frames
            .iter()
            .any(|f| f.function.as_deref().is_some_and(|n| n.contains("explode"))),
        "{frames:?}"
    );
    let request = report.request.as_ref().unwrap();
    assert_eq!(
        (request.method.as_str(), request.uri.as_str()),
        ("GET", "/boom?x=1")
    );
    assert_eq!(report.app.as_ref().unwrap().name, "shop");
    // The client sees a generic error, rendered by its Accept.
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert!(!String::from_utf8_lossy(&body).contains("order 42"));

    let fine = app
        .oneshot(Request::get("/").body(String::new()).unwrap())
        .await
        .unwrap();
    assert_eq!(fine.status(), StatusCode::OK);
    assert!(fine.report().is_none());
}

#[derive(Clone)]
struct PanicsInCall;

impl tower::Service<Request<()>> for PanicsInCall {
    type Response = Response<String>;
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Response<String>, std::convert::Infallible>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        panic!("broken in call")
    }
}

#[tokio::test]
async fn a_panic_in_call_is_caught_too() {
    install_panic_hook();
    let app = ServiceBuilder::new()
        .layer(CatchPanicLayer::new())
        .service(PanicsInCall);
    let response = app.oneshot(Request::new(())).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.report().unwrap().message, "broken in call");
}

#[tokio::test]
async fn a_body_preview_is_kept_only_when_asked_for() {
    use tackle_report::{BodyPreviewLayer, PreviewBody};
    install_panic_hook();
    let app = ServiceBuilder::new()
        .layer(BodyPreviewLayer::new(8))
        .layer(CatchPanicLayer::new())
        .service_fn(
            |request: Request<PreviewBody<http_body_util::Full<bytes::Bytes>>>| async move {
                let body = request.into_body().collect().await.unwrap().to_bytes();
                assert_eq!(body, "name=alice&password=hunter2");
                if true {
                    panic!("after reading the body");
                }
                Ok::<_, std::convert::Infallible>(Response::new(String::new()))
            },
        );
    let request = Request::post("/form")
        .body(http_body_util::Full::new(bytes::Bytes::from(
            "name=alice&password=hunter2",
        )))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    let report = response.report().unwrap();
    let preview = report.request.as_ref().unwrap().body_preview.clone();
    assert_eq!(
        preview.as_deref(),
        Some(&b"name=ali"[..]),
        "the first 8 bytes"
    );

    // Without the layer, no preview.
    let plain = ServiceBuilder::new()
        .layer(CatchPanicLayer::new())
        .service_fn(|_: Request<()>| async {
            if true {
                panic!("no body kept");
            }
            Ok::<_, std::convert::Infallible>(Response::new(String::new()))
        });
    let response = plain.oneshot(Request::new(())).await.unwrap();
    assert_eq!(
        response
            .report()
            .unwrap()
            .request
            .as_ref()
            .unwrap()
            .body_preview,
        None
    );
}
