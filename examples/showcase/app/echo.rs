//! `POST /upload`: the parsed form echoed as JSON, nothing stored.
//!
//! ```json
//! {"fields": {"name": ["value", ...]},
//!  "files": {"name": [{"filename": "a.png", "content_type": "image/png", "size": 523, "sha256": "c6be..."}]}}
//! ```
//!
//! The shape of the Werkzeug multipart corpus's `expected.json`, so the
//! socket test can send each browser capture and compare. The body is read
//! by tackle-request's `form()` with its default limits (500 000 bytes for
//! an urlencoded body or a text field, 1000 parts, ...): a breach is a 413
//! naming the limit. Files past the spool threshold go to temporary files,
//! hashed from there and deleted when the form is dropped.

use std::io;

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use tackle::request::Request;
use tackle::request::form::{FormData, UploadedFile};
use tackle::request::response::Response;

use super::{Body, Reply, internal};

/// `POST /upload`.
pub async fn upload<B: Body>(mut request: Request<B>) -> Reply {
    let form = request.form().await?;
    // Hashing a spooled file is blocking file I/O.
    let echo = tokio::task::spawn_blocking(move || describe(form))
        .await
        .map_err(internal("hashing an upload"))?
        .map_err(internal("reading an upload"))?;
    Ok(Response::json(&echo))
}

/// The JSON echo of `form`.
fn describe(form: FormData) -> io::Result<Value> {
    let mut fields = Map::new();
    for (name, value) in &form.fields {
        push(&mut fields, name, json!(value));
    }
    let mut files = Map::new();
    for (name, file) in &form.files {
        push(&mut files, name, describe_file(file)?);
    }
    Ok(json!({ "fields": fields, "files": files }))
}

fn describe_file(file: &UploadedFile) -> io::Result<Value> {
    let mut hasher = Sha256::new();
    io::copy(&mut file.reader()?, &mut hasher)?;
    let sha256: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(json!({
        "filename": file.filename(),
        "content_type": file.content_type(),
        "size": file.size(),
        "sha256": sha256,
    }))
}

/// Appends `value` to the array at `name`, in the order sent.
fn push(map: &mut Map<String, Value>, name: &str, value: Value) {
    if let Value::Array(values) = map.entry(name).or_insert_with(|| Value::Array(Vec::new())) {
        values.push(value);
    }
}
