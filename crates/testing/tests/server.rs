//! The loopback server, spoken to over a raw TCP socket.

mod common;

use std::time::Duration;

use common::App;
use tackle_testing::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends `request` on a new connection and reads until the server closes it.
async fn exchange(server: &TestServer, request: &str) -> String {
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    String::from_utf8(response).unwrap()
}

#[tokio::test]
async fn serves_the_service_over_a_socket() {
    let server = TestServer::spawn(App);
    assert!(server.addr().ip().is_loopback());
    assert_eq!(
        server.url("/echo"),
        format!("http://127.0.0.1:{}/echo", server.addr().port())
    );
    let response = exchange(
        &server,
        "POST /echo?x=1 HTTP/1.1\r\nHost: test.local\r\nContent-Length: 5\r\n\
         Cookie: a=1\r\nConnection: close\r\n\r\nhello",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    let body = response.split("\r\n\r\n").nth(1).unwrap();
    let echo: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["uri"], "/echo?x=1");
    assert_eq!(echo["host"], "test.local");
    assert_eq!(echo["cookie"], "a=1");
    assert_eq!(echo["body"], "hello");
}

#[tokio::test]
async fn serves_chunked_request_bodies() {
    let server = TestServer::spawn(App);
    let response = exchange(
        &server,
        "PUT /raw HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\
         Content-Type: text/plain\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\nabcde"), "{response}");
    assert!(
        response.contains("content-type: text/plain\r\n"),
        "{response}"
    );
}

#[tokio::test]
async fn shutdown_releases_the_port() {
    let server = TestServer::spawn(App);
    let addr = server.addr();
    let mut open = TcpStream::connect(addr).await.unwrap();
    server.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err());
    // The open connection was closed too: reading sees the end.
    let mut buffer = [0; 16];
    let read = tokio::time::timeout(Duration::from_secs(5), open.read(&mut buffer)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "{read:?}");
}

#[tokio::test]
async fn dropping_the_server_stops_it() {
    let server = TestServer::spawn(App);
    let addr = server.addr();
    drop(server);
    // The accept task is cancelled at its next poll: give the runtime time.
    let mut refused = false;
    for _ in 0..100 {
        if TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(refused, "the server still accepts on {addr} after drop");
}
