//! `flakeedit rename-input` on a flake whose inputs are local `path:` and
//! `git+file:` flakes, judged by the real `nix`: the renamed `flake.lock`
//! is accepted as it is (`--no-update-lock-file`), and locking again
//! writes the same bytes.

use std::path::Path;
use std::process::Command;

fn nix(home: &Path, store: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    let nix = which_nix();
    Command::new(nix)
        .args(["--extra-experimental-features", "nix-command flakes"])
        .arg("--store")
        .arg(store)
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("NIX_CONFIG", "substituters =\nwarn-dirty = false")
        .output()
        .expect("nix runs")
}

fn which_nix() -> std::path::PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join("nix"))
        .find(|candidate| candidate.is_file())
        .expect("`nix` is not on PATH: install nix-bin (scripts/test.sh does)")
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn the_renamed_lock_is_accepted_by_nix_without_changes() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().canonicalize().unwrap();
    let (home, store) = (root.join("home"), root.join("store"));
    std::fs::create_dir_all(&home).unwrap();
    let leaf = root.join("leaf");
    write(
        &leaf.join("flake.nix"),
        "{ outputs = _: { value = 1; }; }\n",
    );
    let middle = root.join("middle");
    write(
        &middle.join("flake.nix"),
        &format!(
            "{{\n  inputs.inner.url = \"path:{}\";\n  outputs = {{ self, inner }}: {{ value = inner.value + 1; }};\n}}\n",
            leaf.display()
        ),
    );
    let repo = root.join("repo");
    write(
        &repo.join("flake.nix"),
        "{ outputs = _: { value = 10; }; }\n",
    );
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "flake.nix"]);
    git(&repo, &["commit", "-q", "-m", "init"]);
    // `old` sorts after `inner`; `a` before it: Nix's node keys (`inner`,
    // `inner_2`) swap owners with the rename, which the lock must follow.
    let main = root.join("main");
    let flake = format!(
        r#"{{
  inputs = {{
    inner.url = "path:{leaf}";
    old.url = "path:{middle}";
    other = {{
      url = "path:{middle}";
      inputs.inner.follows = "old/inner";
    }};
    repo.url = "git+file://{repo}";
    repo.inputs.unused.follows = "old";
  }};

  outputs = inputs@{{ self, old, ... }}: {{
    value = old.value + inputs.old.value + inputs.repo.value;
  }};
}}
"#,
        leaf = leaf.display(),
        middle = middle.display(),
        repo = repo.display()
    );
    write(&main.join("flake.nix"), &flake);
    let locked = nix(&home, &store, &main, &["flake", "lock"]);
    assert!(
        locked.status.success(),
        "{}",
        String::from_utf8_lossy(&locked.stderr)
    );
    let before = std::fs::read_to_string(main.join("flake.lock")).unwrap();
    assert!(before.contains("\"inner_2\""), "{before}");

    let output = Command::new(env!("CARGO_BIN_EXE_flakeedit"))
        .args(["rename-input", "old", "a"])
        .current_dir(&main)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let renamed_flake = std::fs::read_to_string(main.join("flake.nix")).unwrap();
    assert!(renamed_flake.contains("a.url"), "{renamed_flake}");
    assert!(renamed_flake.contains("\"a/inner\""), "{renamed_flake}");
    let renamed = std::fs::read_to_string(main.join("flake.lock")).unwrap();
    assert_ne!(renamed, before);
    assert!(renamed.contains("\"a\": \"a\""), "{renamed}");

    let metadata = nix(
        &home,
        &store,
        &main,
        &["flake", "metadata", "--no-update-lock-file", "--json", "."],
    );
    assert!(
        metadata.status.success(),
        "nix refused the renamed lock:\n{}\n{renamed}",
        String::from_utf8_lossy(&metadata.stderr)
    );
    let relocked = nix(&home, &store, &main, &["flake", "lock"]);
    assert!(
        relocked.status.success(),
        "{}",
        String::from_utf8_lossy(&relocked.stderr)
    );
    let after = std::fs::read_to_string(main.join("flake.lock")).unwrap();
    assert_eq!(after, renamed, "nix rewrote the renamed lock");
    let value = nix(&home, &store, &main, &["eval", "--json", ".#value"]);
    assert_eq!(
        String::from_utf8_lossy(&value.stdout).trim(),
        "14",
        "{}",
        String::from_utf8_lossy(&value.stderr)
    );
}
