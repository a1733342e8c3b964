//! The cache directory: content-hashed names, atomic writes, pruning.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::manifest::{Entry, StoredVariant};
use super::process::EncodedFile;

/// Hex digits of the SHA-256 kept in a file name.
const HASH_DIGITS: usize = 16;
const EXTENSIONS: [&str; 3] = ["webp", "jpg", "png"];

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::hex(&Sha256::digest(bytes))
}

/// `<16 hex>-<width>w.<ext>`.
pub fn file_name(bytes: &[u8], width: u32, ext: &str) -> String {
    let hash = sha256_hex(bytes);
    let short = hash.get(..HASH_DIGITS).unwrap_or(&hash);
    format!("{short}-{width}w.{ext}")
}

/// Whether `name` is one of ours: exactly `<16 lower hex>-<digits>w.<webp|jpg|png>`.
pub fn is_cache_file(name: &str) -> bool {
    let Some((hash, rest)) = name.split_once('-') else {
        return false;
    };
    let Some((width, ext)) = rest.split_once("w.") else {
        return false;
    };
    hash.len() == HASH_DIGITS
        && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && (1..=5).contains(&width.len())
        && width.bytes().all(|b| b.is_ascii_digit())
        && EXTENSIONS.contains(&ext)
}

/// Whether every file of `entry` is still in `dir`, as a regular file: a
/// symlink planted under a cache name does not count.
pub fn all_present(dir: &Path, entry: &Entry) -> bool {
    entry.variants.iter().all(|v| {
        std::fs::symlink_metadata(dir.join(&v.file)).is_ok_and(|m| m.file_type().is_file())
    })
}

/// Writes one encoded variant unless a regular file of that
/// (content-hashed) name and size exists already. Returns the variant and
/// the bytes written.
pub fn write_variant(dir: &Path, file: &EncodedFile) -> io::Result<(StoredVariant, u64)> {
    let name = file_name(&file.bytes, file.width, file.ext);
    let path = dir.join(&name);
    // `symlink_metadata`: a symlink is never taken for the file, and is
    // replaced by the rename below, not written through.
    let written = match std::fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_file() && m.len() == file.bytes.len() as u64 => 0,
        // Something else of that name (a file left by an interrupted run,
        // a symlink): replace it.
        Ok(_) => {
            write_atomically(&path, &file.bytes)?;
            file.bytes.len() as u64
        }
        // Workers may encode identical bytes at once (an image and a URL
        // that redirects to it): only the first to publish the file writes
        // it, and only its bytes are counted.
        Err(_) => {
            if write_new(&path, &file.bytes)? {
                file.bytes.len() as u64
            } else {
                0
            }
        }
    };
    Ok((
        StoredVariant {
            file: name,
            width: file.width,
            height: file.height,
            mime: file.mime.to_string(),
        },
        written,
    ))
}

/// Writes `bytes` to a temporary file next to `path`, then renames it, so a
/// reader never sees half a file. A symlink at `path` is replaced, never
/// followed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_temporary(path, bytes)?
        .persist(path)
        .map(drop)
        .map_err(|e| e.error)
}

/// Like [`write_atomically`], but only when nothing has `path` yet:
/// `false` when another writer got there first. Where the file system
/// cannot publish without replacing, falls back to a rename.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    match write_temporary(path, bytes)?.persist_noclobber(path) {
        Ok(_) => Ok(true),
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => e.file.persist(path).map(|_| true).map_err(|e| e.error),
    }
}

/// A temporary file beside `path` holding `bytes`, synced: created with
/// `O_EXCL` under an unpredictable name (a planted file or symlink cannot be
/// opened in its place), with the mode the umask gives new files, and
/// deleted if dropped before it is published.
fn write_temporary(path: &Path, bytes: &[u8]) -> io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Reads `path` only if it is a regular file, never through a symlink:
/// checked before opening, and the opened file is checked to be the one
/// that was looked at (no swap in between).
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    let before = std::fs::symlink_metadata(path)?;
    if !before.file_type().is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a regular file (a symlink?)",
        ));
    }
    let mut file = std::fs::File::open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let opened = file.metadata()?;
        if (opened.dev(), opened.ino()) != (before.dev(), before.ino()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the file changed while being opened",
            ));
        }
    }
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut file, &mut bytes)?;
    Ok(bytes)
}

