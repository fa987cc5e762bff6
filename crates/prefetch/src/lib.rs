//! Source hashes for `fetchFromGitHub` (work in progress).
