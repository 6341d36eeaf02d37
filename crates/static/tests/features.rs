//! Every feature of tackle-static over a real socket: hyper on
//! 127.0.0.1:0, spoken to by a raw TCP client (`tests/common`), so that
//! what is checked is what went over the wire: a HEAD or a 304 without a
//! body, a `multipart/byteranges` body parsed back byte for byte, the
//! `Location` of a redirect under a mount.

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use common::{
    MarkerFuture, MarkerResponse, Reply, boundary, get, head, parse_byteranges, pattern, request,
    serve, set_mtime, write,
};
use http::{Request, Response};
use hyper::body::Incoming;
use tackle_static::{CachePolicy, Disallow, SendFile, SharedData, StaticFiles, send_file};
use tower::Layer;

/// The headers every 200 for a file carries, checked together.
fn assert_file_headers(reply: &Reply, content_type: &str, len: usize) {
    assert_eq!(reply.must("content-type"), content_type);
    assert_eq!(reply.must("x-content-type-options"), "nosniff");
    assert_eq!(reply.must("accept-ranges"), "bytes");
    assert_eq!(reply.content_length(), len);
    let etag = reply.must("etag");
    assert!(
        etag.len() > 2 && etag.starts_with('"') && etag.ends_with('"'),
        "not a strong entity tag: {etag}"
    );
    assert!(httpdate::parse_http_date(reply.must("last-modified")).is_ok());
}

/// Where a 308 for `path` leads, its `Location` resolved against `path`
/// (RFC 3986 §5.2): an absolute path as is, a relative one (`docs/`, what
/// a service that knows no mount prefix sends) in place of the last segment.
fn redirect_target(path: &str, reply: &Reply) -> String {
    assert_eq!(reply.status, 308);
    let location = reply.must("location");
    assert!(
        !location.starts_with("//") && !location.contains("://"),
        "{location}"
    );
    if location.starts_with('/') {
        return location.to_owned();
    }
    let directory = &path[..=path.rfind('/').unwrap()];
    format!("{directory}{location}")
}

fn mtime_seconds(path: &Path) -> u64 {
    std::fs::metadata(path)
        .unwrap()
        .modified()
        .unwrap()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

// 1. GET, HEAD and other methods.

#[tokio::test]
async fn get_sends_the_file_with_its_headers() {
    let dir = tempfile::tempdir().unwrap();
    let hello = write(dir.path(), "hello.txt", "hello, world");
    let png = pattern(300);
    write(dir.path(), "logo.png", &png);
    write(dir.path(), "blob.zzqqx", "??");
    write(dir.path(), "app.js", "console.log(1)");
    let addr = serve(StaticFiles::new(dir.path())).await;

    let reply = get(addr, "/hello.txt", &[]).await;
    assert_eq!(reply.status, 200);
    assert_file_headers(&reply, "text/plain; charset=utf-8", 12);
    assert_eq!(reply.must("cache-control"), "no-cache");
    assert_eq!(reply.body, b"hello, world");
    assert_eq!(reply.header("content-encoding"), None);
    assert_eq!(
        reply.header("vary"),
        None,
        "no variants, nothing to vary on"
    );
    let last_modified = httpdate::parse_http_date(reply.must("last-modified")).unwrap();
    assert_eq!(
        last_modified.duration_since(UNIX_EPOCH).unwrap().as_secs(),
        mtime_seconds(&hello)
    );

    let reply = get(addr, "/logo.png", &[]).await;
    assert_eq!(reply.status, 200);
    assert_file_headers(&reply, "image/png", 300);
    assert_eq!(reply.body, png);

    let reply = get(addr, "/blob.zzqqx", &[]).await;
    assert_eq!(reply.status, 200);
    assert_file_headers(&reply, "application/octet-stream", 2);

    let reply = get(addr, "/app.js", &[]).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.must("content-type").ends_with("; charset=utf-8")
            && reply.must("content-type").contains("javascript"),
        "{}",
        reply.must("content-type")
    );

    let reply = get(addr, "/missing.txt", &[]).await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn head_sends_the_same_headers_and_no_body() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hello.txt", "hello, world");
    let addr = serve(StaticFiles::new(dir.path())).await;
    let got = get(addr, "/hello.txt", &[]).await;
    // Twice: once from disk, once from the hot cache.
    for _ in 0..2 {
        let headed = head(addr, "/hello.txt", &[]).await;
        assert_eq!(headed.status, 200);
        assert_file_headers(&headed, "text/plain; charset=utf-8", 12);
        for name in [
            "content-type",
            "content-length",
            "etag",
            "last-modified",
            "cache-control",
            "accept-ranges",
            "x-content-type-options",
        ] {
            assert_eq!(headed.header(name), got.header(name), "{name}");
        }
        assert!(
            headed.raw_body.is_empty(),
            "a body after HEAD: {:?}",
            headed.raw_body
        );
    }
    // HEAD with a Range: no body either.
    let headed = head(addr, "/hello.txt", &[("Range", "bytes=0-4")]).await;
    assert!(headed.raw_body.is_empty());
    // HEAD of a directory listing and of a 404: no body.
    let headed = head(addr, "/nope", &[]).await;
    assert_eq!(headed.status, 404);
    assert!(headed.raw_body.is_empty());
}

#[tokio::test]
async fn other_methods_are_405_with_allow() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "hello.txt", "hello, world");
    let addr = serve(StaticFiles::new(dir.path())).await;
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let reply = request(addr, method, "/hello.txt", &[]).await;
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(reply.must("allow"), "GET, HEAD", "{method}");
        // Also for a path that does not exist.
        let reply = request(addr, method, "/missing", &[]).await;
        assert_eq!(reply.status, 405, "{method} /missing");
        assert_eq!(reply.must("allow"), "GET, HEAD");
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"hello, world");
}

// 2. Validators.

