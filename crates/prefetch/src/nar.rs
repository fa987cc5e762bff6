//! NAR serialisation, the canonical byte stream whose sha256 is a source's hash.
//!
//! A NAR ("Nix ARchive") is a list of length-prefixed strings padded to 8 bytes.
//! Unlike tar it is deterministic: no timestamps, owners or permissions beyond one
//! "executable" flag, and directory entries in bytewise order of their names.

use std::collections::BTreeMap;
use std::io::{self, Read, Seek, SeekFrom, Write};

use sha2::{Digest, Sha256};

use crate::Hash;

/// One node of a file tree whose regular files live in a spool file.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Regular {
        executable: bool,
        contents: Span,
    },
    Symlink {
        target: Vec<u8>,
    },
    /// Children keyed by name; `BTreeMap` orders byte strings exactly as NAR does.
    Directory(BTreeMap<Vec<u8>, Node>),
}

/// Where a regular file's bytes sit in the spool file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub(crate) offset: u64,
    pub(crate) len: u64,
}

/// Writes NAR tokens to any sink, usually a hasher.
struct NarWriter<W> {
    out: W,
}

impl<W: Write> NarWriter<W> {
    fn string(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(&(bytes.len() as u64).to_le_bytes())?;
        self.out.write_all(bytes)?;
        self.padding(bytes.len() as u64)
    }

    fn padding(&mut self, len: u64) -> io::Result<()> {
        let remainder = (len % 8) as usize;
        if remainder != 0 {
            self.out.write_all(&[0u8; 8][remainder..])?;
        }
        Ok(())
    }

    /// Writes the tokens of a regular file up to its contents' length prefix.
    fn regular_header(&mut self, executable: bool, len: u64) -> io::Result<()> {
        self.string(b"type")?;
        self.string(b"regular")?;
        if executable {
            self.string(b"executable")?;
            self.string(b"")?;
        }
        self.string(b"contents")?;
        self.out.write_all(&len.to_le_bytes())
    }

    fn symlink(&mut self, target: &[u8]) -> io::Result<()> {
        self.string(b"type")?;
        self.string(b"symlink")?;
        self.string(b"target")?;
        self.string(target)
    }

    /// Copies exactly `len` bytes of file contents, then pads them.
    fn contents(&mut self, source: &mut impl Read, len: u64, buffer: &mut [u8]) -> io::Result<()> {
        let mut remaining = len;
        while remaining > 0 {
            let want = buffer
                .len()
                .min(usize::try_from(remaining).unwrap_or(usize::MAX));
            let read = source.read(&mut buffer[..want])?;
            if read == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "a file shrank while it was being hashed",
                ));
            }
            self.out.write_all(&buffer[..read])?;
            remaining -= read as u64;
        }
        self.padding(len)
    }
}

/// Adapts a sha256 state to `io::Write`.
struct HashWriter(Sha256);

impl Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

const BUFFER_LEN: usize = 256 * 1024;

/// Hashes the NAR serialisation of `root`, reading file contents from `spool`.
pub(crate) fn hash_tree<S: Read + Seek>(root: &Node, spool: &mut S) -> io::Result<Hash> {
    let mut nar = NarWriter {
        out: HashWriter(Sha256::new()),
    };
    let mut buffer = vec![0u8; BUFFER_LEN];
    nar.string(b"nix-archive-1")?;
    write_tree_node(&mut nar, root, spool, &mut buffer)?;
    Ok(Hash::from_bytes(nar.out.0.finalize().into()))
}

fn write_tree_node<W: Write, S: Read + Seek>(
    nar: &mut NarWriter<W>,
    node: &Node,
    spool: &mut S,
    buffer: &mut [u8],
) -> io::Result<()> {
    nar.string(b"(")?;
    match node {
        Node::Regular {
            executable,
            contents,
        } => {
            nar.regular_header(*executable, contents.len)?;
            spool.seek(SeekFrom::Start(contents.offset))?;
            nar.contents(spool, contents.len, buffer)?;
        }
        Node::Symlink { target } => nar.symlink(target)?,
        Node::Directory(children) => {
            nar.string(b"type")?;
            nar.string(b"directory")?;
            for (name, child) in children {
                nar.string(b"entry")?;
                nar.string(b"(")?;
                nar.string(b"name")?;
                nar.string(name)?;
                nar.string(b"node")?;
                write_tree_node(nar, child, spool, buffer)?;
                nar.string(b")")?;
            }
        }
    }
    nar.string(b")")
}

