//! A bundle exactly as `BundleBuilder` writes it, compiled:
//! `fixtures/bundle.generated.rs` is the generator's output for
//! `fixtures/bundle/` (kept equal to it by `tests/bundle_generated.rs`), so
//! this proves that the generated source compiles and describes the files.

use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tackle_static::bundle::Bundle;
use xxhash_rust::xxh3::xxh3_128;

mod generated {
    include!("fixtures/bundle.generated.rs");
}

static FIXTURE: &Bundle = &generated::FIXTURE;

fn on_disk(path: &str) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bundle");
    std::fs::read(root.join(path)).unwrap()
}

fn tag(content: &[u8]) -> String {
    format!(
        "\"{}\"",
        URL_SAFE_NO_PAD.encode(xxh3_128(content).to_be_bytes())
    )
}

#[test]
fn contents_and_tags_are_the_files() {
    let files = FIXTURE.files();
    assert_eq!(files.len(), 8);
    assert!(files.windows(2).all(|pair| pair[0].path < pair[1].path));
    for file in files {
        assert_eq!(file.content, on_disk(file.path), "{}", file.path);
        assert_eq!(file.etag, tag(file.content), "{}", file.path);
        for variant in file.variants {
            let suffix = match variant.coding {
                "br" => "br",
                "zstd" => "zst",
                "gzip" => "gz",
                other => panic!("unexpected coding {other}"),
            };
            let sibling = on_disk(&format!("{}.{suffix}", file.path));
            assert_eq!(variant.content, sibling, "{} {}", file.path, variant.coding);
            assert_eq!(variant.etag, tag(variant.content));
            assert_ne!(variant.etag, file.etag);
        }
    }
}

#[test]
fn get() {
    let css = FIXTURE.get("css/site.css").unwrap();
    assert_eq!(css.content_type, "text/css; charset=utf-8");
    assert_eq!(css.variants.len(), 2);
    assert_eq!(
        css.variant("zstd").unwrap().content[..4],
        [0x28, 0xb5, 0x2f, 0xfd]
    );
    assert_eq!(css.variant("gzip").unwrap().content[..2], [0x1f, 0x8b]);
    assert!(css.variant("br").is_none());

    let space = FIXTURE.get("docs/café menu.txt").unwrap();
    assert!(space.content.starts_with("Café menu".as_bytes()));
    let js = FIXTURE.get("js/app.3f2a9c1b.js").unwrap();
    assert_eq!(js.content_type, "text/javascript; charset=utf-8");
    let orphan = FIXTURE.get("downloads/notes.txt.gz").unwrap();
    assert_eq!(
        (orphan.content_type, orphan.variants.len()),
        ("application/gzip", 0)
    );
    assert_eq!(
        FIXTURE.get("misc/README").unwrap().content_type,
        "application/octet-stream"
    );

    for missing in [
        "",
        "css",
        "css/",
        "/index.html",
        "css/site.css.gz", // a variant, not a file of its own
        "css/site.css.zst",
        ".secret",                   // dotfiles are left out
        "docs/caf%C3%A9%20menu.txt", // paths are stored decoded
        "docs/cafe\u{301} menu.txt", // and not normalized
        "INDEX.HTML",
    ] {
        assert!(FIXTURE.get(missing).is_none(), "{missing:?}");
    }
}

#[test]
fn directories_and_listings() {
    for dir in [
        "",
        "css",
        "docs",
        "docs/",
        "docs/guides",
        "downloads",
        "img",
        "js",
        "misc",
    ] {
        assert!(FIXTURE.is_dir(dir), "{dir:?}");
    }
    for not in [
        "index.html",
        "css/site.css",
        "doc",
        "docs/guides/intro.txt",
        "nope",
        "c",
    ] {
        assert!(!FIXTURE.is_dir(not), "{not:?}");
    }

    let size = |path: &str| on_disk(path).len() as u64;
    let entry = |name: &str, is_dir: bool, size: u64| (name.to_string(), is_dir, size);
    assert_eq!(
        FIXTURE.list(""),
        [
            entry("css", true, 0),
            entry("docs", true, 0),
            entry("downloads", true, 0),
            entry("img", true, 0),
            entry("index.html", false, size("index.html")),
            entry("js", true, 0),
            entry("misc", true, 0),
        ]
    );
    assert_eq!(
        FIXTURE.list("docs"),
        [
            entry("café menu.txt", false, size("docs/café menu.txt")),
            entry("guides", true, 0),
        ]
    );
    assert_eq!(FIXTURE.list("docs/"), FIXTURE.list("docs"));
    assert_eq!(
        FIXTURE.list("css"),
        [entry("site.css", false, size("css/site.css"))],
        "variants are not listed"
    );
    assert!(FIXTURE.list("index.html").is_empty());
    assert!(FIXTURE.list("nope").is_empty());
}

