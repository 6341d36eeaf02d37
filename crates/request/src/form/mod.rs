//! Collecting a `multipart/form-data` body (RFC 7578) into text fields and
//! uploaded files, over the sans-IO [`multipart`](crate::multipart) decoder.
//!
//! A [`FormCollector`] takes the decoder's events one by one and builds a
//! [`FormData`]: parts without a filename become UTF-8 text fields (invalid
//! bytes replaced, as Werkzeug does), parts with one become
//! [`UploadedFile`]s, kept in memory up to [`FormOptions::spool_threshold`]
//! (512 KiB by default) and spooled to a temporary file past it. Temporary
//! files are deleted when their `UploadedFile` is dropped, unless moved
//! away with [`UploadedFile::save_to`]. [`collect_form`] does it all for a
//! body already in memory.
//!
//! Spooling and reading spooled files is blocking file I/O: the async
//! request layer runs it where blocking is allowed.

mod buffer;
mod collector;
mod error;
mod options;
mod upload;

#[cfg(test)]
mod tests;

pub use collector::{FormCollector, FormData, collect_form};
pub use error::FormError;
pub use options::{DEFAULT_MEMORY_BUDGET, DEFAULT_SPOOL_THRESHOLD, FormOptions};
pub use upload::{UploadReader, UploadedFile};