#[tokio::test]
async fn conditional_get_304_and_412() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hello.txt", "hello, world");
    let addr = serve(StaticFiles::new(dir.path())).await;
    let first = get(addr, "/hello.txt", &[]).await;
    let etag = first.must("etag").to_owned();
    let last_modified = first.must("last-modified").to_owned();

    let reply = get(addr, "/hello.txt", &[("If-None-Match", &etag)]).await;
    assert_eq!(reply.status, 304);
    assert!(
        reply.raw_body.is_empty(),
        "a body with 304: {:?}",
        reply.raw_body
    );
    assert_eq!(reply.must("etag"), etag);
    assert_eq!(reply.must("cache-control"), "no-cache");

    // A weak comparison for If-None-Match; a list; `*`.
    let weak = format!("W/{etag}");
    for value in [weak.as_str(), &format!("\"other\", {etag}"), "*"] {
        let reply = get(addr, "/hello.txt", &[("If-None-Match", value)]).await;
        assert_eq!(reply.status, 304, "If-None-Match: {value}");
    }
    let reply = head(addr, "/hello.txt", &[("If-None-Match", &etag)]).await;
    assert_eq!(reply.status, 304);
    assert!(reply.raw_body.is_empty());

    let reply = get(addr, "/hello.txt", &[("If-None-Match", "\"other\"")]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, b"hello, world");

    let reply = get(addr, "/hello.txt", &[("If-Modified-Since", &last_modified)]).await;
    assert_eq!(reply.status, 304);
    assert!(reply.raw_body.is_empty());
    assert_eq!(reply.must("etag"), etag);
    let reply = get(
        addr,
        "/hello.txt",
        &[("If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT")],
    )
    .await;
    assert_eq!(reply.status, 200);
    // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    let reply = get(
        addr,
        "/hello.txt",
        &[
            ("If-None-Match", "\"other\""),
            ("If-Modified-Since", &last_modified),
        ],
    )
    .await;
    assert_eq!(reply.status, 200);

    let reply = get(addr, "/hello.txt", &[("If-Match", "\"nope\"")]).await;
    assert_eq!(reply.status, 412);
    let reply = get(addr, "/hello.txt", &[("If-Match", &etag)]).await;
    assert_eq!(reply.status, 200);
    let reply = get(addr, "/hello.txt", &[("If-Match", &weak)]).await;
    assert_eq!(reply.status, 412, "If-Match compares strongly");

    let reply = get(
        addr,
        "/hello.txt",
        &[("If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:37 GMT")],
    )
    .await;
    assert_eq!(reply.status, 412);
    let reply = get(
        addr,
        "/hello.txt",
        &[("If-Unmodified-Since", &last_modified)],
    )
    .await;
    assert_eq!(reply.status, 200);
}

/// Rewrites `path` with other content and another mtime.
fn change(path: &Path, content: &str) {
    std::fs::write(path, content).unwrap();
    set_mtime(path, SystemTime::now() + Duration::from_secs(30));
}

#[tokio::test]
async fn etag_follows_a_changed_file_at_once_with_revalidate_after_zero() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "page.txt", "version one");
    let addr = serve(StaticFiles::new(dir.path()).revalidate_after(Duration::ZERO)).await;
    let first = get(addr, "/page.txt", &[]).await;
    let old = first.must("etag").to_owned();
    // Cached now; unchanged, the tag stays.
    assert_eq!(get(addr, "/page.txt", &[]).await.must("etag"), old);
    change(&file, "version two, longer");
    let reply = get(addr, "/page.txt", &[]).await;
    assert_eq!(reply.body, b"version two, longer");
    let new = reply.must("etag").to_owned();
    assert_ne!(new, old);
    // The old tag no longer gives 304, the new one does.
    assert_eq!(
        get(addr, "/page.txt", &[("If-None-Match", &old)])
            .await
            .status,
        200
    );
    assert_eq!(
        get(addr, "/page.txt", &[("If-None-Match", &new)])
            .await
            .status,
        304
    );

    // Same length, only the mtime changes: a new tag too.
    change(&file, "version TWO, longer");
    let reply = get(addr, "/page.txt", &[]).await;
    assert_eq!(reply.body, b"version TWO, longer");
    assert_ne!(reply.must("etag"), new);
}

#[tokio::test]
async fn etag_follows_a_changed_file_after_the_default_window() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "page.txt", "version one");
    let addr = serve(StaticFiles::new(dir.path())).await;
    let old = get(addr, "/page.txt", &[]).await.must("etag").to_owned();
    change(&file, "version two, longer");
    // Within the 1 s window the hot cache still answers with what it has.
    let reply = get(addr, "/page.txt", &[]).await;
    assert_eq!(reply.must("etag"), old);
    assert_eq!(reply.body, b"version one");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let reply = get(addr, "/page.txt", &[]).await;
    assert_ne!(reply.must("etag"), old);
    assert_eq!(reply.body, b"version two, longer");
}

// 3. Ranges.

/// Checks one part or single-range reply against `content`.
fn assert_range(reply: &Reply, content: &[u8], first: usize, last: usize) {
    assert_eq!(reply.status, 206);
    assert_eq!(
        reply.must("content-range"),
        format!("bytes {first}-{last}/{}", content.len())
    );
    assert_eq!(reply.content_length(), last - first + 1);
    assert!(
        reply.body == content[first..=last],
        "wrong bytes for {first}-{last}"
    );
}

/// A `multipart/byteranges` reply: its parts, checked against `content`
/// and `expected` (inclusive ranges, in order).
fn assert_multipart(
    reply: &Reply,
    content: &[u8],
    content_type: &str,
    expected: &[(usize, usize)],
) {
    assert_eq!(reply.status, 206);
    assert_eq!(reply.header("content-range"), None);
    assert_eq!(reply.content_length(), reply.body.len());
    let boundary = boundary(reply.must("content-type"));
    let parts = parse_byteranges(&reply.body, &boundary);
    let got: Vec<(usize, usize)> = parts
        .iter()
        .map(|p| (p.first as usize, p.last as usize))
        .collect();
    assert_eq!(got, expected);
    for part in &parts {
        assert_eq!(part.content_type.as_deref(), Some(content_type));
        assert_eq!(part.complete, content.len() as u64);
        assert_eq!(
            part.content_range,
            format!("bytes {}-{}/{}", part.first, part.last, content.len())
        );
        assert!(
            part.bytes == content[part.first as usize..=part.last as usize],
            "wrong bytes in part {}",
            part.content_range
        );
    }
}

/// Seventeen disjoint one-byte ranges.
fn seventeen_ranges() -> String {
    let specs: Vec<String> = (0..17).map(|i| format!("{0}-{0}", i * 2)).collect();
    format!("bytes={}", specs.join(","))
}

