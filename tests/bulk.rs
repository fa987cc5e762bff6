//! End-to-end tests of bulk runs: a generated tree of a few hundred flakes of
//! every fixture layout, with broken, unreadable, read-only, hard-linked,
//! ignored and hidden ones, edited by the real binary.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BINARY: &str = env!("CARGO_BIN_EXE_flakeedit");
const ADD: [&str; 4] = ["add-input", "github:example/tool", "--follows", "nixpkgs"];

/// Every fixture flake: (name, bytes, broken).
fn fixtures() -> Vec<(String, Vec<u8>, bool)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut found = Vec::new();
    for group in ["inputs", "layouts", "seed", "broken"] {
        let mut entries: Vec<PathBuf> = fs::read_dir(root.join(group))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "nix"))
            .collect();
        entries.sort();
        for path in entries {
            let name = format!("{group}/{}", path.file_name().unwrap().to_string_lossy());
            found.push((name, fs::read(&path).unwrap(), group == "broken"));
        }
    }
    found
}

fn flakeedit(directory: &Path, args: &[&str]) -> Output {
    Command::new(BINARY)
        .current_dir(directory)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// What a single-file run makes of each fixture: its outcome and the
/// bytes after. Single-file edits are tested elsewhere; bulk runs must agree.
fn single_file_results(args: &[&str]) -> BTreeMap<String, (String, Vec<u8>)> {
    let scratch = tempfile::tempdir().unwrap();
    let mut results = BTreeMap::new();
    for (name, bytes, _) in fixtures() {
        let path = scratch.path().join("flake.nix");
        fs::write(&path, &bytes).unwrap();
        let output = flakeedit(scratch.path(), &[&["--json"][..], args].concat());
        let record = &json_lines(&output)[0];
        let outcome = record["outcome"].as_str().unwrap().to_string();
        results.insert(name, (outcome, fs::read(&path).unwrap()));
    }
    results
}

/// Whether this process can read a file without read permission (root).
fn privileged() -> bool {
    use std::os::unix::fs::PermissionsExt;
    let scratch = tempfile::tempdir().unwrap();
    let probe = scratch.path().join("probe");
    fs::write(&probe, "x").unwrap();
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o000)).unwrap();
    fs::read(&probe).is_ok()
}

struct Tree {
    root: tempfile::TempDir,
    /// Regular flakes in walk order: relative path → fixture name.
    flakes: BTreeMap<String, String>,
}

impl Tree {
    /// 300 copies of the fixtures at two depths.
    fn generate(count: usize) -> Tree {
        let fixtures = fixtures();
        let root = tempfile::tempdir().unwrap();
        let mut flakes = BTreeMap::new();
        for index in 0..count {
            let (name, bytes, _) = &fixtures[index % fixtures.len()];
            let relative = if index % 3 == 0 {
                format!("repos/r{index:04}/nested/flake.nix")
            } else {
                format!("repos/r{index:04}/flake.nix")
            };
            let path = root.path().join(&relative);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, bytes).unwrap();
            flakes.insert(relative, name.clone());
        }
        // Ignored and hidden flakes that a walk must skip.
        let valid = &fixtures[0].1;
        for skipped in [
            "repos/build/flake.nix",
            "repos/.direnv/flake.nix",
            "repos/r0001/result/flake.nix",
        ] {
            let path = root.path().join(skipped);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, valid).unwrap();
        }
        fs::write(root.path().join("repos/.gitignore"), "/build\n").unwrap();
        fs::write(root.path().join("repos/r0001/.gitignore"), "result\n").unwrap();
        Tree { root, flakes }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root.path().join(relative)
    }

    fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        self.flakes
            .keys()
            .map(|relative| (relative.clone(), fs::read(self.path(relative)).unwrap()))
            .collect()
    }
}

fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|error| panic!("not JSON ({error}): {line}"))
        })
        .collect()
}

