//! Running `git ls-remote` with a time limit, once per repository.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::{parse_ls_remote, ForgeConfig, ForgeError, Refs};

/// Lists the tags and branches of the repository at `url` (an `https://`,
/// `http://`, `ssh://` or `file://` git URL), through the redirects and
/// tokens of `config`, within `config.timeout`.
pub fn list_refs(config: &ForgeConfig, url: &str) -> Result<Refs, ForgeError> {
    let target = config.effective_url(url);
    let mut command = Command::new("git");
    command
        .args(["ls-remote", "--tags", "--heads", "--", &target])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Never wait for a password on a terminal or a GUI prompt: a
        // missing token is an error the user can act on.
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GCM_INTERACTIVE", "never")
        .env("GIT_HTTP_LOW_SPEED_LIMIT", "1")
        .env(
            "GIT_HTTP_LOW_SPEED_TIME",
            config.timeout.as_secs().max(1).to_string(),
        );
    if std::env::var_os("GIT_SSH_COMMAND").is_none() {
        command.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    }
    if let Some(header) = config.authorization(url) {
        // Through the environment, so the token is not in `ps` output.
        command
            .env("GIT_CONFIG_COUNT", "1")
            .env("GIT_CONFIG_KEY_0", "http.extraHeader")
            .env("GIT_CONFIG_VALUE_0", header);
    }
    let mut child = command.spawn().map_err(|error| ForgeError::NoGit {
        url: url.to_string(),
        detail: error.to_string(),
    })?;
    let stdout = reader(child.stdout.take());
    let stderr = reader(child.stderr.take());
    let deadline = Instant::now() + config.timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                kill(&mut child);
                return Err(ForgeError::Timeout {
                    url: url.to_string(),
                    seconds: config.timeout.as_secs().max(1),
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(error) => {
                kill(&mut child);
                return Err(ForgeError::Failed {
                    url: url.to_string(),
                    detail: error.to_string(),
                });
            }
        }
    };
    let output = stdout.join().unwrap_or_default();
    let errors = stderr.join().unwrap_or_default();
    if status.success() {
        return Ok(parse_ls_remote(&output));
    }
    let detail = errors
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let lower = detail.to_lowercase();
    let gone = lower.contains("not found")
        || lower.contains("does not appear to be a git repository")
        || lower.contains("does not exist")
        || lower.contains(" 404")
        || lower.contains("could not read username")
        || lower.contains("authentication failed");
    if gone {
        Err(ForgeError::Gone {
            url: url.to_string(),
            detail,
        })
    } else {
        Err(ForgeError::Failed {
            url: url.to_string(),
            detail,
        })
    }
}

fn reader<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

/// Ends git. Its helper (`git-remote-https`) may outlive it, holding the
/// pipes open, so the readers are not waited for; the helper gives up by
/// itself after the low-speed limit set above.
fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// The repository a URL names, for asking each repository once: GitHub's
/// owner and repository names are case-insensitive, so
/// `github:NixOS/nixpkgs` and `github:nixos/nixpkgs` are one repository.
/// Other hosts keep their case (a self-hosted server's paths may not).
fn identity(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) if rest.to_ascii_lowercase().starts_with("github.com/") => {
            format!("{scheme}://{}", rest.to_ascii_lowercase())
        }
        _ => url.to_string(),
    }
}

/// Lists every distinct repository of `urls` once, at most `config.jobs`
/// at a time. The answer maps each URL (as given) to its refs or error.
pub fn list_all(
    config: &ForgeConfig,
    urls: impl IntoIterator<Item = String>,
) -> BTreeMap<String, Result<Refs, ForgeError>> {
    // Spellings of one repository share one query, made with the first
    // spelling in sorted order (deterministic across runs).
    let mut spellings: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for url in urls.into_iter().collect::<BTreeSet<_>>() {
        spellings.entry(identity(&url)).or_default().push(url);
    }
    let distinct: Vec<&Vec<String>> = spellings.values().collect();
    let results = Mutex::new(BTreeMap::new());
    let next = AtomicUsize::new(0);
    let workers = config.jobs.clamp(1, distinct.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(urls) = distinct.get(index) else {
                    break;
                };
                let Some(first) = urls.first() else {
                    continue;
                };
                let result = list_refs(config, first);
                if let Ok(mut results) = results.lock() {
                    for url in urls.iter() {
                        results.insert(url.clone(), result.clone());
                    }
                }
            });
        }
    });
    results.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::identity;

    #[test]
    fn github_spellings_are_one_repository_other_hosts_keep_their_case() {
        assert_eq!(
            identity("https://github.com/NixOS/nixpkgs.git"),
            identity("https://github.com/nixos/nixpkgs.git")
        );
        assert_ne!(
            identity("https://git.example.org/Team/Repo.git"),
            identity("https://git.example.org/team/repo.git")
        );
        assert_ne!(
            identity("https://github.com.example.org/A/b"),
            identity("https://github.com.example.org/a/b")
        );
    }
}