/// Every range feature on `target`, whose content is `content`.
async fn check_ranges(addr: SocketAddr, target: &str, content: &[u8]) {
    let len = content.len();
    assert!(len >= 100);
    let full = get(addr, target, &[]).await;
    assert_eq!(full.status, 200);
    assert!(full.body == content);
    let etag = full.must("etag").to_owned();
    let last_modified = full.must("last-modified").to_owned();
    let content_type = full.must("content-type").to_owned();

    let reply = get(addr, target, &[("Range", "bytes=10-19")]).await;
    assert_range(&reply, content, 10, 19);
    assert_eq!(reply.must("etag"), etag);
    assert_eq!(reply.must("content-type"), content_type);
    assert_eq!(reply.must("accept-ranges"), "bytes");
    let (a, b) = (len / 3, len / 3 + len / 4);
    let reply = get(addr, target, &[("Range", &format!("bytes={a}-{b}"))]).await;
    assert_range(&reply, content, a, b);
    let reply = get(addr, target, &[("Range", &format!("bytes={}-", len - 7))]).await;
    assert_range(&reply, content, len - 7, len - 1);
    let reply = get(addr, target, &[("Range", "bytes=-5")]).await;
    assert_range(&reply, content, len - 5, len - 1);
    let reply = get(addr, target, &[("Range", &format!("bytes=0-{}", len * 2))]).await;
    assert_range(&reply, content, 0, len - 1);
    // Overlapping ranges alone coalesce into one: a plain 206.
    let reply = get(addr, target, &[("Range", "bytes=0-9,5-14")]).await;
    assert_range(&reply, content, 0, 14);
    let reply = get(addr, target, &[("Range", "bytes=0-9,10-19")]).await;
    assert_range(&reply, content, 0, 19);

    // Several: multipart/byteranges, sorted and coalesced.
    let spec = format!("bytes=-5,0-9,5-14,{a}-{b}");
    let reply = get(addr, target, &[("Range", &spec)]).await;
    assert_multipart(
        &reply,
        content,
        &content_type,
        &[(0, 14), (a, b), (len - 5, len - 1)],
    );
    assert_eq!(reply.must("etag"), etag);
    // HEAD ignores Range (RFC 9110 §14.2: range handling is defined for
    // GET only): the whole length, and no body.
    let headed = head(addr, target, &[("Range", &spec)]).await;
    assert_eq!(headed.status, 200);
    assert_eq!(headed.content_length(), len);
    assert!(headed.raw_body.is_empty());

    // Past max_ranges (16): the whole file.
    let reply = get(addr, target, &[("Range", &seventeen_ranges())]).await;
    assert_eq!(reply.status, 200);
    assert!(reply.body == content);
    assert_eq!(reply.header("content-range"), None);
    // Sixteen are fine.
    let sixteen: Vec<String> = (0..16).map(|i| format!("{0}-{0}", i * 2)).collect();
    let reply = get(
        addr,
        target,
        &[("Range", &format!("bytes={}", sixteen.join(",")))],
    )
    .await;
    let expected: Vec<(usize, usize)> = (0..16).map(|i| (i * 2, i * 2)).collect();
    assert_multipart(&reply, content, &content_type, &expected);

    // Unsatisfiable.
    for spec in [
        format!("bytes={len}-"),
        format!("bytes={}-{}", len + 10, len + 20),
    ] {
        let reply = get(addr, target, &[("Range", &spec)]).await;
        assert_eq!(reply.status, 416, "{spec}");
        assert_eq!(reply.must("content-range"), format!("bytes */{len}"));
    }
    // A range unit other than bytes, or a malformed one: ignored, 200.
    for spec in ["items=0-5", "bytes=5-1", "bytes=abc"] {
        let reply = get(addr, target, &[("Range", spec)]).await;
        assert_eq!(reply.status, 200, "{spec}");
        assert!(reply.body == content);
    }

    // If-Range.
    let reply = get(
        addr,
        target,
        &[("Range", "bytes=10-19"), ("If-Range", &etag)],
    )
    .await;
    assert_range(&reply, content, 10, 19);
    let reply = get(
        addr,
        target,
        &[("Range", "bytes=10-19"), ("If-Range", "\"stale\"")],
    )
    .await;
    assert_eq!(reply.status, 200);
    assert!(reply.body == content);
    let reply = get(
        addr,
        target,
        &[("Range", "bytes=10-19"), ("If-Range", &last_modified)],
    )
    .await;
    assert_range(&reply, content, 10, 19);
    let reply = get(
        addr,
        target,
        &[
            ("Range", "bytes=10-19"),
            ("If-Range", "Sun, 06 Nov 1994 08:49:37 GMT"),
        ],
    )
    .await;
    assert_eq!(reply.status, 200);
    let weak = format!("W/{etag}");
    let reply = get(
        addr,
        target,
        &[("Range", "bytes=10-19"), ("If-Range", &weak)],
    )
    .await;
    assert_eq!(reply.status, 200, "a weak If-Range never matches");
    assert!(reply.body == content);
    // A 304 beats the range.
    let reply = get(
        addr,
        target,
        &[("Range", "bytes=10-19"), ("If-None-Match", &etag)],
    )
    .await;
    assert_eq!(reply.status, 304);
    assert!(reply.raw_body.is_empty());
}

#[tokio::test]
async fn ranges_on_a_small_file_from_the_hot_cache() {
    let dir = tempfile::tempdir().unwrap();
    let content = pattern(200);
    write(dir.path(), "small.txt", &content);
    let addr = serve(StaticFiles::new(dir.path()).revalidate_after(Duration::from_secs(60))).await;
    check_ranges(addr, "/small.txt", &content).await;
    // Served from memory: the file can go and the ranges still work.
    std::fs::remove_file(dir.path().join("small.txt")).unwrap();
    let reply = get(addr, "/small.txt", &[("Range", "bytes=-5,0-9,5-14,66-116")]).await;
    assert_multipart(
        &reply,
        &content,
        "text/plain; charset=utf-8",
        &[(0, 14), (66, 116), (195, 199)],
    );
}

#[tokio::test]
async fn ranges_on_a_large_file_streamed_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let content = pattern(3 * 1024 * 1024);
    write(dir.path(), "large.bin", &content);
    let addr = serve(StaticFiles::new(dir.path())).await;
    check_ranges(addr, "/large.bin", &content).await;
}

#[tokio::test]
async fn ranges_on_a_large_file_in_4k_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let content = pattern(3 * 1024 * 1024 + 123);
    write(dir.path(), "large.bin", &content);
    let addr = serve(StaticFiles::new(dir.path()).chunk_size(4096)).await;
    check_ranges(addr, "/large.bin", &content).await;
    // Ranges that start and end off chunk boundaries, crossing several.
    let spec = "bytes=4000-12300,4095-4096,100000-100001,8191-8193";
    let reply = get(addr, "/large.bin", &[("Range", spec)]).await;
    assert_multipart(
        &reply,
        &content,
        "application/octet-stream",
        &[(4000, 12300), (100000, 100001)],
    );
}

