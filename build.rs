//! Embeds the showcase's assets (`examples/showcase/assets/`) with
//! tackle-static's `BundleBuilder`, for `include_bundle!("showcase_assets")`
//! in `examples/showcase/app/assets.rs`.
//!
//! It does nothing when the `static` feature is off or the folder is absent
//! (a published crate ships without its examples), so the library never
//! depends on it.

use std::path::Path;

const ASSETS: &str = "examples/showcase/assets";

fn main() -> std::io::Result<()> {
    // Without this line cargo would rerun the script after any change in
    // the package; with it, only for this file and the lines below.
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_STATIC").is_none() || !Path::new(ASSETS).is_dir() {
        return Ok(());
    }
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    // Prints `cargo:rerun-if-changed` for the folder and every file in it.
    tackle_static::bundle::BundleBuilder::new(ASSETS)
        .crate_path("::tackle::static_files")
        .write(out_dir, "showcase_assets")?;
    Ok(())
}
