//! Unpacking a gzip-compressed tarball into a [`Node`] tree, the way `nix-prefetch-url
//! --unpack` (libarchive underneath) would unpack it onto disk.
//!
//! Memory holds only the tree's shape: names, symlink targets and, for each regular
//! file, where its bytes sit in an anonymous temporary spool file. Contents stream from
//! the network into the spool and are read back in NAR order afterwards, so memory use
//! does not grow with the size of the archive.
//!
//! What is mirrored from Nix (each checked against `nix-prefetch-url --unpack`):
//! - a single top-level entry, directory or not, becomes the root; otherwise the
//!   archive's top level is the root;
//! - a later member replaces an earlier one of the same name, except that a directory
//!   merges into an existing directory and nothing replaces a non-empty directory;
//! - a file's executable flag is its owner-execute bit;
//! - a hard link is a copy of the file (or symlink) it names, as it was at that point;
//! - `.` components and leading `./` are ignored.
//!
//! Where this is stricter than Nix: absolute member paths, which libarchive silently
//! makes relative, are refused along with `..` components and paths through symlinks.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Write};

use tar::EntryType;

use crate::nar::{Node, Span};

/// Deeper trees than this cannot be unpacked within Linux's 4096-byte path limit
/// anyway; the bound keeps recursion in the serialiser shallow.
const MAX_DEPTH: usize = 1024;

/// Why an archive could not be unpacked.
#[derive(Debug)]
pub(crate) enum UnpackError {
    /// Reading the stream failed: a network error or corrupt gzip or tar data.
    Read(io::Error),
    /// Writing the temporary spool file failed.
    Spool(io::Error),
    /// The stream does not start like gzip; says what it looks like instead.
    NotGzip(String),
    /// The archive is well-formed but cannot be unpacked as a source tree.
    Invalid(String),
    /// A member path that would land outside the tree.
    Unsafe(String),
}

/// The unpacked tree and the spool file its regular files point into.
pub(crate) struct Unpacked {
    pub(crate) root: Node,
    pub(crate) spool: File,
}

/// Unpacks a gzip-compressed tarball read from `body`.
pub(crate) fn unpack_gzip_tarball<R: Read>(mut body: R) -> Result<Unpacked, UnpackError> {
    let mut head = Vec::with_capacity(512);
    (&mut body)
        .take(512)
        .read_to_end(&mut head)
        .map_err(UnpackError::Read)?;
    if !head.starts_with(&[0x1f, 0x8b]) {
        return Err(UnpackError::NotGzip(describe_non_gzip(&head)));
    }
    let stream = BufReader::with_capacity(128 * 1024, io::Cursor::new(head).chain(body));
    let mut decompressed = CountingReader {
        inner: flate2::bufread::MultiGzDecoder::new(stream),
        count: 0,
    };
    let file = tempfile::tempfile().map_err(UnpackError::Spool)?;
    let mut spool = Spool {
        writer: io::BufWriter::with_capacity(1024 * 1024, file),
        len: 0,
    };
    let top = read_members(&mut decompressed, &mut spool)?;
    if decompressed.count == 0 {
        return Err(UnpackError::Invalid(
            "the gzip stream decompresses to nothing".into(),
        ));
    }
    let spool = spool
        .writer
        .into_inner()
        .map_err(|error| UnpackError::Spool(error.into_error()))?;
    Ok(Unpacked {
        root: strip_single_top_level_entry(top),
        spool,
    })
}

fn describe_non_gzip(head: &[u8]) -> String {
    let text_start = head.iter().position(|byte| !byte.is_ascii_whitespace());
    let first = text_start.and_then(|index| head.get(index)).copied();
    if head.is_empty() {
        "the response is empty".into()
    } else if first == Some(b'<') {
        "it looks like an HTML or XML page".into()
    } else if first == Some(b'{') || first == Some(b'[') {
        "it looks like JSON".into()
    } else if head.get(257..262) == Some(b"ustar") {
        "it is an uncompressed tar archive".into()
    } else if head.starts_with(b"BZh") {
        "it is bzip2-compressed".into()
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        "it is xz-compressed".into()
    } else if head.starts_with(b"PK\x03\x04") {
        "it is a zip archive".into()
    } else {
        let shown: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("it starts with the bytes {}", shown.join(" "))
    }
}