#[tokio::test]
async fn max_ranges_can_be_raised() {
    let dir = tempfile::tempdir().unwrap();
    let content = pattern(200);
    write(dir.path(), "small.txt", &content);
    write(dir.path(), "large.bin", pattern(2 * 1024 * 1024));
    let addr = serve(StaticFiles::new(dir.path()).max_ranges(20)).await;
    let expected: Vec<(usize, usize)> = (0..17).map(|i| (i * 2, i * 2)).collect();
    let reply = get(addr, "/small.txt", &[("Range", &seventeen_ranges())]).await;
    assert_multipart(&reply, &content, "text/plain; charset=utf-8", &expected);
    let large = pattern(2 * 1024 * 1024);
    let reply = get(addr, "/large.bin", &[("Range", &seventeen_ranges())]).await;
    assert_multipart(&reply, &large, "application/octet-stream", &expected);
    let too_many: Vec<String> = (0..21).map(|i| format!("{0}-{0}", i * 2)).collect();
    let reply = get(
        addr,
        "/small.txt",
        &[("Range", &format!("bytes={}", too_many.join(",")))],
    )
    .await;
    assert_eq!(reply.status, 200);
}

// 4. Precompressed variants.

const CSS: &str = "body { color: red }\n/* identity */\n";
const CSS_GZ: &[u8] = b"\x1f\x8b fake gzip bytes of a.css, long enough to range over";
const CSS_BR: &[u8] = b"fake brotli bytes of a.css";
const CSS_ZST: &[u8] = b"\x28\xb5\x2f\xfd fake zstd bytes";

fn precompressed_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.css", CSS);
    write(dir.path(), "a.css.gz", CSS_GZ);
    write(dir.path(), "a.css.br", CSS_BR);
    write(dir.path(), "b.css", CSS);
    write(dir.path(), "b.css.gz", CSS_GZ);
    write(dir.path(), "b.css.zst", CSS_ZST);
    dir
}

#[tokio::test]
async fn precompressed_variants_by_accept_encoding() {
    let dir = precompressed_root();
    let addr = serve(StaticFiles::new(dir.path())).await;
    let identity = get(addr, "/a.css", &[("Accept-Encoding", "identity")]).await;
    assert_eq!(identity.status, 200);
    assert_eq!(identity.body, CSS.as_bytes());
    assert_eq!(identity.header("content-encoding"), None);
    assert_eq!(identity.must("vary"), "accept-encoding");
    let identity_tag = identity.must("etag").to_owned();

    let gzip = get(addr, "/a.css", &[("Accept-Encoding", "gzip")]).await;
    assert_eq!(gzip.status, 200);
    assert_eq!(gzip.body, CSS_GZ);
    assert_eq!(gzip.must("content-encoding"), "gzip");
    assert_eq!(gzip.must("vary"), "accept-encoding");
    assert_eq!(gzip.must("content-type"), "text/css; charset=utf-8");
    assert_eq!(gzip.content_length(), CSS_GZ.len());
    let gzip_tag = gzip.must("etag").to_owned();
    assert_ne!(gzip_tag, identity_tag);

    let br = get(addr, "/a.css", &[("Accept-Encoding", "br;q=1, gzip;q=0.5")]).await;
    assert_eq!(br.body, CSS_BR);
    assert_eq!(br.must("content-encoding"), "br");
    assert_ne!(br.must("etag"), gzip_tag);
    assert_ne!(br.must("etag"), identity_tag);
    let br = get(addr, "/a.css", &[("Accept-Encoding", "gzip, deflate, br")]).await;
    assert_eq!(
        br.must("content-encoding"),
        "br",
        "equal q: the smallest first"
    );
    let gzip = get(
        addr,
        "/a.css",
        &[("Accept-Encoding", "gzip;q=0.9, br;q=0.1")],
    )
    .await;
    assert_eq!(gzip.must("content-encoding"), "gzip");

    let none = get(addr, "/a.css", &[("Accept-Encoding", "gzip;q=0")]).await;
    assert_eq!(none.body, CSS.as_bytes());
    assert_eq!(none.header("content-encoding"), None);
    assert_eq!(none.must("etag"), identity_tag);
    let none = get(addr, "/a.css", &[("Accept-Encoding", "deflate")]).await;
    assert_eq!(none.body, CSS.as_bytes());

    // No Accept-Encoding at all: the file itself (RFC 9110 allows any
    // coding, but a client that did not ask may not decode one).
    let absent = get(addr, "/a.css", &[]).await;
    assert_eq!(absent.header("content-encoding"), None);
    assert_eq!(absent.body, CSS.as_bytes());
    assert_eq!(absent.must("vary"), "accept-encoding");
    assert_eq!(absent.must("etag"), identity_tag);

    // zstd beside gzip only.
    let zstd = get(addr, "/b.css", &[("Accept-Encoding", "zstd, gzip")]).await;
    assert_eq!(zstd.must("content-encoding"), "zstd");
    assert_eq!(zstd.body, CSS_ZST);
    let gzip = get(addr, "/b.css", &[("Accept-Encoding", "br, gzip")]).await;
    assert_eq!(gzip.must("content-encoding"), "gzip");

    // The variant's own tag revalidates the variant.
    let reply = get(
        addr,
        "/a.css",
        &[("Accept-Encoding", "gzip"), ("If-None-Match", &gzip_tag)],
    )
    .await;
    assert_eq!(reply.status, 304);
    assert_eq!(reply.must("etag"), gzip_tag);
    assert_eq!(reply.must("vary"), "accept-encoding");
    let reply = get(addr, "/a.css", &[("If-None-Match", &gzip_tag)]).await;
    assert_eq!(
        reply.status, 200,
        "the gzip tag does not match the identity"
    );

    // The compressed files are not hidden siblings: they can be fetched too.
    let reply = get(addr, "/a.css.gz", &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, CSS_GZ);
}

#[tokio::test]
async fn ranges_apply_to_the_chosen_variant() {
    let dir = precompressed_root();
    let addr = serve(StaticFiles::new(dir.path())).await;
    let reply = get(
        addr,
        "/a.css",
        &[("Accept-Encoding", "gzip"), ("Range", "bytes=2-11")],
    )
    .await;
    assert_eq!(reply.status, 206);
    assert_eq!(reply.must("content-encoding"), "gzip");
    assert_eq!(
        reply.must("content-range"),
        format!("bytes 2-11/{}", CSS_GZ.len())
    );
    assert_eq!(reply.body, &CSS_GZ[2..12]);
    let reply = get(
        addr,
        "/a.css",
        &[("Accept-Encoding", "gzip"), ("Range", "bytes=0-1,-4")],
    )
    .await;
    assert_eq!(reply.must("content-encoding"), "gzip");
    assert_multipart(
        &reply,
        CSS_GZ,
        "text/css; charset=utf-8",
        &[(0, 1), (CSS_GZ.len() - 4, CSS_GZ.len() - 1)],
    );
    // Past the end of br (26 bytes) but inside gzip: 416 with br's length.
    let reply = get(
        addr,
        "/a.css",
        &[("Accept-Encoding", "br"), ("Range", "bytes=40-")],
    )
    .await;
    assert_eq!(reply.status, 416);
    assert_eq!(
        reply.must("content-range"),
        format!("bytes */{}", CSS_BR.len())
    );
}

