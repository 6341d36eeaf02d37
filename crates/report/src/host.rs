//! The machine's name, read once.

use std::sync::OnceLock;

/// The host name from `/proc/sys/kernel/hostname`, `/etc/hostname`, or the
/// `HOSTNAME` / `COMPUTERNAME` variables; `localhost` when none says.
pub(crate) fn host_name() -> String {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        ["/proc/sys/kernel/hostname", "/etc/hostname"]
            .iter()
            .find_map(|path| std::fs::read_to_string(path).ok())
            .map(|text| text.trim().to_owned())
            .filter(|name| !name.is_empty())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .or_else(|| std::env::var("COMPUTERNAME").ok())
            .unwrap_or_else(|| "localhost".to_owned())
    })
    .clone()
}