/// Deletes our files in `dir` that are not in `keep`. Returns how many were
/// deleted and the failures.
pub fn prune(dir: &Path, keep: &BTreeSet<&str>) -> (usize, Vec<String>) {
    let mut warnings = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return (0, vec![format!("cannot list {}: {e}", dir.display())]),
    };
    let mut pruned = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_cache_file(name) || keep.contains(name) {
            continue;
        }
        if !entry.file_type().map(|t| t.is_file()).unwrap_or(false) {
            continue;
        }
        match std::fs::remove_file(entry.path()) {
            Ok(()) => pruned += 1,
            Err(e) => warnings.push(format!("cannot delete {}: {e}", entry.path().display())),
        }
    }
    (pruned, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_file_pattern() {
        assert!(is_cache_file("0123456789abcdef-320w.webp"));
        assert!(is_cache_file("0123456789abcdef-64w.png"));
        assert!(is_cache_file("0123456789abcdef-1280w.jpg"));
        assert!(!is_cache_file("0123456789ABCDEF-320w.webp"));
        assert!(!is_cache_file("0123456789abcde-320w.webp"));
        assert!(!is_cache_file("0123456789abcdef-w.webp"));
        assert!(!is_cache_file("0123456789abcdef-320w.gif"));
        assert!(!is_cache_file("0123456789abcdef-320.webp"));
        assert!(!is_cache_file("manifest.json"));
        assert!(!is_cache_file("photo.jpg"));
        assert!(!is_cache_file("../0123456789abcdef-320w.webp"));
        assert!(!is_cache_file(".0123456789abcdef-320w.webp.1-0.tmp"));
    }

    /// A regression test: temporary files had predictable names and were
    /// opened with `File::create`, which follows a planted symlink and
    /// truncates its target.
    #[cfg(unix)]
    #[test]
    fn finding_6_temporary_files_cannot_be_planted() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        for n in 0..1000 {
            let name = format!(".manifest.json.{}-{n}.tmp", std::process::id());
            std::os::unix::fs::symlink(&victim, dir.path().join(name)).unwrap();
        }
        let path = dir.path().join("manifest.json");
        write_atomically(&path, b"new").unwrap();
        assert!(write_new(&dir.path().join("0123456789abcdef-1w.png"), b"png").unwrap());
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(read_regular(&path).unwrap(), b"new");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(read_regular(&link).is_err());
    }

    #[test]
    fn names_are_content_hashes() {
        let name = file_name(b"abc", 320, "webp");
        // SHA-256("abc") = ba7816bf8f01cfea…
        assert_eq!(name, "ba7816bf8f01cfea-320w.webp");
    }

    /// A regression test: two workers that encoded identical bytes both
    /// wrote (and counted) the file when neither saw the other's yet.
    #[test]
    fn identical_files_written_at_once_are_counted_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = EncodedFile {
            bytes: vec![7; 50_000],
            width: 320,
            height: 200,
            ext: "webp",
            mime: "image/webp",
        };
        let written: Vec<u64> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| write_variant(dir.path(), &file).unwrap().1))
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        assert_eq!(written.iter().sum::<u64>(), 50_000, "{written:?}");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(
            names,
            [file_name(&file.bytes, 320, "webp")],
            "no temporary file is left"
        );
        // A file of the name but another size is replaced, and counted.
        std::fs::write(dir.path().join(&names[0]), b"cut short").unwrap();
        assert_eq!(write_variant(dir.path(), &file).unwrap().1, 50_000);
        assert_eq!(write_variant(dir.path(), &file).unwrap().1, 0);
    }
}