struct CountingReader<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.count += read as u64;
        Ok(read)
    }
}

struct Spool {
    writer: io::BufWriter<File>,
    len: u64,
}

impl Spool {
    /// Appends everything `source` yields, telling read failures from write failures.
    fn append(&mut self, source: &mut impl Read, buffer: &mut [u8]) -> Result<Span, UnpackError> {
        let offset = self.len;
        loop {
            let read = match source.read(buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(UnpackError::Read(error)),
            };
            self.writer
                .write_all(&buffer[..read])
                .map_err(UnpackError::Spool)?;
            self.len += read as u64;
        }
        Ok(Span {
            offset,
            len: self.len - offset,
        })
    }
}

type Directory = BTreeMap<Vec<u8>, Node>;

fn read_members<R: Read>(stream: R, spool: &mut Spool) -> Result<Directory, UnpackError> {
    let mut archive = tar::Archive::new(stream);
    let mut top = Directory::new();
    let mut buffer = vec![0u8; 64 * 1024];
    for member in archive.entries().map_err(UnpackError::Read)? {
        let mut member = member.map_err(UnpackError::Read)?;
        let kind = member.header().entry_type();
        if matches!(
            kind,
            EntryType::XGlobalHeader
                | EntryType::XHeader
                | EntryType::GNULongName
                | EntryType::GNULongLink
        ) {
            continue;
        }
        let raw_path = member.path_bytes().into_owned();
        let shown = String::from_utf8_lossy(&raw_path).into_owned();
        let parts = split_member_path(&raw_path, &shown)?;
        let node = match kind {
            EntryType::Directory => Node::Directory(Directory::new()),
            // Old tars mark directories only by a trailing slash.
            EntryType::Regular if raw_path.ends_with(b"/") && member.size() == 0 => {
                Node::Directory(Directory::new())
            }
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {
                let mode = member.header().mode().map_err(|error| {
                    UnpackError::Invalid(format!("{shown:?} has an unreadable mode: {error}"))
                })?;
                let contents = spool.append(&mut member, &mut buffer)?;
                Node::Regular {
                    executable: mode & 0o100 != 0,
                    contents,
                }
            }
            EntryType::Symlink => {
                let target = member.link_name_bytes().ok_or_else(|| {
                    UnpackError::Invalid(format!("symbolic link {shown:?} has no target"))
                })?;
                if target.contains(&0) {
                    return Err(UnpackError::Invalid(format!(
                        "symbolic link {shown:?} has a NUL byte in its target"
                    )));
                }
                Node::Symlink {
                    target: target.into_owned(),
                }
            }
            EntryType::Link => {
                let target = member.link_name_bytes().ok_or_else(|| {
                    UnpackError::Invalid(format!("hard link {shown:?} has no target"))
                })?;
                let shown_target = String::from_utf8_lossy(&target).into_owned();
                let target_parts = split_member_path(&target, &shown_target)?;
                match lookup(&top, &target_parts) {
                    Some(node @ (Node::Regular { .. } | Node::Symlink { .. })) => node.clone(),
                    _ => {
                        return Err(UnpackError::Invalid(format!(
                            "hard link {shown:?} points to {shown_target:?}, \
                             which is not a file earlier in the archive"
                        )))
                    }
                }
            }
            EntryType::Char | EntryType::Block | EntryType::Fifo => {
                return Err(UnpackError::Invalid(format!(
                    "{shown:?} is a device or FIFO, which a source tree cannot contain"
                )))
            }
            other => {
                return Err(UnpackError::Invalid(format!(
                    "{shown:?} has the unsupported tar entry type {:?}",
                    char::from(other.as_byte())
                )))
            }
        };
        place(&mut top, &parts, node, &shown)?;
    }
    Ok(top)
}