#[tokio::test]
async fn precompressed_off_serves_identity() {
    let dir = precompressed_root();
    let addr = serve(StaticFiles::new(dir.path()).precompressed(false)).await;
    for accept in ["gzip", "br", "br, gzip, zstd", "*"] {
        let reply = get(addr, "/a.css", &[("Accept-Encoding", accept)]).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, CSS.as_bytes(), "{accept}");
        assert_eq!(reply.header("content-encoding"), None);
        assert_eq!(reply.header("vary"), None);
    }
}

// 5. Directories.

fn directory_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "index.html", "<p>root index</p>");
    write(dir.path(), "docs/index.html", "<p>docs index</p>");
    write(dir.path(), "docs/guide.txt", "guide");
    write(dir.path(), "bare/file.txt", "a file");
    dir
}

#[tokio::test]
async fn directory_index_and_slash_redirect() {
    let dir = directory_root();
    let addr = serve(StaticFiles::new(dir.path())).await;
    let reply = get(addr, "/docs/", &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, b"<p>docs index</p>");
    assert_eq!(reply.must("content-type"), "text/html; charset=utf-8");
    let reply = get(addr, "/", &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, b"<p>root index</p>");

    let reply = get(addr, "/docs", &[]).await;
    assert_eq!(reply.status, 308);
    assert_eq!(redirect_target("/docs", &reply), "/docs/");
    let reply = get(addr, "/docs?x=1&y=%20", &[]).await;
    assert_eq!(reply.status, 308);
    assert_eq!(redirect_target("/docs", &reply), "/docs/?x=1&y=%20");
    let reply = head(addr, "/docs", &[]).await;
    assert_eq!(reply.status, 308);
    assert!(reply.raw_body.is_empty());

    // A file asked for as a directory is not there.
    assert_eq!(get(addr, "/docs/guide.txt/", &[]).await.status, 404);
    // No index and no listing: 404, and 308 first without the slash.
    assert_eq!(get(addr, "/bare/", &[]).await.status, 404);
    let reply = get(addr, "/bare", &[]).await;
    assert_eq!(redirect_target("/bare", &reply), "/bare/");
    assert_eq!(get(addr, "/bare/file.txt", &[]).await.status, 200);

    // index_file(None): no index either.
    let addr = serve(StaticFiles::new(dir.path()).index_file(None)).await;
    assert_eq!(get(addr, "/docs/", &[]).await.status, 404);
    let addr = serve(StaticFiles::new(dir.path()).index_file(Some("guide.txt"))).await;
    assert_eq!(get(addr, "/docs/", &[]).await.body, b"guide");
}

#[tokio::test]
async fn slash_redirect_under_a_router_mount() {
    let dir = directory_root();
    let router =
        tackle_routing::Router::<Incoming>::new().mount("/files", StaticFiles::new(dir.path()));
    let addr = serve(router).await;
    let reply = get(addr, "/files/docs", &[]).await;
    assert_eq!(reply.status, 308);
    assert_eq!(reply.must("location"), "/files/docs/");
    let reply = get(addr, "/files/docs?x=1", &[]).await;
    assert_eq!(reply.must("location"), "/files/docs/?x=1");
    let reply = get(addr, "/files/docs/", &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, b"<p>docs index</p>");
    let reply = get(addr, "/files/docs/guide.txt", &[]).await;
    assert_eq!(reply.body, b"guide");
    let reply = get(addr, "/files/", &[]).await;
    assert_eq!(reply.body, b"<p>root index</p>");
}

/// The mount's own prefix without its slash is a directory asked for
/// without its slash too: it must redirect, as under [`SharedData`]
/// (`/static` → `/static/`), or the relative links of its index page and
/// listing resolve against the parent (`/files` + `docs/` = `/docs/`).
#[tokio::test]
async fn router_mount_root_without_slash_redirects() {
    let dir = directory_root();
    let router =
        tackle_routing::Router::<Incoming>::new().mount("/files", StaticFiles::new(dir.path()));
    let addr = serve(router).await;
    let reply = get(addr, "/files", &[]).await;
    assert_eq!(reply.status, 308, "/files served {:?}", reply.text());
    assert_eq!(reply.must("location"), "/files/");
    let reply = get(addr, "/files?x=1", &[]).await;
    assert_eq!(reply.must("location"), "/files/?x=1");
}

#[tokio::test]
async fn slash_redirect_under_shared_data() {
    let dir = directory_root();
    let layer = SharedData::new().mount("/static", StaticFiles::new(dir.path()));
    let addr = serve(layer.layer(common::marker_service("inner"))).await;
    let reply = get(addr, "/static/docs", &[]).await;
    assert_eq!(reply.status, 308);
    assert_eq!(reply.must("location"), "/static/docs/");
    let reply = get(addr, "/static/docs?x=1", &[]).await;
    assert_eq!(reply.must("location"), "/static/docs/?x=1");
    let reply = get(addr, "/static/docs/", &[]).await;
    assert_eq!(reply.body, b"<p>docs index</p>");
    // The mount's own prefix without its slash.
    let reply = get(addr, "/static", &[]).await;
    assert_eq!(reply.status, 308);
    assert_eq!(reply.must("location"), "/static/");
    // Not the prefix: a path that only starts with its text.
    let reply = get(addr, "/staticdocs", &[]).await;
    assert_eq!(reply.body, b"inner");
}

