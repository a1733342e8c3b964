//! Synthetic article archives for the benchmarks and the demo's large
//! archive: deterministic article files (the same seed, the same corpus on
//! every run) and the few shared image files they point at.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

pub const TOPICS: [&str; 16] = [
    "Privacy",
    "Open Source",
    "Climate",
    "Space",
    "Web Performance",
    "Accessibility",
    "Cities",
    "Science",
    "Energy",
    "Health",
    "Transport",
    "Education",
    "Security",
    "Design",
    "Oceans",
    "Music",
];
const WORDS: [&str; 32] = [
    "council",
    "harbour",
    "satellite",
    "browser",
    "river",
    "library",
    "startup",
    "volunteers",
    "grid",
    "forest",
    "protocol",
    "museum",
    "bridge",
    "festival",
    "archive",
    "station",
    "garden",
    "reactor",
    "compiler",
    "market",
    "orbit",
    "tram",
    "school",
    "vaccine",
    "storm",
    "glacier",
    "network",
    "studio",
    "island",
    "canal",
    "pixel",
    "engine",
];

/// Deterministic pseudo-random numbers (xorshift), so every run generates
/// the same corpus.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let len = items.len().max(1) as u64;
        items
            .get((self.next() % len) as usize)
            .copied()
            .unwrap_or_default()
    }
}

pub fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut out = Vec::with_capacity(words);
    for _ in 0..words {
        out.push(rng.pick(&WORDS));
    }
    let mut text = out.join(" ");
    if let Some(first) = text.get(..1) {
        text = first.to_uppercase() + text.get(1..).unwrap_or_default();
    }
    text
}

/// Where a generated article's images point.
#[derive(Clone, Copy)]
pub enum Images {
    /// One (missing) hero per article and a logo per provider, like a
    /// real archive: for the bundler, which never fetches them here.
    PerArticle,
    /// `images/{i % n}.png` and `logos/{provider % n}.png`: a few files that
    /// exist, shared by every article, for the widget to load.
    Shared(usize),
}

fn article(i: usize, rng: &mut Rng, images: Images, excerpt_words: usize) -> String {
    let provider = i % 50;
    let (hero, logo) = match images {
        Images::PerArticle => (
            format!("images/{i}.jpg"),
            format!("logos/news{provider}.png"),
        ),
        Images::Shared(n) => (
            format!("images/{}.png", i % n.max(1)),
            format!("logos/{}.png", provider % n.max(1)),
        ),
    };
    let day = 1 + (rng.next() % 28);
    let month = 1 + (rng.next() % 12);
    let year = 2020 + (rng.next() % 6);
    let hour = rng.next() % 24;
    let mut text = format!(
        "---\ncategory: news\ntitle: \"{} {i}\"\nexcerpt: \"{}.\"\npublishedDateTime: {year}-{month:02}-{day:02}T{hour:02}:15:00Z\n\
         originalUrl: \"https://news{provider}.example/articles/{i}\"\nwebUrl: \"https://news{provider}.example/articles/{i}\"\n\
         type: article\nquality: {}\nheat: {}\npublished: true\n\nprovider:\n  name: Outlet {provider}\n  domain: news{provider}.example\n  images:\n    - url: \"{logo}\"\n      width: 64\n      height: 64\n\ntopics:\n  - {}\n  - {}\n\nimages:\n  - url: \"{hero}\"\n    width: 1200\n    height: 630\n    isCached: true\n",
        sentence(rng, 8),
        sentence(rng, excerpt_words),
        rng.next() % 200,
        rng.next() % 300,
        rng.pick(&TOPICS),
        rng.pick(&TOPICS),
    );
    if i.is_multiple_of(4) {
        text.push_str("\nrelated:\n");
        for r in 1..=3 {
            let other = (i + r * 7919) % 1_000_003;
            text.push_str(&format!(
                "  - title: \"{}\"\n    webUrl: \"https://news{}.example/articles/{other}\"\n    type: article\n    provider:\n      name: Outlet {}\n      domain: news{}.example\n",
                sentence(rng, 6),
                other % 50,
                other % 50,
                other % 50
            ));
        }
    }
    text.push_str("\nsecured: \"c2VjdXJlZCBibG9iIGZvciBiZW5jaG1hcmtz\"\n---\n");
    text
}

/// Writes `count` article files into `dir` (once: a finished corpus is
/// kept). `excerpt_words` sets the excerpt length (40 is a real one).
pub fn generate(
    dir: &Path,
    count: usize,
    images: Images,
    excerpt_words: usize,
) -> Result<(), String> {
    let marker = dir.join(".complete");
    if marker.is_file() {
        return Ok(());
    }
    let _ = fs::remove_dir_all(dir);
    let started = Instant::now();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..count {
        // 1,000 files per folder, like a real archive by month.
        let sub = dir.join(format!("{:04}", i / 1000));
        if i % 1000 == 0 {
            fs::create_dir_all(&sub).map_err(|e| format!("{}: {e}", sub.display()))?;
        }
        let path = sub.join(format!("{i:06}.md"));
        fs::write(&path, article(i, &mut rng, images, excerpt_words))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    fs::write(&marker, "").map_err(|e| e.to_string())?;
    eprintln!(
        "generated {count} files in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// How many image files the generated articles share (`Images::Shared`).
pub const SHARED_IMAGES: usize = 6;

/// Writes the shared images: heroes of the declared 1200×630 shape (at a
/// fifth of the size) and square logos, each a different colour.
pub fn write_images(site: &Path) -> Result<(), String> {
    for (folder, width, height) in [("images", 240, 126), ("logos", 64, 64)] {
        let dir = site.join(folder);
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for i in 0..SHARED_IMAGES {
            let path = dir.join(format!("{i}.png"));
            let shade = (40 * i % 256) as u8;
            png(width, height, [shade, 120, 255 - shade])
                .and_then(|bytes| fs::write(&path, bytes))
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// A truecolour PNG: a vertical gradient from `rgb` (real pixels to decode,
/// not one flat colour).
fn png(width: u32, height: u32, rgb: [u8; 3]) -> std::io::Result<Vec<u8>> {
    let mut raw = Vec::with_capacity((height * (1 + 3 * width)) as usize);
    for y in 0..height {
        raw.push(0); // filter: none
        let fade = (y * 96 / height.max(1)) as u8;
        for _ in 0..width {
            raw.extend(rgb.map(|c| c.saturating_sub(fade)));
        }
    }
    let mut deflate = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    deflate.write_all(&raw)?;
    let data = deflate.finish()?;

    let mut header = Vec::with_capacity(13);
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]); // 8 bits, RGB, deflate, no filter, no interlace
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, body) in [(b"IHDR", &header), (b"IDAT", &data), (b"IEND", &Vec::new())] {
        out.extend((body.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(body);
        out.extend(kind);
        out.extend(body);
        out.extend(crc.sum().to_be_bytes());
    }
    Ok(out)
}