/// Splits a member path into its names, refusing anything that could escape the tree.
fn split_member_path<'a>(raw: &'a [u8], shown: &str) -> Result<Vec<&'a [u8]>, UnpackError> {
    if raw.starts_with(b"/") {
        return Err(UnpackError::Unsafe(shown.to_owned()));
    }
    let mut parts = Vec::new();
    for part in raw.split(|&byte| byte == b'/') {
        match part {
            b"" | b"." => {}
            b".." => return Err(UnpackError::Unsafe(shown.to_owned())),
            _ if part.contains(&0) => {
                return Err(UnpackError::Invalid(format!(
                    "{shown:?} has a NUL byte in its name"
                )))
            }
            _ => parts.push(part),
        }
    }
    if parts.len() > MAX_DEPTH {
        return Err(UnpackError::Invalid(format!(
            "{shown:?} is nested more than {MAX_DEPTH} directories deep"
        )));
    }
    Ok(parts)
}

fn lookup<'a>(top: &'a Directory, parts: &[&[u8]]) -> Option<&'a Node> {
    let (last, parents) = parts.split_last()?;
    let mut directory = top;
    for name in parents {
        match directory.get(*name)? {
            Node::Directory(children) => directory = children,
            _ => return None,
        }
    }
    directory.get(*last)
}

/// Puts `node` at `parts`, creating missing parent directories as tar extraction does.
fn place(top: &mut Directory, parts: &[&[u8]], node: Node, shown: &str) -> Result<(), UnpackError> {
    let Some((last, parents)) = parts.split_last() else {
        // The member is the root itself (`./`): fine for a directory, else nonsense.
        return match node {
            Node::Directory(_) => Ok(()),
            _ => Err(UnpackError::Invalid(format!(
                "{shown:?} names the top of the archive but is not a directory"
            ))),
        };
    };
    let mut directory = top;
    for name in parents {
        let child = directory
            .entry(name.to_vec())
            .or_insert_with(|| Node::Directory(Directory::new()));
        directory = match child {
            Node::Directory(children) => children,
            Node::Symlink { .. } => return Err(UnpackError::Unsafe(shown.to_owned())),
            Node::Regular { .. } => {
                return Err(UnpackError::Invalid(format!(
                    "{shown:?} lies inside a path that is a regular file"
                )))
            }
        };
    }
    match (directory.get(*last), &node) {
        (Some(Node::Directory(_)), Node::Directory(_)) => {}
        (Some(Node::Directory(children)), _) if !children.is_empty() => {
            return Err(UnpackError::Invalid(format!(
                "{shown:?} would replace a non-empty directory"
            )))
        }
        _ => {
            directory.insert(last.to_vec(), node);
        }
    }
    Ok(())
}

fn strip_single_top_level_entry(mut top: Directory) -> Node {
    if top.len() == 1 {
        if let Some((_, only)) = top.pop_first() {
            return only;
        }
    }
    Node::Directory(top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_paths_are_normalised_or_refused() {
        let split = |raw: &[u8]| split_member_path(raw, "p").map(|parts| parts.concat());
        assert_eq!(split(b"./a//b/./c/").unwrap(), b"abc");
        assert!(split(b"./").unwrap().is_empty());
        assert!(matches!(split(b"a/../b"), Err(UnpackError::Unsafe(_))));
        assert!(matches!(split(b"/etc/passwd"), Err(UnpackError::Unsafe(_))));
        let deep = b"a/".repeat(MAX_DEPTH + 1);
        assert!(matches!(split(&deep), Err(UnpackError::Invalid(_))));
    }

    #[test]
    fn non_gzip_bodies_are_described() {
        assert_eq!(describe_non_gzip(b""), "the response is empty");
        assert!(describe_non_gzip(b"\n <!DOCTYPE html>").contains("HTML"));
        assert!(describe_non_gzip(b"{\"message\":1}").contains("JSON"));
        assert!(describe_non_gzip(b"BZh91AY").contains("bzip2"));
        assert!(describe_non_gzip(&[1, 2, 3]).contains("01 02 03"));
    }
}