#[tokio::test]
async fn listing_escapes_sorts_and_links_parent() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "list/b.txt", "bbb");
    write(dir.path(), "list/a.txt", "aaaaaaaaaa");
    write(dir.path(), "list/sub/x.txt", "x");
    write(dir.path(), "list/.hidden", "secret");
    write(dir.path(), "list/big.bin", vec![0u8; 1536]);
    write(dir.path(), "list/Tom & Jerry's.txt", "cartoon");
    // `<`, `>` and `"` are not allowed in file names on Windows.
    #[cfg(unix)]
    write(dir.path(), "list/<b>&\"x\".txt", "tricky");
    let addr = serve(StaticFiles::new(dir.path())).await;
    assert_eq!(
        get(addr, "/list/", &[]).await.status,
        404,
        "listing is off by default"
    );

    let addr = serve(StaticFiles::new(dir.path()).listing(true)).await;
    let reply = get(addr, "/list/", &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.must("content-type"), "text/html; charset=utf-8");
    assert_eq!(reply.content_length(), reply.body.len());
    let html = reply.text();
    assert!(html.contains("Index of /list/"), "{html}");
    assert!(
        html.contains("<a href=\"../\">../</a>"),
        "no parent link: {html}"
    );
    assert!(!html.contains(".hidden"), "a dotfile listed");
    let a = html.find(">a.txt<").expect("a.txt listed");
    let b = html.find(">b.txt<").expect("b.txt listed");
    let big = html.find(">big.bin<").expect("big.bin listed");
    let sub = html.find(">sub/<").expect("sub/ listed");
    assert!(
        sub < a && a < b && b < big,
        "not sorted (directories first, then by name)"
    );
    assert!(html.contains("href=\"sub/\""));
    assert!(html.contains("10 B"), "size of a.txt: {html}");
    assert!(html.contains("3 B"), "size of b.txt");
    assert!(html.contains("1.5 KiB"), "size of big.bin");
    // Escaped in the text, percent-encoded in the link.
    assert!(html.contains("Tom &amp; Jerry&#39;s.txt"), "{html}");
    assert!(
        html.contains("href=\"Tom%20%26%20Jerry%27s.txt\""),
        "{html}"
    );
    let cartoon = get(addr, "/list/Tom%20%26%20Jerry%27s.txt", &[]).await;
    assert_eq!(cartoon.body, b"cartoon", "the link is served");
    // A name safe_join refuses would be a dead link: not listed at all.
    #[cfg(unix)]
    assert!(
        !html.contains("&lt;b&gt;") && !html.contains("<b>"),
        "{html}"
    );
    // A name with HTML-significant characters that safe_join allows: its
    // link, followed, gives the file.
    assert!(html.contains(">Tom &amp; Jerry&#39;s.txt<"), "{html}");
    assert!(
        html.contains("href=\"Tom%20%26%20Jerry%27s.txt\""),
        "{html}"
    );
    let reply = get(addr, "/list/Tom%20%26%20Jerry%27s.txt", &[]).await;
    assert_eq!(reply.body, b"cartoon", "the link leads to the file");
    // The root of the listing has no parent link.
    let root = get(addr, "/", &[]).await.text();
    assert!(root.contains("list/"));
    assert!(!root.contains("href=\"../\""), "a parent link at the root");
    // HEAD of a listing: no body.
    let headed = head(addr, "/list/", &[]).await;
    assert_eq!(headed.status, 200);
    assert!(headed.raw_body.is_empty());
}

// 6. Cache-Control.

#[tokio::test]
async fn cache_control_policy() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app.3f2a9c1b.js", "fingerprinted");
    write(dir.path(), "app.js", "plain");
    write(dir.path(), "page.html", "<p>page</p>");
    write(dir.path(), "logo.png", "png");
    let addr = serve(StaticFiles::new(dir.path())).await;
    let cache_control = |reply: Reply| reply.must("cache-control").to_owned();
    assert_eq!(
        cache_control(get(addr, "/app.3f2a9c1b.js", &[]).await),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(cache_control(get(addr, "/app.js", &[]).await), "no-cache");
    assert_eq!(
        cache_control(get(addr, "/page.html", &[]).await),
        "no-cache"
    );

    let policy = CachePolicy::new()
        .max_age(Duration::from_secs(600))
        .extension("html", "no-store");
    let addr = serve(StaticFiles::new(dir.path()).cache_policy(policy)).await;
    assert_eq!(
        cache_control(get(addr, "/logo.png", &[]).await),
        "public, max-age=600"
    );
    assert_eq!(
        cache_control(get(addr, "/app.js", &[]).await),
        "public, max-age=600"
    );
    assert_eq!(
        cache_control(get(addr, "/page.html", &[]).await),
        "no-store"
    );
    assert_eq!(
        cache_control(get(addr, "/app.3f2a9c1b.js", &[]).await),
        "public, max-age=31536000, immutable"
    );
    // On a 304 too.
    let etag = get(addr, "/page.html", &[]).await.must("etag").to_owned();
    let reply = get(addr, "/page.html", &[("If-None-Match", &etag)]).await;
    assert_eq!(reply.status, 304);
    assert_eq!(reply.must("cache-control"), "no-store");

    let policy = CachePolicy::new().fingerprinted(None);
    let addr = serve(StaticFiles::new(dir.path()).cache_policy(policy)).await;
    assert_eq!(
        cache_control(get(addr, "/app.3f2a9c1b.js", &[]).await),
        "no-cache"
    );
}

// 7. Content-Disposition and send_file.

#[tokio::test]
async fn attachment_content_disposition() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "x.txt", "x");
    write(dir.path(), "Résumé.txt", "cv");
    let addr = serve(StaticFiles::new(dir.path())).await;
    assert_eq!(
        get(addr, "/x.txt", &[]).await.header("content-disposition"),
        None
    );

    let addr = serve(StaticFiles::new(dir.path()).attachment(true)).await;
    let reply = get(addr, "/x.txt", &[]).await;
    assert_eq!(
        reply.must("content-disposition"),
        "attachment; filename=\"x.txt\""
    );
    let reply = get(addr, "/R%C3%A9sum%C3%A9.txt", &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, b"cv");
    let disposition = reply.must("content-disposition");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''R%C3%A9sum%C3%A9.txt"),
        "{disposition}"
    );
    assert!(disposition.is_ascii());
}

