//! Link options of the `flakeedit` executable, on Linux with glibc.
//!
//! - The relative relocations are packed (`DT_RELR`, glibc 2.36 and
//!   later): the position-independent executable has some 6,700 of them
//!   (vtables, panic locations, string tables), which as `RELA` entries
//!   are 160 KiB the loader reads at every start; packed they are a few
//!   KiB of bitmaps. The linker marks the executable as needing
//!   `GLIBC_ABI_DT_RELR`, so an older C library refuses to load it instead
//!   of running it unrelocated.
//! - `hot-text.ld` places the functions the quick commands run
//!   (`--version`, `list-inputs`, `add-input`) together at the start of
//!   the code, so that they share a few pages instead of faulting in some
//!   twenty scattered ones (`benches/hot-text.sh` regenerates it; set
//!   `FLAKEEDIT_NO_HOT_TEXT` to link without it).

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
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
