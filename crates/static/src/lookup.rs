//! Finding what a request path names on disk (blocking: run on tokio's
//! blocking pool): a file with its precompressed siblings, a directory to
//! redirect or list, or nothing.

use std::fs::{self, Metadata};
use std::path::{Path, PathBuf};

use smallvec::SmallVec;

use crate::listing::{self, ListingEntry};
use crate::options::Options;
use crate::resource::{self, CODINGS, Representation, Resource};

/// What a path names.
pub(crate) enum Found {
    File(Box<Resource>),
    /// A directory asked for without its trailing slash.
    AddSlash,
    /// A directory without index, listed.
    Listing(Vec<ListingEntry>),
    Missing,
}

/// Looks up `relative` (decoded, `/`-separated, no leading `/`; a trailing
/// `/` when the client asked for a directory), already checked by
/// `safe_join` and the disallow patterns.
pub(crate) fn find(options: &Options, root: &Path, relative: &str, read: bool) -> Found {
    let wants_dir = relative.is_empty() || relative.ends_with('/');
    let trimmed = relative.trim_end_matches('/');
    let Some(path) = inside(options, root, trimmed) else {
        return Found::Missing;
    };
    let Ok(metadata) = fs::metadata(&path) else {
        return Found::Missing;
    };
    if metadata.is_file() {
        if wants_dir && !trimmed.is_empty() {
            return Found::Missing;
        }
        return Found::File(Box::new(file(
            options, root, trimmed, path, &metadata, read,
        )));
    }
    if !metadata.is_dir() {
        return Found::Missing;
    }
    if !wants_dir {
        return Found::AddSlash;
    }
    if let Some(index) = &options.index {
        let index_relative = if trimmed.is_empty() {
            index.clone()
        } else {
            format!("{trimmed}/{index}")
        };
        if let Some(index_path) = inside(options, root, &index_relative)
            && let Ok(index_metadata) = fs::metadata(&index_path)
            && index_metadata.is_file()
        {
            let resource = file(
                options,
                root,
                &index_relative,
                index_path,
                &index_metadata,
                read,
            );
            return Found::File(Box::new(resource));
        }
    }
    if options.listing {
        let dir = if trimmed.is_empty() {
            String::new()
        } else {
            format!("{trimmed}/")
        };
        if let Ok(mut entries) = listing::read_dir(&path, &dir, &options.disallow) {
            // What the service would refuse is not listed: a name safe_join
            // rejects (`<`, `"`, ...) would be a dead link, and a symbolic
            // link out of the root would leak what lies outside it.
            entries.retain(|entry| {
                tackle_http::safe_join(Path::new(""), &entry.name).is_ok()
                    && inside(options, root, &format!("{dir}{}", entry.name)).is_some()
            });
            return Found::Listing(entries);
        }
    }
    Found::Missing
}

/// The real path of `relative` under `root` (canonical), or `None` when it
/// does not exist or a symbolic link on the way is not allowed: without
/// `follow_symlinks` none is, with it only those that stay under the root.
fn inside(options: &Options, root: &Path, relative: &str) -> Option<PathBuf> {
    let expected = if relative.is_empty() {
        root.to_path_buf()
    } else {
        root.join(relative)
    };
    let real = fs::canonicalize(&expected).ok()?;
    let allowed = if options.follow_symlinks {
        real.starts_with(root)
    } else {
        real == expected
    };
    allowed.then_some(real)
}

/// The file at `path` and its precompressed siblings, those small enough
/// for the hot cache read into memory when `read` (not for a HEAD, which
/// never reads a file).
fn file(
    options: &Options,
    root: &Path,
    relative: &str,
    path: PathBuf,
    metadata: &Metadata,
    read: bool,
) -> Resource {
    let name = relative.rsplit('/').next().unwrap_or(relative).to_owned();
    let max = if read { options.hot.max_file } else { 0 };
    let mut representations = SmallVec::new();
    let content = resource::read_small(&path, metadata, max);
    representations.push(Representation::from_disk(None, path, metadata, content));
    if options.precompressed {
        for (coding, extension) in CODINGS {
            let sibling = format!("{relative}{extension}");
            if options.disallow.is_disallowed(&sibling) {
                continue;
            }
            if let Some(sibling_path) = inside(options, root, &sibling)
                && let Ok(sibling_metadata) = fs::metadata(&sibling_path)
                && sibling_metadata.is_file()
            {
                let content = resource::read_small(&sibling_path, &sibling_metadata, max);
                representations.push(Representation::from_disk(
                    Some(coding),
                    sibling_path,
                    &sibling_metadata,
                    content,
                ));
            }
        }
    }
    Resource {
        representations,
        content_type: resource::content_type(&name),
        cache_control: options.policy.for_name(&name),
        name,
    }
}

/// A file named by the application itself (not by a client), with its
/// precompressed siblings: `None` when it is not a regular file.
pub(crate) fn trusted_file(options: &Options, path: &Path) -> Option<Resource> {
    let metadata = fs::metadata(path).ok().filter(Metadata::is_file)?;
    let name = path.file_name()?.to_str()?.to_owned();
    let max = options.hot.max_file;
    let mut representations = SmallVec::new();
    let content = resource::read_small(path, &metadata, max);
    representations.push(Representation::from_disk(
        None,
        path.to_path_buf(),
        &metadata,
        content,
    ));
    if options.precompressed {
        for (coding, extension) in CODINGS {
            let mut sibling = path.as_os_str().to_owned();
            sibling.push(extension);
            let sibling = PathBuf::from(sibling);
            if let Ok(sibling_metadata) = fs::metadata(&sibling)
                && sibling_metadata.is_file()
            {
                let content = resource::read_small(&sibling, &sibling_metadata, max);
                representations.push(Representation::from_disk(
                    Some(coding),
                    sibling,
                    &sibling_metadata,
                    content,
                ));
            }
        }
    }
    Some(Resource {
        representations,
        content_type: resource::content_type(&name),
        cache_control: options.policy.for_name(&name),
        name,
    })
}

/// Whether every file behind `resource` still has the identity it had when
/// read, and no precompressed sibling has appeared beside it (blocking):
/// one `stat` per representation and per missing sibling.
pub(crate) fn unchanged(resource: &Resource, precompressed: bool) -> bool {
    let same = resource.representations.iter().all(|r| match &r.file {
        Some((path, identity)) => {
            fs::metadata(path).is_ok_and(|m| resource::FileIdentity::of(&m) == *identity)
        }
        None => true,
    });
    let Some((path, _)) = resource.representations[0].file.as_ref() else {
        return same;
    };
    same && (!precompressed
        || CODINGS.iter().all(|(coding, extension)| {
            let present = resource
                .representations
                .iter()
                .any(|r| r.coding == Some(coding));
            let mut sibling = path.as_os_str().to_owned();
            sibling.push(extension);
            present || !fs::metadata(PathBuf::from(sibling)).is_ok_and(|m| m.is_file())
        }))
}
