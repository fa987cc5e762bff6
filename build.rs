//! Link options of the `flakeedit` executable, on Linux with glibc.
//!
//! - `hot-text.ld` places the functions the quick commands run
//!   (`--version`, `list-inputs`, `add-input`) together at the start of
//!   the code, so that they share a few pages instead of faulting in some
//!   twenty scattered ones (`benches/hot-text.sh` regenerates it; set
//!   `FLAKEEDIT_NO_HOT_TEXT` to link without it).

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        // Unset for the build benches/hot-text.sh traces: valgrind reads
        // no symbols outside `.text`. Also a way out for a linker that
        // takes no linker script.
        if std::env::var_os("FLAKEEDIT_NO_HOT_TEXT").is_none() {
            let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("hot-text.ld");
            println!("cargo:rustc-link-arg-bins=-Wl,-T,{}", script.display());
        }
        println!("cargo:rerun-if-changed=hot-text.ld");
    }
    println!("cargo:rerun-if-env-changed=FLAKEEDIT_NO_HOT_TEXT");
    println!("cargo:rerun-if-changed=build.rs");
}