#[tokio::test]
async fn send_file_in_a_handler() {
    let dir = tempfile::tempdir().unwrap();
    let report = write(dir.path(), "report.txt", "the quarterly report");
    let pdf = write(dir.path(), "7f3a.pdf", "%PDF-1.7 fake");
    let missing = dir.path().join("missing.txt");
    let handler = tower::service_fn(move |request: Request<Incoming>| {
        let (report, pdf, missing) = (report.clone(), pdf.clone(), missing.clone());
        async move {
            let (parts, _) = request.into_parts();
            let request = Request::from_parts(parts, ());
            let response = match request.uri().path() {
                "/report" => send_file(&request, report).await,
                "/download" => {
                    SendFile::new(pdf)
                        .download_as("Résumé.pdf")
                        .send(&request)
                        .await
                }
                _ => send_file(&request, missing).await,
            };
            Ok::<_, Infallible>(response)
        }
    });
    let addr = serve(handler).await;
    let reply = get(addr, "/report", &[]).await;
    assert_eq!(reply.status, 200);
    assert_file_headers(&reply, "text/plain; charset=utf-8", 20);
    assert_eq!(reply.body, b"the quarterly report");
    let etag = reply.must("etag").to_owned();
    let reply = get(addr, "/report", &[("If-None-Match", &etag)]).await;
    assert_eq!(reply.status, 304);
    assert!(reply.raw_body.is_empty());
    let reply = get(addr, "/report", &[("Range", "bytes=4-12")]).await;
    assert_eq!(reply.status, 206);
    assert_eq!(reply.must("content-range"), "bytes 4-12/20");
    assert_eq!(reply.body, b"quarterly");
    let headed = head(addr, "/report", &[]).await;
    assert_eq!(headed.status, 200);
    assert_eq!(headed.content_length(), 20);
    assert!(headed.raw_body.is_empty());

    let reply = get(addr, "/download", &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.must("content-type"), "application/pdf");
    let disposition = reply.must("content-disposition");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''R%C3%A9sum%C3%A9.pdf"),
        "{disposition}"
    );
    assert_eq!(reply.body, b"%PDF-1.7 fake");

    let reply = get(addr, "/elsewhere", &[]).await;
    assert_eq!(reply.status, 404);
}

// 8. Symbolic links.

#[cfg(unix)]
#[tokio::test]
async fn symlinks() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    write(&root, "real.txt", "inside");
    write(&root, "real_dir/f.txt", "in a directory");
    write(tmp.path(), "outside.txt", "OUTSIDE-SECRET");
    write(tmp.path(), "outside_dir/f.txt", "OUTSIDE-SECRET");
    symlink(root.join("real.txt"), root.join("link.txt")).unwrap();
    symlink("real.txt", root.join("relative_link.txt")).unwrap();
    symlink(root.join("real_dir"), root.join("dir_link")).unwrap();
    symlink(tmp.path().join("outside.txt"), root.join("out_link.txt")).unwrap();
    symlink("../outside.txt", root.join("out_relative.txt")).unwrap();
    symlink(tmp.path().join("outside_dir"), root.join("out_dir")).unwrap();

    let outside = [
        "/out_link.txt",
        "/out_relative.txt",
        "/out_dir/f.txt",
        "/out_dir/",
        "/out_dir",
    ];
    let addr = serve(StaticFiles::new(&root)).await;
    assert_eq!(get(addr, "/real.txt", &[]).await.body, b"inside");
    assert_eq!(get(addr, "/real_dir/f.txt", &[]).await.status, 200);
    for path in [
        "/link.txt",
        "/relative_link.txt",
        "/dir_link/f.txt",
        "/dir_link/",
        "/dir_link",
    ] {
        assert_eq!(get(addr, path, &[]).await.status, 404, "{path} by default");
    }
    for path in outside {
        let reply = get(addr, path, &[]).await;
        assert_eq!(reply.status, 404, "{path} by default");
        assert!(!reply.text().contains("OUTSIDE-SECRET"));
    }

    let addr = serve(StaticFiles::new(&root).follow_symlinks(true)).await;
    assert_eq!(get(addr, "/link.txt", &[]).await.body, b"inside");
    assert_eq!(get(addr, "/relative_link.txt", &[]).await.body, b"inside");
    assert_eq!(
        get(addr, "/dir_link/f.txt", &[]).await.body,
        b"in a directory"
    );
    let reply = get(addr, "/dir_link", &[]).await;
    assert_eq!(redirect_target("/dir_link", &reply), "/dir_link/");
    for path in outside {
        let reply = get(addr, path, &[]).await;
        assert_eq!(reply.status, 404, "{path} following links");
        assert!(!reply.text().contains("OUTSIDE-SECRET"));
    }
    // With the listing on, a link to outside is not listed as a way out.
    let addr = serve(StaticFiles::new(&root).follow_symlinks(true).listing(true)).await;
    assert_eq!(get(addr, "/out_dir/", &[]).await.status, 404);
}

// 9. Disallowed paths.

#[tokio::test]
async fn disallowed_paths_are_404() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", "TOKEN=secret");
    write(dir.path(), ".git/config", "[core]");
    write(dir.path(), ".well-known/x", "well known");
    write(dir.path(), "app.js", "app");
    write(dir.path(), "app.js.map", "map");
    let addr = serve(StaticFiles::new(dir.path())).await;
    for path in [
        "/.env",
        "/.git/config",
        "/.git/",
        "/.git",
        "/.well-known/x",
        "/%2Eenv",
    ] {
        let reply = get(addr, path, &[]).await;
        assert_eq!(reply.status, 404, "{path}");
        assert!(!reply.text().contains("secret"));
    }
    assert_eq!(get(addr, "/app.js.map", &[]).await.status, 200);

    let addr = serve(StaticFiles::new(dir.path()).disallow("*.map")).await;
    assert_eq!(get(addr, "/app.js.map", &[]).await.status, 404);
    assert_eq!(get(addr, "/app.js", &[]).await.status, 200);
    assert_eq!(
        get(addr, "/.env", &[]).await.status,
        404,
        "dotfiles stay disallowed"
    );

    let addr = serve(StaticFiles::new(dir.path()).disallowed(Disallow::none())).await;
    assert_eq!(get(addr, "/.well-known/x", &[]).await.body, b"well known");
    assert_eq!(get(addr, "/.env", &[]).await.status, 200);
}

// 10. SharedData.

/// An inner service answering `inner <path>` and counting its calls.
fn counting_inner(
    calls: Arc<AtomicUsize>,
) -> impl tower::Service<
    Request<Incoming>,
    Response = MarkerResponse,
    Error = Infallible,
    Future = MarkerFuture,
> + Clone {
    tower::service_fn(move |request: Request<Incoming>| {
        calls.fetch_add(1, Ordering::SeqCst);
        let body = format!("inner {} {}", request.method(), request.uri().path());
        std::future::ready(Ok(Response::new(http_body_util::Full::new(Bytes::from(
            body,
        )))))
    })
}

