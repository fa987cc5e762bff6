//! What the executable does before `main`, on Linux.

/// The executable stays position-independent (`ET_DYN`, 3), as the
/// platform builds it: its code and data load at a random address. Linked
/// at a fixed address (`ET_EXEC`, 2) it started about thirty page faults
/// (some 0.1 ms) faster, which is not worth that hardening in a program
/// that reads untrusted files in bulk and in editors.
#[cfg(target_os = "linux")]
#[test]
fn the_executable_is_position_independent() {
    let binary = std::fs::read(env!("CARGO_BIN_EXE_flakeedit")).expect("the binary is built");
    assert_eq!(&binary[..4], b"\x7fELF", "an ELF file");
    let elf_type = u16::from_le_bytes([binary[16], binary[17]]);
    assert_eq!(elf_type, 3, "ET_DYN, a position-independent executable");
}

/// The shared libraries the executable needs: the C library and the
/// unwinder, not the math library (`src/pow.rs`). Read with `readelf`,
/// which the linker's binutils install.
#[cfg(target_os = "linux")]
#[test]
fn the_executable_does_not_load_the_math_library() {
    let output = std::process::Command::new("readelf")
        .args(["--dynamic", "--wide", env!("CARGO_BIN_EXE_flakeedit")])
        .output()
        .expect("readelf runs (binutils)");
    assert!(output.status.success(), "readelf fails");
    let dynamic = String::from_utf8_lossy(&output.stdout);
    let needed: Vec<&str> = dynamic
        .lines()
        .filter(|line| line.contains("(NEEDED)"))
        .filter_map(|line| line.split('[').nth(1)?.split(']').next())
        .collect();
    assert!(
        needed.iter().any(|name| name.starts_with("libc.so")),
        "{needed:?}"
    );
    assert!(
        !needed.iter().any(|name| name.starts_with("libm.so")),
        "{needed:?}"
    );
}

/// The functions of the quick commands are linked together at the start
/// of the code (`hot-text.ld`, passed by `build.rs`), unless the build
/// opted out with `FLAKEEDIT_NO_HOT_TEXT`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn the_quick_commands_code_is_placed_together() {
    if option_env!("FLAKEEDIT_NO_HOT_TEXT").is_some() {
        return;
    }
    let output = std::process::Command::new("readelf")
        .args([
            "--section-headers",
            "--wide",
            env!("CARGO_BIN_EXE_flakeedit"),
        ])
        .output()
        .expect("readelf runs (binutils)");
    assert!(output.status.success(), "readelf fails");
    let sections = String::from_utf8_lossy(&output.stdout);
    // `[Nr] Name Type Address Off Size …`: the size of `.text.hot`.
    let size = sections
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let name = fields.iter().position(|field| *field == ".text.hot")?;
            u64::from_str_radix(fields.get(name + 4)?, 16).ok()
        })
        .unwrap_or_else(|| panic!("no .text.hot section:\n{sections}"));
    assert!(size > 64 * 1024, ".text.hot holds only {size} bytes");
}
