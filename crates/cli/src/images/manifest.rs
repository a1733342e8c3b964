//! `manifest.json`: what earlier runs cached, keyed by source URL.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{CachedImage, Variant, process, store};

/// File name of the manifest inside the cache directory.
pub const MANIFEST: &str = "manifest.json";
const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub images: BTreeMap<String, Entry>,
}

/// One cached source image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Role, sizes and encoder settings the variants were made with.
    pub recipe: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Size of the downloaded original.
    pub original_bytes: u64,
    /// SHA-256 of the downloaded original, hex.
    pub source_sha256: String,
    pub width: u32,
    pub height: u32,
    pub placeholder: String,
    pub variants: Vec<StoredVariant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredVariant {
    pub file: String,
    pub width: u32,
    pub height: u32,
    pub mime: String,
}

impl Entry {
    pub fn to_cached_image(&self) -> CachedImage {
        CachedImage {
            width: self.width,
            height: self.height,
            placeholder: self.placeholder.clone(),
            variants: self
                .variants
                .iter()
                .map(|v| Variant {
                    file: v.file.clone(),
                    width: v.width,
                    height: v.height,
                    mime: process::static_mime(&v.mime).unwrap_or("application/octet-stream"),
                })
                .collect(),
        }
    }

    /// Only entries naming our own files with known types, and a
    /// placeholder of the one form we write, are trusted: a hand-edited or
    /// planted manifest cannot point outside the cache or put other text
    /// where the bundle expects a colour.
    fn is_valid(&self) -> bool {
        is_placeholder(&self.placeholder)
            && !self.variants.is_empty()
            && self
                .variants
                .iter()
                .all(|v| store::is_cache_file(&v.file) && process::static_mime(&v.mime).is_some())
    }
}

/// Whether `text` is a colour as [`process::placeholder`] writes it:
/// `#rrggbb`, lower-case hex.
pub fn is_placeholder(text: &str) -> bool {
    text.len() == 7
        && text.starts_with('#')
        && text
            .bytes()
            .skip(1)
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl From<&Variant> for StoredVariant {
    fn from(v: &Variant) -> StoredVariant {
        StoredVariant {
            file: v.file.clone(),
            width: v.width,
            height: v.height,
            mime: v.mime.to_string(),
        }
    }
}

impl Manifest {
    /// Reads `dir/manifest.json`; missing → empty; unreadable, not a
    /// regular file or not valid → empty plus a warning.
    pub fn load(dir: &Path) -> (Manifest, Option<String>) {
        let path = dir.join(MANIFEST);
        // Never through a symlink planted in the cache.
        let text = match store::read_regular(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return (Manifest::default(), None),
            Err(e) => {
                return (
                    Manifest::default(),
                    Some(format!(
                        "cannot read {}: {e}; starting afresh",
                        path.display()
                    )),
                );
            }
        };
        match serde_json::from_str::<Manifest>(&text) {
            Ok(m) if m.version == VERSION => {
                let before = m.images.len();
                let images: BTreeMap<String, Entry> =
                    m.images.into_iter().filter(|(_, e)| e.is_valid()).collect();
                let warning = (images.len() != before).then(|| {
                    format!(
                        "{}: ignored {} invalid entries",
                        path.display(),
                        before - images.len()
                    )
                });
                (
                    Manifest {
                        version: VERSION,
                        images,
                    },
                    warning,
                )
            }
            Ok(m) => (
                Manifest::default(),
                Some(format!(
                    "{}: unknown version {}; starting afresh",
                    path.display(),
                    m.version
                )),
            ),
            Err(e) => (
                Manifest::default(),
                Some(format!(
                    "{} is not valid: {e}; starting afresh",
                    path.display()
                )),
            ),
        }
    }

    /// Writes `dir/manifest.json` atomically (temporary file + rename,
    /// which replaces a symlink rather than writing through it).
    pub fn save(&self, dir: &Path) -> io::Result<()> {
        let manifest = Manifest {
            version: VERSION,
            images: self.images.clone(),
        };
        let mut json = serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?;
        json.push(b'\n');
        store::write_atomically(&dir.join(MANIFEST), &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_6_placeholders_are_only_what_we_write() {
        assert!(is_placeholder("#c86432"));
        assert!(is_placeholder("#000000"));
        for bad in [
            "",
            "#",
            "red",
            "#fff",
            "#C86432",
            "#c8643",
            "#c864321",
            "c86432x",
            "#c8643g",
            "#c8643\"",
            "url(x)",
            "#c86432;x",
            "#ｃ86432",
        ] {
            assert!(!is_placeholder(bad), "{bad:?}");
        }
    }
}
