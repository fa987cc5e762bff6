//! Link options of the `flakeedit` executable.
//!
//! On Linux with glibc the executable's relative relocations are packed
//! (`DT_RELR`, glibc 2.36 and later): the position-independent executable
//! has some 6,700 of them (vtables, panic locations, string tables), which
//! as `RELA` entries are 160 KiB the loader reads and applies one by one
//! at every start; packed they are a few KiB of bitmaps. The linker marks
//! the executable as needing `GLIBC_ABI_DT_RELR`, so an older C library
//! refuses to load it instead of running it unrelocated.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