#[test]
fn modified() {
    assert_eq!(
        FIXTURE.modified(),
        Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
    );
}

#[test]
fn debug_shows_sizes_not_bytes() {
    let debug = format!("{:?}", FIXTURE);
    assert!(debug.contains("path: \"css/site.css\""), "{debug}");
    assert!(debug.contains(&format!("len: {}", on_disk("css/site.css").len())));
    assert!(debug.len() < 4096, "{debug}");
}

/// The compiled bundle served by `StaticFiles::bundle`: the same answers
/// as a directory on disk, with content-hash tags.
#[tokio::test]
async fn served_like_a_directory() {
    use http::{Request, StatusCode, header};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let files = tackle_static::StaticFiles::bundle(FIXTURE);
    let get = |path: &str, headers: &[(&str, &str)]| {
        let mut request = Request::get(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        files.clone().oneshot(request.body(()).unwrap())
    };

    let css = get("/css/site.css", &[]).await.unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()[header::ETAG], tag(&on_disk("css/site.css")));
    assert_eq!(
        css.headers()[header::CONTENT_TYPE],
        "text/css; charset=utf-8"
    );
    assert_eq!(css.headers()[header::VARY], "accept-encoding");
    let etag = css.headers()[header::ETAG].clone();
    let body = css.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, on_disk("css/site.css"));

    let gzip = get("/css/site.css", &[("accept-encoding", "gzip")])
        .await
        .unwrap();
    assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(
        gzip.headers()[header::ETAG],
        tag(&on_disk("css/site.css.gz"))
    );
    let body = gzip.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, on_disk("css/site.css.gz"));

    let revalidated = get(
        "/css/site.css",
        &[("if-none-match", etag.to_str().unwrap())],
    )
    .await
    .unwrap();
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);

    let range = get("/css/site.css", &[("range", "bytes=0-3")])
        .await
        .unwrap();
    assert_eq!(range.status(), StatusCode::PARTIAL_CONTENT);
    let body = range.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, on_disk("css/site.css")[..4]);

    let script = get("/js/app.3f2a9c1b.js", &[]).await.unwrap();
    assert_eq!(
        script.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );

    let index = get("/", &[]).await.unwrap();
    let body = index.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, on_disk("index.html"));
    let redirect = get("/docs", &[]).await.unwrap();
    assert_eq!(redirect.status(), StatusCode::PERMANENT_REDIRECT);
    // Relative: no mount prefix is known, and `docs/` resolves right under any.
    assert_eq!(redirect.headers()[header::LOCATION], "docs/");
    assert_eq!(
        get("/docs/", &[]).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let listed = tackle_static::StaticFiles::bundle(FIXTURE).listing(true);
    let listing = listed
        .oneshot(Request::get("/docs/").body(()).unwrap())
        .await
        .unwrap();
    let page = listing.into_body().collect().await.unwrap().to_bytes();
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(page.contains("guides/"), "{page}");
    assert_eq!(
        get("/missing.txt", &[]).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[path = "common/mod.rs"]
mod common;

/// The same over a real socket: what goes over the wire for an embedded
/// file, its gzip variant and a `multipart/byteranges` answer.
#[tokio::test]
async fn served_over_a_socket() {
    let addr = common::serve(tackle_static::StaticFiles::bundle(FIXTURE)).await;
    let css = on_disk("css/site.css");

    let whole = common::get(addr, "/css/site.css", &[]).await;
    assert_eq!(whole.status, 200);
    assert_eq!(whole.body, css);
    assert_eq!(whole.must("etag"), tag(&css));

    let gzip = common::get(addr, "/css/site.css", &[("accept-encoding", "gzip")]).await;
    assert_eq!(gzip.must("content-encoding"), "gzip");
    assert_eq!(gzip.body, on_disk("css/site.css.gz"));

    let ranges = common::get(addr, "/css/site.css", &[("range", "bytes=0-4,-3")]).await;
    assert_eq!(ranges.status, 206);
    let boundary = common::boundary(ranges.must("content-type"));
    let parts = common::parse_byteranges(&ranges.body, &boundary);
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].bytes, css[..5]);
    assert_eq!(parts[1].bytes, css[css.len() - 3..]);

    let head = common::head(addr, "/css/site.css", &[]).await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.must("content-length"), css.len().to_string());
}
