use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tackle_static::StaticFiles;
use tower::ServiceExt;

#[tokio::test]
async fn serves_a_file_then_304_then_range() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hello.txt"), "hello, world").unwrap();
    let files = StaticFiles::new(dir.path());
    let response = files
        .clone()
        .oneshot(Request::get("/hello.txt").body(()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/plain; charset=utf-8"
    );
    let etag = response.headers()[header::ETAG].clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "hello, world");
    let again = Request::get("/hello.txt")
        .header(header::IF_NONE_MATCH, etag)
        .body(())
        .unwrap();
    let response = files.clone().oneshot(again).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    let range = Request::get("/hello.txt")
        .header(header::RANGE, "bytes=7-")
        .body(())
        .unwrap();
    let response = files.clone().oneshot(range).await.unwrap();
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        response.into_body().collect().await.unwrap().to_bytes(),
        "world"
    );
    let big = vec![7u8; 3 * 1024 * 1024];
    std::fs::write(dir.path().join("big.bin"), &big).unwrap();
    let response = files
        .clone()
        .oneshot(Request::get("/big.bin").body(()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .len(),
        big.len()
    );
    let response = files
        .clone()
        .oneshot(Request::get("/nope").body(()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
