//! The native prefetcher: download, unpack and hash without Nix.

use std::cell::RefCell;
use std::io::{self, Read};
use std::rc::Rc;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::unpack::{self, UnpackError};
use crate::{nar, Error, Hash, Timeouts};

/// The NAR hash of a gzip-compressed tarball read from `tarball`, unpacked as
/// `nix-prefetch-url --unpack` unpacks it.
///
/// The archive streams through: file contents go to an anonymous temporary file, and
/// memory holds only names and offsets. `origin` names the archive in error messages.
pub fn hash_tarball<R: Read>(tarball: R, origin: &str) -> Result<Hash, Error> {
    hash_watched(tarball, origin, None)
}

/// The sha256 of the bytes read from `file`: the flat hash `fetchurl` checks and
/// `nix-prefetch-url` (without `--unpack`) prints. `origin` names it in error messages.
pub fn hash_flat<R: Read>(mut file: R, origin: &str) -> Result<Hash, Error> {
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher).map_err(|error| Error::io(format!("read {origin}"), error))?;
    Ok(Hash::from_bytes(hasher.finalize().into()))
}

fn get(url: &str, timeouts: &Timeouts, not_found_hint: &str) -> Result<ureq::Response, Error> {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(timeouts.connect)
        .timeout_read(timeouts.read)
        .timeout_write(timeouts.read)
        .user_agent(concat!("flakeedit-prefetch/", env!("CARGO_PKG_VERSION")))
        .build();
    agent
        .get(url)
        .call()
        .map_err(|error| request_error(url, error, timeouts, not_found_hint))
}

/// Downloads `url` and returns the sha256 of its bytes, streamed, as
/// [`hash_flat`] does. `not_found_hint` explains a 404.
pub(crate) fn hash_flat_url(
    url: &str,
    timeouts: &Timeouts,
    not_found_hint: &str,
) -> Result<Hash, Error> {
    let mut body = get(url, timeouts, not_found_hint)?.into_reader();
    let mut hasher = Sha256::new();
    io::copy(&mut body, &mut hasher).map_err(|error| {
        if is_timeout(error.kind()) {
            Error::Timeout {
                url: url.to_owned(),
                phase: "receiving the file",
                after: timeouts.read,
            }
        } else {
            Error::Network {
                url: url.to_owned(),
                detail: format!("the connection failed while receiving the file: {error}"),
            }
        }
    })?;
    Ok(Hash::from_bytes(hasher.finalize().into()))
}

/// Downloads `url` and hashes it with [`hash_tarball`]. `not_found_hint` explains a 404.
pub(crate) fn hash_url(
    url: &str,
    timeouts: &Timeouts,
    not_found_hint: &str,
) -> Result<Hash, Error> {
    let response = get(url, timeouts, not_found_hint)?;
    let failure = Rc::new(RefCell::new(None));
    let body = WatchedReader {
        inner: response.into_reader(),
        failure: Rc::clone(&failure),
    };
    hash_watched(body, url, Some((&failure, timeouts.read)))
}

/// The first error the network reader returned, kept so that a gzip or tar error caused
/// by a dropped connection is reported as a network problem, not as a bad archive.
type Failure = Rc<RefCell<Option<(io::ErrorKind, String)>>>;

struct WatchedReader<R> {
    inner: R,
    failure: Failure,
}

impl<R: Read> Read for WatchedReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buffer).inspect_err(|error| {
            let mut failure = self.failure.borrow_mut();
            if failure.is_none() {
                *failure = Some((error.kind(), error.to_string()));
            }
        })
    }
}

fn hash_watched<R: Read>(
    body: R,
    origin: &str,
    watch: Option<(&Failure, Duration)>,
) -> Result<Hash, Error> {
    let unpacked = unpack::unpack_gzip_tarball(body).map_err(|error| {
        if let Some((kind, detail)) = watch.and_then(|(failure, _)| failure.borrow().clone()) {
            return if is_timeout(kind) {
                Error::Timeout {
                    url: origin.to_owned(),
                    phase: "receiving the archive",
                    after: watch.map(|(_, after)| after).unwrap_or_default(),
                }
            } else {
                Error::Network {
                    url: origin.to_owned(),
                    detail: format!("the connection failed while receiving the archive: {detail}"),
                }
            };
        }
        match error {
            UnpackError::Read(error) => Error::BadArchive {
                origin: origin.to_owned(),
                detail: error.to_string(),
            },
            UnpackError::Spool(error) => Error::io(
                "write the temporary file that holds unpacked contents",
                error,
            ),
            UnpackError::NotGzip(detail) => Error::NotGzip {
                origin: origin.to_owned(),
                detail,
            },
            UnpackError::Invalid(detail) => Error::BadArchive {
                origin: origin.to_owned(),
                detail,
            },
            UnpackError::Unsafe(path) => Error::UnsafePath {
                origin: origin.to_owned(),
                path,
            },
        }
    })?;
    let mut spool = unpacked.spool;
    nar::hash_tree(&unpacked.root, &mut spool).map_err(|error| {
        Error::io(
            "read back the temporary file that holds unpacked contents",
            error,
        )
    })
}

fn is_timeout(kind: io::ErrorKind) -> bool {
    matches!(kind, io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock)
}

fn request_error(
    url: &str,
    error: ureq::Error,
    timeouts: &Timeouts,
    not_found_hint: &str,
) -> Error {
    match error {
        ureq::Error::Status(404, _) => Error::NotFound {
            url: url.to_owned(),
            hint: not_found_hint.to_owned(),
        },
        ureq::Error::Status(status, response) => Error::HttpStatus {
            url: url.to_owned(),
            status,
            reason: response.status_text().to_owned(),
        },
        ureq::Error::Transport(transport) => {
            let io_kind = std::error::Error::source(&transport)
                .and_then(|source| source.downcast_ref::<io::Error>())
                .map(io::Error::kind);
            let detail = match std::error::Error::source(&transport) {
                Some(source) => source.to_string(),
                None => transport
                    .message()
                    .map(str::to_owned)
                    .unwrap_or_else(|| transport.kind().to_string()),
            };
            match transport.kind() {
                ureq::ErrorKind::ConnectionFailed if io_kind.is_some_and(is_timeout) => {
                    Error::Timeout {
                        url: url.to_owned(),
                        phase: "connecting",
                        after: timeouts.connect,
                    }
                }
                ureq::ErrorKind::Io if io_kind.is_some_and(is_timeout) => Error::Timeout {
                    url: url.to_owned(),
                    phase: "waiting for the response",
                    after: timeouts.read,
                },
                ureq::ErrorKind::ConnectionFailed | ureq::ErrorKind::Dns => Error::Connect {
                    url: url.to_owned(),
                    detail,
                },
                ureq::ErrorKind::InvalidUrl | ureq::ErrorKind::UnknownScheme => Error::InvalidUrl {
                    url: url.to_owned(),
                    detail,
                },
                _ => Error::Network {
                    url: url.to_owned(),
                    detail,
                },
            }
        }
    }
}
