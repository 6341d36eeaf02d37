//! The settings a [`StaticFiles`](crate::StaticFiles) service and the
//! [`SharedData`](crate::SharedData) mounts share.

use std::time::Duration;

use crate::cache_policy::CachePolicy;
use crate::disallow::Disallow;

/// Default [`StaticFiles::max_ranges`](crate::StaticFiles::max_ranges): 16.
pub const DEFAULT_MAX_RANGES: usize = 16;
/// Default largest file kept in memory: 1 MiB.
pub const DEFAULT_HOT_FILE: u64 = 1024 * 1024;
/// Default memory for kept files: 64 MiB.
pub const DEFAULT_HOT_TOTAL: u64 = 64 * 1024 * 1024;
/// Default time a kept file is served before its metadata is checked again.
pub const DEFAULT_REVALIDATE_AFTER: Duration = Duration::from_secs(1);
/// Default size of one read from a large file: 256 KiB.
pub const DEFAULT_CHUNK_SIZE: usize = 256 * 1024;

#[derive(Clone, Debug)]
pub(crate) struct Options {
    pub(crate) index: Option<String>,
    pub(crate) disallow: Disallow,
    pub(crate) follow_symlinks: bool,
    pub(crate) listing: bool,
    pub(crate) precompressed: bool,
    pub(crate) policy: CachePolicy,
    pub(crate) hot: HotLimits,
    pub(crate) chunk_size: usize,
    pub(crate) attachment: bool,
    pub(crate) max_ranges: usize,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct HotLimits {
    pub(crate) max_file: u64,
    pub(crate) max_total: u64,
    pub(crate) revalidate_after: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            index: Some("index.html".to_owned()),
            disallow: Disallow::dotfiles(),
            follow_symlinks: false,
            listing: false,
            precompressed: true,
            policy: CachePolicy::default(),
            hot: HotLimits {
                max_file: DEFAULT_HOT_FILE,
                max_total: DEFAULT_HOT_TOTAL,
                revalidate_after: DEFAULT_REVALIDATE_AFTER,
            },
            chunk_size: DEFAULT_CHUNK_SIZE,
            attachment: false,
            max_ranges: DEFAULT_MAX_RANGES,
        }
    }
}