#[tokio::test]
async fn shared_data_mounts_in_order_and_falls_through() {
    let tmp = tempfile::tempdir().unwrap();
    let assets = tmp.path().join("assets");
    let public = tmp.path().join("public");
    write(&assets, "app.js", "assets app.js");
    write(&public, "static/app.js", "public static/app.js");
    write(&public, "static/only-public.txt", "only in public");
    write(&public, "robots.txt", "User-agent: *");
    write(&public, ".env", "secret");

    let calls = Arc::new(AtomicUsize::new(0));
    let layer = SharedData::new()
        .mount("/static", StaticFiles::new(&assets))
        .mount("/", StaticFiles::new(&public));
    let addr = serve(layer.layer(counting_inner(Arc::clone(&calls)))).await;
    let count = || calls.load(Ordering::SeqCst);

    let reply = get(addr, "/static/app.js", &[]).await;
    assert_eq!(reply.body, b"assets app.js", "the first mount wins");
    assert_eq!(reply.must("content-type"), "text/javascript; charset=utf-8");
    let reply = get(addr, "/static/only-public.txt", &[]).await;
    assert_eq!(reply.body, b"only in public", "a miss tries the next mount");
    let reply = get(addr, "/robots.txt", &[]).await;
    assert_eq!(reply.body, b"User-agent: *");
    let etag = reply.must("etag").to_owned();
    let reply = get(addr, "/robots.txt", &[("If-None-Match", &etag)]).await;
    assert_eq!(reply.status, 304);
    let reply = get(addr, "/robots.txt", &[("Range", "bytes=0-9")]).await;
    assert_eq!(reply.status, 206);
    assert_eq!(reply.body, b"User-agent");
    assert_eq!(count(), 0, "files found: the inner service not called");

    let reply = get(addr, "/nothing/here", &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, b"inner GET /nothing/here");
    assert_eq!(count(), 1);
    let reply = get(addr, "/static/missing.js", &[]).await;
    assert_eq!(reply.body, b"inner GET /static/missing.js");
    assert_eq!(count(), 2);
    let reply = get(addr, "/.env", &[]).await;
    assert_eq!(reply.body, b"inner GET /.env", "disallowed: as if absent");
    assert_eq!(count(), 3);
    let reply = request(addr, "POST", "/static/app.js", &[]).await;
    assert_eq!(reply.body, b"inner POST /static/app.js");
    assert_eq!(count(), 4);
    let reply = request(addr, "DELETE", "/robots.txt", &[]).await;
    assert_eq!(reply.body, b"inner DELETE /robots.txt");
    assert_eq!(count(), 5);
    let reply = head(addr, "/static/app.js", &[]).await;
    assert_eq!(reply.status, 200);
    assert!(reply.raw_body.is_empty());
    assert_eq!(count(), 5);

    // The other order: the root mount shadows /static.
    let layer = SharedData::new()
        .mount("/", StaticFiles::new(&public))
        .mount("/static", StaticFiles::new(&assets));
    let calls = Arc::new(AtomicUsize::new(0));
    let addr = serve(layer.layer(counting_inner(Arc::clone(&calls)))).await;
    let reply = get(addr, "/static/app.js", &[]).await;
    assert_eq!(reply.body, b"public static/app.js");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

// 11. Hot cache.

#[tokio::test]
async fn hot_cache_serves_without_touching_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "hot.txt", "hot content");
    let addr = serve(StaticFiles::new(dir.path()).revalidate_after(Duration::from_secs(60))).await;
    let first = get(addr, "/hot.txt", &[]).await;
    assert_eq!(first.status, 200);
    std::fs::remove_file(&file).unwrap();
    let second = get(addr, "/hot.txt", &[]).await;
    assert_eq!(second.status, 200, "the second GET went to the disk");
    assert_eq!(second.body, b"hot content");
    assert_eq!(second.must("etag"), first.must("etag"));
    let reply = get(addr, "/hot.txt", &[("If-None-Match", first.must("etag"))]).await;
    assert_eq!(reply.status, 304);
}

/// The hot cache is keyed by the raw, percent-encoded request path, so
/// every spelling of one file (`/e.txt`, `/%65.txt`, `/%65%2Etxt`, ...) is a
/// separate entry: a hot file reached by another spelling goes to the disk,
/// and since a zero-length file counts 0 bytes against the budget, one
/// empty file fills the cache with unboundedly many entries (200 000
/// spellings were all kept in a scratch run). Keyed by the decoded
/// relative path, all spellings share one entry.
#[tokio::test]
async fn hot_cache_keeps_one_entry_per_file_not_per_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "e.txt", "");
    let addr = serve(StaticFiles::new(dir.path()).revalidate_after(Duration::from_secs(60))).await;
    assert_eq!(get(addr, "/e.txt", &[]).await.status, 200);
    std::fs::remove_file(&file).unwrap();
    assert_eq!(get(addr, "/e.txt", &[]).await.status, 200, "kept");
    for spelling in ["/%65.txt", "/e%2Etxt", "/%65%2e%74%78%74"] {
        let reply = get(addr, spelling, &[]).await;
        assert_eq!(
            reply.status, 200,
            "{spelling}: not the cached entry of /e.txt"
        );
    }
}

#[tokio::test]
async fn revalidate_after_zero_sees_a_deleted_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "hot.txt", "hot content");
    let addr = serve(StaticFiles::new(dir.path()).revalidate_after(Duration::ZERO)).await;
    assert_eq!(get(addr, "/hot.txt", &[]).await.status, 200);
    std::fs::remove_file(&file).unwrap();
    assert_eq!(get(addr, "/hot.txt", &[]).await.status, 404);
    // And it comes back when the file does.
    write(dir.path(), "hot.txt", "back again");
    assert_eq!(get(addr, "/hot.txt", &[]).await.body, b"back again");
}

#[tokio::test]
async fn hot_cache_off_reads_the_disk_each_time() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "cold.txt", "cold content");
    let addr = serve(
        StaticFiles::new(dir.path())
            .hot_cache(0, 0)
            .revalidate_after(Duration::from_secs(60)),
    )
    .await;
    assert_eq!(get(addr, "/cold.txt", &[]).await.body, b"cold content");
    std::fs::remove_file(&file).unwrap();
    assert_eq!(get(addr, "/cold.txt", &[]).await.status, 404);
}

// 12. A large file.

#[tokio::test]
async fn large_file_streams_whole() {
    let dir = tempfile::tempdir().unwrap();
    let content = pattern(5 * 1024 * 1024 + 7);
    write(dir.path(), "video.bin", &content);
    let addr = serve(StaticFiles::new(dir.path())).await;
    let reply = get(addr, "/video.bin", &[]).await;
    assert_eq!(reply.status, 200);
    assert_file_headers(&reply, "application/octet-stream", content.len());
    assert_eq!(reply.body.len(), content.len());
    assert!(reply.body == content, "the streamed bytes differ");
    let headed = head(addr, "/video.bin", &[]).await;
    assert_eq!(headed.status, 200);
    assert_eq!(headed.content_length(), content.len());
    assert!(headed.raw_body.is_empty());
    // Twice more, concurrently: nothing shared between the bodies.
    let (one, two) = tokio::join!(get(addr, "/video.bin", &[]), get(addr, "/video.bin", &[]));
    assert!(one.body == content && two.body == content);
}
