//! `flake.lock` beside each flake, re-read only when its modification time
//! or size changes, so every diagnostics pass sees the current lock.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use flakeedit_flake::Lock;

/// The state of one `flake.lock`.
#[derive(Debug, Clone)]
pub enum LockState {
    /// No `flake.lock` beside the flake (or the flake is not a file).
    Missing,
    /// The lock, parsed.
    Parsed(Arc<Lock>),
    /// It exists but cannot be read or parsed: the message says why.
    Invalid(String),
}

impl LockState {
    /// The parsed lock, if any.
    pub fn lock(&self) -> Option<&Lock> {
        match self {
            LockState::Parsed(lock) => Some(lock),
            _ => None,
        }
    }

    /// The parsed lock as shared by the cache: the same `Arc` until the
    /// file changes on disk, so callers can tell a re-read lock apart.
    pub fn shared(&self) -> Option<&Arc<Lock>> {
        match self {
            LockState::Parsed(lock) => Some(lock),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    stamp: Option<(SystemTime, u64)>,
    state: LockState,
}

/// A cache of lock files keyed by path.
#[derive(Debug, Default)]
pub struct LockCache {
    entries: HashMap<PathBuf, Entry>,
}

impl LockCache {
    /// The lock beside `flake` (a path to `flake.nix`), re-read when it changed on disk.
    pub fn lock_for(&mut self, flake: &Path) -> LockState {
        let Some(dir) = flake.parent() else {
            return LockState::Missing;
        };
        let path = dir.join("flake.lock");
        let stamp = std::fs::metadata(&path).ok().map(|meta| {
            (
                meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                meta.len(),
            )
        });
        if let Some(entry) = self.entries.get(&path) {
            if entry.stamp == stamp {
                return entry.state.clone();
            }
        }
        let state = match stamp {
            None => LockState::Missing,
            Some(_) => read(&path),
        };
        self.entries.insert(
            path,
            Entry {
                stamp,
                state: state.clone(),
            },
        );
        state
    }

    /// Forgets everything (e.g. after a `didChangeWatchedFiles`), so the
    /// next pass re-reads even a lock rewritten within the clock's resolution.
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

fn read(path: &Path) -> LockState {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => return LockState::Invalid(format!("{}: {error}", path.display())),
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return LockState::Invalid(format!("{}: not UTF-8 text", path.display()));
    };
    match Lock::parse(&text) {
        Ok(lock) => LockState::Parsed(Arc::new(lock)),
        Err(error) => LockState::Invalid(format!("{}: {error}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rereads_a_lock_that_changed_and_survives_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let flake = dir.path().join("flake.nix");
        let mut cache = LockCache::default();
        assert!(matches!(cache.lock_for(&flake), LockState::Missing));
        std::fs::write(dir.path().join("flake.lock"), b"\xff\xfe not json").unwrap();
        assert!(matches!(cache.lock_for(&flake), LockState::Invalid(_)));
        let lock = r#"{"nodes":{"root":{"inputs":{}}},"root":"root","version":7}"#;
        std::fs::write(dir.path().join("flake.lock"), lock).unwrap();
        assert!(matches!(cache.lock_for(&flake), LockState::Parsed(_)));
    }
}