/// The NAR hash of a file, symlink or directory on disk, as `nix-hash --type sha256`
/// computes it (and `nix-store --add` stores it).
///
/// A regular file counts as executable when its owner may execute it, as in Nix.
/// Symbolic links are hashed as links, never followed. Sockets, devices and FIFOs
/// are rejected, as Nix rejects them.
#[cfg(unix)]
pub fn nar_hash_path(path: &std::path::Path) -> io::Result<Hash> {
    let mut nar = NarWriter {
        out: HashWriter(Sha256::new()),
    };
    let mut buffer = vec![0u8; BUFFER_LEN];
    nar.string(b"nix-archive-1")?;
    write_path(&mut nar, path, &mut buffer)?;
    Ok(Hash::from_bytes(nar.out.0.finalize().into()))
}

#[cfg(unix)]
fn write_path<W: Write>(
    nar: &mut NarWriter<W>,
    path: &std::path::Path,
    buffer: &mut [u8],
) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;

    let metadata = std::fs::symlink_metadata(path)?;
    let file_type = metadata.file_type();
    nar.string(b"(")?;
    if file_type.is_file() {
        let executable = metadata.permissions().mode() & 0o100 != 0;
        nar.regular_header(executable, metadata.len())?;
        let mut file = std::fs::File::open(path)?;
        nar.contents(&mut file, metadata.len(), buffer)?;
    } else if file_type.is_symlink() {
        let target = std::fs::read_link(path)?;
        nar.symlink(target.as_os_str().as_bytes())?;
    } else if file_type.is_dir() {
        nar.string(b"type")?;
        nar.string(b"directory")?;
        let mut names = std::fs::read_dir(path)?
            .map(|entry| entry.map(|entry| entry.file_name()))
            .collect::<io::Result<Vec<_>>>()?;
        names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        for name in names {
            nar.string(b"entry")?;
            nar.string(b"(")?;
            nar.string(b"name")?;
            nar.string(name.as_bytes())?;
            nar.string(b"node")?;
            write_path(nar, &path.join(&name), buffer)?;
            nar.string(b")")?;
        }
    } else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} has an unsupported file type", path.display()),
        ));
    }
    nar.string(b")")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn nar_bytes(root: &Node, spool: &[u8]) -> Vec<u8> {
        let mut nar = NarWriter { out: Vec::new() };
        let mut buffer = vec![0u8; 3];
        nar.string(b"nix-archive-1").unwrap();
        write_tree_node(&mut nar, root, &mut Cursor::new(spool), &mut buffer).unwrap();
        nar.out
    }

    fn token(text: &[u8]) -> Vec<u8> {
        let mut bytes = (text.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(text);
        bytes.resize(8 + text.len().div_ceil(8) * 8, 0);
        bytes
    }

    #[test]
    fn executable_file_serialises_as_nix_does() {
        let root = Node::Regular {
            executable: true,
            contents: Span { offset: 2, len: 5 },
        };
        let expected: Vec<u8> = [
            &b"nix-archive-1"[..],
            b"(",
            b"type",
            b"regular",
            b"executable",
            b"",
            b"contents",
            b"hello",
            b")",
        ]
        .iter()
        .flat_map(|text| token(text))
        .collect();
        assert_eq!(nar_bytes(&root, b"..hello.."), expected);
    }

    #[test]
    fn directory_entries_come_in_bytewise_order() {
        let mut children = BTreeMap::new();
        for name in ["b", "a.c", "a", "Z", "é"] {
            children.insert(
                name.as_bytes().to_vec(),
                Node::Symlink {
                    target: name.as_bytes().to_vec(),
                },
            );
        }
        let bytes = nar_bytes(&Node::Directory(children), b"");
        let order: Vec<usize> = ["Z", "a", "a.c", "b", "é"]
            .iter()
            .map(|name| {
                let name_token = token(name.as_bytes());
                bytes
                    .windows(name_token.len())
                    .position(|window| window == name_token.as_slice())
                    .unwrap()
            })
            .collect();
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(order, sorted);
    }
}
