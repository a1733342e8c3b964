//! The file the bundler's binary memos share (the related memo and the
//! page-name memo), and the write-beside-then-rename step every cache file
//! in the output folder uses.
//!
//! Layout (integers little-endian): the kind's magic, its version `u32`,
//! the bundler's build (32 bytes), the entry count `u64`, the SHA-256 of
//! the body (32 bytes), then the body, whose entries each kind lays out
//! itself. A file is untrusted: it is read up to [`MAX_BYTES`] and used
//! only when its magic, version, build and checksum all match.

use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A memo file larger than this is not read (started again).
pub const MAX_BYTES: u64 = 1 << 30;

/// One kind of memo file.
pub struct Kind {
    /// The file's first bytes; another value is another format.
    pub magic: &'static [u8],
    pub version: u32,
    /// What the file is, for messages: "related memo".
    pub what: &'static str,
    /// The temporary file's name while it is written.
    pub temp_prefix: &'static str,
}

/// A memo file read and checked: `data` is the whole file and the body
/// starts at `body_start`.
pub struct Contents {
    pub data: Vec<u8>,
    pub body_start: usize,
    /// The entry count the header states (the kind checks it).
    pub entries: u64,
}

impl Contents {
    pub fn body(&self) -> &[u8] {
        self.data.get(self.body_start..).unwrap_or_default()
    }
}

/// Reads `file`. `Err(None)`: there is no file, or another build wrote it
/// (not worth a word); `Err(Some(why))`: it is there but unusable.
pub fn read(file: &Path, kind: &Kind, build: &[u8; 32]) -> Result<Contents, Option<String>> {
    let handle = match std::fs::File::open(file) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(None),
        Err(e) => return Err(Some(format!("cannot read it: {e}"))),
    };
    let mut data = Vec::new();
    handle
        .take(MAX_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(|e| Some(format!("cannot read it: {e}")))?;
    if data.len() as u64 > MAX_BYTES {
        return Err(Some("larger than the cap".to_owned()));
    }
    let mut at = 0;
    let mut take = |len: usize| -> Option<&[u8]> {
        let bytes = data.get(at..at + len)?;
        at += len;
        Some(bytes)
    };
    if take(kind.magic.len()) != Some(kind.magic) {
        return Err(Some(format!("not a {}", kind.what)));
    }
    let version = take(4)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_le_bytes);
    if version != Some(kind.version) {
        return Err(Some("another format".to_owned()));
    }
    if take(32) != Some(&build[..]) {
        return Err(None);
    }
    let short = || Some("damaged: cut short".to_owned());
    let entries = take(8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
        .ok_or_else(short)?;
    let checksum: [u8; 32] = take(32).and_then(|b| b.try_into().ok()).ok_or_else(short)?;
    let body_start = at;
    if Sha256::digest(data.get(body_start..).unwrap_or_default())[..] != checksum {
        return Err(Some("damaged: checksum mismatch".to_owned()));
    }
    Ok(Contents {
        data,
        body_start,
        entries,
    })
}

/// Replaces `file` with a memo of `entries` entries laid out in `body`.
pub fn write(
    file: &Path,
    kind: &Kind,
    build: &[u8; 32],
    entries: u64,
    body: &[u8],
) -> io::Result<()> {
    let mut tmp = temp_beside(file, kind.temp_prefix)?;
    {
        let mut out = io::BufWriter::new(tmp.as_file_mut());
        out.write_all(kind.magic)?;
        out.write_all(&kind.version.to_le_bytes())?;
        out.write_all(build)?;
        out.write_all(&entries.to_le_bytes())?;
        out.write_all(&Sha256::digest(body))?;
        out.write_all(body)?;
        out.flush()?;
    }
    // Not synced: a memo cut short by a crash fails its checksum.
    tmp.persist(file).map_err(|e| e.error)?;
    Ok(())
}

/// A temporary file in `file`'s folder (made if missing), to be written
/// and then persisted over `file`, so a reader never sees half a file.
pub fn temp_beside(file: &Path, prefix: &str) -> io::Result<tempfile::NamedTempFile> {
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    tempfile::Builder::new()
        .prefix(prefix)
        .suffix(".tmp")
        .tempfile_in(&dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIND: Kind = Kind {
        magic: b"article-cards test memo\n",
        version: 3,
        what: "test memo",
        temp_prefix: ".test-memo-",
    };

    #[test]
    fn a_file_reads_back_and_every_damage_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("nested").join("memo.bin");
        let build = [7u8; 32];
        assert_eq!(read(&file, &KIND, &build).err(), Some(None));
        write(&file, &KIND, &build, 2, b"abcdef").unwrap();
        let got = read(&file, &KIND, &build).unwrap();
        assert_eq!((got.entries, got.body()), (2, &b"abcdef"[..]));
        // Another build's file is ignored without a word.
        assert_eq!(read(&file, &KIND, &[8u8; 32]).err(), Some(None));

        let bytes = std::fs::read(&file).unwrap();
        let why = |bytes: &[u8]| {
            std::fs::write(&file, bytes).unwrap();
            read(&file, &KIND, &build)
                .err()
                .flatten()
                .unwrap_or_default()
        };
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(why(&flipped), "damaged: checksum mismatch");
        assert_eq!(why(&bytes[..bytes.len() - 3]), "damaged: checksum mismatch");
        assert_eq!(why(&bytes[..bytes.len() - 7]), "damaged: cut short");
        assert_eq!(
            why(&bytes[..KIND.magic.len() + 4 + 32 + 3]),
            "damaged: cut short"
        );
        assert_eq!(why(b"something else entirely"), "not a test memo");
        let mut other = bytes.clone();
        other[KIND.magic.len()] = 4;
        assert_eq!(why(&other), "another format");
        // No temporary file is left beside it.
        let names: Vec<_> = std::fs::read_dir(file.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["memo.bin"]);
    }
}
