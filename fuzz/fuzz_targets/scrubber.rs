//! tackle-report's `Scrubber` and renderers: arbitrary text through
//! `scrub_text`, `scrub_uri` and `scrub_body` (JSON, form and no content
//! type), and a report with arbitrary header values, URI, message, causes,
//! span and event fields through `render::text`, `markdown` and `json`.
//!
//! Nothing panics; scrubbing what was scrubbed changes nothing (a scrubber
//! whose output still matched its own patterns would have left something
//! behind); and a secret planted at a random position — `Bearer <token>`,
//! `password=<value>`, an `Authorization` or `Cookie` header, a JSON
//! `"password"` member, a `token` form field — never survives, whatever
//! surrounds it.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use tackle_report::{
    ErrorReport, EventRecord, ReportKind, RequestSnapshot, ResponseSnapshot, Scrubber, SpanRecord,
    render,
};

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    // Extra words only add to the defaults, so every planted secret below
    // stays a secret. A word found in `[REDACTED]` itself (`act`, `red`)
    // makes the replacement look like a secret name on a second pass
    // (`[REDACTED] =x` loses `x`): more redaction, not less, but not
    // idempotent, so such words are left out.
    let mut scrubber = Scrubber::new();
    if u.arbitrary()? {
        let word: &str = u.arbitrary()?;
        if !"[redacted]".contains(word.trim().to_lowercase().as_str()) {
            scrubber = scrubber.name_pattern(word);
        }
    }
    if u.arbitrary()? {
        let header: &str = u.arbitrary()?;
        scrubber = scrubber.header(header);
    }

    let text: &str = u.arbitrary()?;
    scrub_text(&scrubber, u, text)?;
    scrub_uri(&scrubber, u, text)?;
    scrub_body(&scrubber, u, text)?;
    render_report(&scrubber, u)?;
    Ok(())
}

/// A secret no input can contain by chance: a marker and random letters.
fn secret(u: &mut Unstructured<'_>, marker: &str) -> Result<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let len = u.int_in_range(6..=24)?;
    let mut out = String::from(marker);
    for _ in 0..len {
        out.push(char::from(*u.choose(ALPHABET)?));
    }
    Ok(out)
}

/// `text` with `planted` inserted at a random character boundary.
fn plant(u: &mut Unstructured<'_>, text: &str, planted: &str) -> Result<String> {
    let mut at = u.int_in_range(0..=text.len())?;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    Ok(format!("{}{planted}{}", &text[..at], &text[at..]))
}

fn assert_idempotent(once: &str, twice: &str, what: &str, input: &str) {
    assert_eq!(
        twice, once,
        "{what} scrubbed twice differs from once, input {input:?}"
    );
}

fn assert_gone(output: &str, secret: &str, what: &str, input: &str) {
    assert!(
        !output.contains(secret),
        "{what} kept the planted secret {secret:?}: input {input:?}, output {output:?}"
    );
}

fn scrub_text(scrubber: &Scrubber, u: &mut Unstructured<'_>, text: &str) -> Result<()> {
    let once = scrubber.scrub_text(text);
    assert_idempotent(&once, &scrubber.scrub_text(&once), "text", text);

    let token = secret(u, "TKBEARER")?;
    let bearer = plant(u, text, &format!(" Bearer {token} "))?;
    let out = scrubber.scrub_text(&bearer);
    assert_gone(&out, &token, "scrub_text (Bearer)", &bearer);
    assert_idempotent(&out, &scrubber.scrub_text(&out), "text", &bearer);

    let password = secret(u, "PWPLANT")?;
    let assigned = plant(u, text, &format!(" password={password} "))?;
    let out = scrubber.scrub_text(&assigned);
    assert_gone(&out, &password, "scrub_text (password=)", &assigned);
    assert_idempotent(&out, &scrubber.scrub_text(&out), "text", &assigned);
    Ok(())
}

fn scrub_uri(scrubber: &Scrubber, u: &mut Unstructured<'_>, text: &str) -> Result<()> {
    let once = scrubber.scrub_uri(text);
    assert_idempotent(&once, &scrubber.scrub_uri(&once), "uri", text);

    let password = secret(u, "PWURI")?;
    let uri = plant(u, text, &format!("&password={password}&"))?;
    let out = scrubber.scrub_uri(&uri);
    assert_gone(&out, &password, "scrub_uri (password=)", &uri);
    assert_idempotent(&out, &scrubber.scrub_uri(&out), "uri", &uri);
    Ok(())
}

