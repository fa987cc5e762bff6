//! Links the `flakeedit` executable at a fixed address (not as a
//! position-independent executable). A PIE's tables of pointers (vtables,
//! string tables, clap's and rustls's static data: about 6,600 of them)
//! are relocated by the dynamic loader at every start, which writes to
//! some thirty pages of the binary before `main` runs; that was a quarter
//! of the page faults of a small command and most of what `--version`
//! cost over a hello-world program. At a fixed address the linker writes
//! them once. The shared libraries and the stack are still placed at
//! random addresses.

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    // GNU and LLVM linkers on Linux take `-no-pie` through the C compiler
    // driver rustc links with; other targets keep their default.
    if target.contains("-linux-") {
        println!("cargo:rustc-link-arg-bin=flakeedit=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