fn temporaries(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(directory) = stack.pop() {
        for entry in fs::read_dir(&directory).unwrap().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else if entry
                .file_name()
                .to_string_lossy()
                .starts_with(".flakeedit-")
            {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn a_bulk_run_edits_every_flake_it_can_and_reports_the_rest() {
    use std::os::unix::fs::PermissionsExt;
    let expected = single_file_results(&ADD);
    let tree = Tree::generate(300);
    let fixtures: BTreeMap<String, Vec<u8>> = fixtures()
        .into_iter()
        .map(|(name, bytes, _)| (name, bytes))
        .collect();
    let valid_fixture = fixtures
        .keys()
        .find(|name| expected[*name].0 == "changed")
        .unwrap()
        .clone();

    // Files that must fail cleanly, each for its own reason.
    let mut special: BTreeMap<&str, &str> = BTreeMap::new();
    let read_only = "special/read-only/flake.nix";
    let read_only_directory = "special/read-only-directory/flake.nix";
    let hard_linked = "special/hard-linked/flake.nix";
    let dangling = "special/dangling/flake.nix";
    let fifo = "special/fifo/flake.nix";
    let unreadable = "special/unreadable/flake.nix";
    for relative in [read_only, read_only_directory, hard_linked, unreadable] {
        let path = tree.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &fixtures[&valid_fixture]).unwrap();
    }
    fs::set_permissions(tree.path(read_only), fs::Permissions::from_mode(0o444)).unwrap();
    special.insert(read_only, "the file is read-only");
    fs::hard_link(
        tree.path(hard_linked),
        tree.path("special/hard-linked/copy.nix"),
    )
    .unwrap();
    special.insert(hard_linked, "2 hard links");
    fs::create_dir_all(tree.path(dangling).parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("../nowhere/flake.nix", tree.path(dangling)).unwrap();
    special.insert(dangling, "symlink whose target does not exist");
    fs::create_dir_all(tree.path(fifo).parent().unwrap()).unwrap();
    let made = Command::new("mkfifo")
        .arg(tree.path(fifo))
        .status()
        .unwrap();
    assert!(made.success());
    special.insert(fifo, "not a regular file");
    // Root reads a mode-000 file anyway; then the permission bits (no
    // write bit) are what keeps it from being written.
    fs::set_permissions(tree.path(unreadable), fs::Permissions::from_mode(0o000)).unwrap();
    let root_reads = privileged();
    special.insert(
        unreadable,
        if root_reads {
            "the file is read-only"
        } else {
            "Permission denied"
        },
    );
    // Last: no file can be created in it from now on (for root, only the
    // permission-bit check stops the write).
    let directory = tree.path(read_only_directory);
    fs::set_permissions(
        directory.parent().unwrap(),
        fs::Permissions::from_mode(0o555),
    )
    .unwrap();
    special.insert(read_only_directory, "directory");

    let listed: Vec<&str> = special.keys().copied().collect();
    let list: String = listed
        .iter()
        .map(|relative| format!("{relative}\n"))
        .collect();
    fs::write(tree.path("list"), list).unwrap();
    let before = tree.snapshot();
    let output = flakeedit(
        tree.root.path(),
        &[
            &["--files-from", "list", "-r", "repos", "--json", "-j", "3"][..],
            &ADD,
        ]
        .concat(),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");

    // One JSON object per file in input order (the list, then the walk),
    // then the summary.
    let records = json_lines(&output);
    let order: Vec<String> = listed
        .iter()
        .map(|relative| relative.to_string())
        .chain(tree.flakes.keys().cloned())
        .collect();
    assert_eq!(records.len(), order.len() + 1);
    for (record, relative) in records.iter().zip(&order) {
        assert_eq!(record["path"], relative.as_str());
    }
    let summary = &records.last().unwrap()["summary"];

    let (mut changed, mut not_applicable, mut failed) = (0, 0, 0);
    for (relative, fixture) in &tree.flakes {
        let record = records
            .iter()
            .find(|r| r["path"] == relative.as_str())
            .unwrap();
        let now = fs::read(tree.path(relative)).unwrap();
        let (outcome, after) = &expected[fixture];
        assert_eq!(
            record["outcome"],
            outcome.as_str(),
            "{relative} ({fixture})"
        );
        assert!(
            now == *after,
            "{relative} ({fixture}) differs from a single-file run"
        );
        match outcome.as_str() {
            "changed" => changed += 1,
            "not-applicable" => not_applicable += 1,
            _ => {
                failed += 1;
                assert_eq!(outcome, "failed");
                assert!(record["error"]["line"].is_u64(), "{record}");
                assert!(
                    now == before[relative],
                    "{relative} ({fixture}) was touched"
                );
            }
        }
    }
    assert!(failed >= 30, "the tree has broken flakes");
    for (relative, reason) in &special {
        let record = &records[order.iter().position(|o| o == relative).unwrap()];
        assert_eq!(record["outcome"], "failed", "{relative}: {record}");
        let message = record["error"]["message"].as_str().unwrap();
        assert!(message.contains(reason), "{relative}: {message}");
    }
    for relative in [read_only, read_only_directory, hard_linked] {
        assert_eq!(
            fs::read(tree.path(relative)).unwrap(),
            fixtures[&valid_fixture],
            "{relative}"
        );
    }
    fs::set_permissions(tree.path(unreadable), fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(
        fs::read(tree.path(unreadable)).unwrap(),
        fixtures[&valid_fixture]
    );
    // Skipped: ignored and hidden directories.
    for skipped in [
        "repos/build/flake.nix",
        "repos/.direnv/flake.nix",
        "repos/r0001/result/flake.nix",
    ] {
        assert_eq!(
            fs::read(tree.path(skipped)).unwrap(),
            crate::fixtures()[0].1
        );
        assert!(!records.iter().any(|r| r["path"] == skipped));
    }
    let special_failed = special.len();
    assert_eq!(summary["failed"], failed + special_failed);
    assert_eq!(summary["total"], order.len());
    assert!(temporaries(tree.root.path()).is_empty());

    // Human output: one `path:line:col: error:` line per failed file, then
    // the summary; run again, every edit is already there.
    let output = flakeedit(tree.root.path(), &[&["-r", "repos"][..], &ADD].concat());
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), failed + 1, "{stderr}");
    for line in &lines[..failed] {
        let mut parts = line.splitn(4, ':');
        let (path, row, column, rest) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        assert!(
            path.ends_with("flake.nix")
                && row.parse::<u32>().is_ok()
                && column.parse::<u32>().is_ok(),
            "{line}"
        );
        assert!(rest.starts_with(" error: "), "{line}");
    }
    assert_eq!(
        *lines.last().unwrap(),
        format!("{} files: 0 changed, {changed} unchanged, {not_applicable} not applicable, {failed} failed", tree.flakes.len())
    );
    fs::set_permissions(
        directory.parent().unwrap(),
        fs::Permissions::from_mode(0o755),
    )
    .unwrap();
}

#[test]
fn exit_status_is_zero_without_failures_and_one_under_check_when_something_would_change() {
    let tree = Tree::generate(60);
    let broken: Vec<String> = tree
        .flakes
        .iter()
        .filter(|(_, fixture)| fixture.starts_with("broken/"))
        .map(|(relative, _)| relative.clone())
        .collect();
    for relative in &broken {
        fs::remove_file(tree.path(relative)).unwrap();
    }
    let before: Vec<u8> = fs::read(tree.path("repos/r0002/flake.nix")).unwrap();
    let check = flakeedit(
        tree.root.path(),
        &[&["-r", "repos", "--check"][..], &ADD].concat(),
    );
    assert_eq!(check.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&check.stderr).contains("repos/r0002/flake.nix: would change"));
    assert_eq!(
        fs::read(tree.path("repos/r0002/flake.nix")).unwrap(),
        before
    );
    assert!(temporaries(tree.root.path()).is_empty());

    let run = flakeedit(tree.root.path(), &[&["-r", "repos"][..], &ADD].concat());
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let check = flakeedit(
        tree.root.path(),
        &[&["-r", "repos", "--check"][..], &ADD].concat(),
    );
    assert_eq!(check.status.code(), Some(0));
    // Not applicable in bulk is counted, not a failure.
    let remove = flakeedit(
        tree.root.path(),
        &["-r", "repos", "remove-input", "no-such-input"],
    );
    assert_eq!(remove.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&remove.stderr).contains(&format!(
        "{} not applicable",
        tree.flakes.len() - broken.len()
    )));
    // Usage errors.
    let missing = flakeedit(
        tree.root.path(),
        &[&["-r", "no-such-directory"][..], &ADD].concat(),
    );
    assert_eq!(missing.status.code(), Some(2));
    let unknown = flakeedit(tree.root.path(), &["--no-such-flag", "list-inputs"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn diffs_come_in_input_order_whatever_the_thread_count() {
    let expected_outcomes = single_file_results(&ADD);
    let tree = Tree::generate(120);
    // Paths from stdin, NUL-separated, in an order that is not the walk's.
    let mut order: Vec<&String> = tree.flakes.keys().collect();
    order.reverse();
    let list: Vec<u8> = order
        .iter()
        .flat_map(|relative| [relative.as_bytes(), b"\0"].concat())
        .collect();
    let run = |jobs: &str| {
        let mut child = Command::new(BINARY)
            .current_dir(tree.root.path())
            .args(
                [
                    &["--files-from", "-", "-0", "--diff", "--dry-run", "-j", jobs][..],
                    &ADD,
                ]
                .concat(),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(&list).unwrap();
        child.wait_with_output().unwrap()
    };
    let parallel = run("4");
    let sequential = run("1");
    assert_eq!(parallel.stdout, sequential.stdout);
    let stdout = String::from_utf8(parallel.stdout).unwrap();
    let headers: Vec<&str> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("--- a/"))
        .collect();
    let expected: Vec<&str> = order
        .iter()
        .filter(|relative| expected_outcomes[&tree.flakes[**relative]].0 == "changed")
        .map(|relative| relative.as_str())
        .collect();
    assert_eq!(headers, expected);
    // --dry-run wrote nothing.
    for (relative, fixture) in &tree.flakes {
        let original = fixtures()
            .into_iter()
            .find(|(name, _, _)| name == fixture)
            .unwrap()
            .1;
        assert_eq!(fs::read(tree.path(relative)).unwrap(), original);
    }
}

#[test]
fn a_symlinked_flake_is_written_through_and_edited_once() {
    let tree = Tree::generate(3);
    let target = "repos/r0001/flake.nix";
    std::os::unix::fs::symlink("../r0001/flake.nix", tree.path("repos/r0002/link.nix")).unwrap();
    let output = flakeedit(
        tree.root.path(),
        &[
            &["--file", "repos/r0002/link.nix", "--file", target, "--json"][..],
            &ADD,
        ]
        .concat(),
    );
    let records = json_lines(&output);
    // Both paths reach one file: it is edited once.
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["outcome"], "changed");
    assert!(fs::symlink_metadata(tree.path("repos/r0002/link.nix"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(String::from_utf8(fs::read(tree.path(target)).unwrap())
        .unwrap()
        .contains("example/tool"));
}

/// Kills a writing run over thousands of files: every file is then its old
/// bytes or its new bytes, and a re-run finishes the job and removes the
/// temporary files the killed run left.
#[test]
fn a_killed_run_leaves_every_file_whole() {
    let fixtures = fixtures();
    let (name, original, _) = fixtures
        .iter()
        .find(|(name, _, _)| name == "inputs/block.nix")
        .unwrap()
        .clone();
    let (outcome, edited) = single_file_results(&ADD)[&name].clone();
    assert_eq!(outcome, "changed");
    let root = tempfile::tempdir().unwrap();
    let count = 4000;
    let paths: Vec<PathBuf> = (0..count)
        .map(|index| {
            let path = root.path().join(format!("r{index:05}/flake.nix"));
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, &original).unwrap();
            path
        })
        .collect();
    // A temporary file as a killed run leaves it (its process is gone).
    let stale = root
        .path()
        .join(format!("r{:05}/.flakeedit-4999999-AbCdEf.tmp", count - 1));
    fs::write(&stale, &edited[..10]).unwrap();

    let mut child = Command::new(BINARY)
        .current_dir(root.path())
        .args([&["-r", ".", "-j", "2"][..], &ADD].concat())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        if paths[..50]
            .iter()
            .any(|path| fs::read(path).unwrap() != original)
        {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 60,
            "no file changed in a minute"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());

    let mut changed = 0;
    for path in &paths {
        let now = fs::read(path).unwrap();
        if now == edited {
            changed += 1;
        } else {
            assert!(now == original, "{} is neither old nor new", path.display());
        }
    }
    assert!(
        changed > 0 && changed < count,
        "the kill came mid-run ({changed} of {count} changed)"
    );
    // Leftovers are hidden and never named flake.nix: nothing picks them up.
    let leftovers = temporaries(root.path());
    assert!(leftovers.contains(&stale));

    let rerun = flakeedit(root.path(), &[&["-r", ".", "--json"][..], &ADD].concat());
    assert_eq!(rerun.status.code(), Some(0));
    let records = json_lines(&rerun);
    assert_eq!(
        records.len(),
        count + 1,
        "temporary files are not taken as flakes"
    );
    assert_eq!(
        records.last().unwrap()["summary"]["changed"],
        count - changed
    );
    for path in &paths {
        assert!(fs::read(path).unwrap() == edited);
    }
    assert_eq!(
        temporaries(root.path()),
        Vec::<PathBuf>::new(),
        "the re-run removed the leftovers"
    );
}