fn scrub_body(scrubber: &Scrubber, u: &mut Unstructured<'_>, text: &str) -> Result<()> {
    let content_types = [
        None,
        Some("application/json"),
        Some("application/problem+json; charset=utf-8"),
        Some("application/x-www-form-urlencoded"),
        Some("text/plain"),
    ];
    let content_type = *u.choose(&content_types)?;
    let raw: &[u8] = u.arbitrary()?;
    for body in [text.as_bytes(), raw] {
        let once = scrubber.scrub_body(body, content_type);
        let twice = scrubber.scrub_body(once.as_bytes(), content_type);
        let input = String::from_utf8_lossy(body);
        // A JSON body is re-serialised, and serde_json's float parsing is
        // not exact (no `float_roundtrip`): `2.222222222222222e38` reads
        // back one ulp off. Numbers aside, nothing may change.
        match (json_shape(&once), json_shape(&twice)) {
            (Some(a), Some(b)) => assert_eq!(a, b, "JSON body scrubbed twice, input {input:?}"),
            _ => assert_idempotent(&once, &twice, "body", &input),
        }
    }

    // A JSON document with a secret member beside an arbitrary value.
    let password = secret(u, "PWJSON")?;
    let json = format!(
        r#"{{"user": {}, "password": "{password}", "nested": [{{"api_key": "{password}"}}]}}"#,
        serde_json_string(text)
    );
    for content_type in [None, Some("application/json")] {
        let out = scrubber.scrub_body(json.as_bytes(), content_type);
        assert_gone(&out, &password, "scrub_body (JSON)", &json);
    }

    // A form with a secret field among arbitrary ones.
    let token = secret(u, "TKFORM")?;
    let form = plant(u, text, &format!("&token={token}&"))?;
    let out = scrubber.scrub_body(form.as_bytes(), Some("application/x-www-form-urlencoded"));
    assert_gone(&out, &token, "scrub_body (form)", &form);
    let twice = scrubber.scrub_body(out.as_bytes(), Some("application/x-www-form-urlencoded"));
    assert_idempotent(&out, &twice, "form body", &form);
    Ok(())
}

/// A JSON document with every number replaced by 0, or `None` for text
/// that is no JSON.
fn json_shape(text: &str) -> Option<serde_json::Value> {
    use serde_json::Value;
    fn zero(value: &mut Value) {
        match value {
            Value::Number(_) => *value = Value::from(0),
            Value::Array(items) => items.iter_mut().for_each(zero),
            Value::Object(map) => map.values_mut().for_each(zero),
            Value::Null | Value::Bool(_) | Value::String(_) => {}
        }
    }
    let mut value = serde_json::from_str(text).ok()?;
    zero(&mut value);
    Some(value)
}

/// `text` as a JSON string literal.
fn serde_json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn render_report(scrubber: &Scrubber, u: &mut Unstructured<'_>) -> Result<()> {
    let kinds = [
        ReportKind::Panic,
        ReportKind::ServiceError,
        ReportKind::ServerError,
    ];
    let message: String = u.arbitrary()?;
    let mut report = ErrorReport::new(*u.choose(&kinds)?, message);
    report.causes = u.arbitrary()?;

    let bearer = secret(u, "TKAUTH")?;
    let cookie = secret(u, "CKSESSION")?;
    let names = [
        "host",
        "user-agent",
        "referer",
        "content-type",
        "x-forwarded-for",
        "x-request-id",
    ];
    let mut headers = vec![
        ("authorization".to_owned(), format!("Bearer {bearer}")),
        ("Cookie".to_owned(), format!("session={cookie}; theme=dark")),
    ];
    for _ in 0..u.int_in_range(0..=6)? {
        let name = if u.arbitrary()? {
            (*u.choose(&names)?).to_owned()
        } else {
            u.arbitrary()?
        };
        headers.push((name, u.arbitrary()?));
    }
    // The secret headers at random places among the others.
    let len = headers.len();
    for i in 0..2 {
        let j = u.int_in_range(0..=len - 1)?;
        headers.swap(i, j);
    }

    let uri: String = u.arbitrary()?;
    let password = secret(u, "PWQUERY")?;
    let uri = plant(u, &uri, &format!("&password={password}&"))?;
    let body: Option<Vec<u8>> = u.arbitrary()?;
    report.request = Some(RequestSnapshot {
        method: u.arbitrary()?,
        uri,
        version: "HTTP/1.1".to_owned(),
        headers,
        route: u.arbitrary()?,
        peer: None,
        body_preview: body.map(Into::into),
    });
    report.response = Some(ResponseSnapshot {
        status: u.int_in_range(500..=599)?,
        headers: vec![(
            "set-cookie".to_owned(),
            format!("session={cookie}; HttpOnly"),
        )],
    });

    let field_token = secret(u, "TKFIELD")?;
    report.spans = vec![SpanRecord {
        name: u.arbitrary()?,
        target: u.arbitrary()?,
        fields: vec![
            ("access_token".to_owned(), format!("{field_token:?}")),
            (u.arbitrary()?, u.arbitrary()?),
        ],
    }];
    report.events = vec![EventRecord {
        time: report.time,
        level: "WARN".to_owned(),
        target: u.arbitrary()?,
        message: u.arbitrary()?,
        fields: vec![(u.arbitrary()?, u.arbitrary()?)],
    }];
    report.extra = u.arbitrary()?;

    let planted = [&bearer, &cookie, &password, &field_token];
    let text = render::text(&report, scrubber);
    let markdown = render::markdown(&report, scrubber);
    let json = render::json(&report, scrubber).to_string();
    for (what, output) in [("text", &text), ("markdown", &markdown), ("json", &json)] {
        for secret in planted {
            assert_gone(output, secret, what, &format!("{report:?}"));
        }
    }
    // Rendering is deterministic: the same report, the same bytes.
    assert_eq!(render::text(&report, scrubber), text);
    Ok(())
}
