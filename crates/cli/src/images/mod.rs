//! The image cache: downloads the images a bundle points at, checks and
//! re-encodes them into responsive, content-hashed files in one directory,
//! so that the widget can serve them from the site itself (no reader leaks
//! to publishers' servers, no broken hot-links, no 1200 px JPEGs for phones).
//!
//! This is the engine behind `article-cards bundle … --cache-images DIR
//! [--image-base URL]`; the CLI flags, the bundle fields and the widget's
//! `<picture>` come on top of it.
//!
//! # API
//!
//! ```no_run
//! use article_cards::images::{CacheOptions, ImageRole, cache_images};
//!
//! let options = CacheOptions::new("site/img"); // defaults below
//! let requests = vec![
//!     ("https://example.org/hero.jpg".to_string(), ImageRole::Hero),
//!     ("https://example.org/logo.png".to_string(), ImageRole::Logo { display_size: 32 }),
//! ];
//! let report = cache_images(&requests, &options);
//! for (url, result) in &report.images {
//!     match result {
//!         Ok(image) => println!("{url}: {}", image.srcset("/img/", "image/webp")),
//!         Err(warning) => eprintln!("warning: image {url}: {warning}"),
//!     }
//! }
//! ```
//!
//! [`cache_images`] never panics and never aborts the run: every image ends
//! either as `Ok(`[`CachedImage`]`)` or as `Err(warning)` in
//! [`CacheReport::images`] (keyed by source URL; a URL requested twice is
//! processed once, with the role of its first request). Run-level problems
//! (unreadable manifest, directory not writable) are in
//! [`CacheReport::warnings`].
//!
//! # Fetching
//!
//! Through the guarded fetcher, [`crate::net`]: public addresses only
//! (checked after DNS and on every redirect; the connection goes to the
//! checked address), ports 80 and 443, at most `max_redirects` redirects
//! (5), `connect_timeout` and a per-read `read_timeout` (10 s each), a
//! `request_deadline` per image (30 s), a `min_rate` (2,048 bytes/s after
//! `rate_grace`, 2 s), `per_host` requests at once per host (4), and a
//! `run_deadline` (10 min) for all the downloads of a run. Bodies are capped
//! at `max_bytes` (10 MiB) while reading. `concurrency` worker threads
//! (default 8), User-Agent `article-cards/<version> (+image cache)`.
//! `allow_private_hosts` (`--allow-private-hosts`) lifts the address and
//! port checks, for local testing. A refused host, one that does not
//! resolve and one that does not answer all get the same warning.
//!
//! # Checks
//!
//! Bytes are accepted only when their magic number is JPEG, PNG, GIF or
//! WebP, whatever the Content-Type says. They are decoded by the `image`
//! crate with [`image::Limits`] of 12,000 × 12,000 px and an allocation cap;
//! the header's dimensions are checked (also against 40 megapixels) before
//! any pixel is decoded, so decompression bombs fail cleanly. Then the
//! image reserves its estimated peak memory from
//! [`process::DECODE_BUDGET`] (640 MiB, shared by the images processed at
//! once) and waits until it fits, so the run's peak RSS stays under 1 GiB
//! whatever the images (measured figures in `docs/bundle.md`). EXIF
//! orientation is applied. Animated GIF/WebP keep their first frame.
//!
//! # Variants
//!
//! * [`ImageRole::Hero`]: widths from [`CacheOptions::widths`]
//!   (320, 640, 960, 1280) below the image's own width, plus a top variant at
//!   `min(own width, largest width)`; a configured width within 10 % of the
//!   top is skipped. Never upscaled, always at least one size; aspect ratio
//!   kept; Lanczos3 downscaling.
//! * [`ImageRole::Logo`]: fitted into a `display_size` square at 1× and 2×
//!   (never upscaled: a small logo may get one size only).
//!
//! Each size is written as WebP plus a fallback, listed in
//! [`CachedImage::variants`] with their MIME type so the widget can build
//! `<picture><source type="image/webp" srcset=…><img srcset=…>`:
//!
//! * opaque images: lossy WebP (quality 75) + progressive JPEG from mozjpeg
//!   (quality 80);
//! * images with transparency: WebP (lossy quality 75 for heroes, lossless
//!   for logos) + PNG.
//!
//! The WebP is dropped when it is not smaller than its fallback (can happen
//! for tiny lossless logos).
//!
//! Why: measured on the 35 demo photos in `www/images` (1200–1280 px wide,
//! 1.38 MB as published), resized to 320/640/960/1280 (112 variants), average
//! bytes per variant and PSNR against the resized source:
//!
//! | encoder                       | avg bytes | PSNR     |
//! |-------------------------------|-----------|----------|
//! | libwebp lossy q75             | 8,496     | 38.9 dB  |
//! | libwebp lossy q80             | 10,407    | 39.8 dB  |
//! | mozjpeg q75                   | 14,533    | 37.8 dB  |
//! | mozjpeg q80                   | 17,325    | 38.6 dB  |
//! | mozjpeg q80, fastest settings | 22,339    | 38.9 dB  |
//! | `image` JPEG q60              | 21,532    | 37.9 dB  |
//! | `image` JPEG q75              | 26,677    | 40.1 dB  |
//! | `image` JPEG q80              | 30,291    | 41.1 dB  |
//!
//! At equal quality WebP q75 is half the size of the best JPEG (mozjpeg)
//! and about 2.5× smaller than the `image` crate's JPEG encoder, and every
//! current browser decodes it; the mozjpeg fallback only serves the rest.
//!
//! # Files
//!
//! Files are named `<16 hex digits of SHA-256 of the file>-<width>w.<ext>`
//! (`webp`, `jpg`, `png`): immutable, cacheable forever, shared between
//! images that produce identical bytes. An existing file with that name is
//! not rewritten. Nothing else in DIR is ever touched except `manifest.json`.
//!
//! # Incremental runs
//!
//! `DIR/manifest.json` maps each source URL to its variants, ETag,
//! Last-Modified, original byte size, SHA-256 of the original and the
//! "recipe" (role, widths, encoder settings). A re-run sends
//! `If-None-Match` / `If-Modified-Since` when the entry's recipe matches and
//! all its files are present; a 304 (or an identical body) reuses the
//! entry without decoding anything. `offline: true` sends no request at all
//! and serves only from the manifest (missing → warning). `prune: true`
//! deletes cache files (only names matching the pattern above) that no image
//! of this run references and drops the other URLs from the manifest; the
//! files of an image that failed this run are kept, so a transient error
//! does not wipe its cache.
//!
//! # Progress
//!
//! [`Progress::Auto`]: an `indicatif` bar on stderr (images done/total,
//! bytes downloaded, failures) when stderr is a terminal, otherwise a plain
//! progress line on stderr every 10 % (and at the end). [`Progress::Never`]:
//! silent.

mod fetch;
mod manifest;
// Public so the hostile corpus (tests/hostile.rs) feeds it files directly.
pub mod process;
mod progress;
mod store;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use serde::Serialize;

use fetch::{Fetched, Fetcher};
use manifest::{Entry, Manifest};

/// Whether to show progress on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Progress {
    /// A progress bar when stderr is a terminal, plain lines otherwise.
    #[default]
    Auto,
    /// Nothing on stderr.
    Never,
}

/// How [`cache_images`] works. [`CacheOptions::new`] gives the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheOptions {
    /// Output directory (created if missing). Holds the variants and
    /// `manifest.json`.
    pub dir: PathBuf,
    /// Worker threads (default 8; 0 counts as 1).
    pub concurrency: usize,
    /// TCP connect timeout (default 10 s).
    pub connect_timeout: Duration,
    /// Timeout of each read from the server (default 10 s).
    pub read_timeout: Duration,
    /// One request from connect to last byte, redirects included
    /// (default 30 s).
    pub request_deadline: Duration,
    /// Minimum average body rate in bytes per second once `rate_grace` has
    /// passed (default 2,048 bytes/s): a server dripping bytes is cut off.
    pub min_rate: u64,
    /// See `min_rate` (default 2 s).
    pub rate_grace: Duration,
    /// The whole run's downloads (default 10 min): no request starts or
    /// goes on after it; the images left keep their URLs, with a warning.
    pub run_deadline: Duration,
    /// Requests in flight at once to one host (default 4).
    pub per_host: usize,
    /// Redirects followed at most (default 5, also the ceiling).
    pub max_redirects: u32,
    /// Largest accepted body in bytes (default 10 MiB).
    pub max_bytes: u64,
    /// Fetch from any address and port, loopback and private networks
    /// included (`--allow-private-hosts`; for local testing only).
    pub allow_private_hosts: bool,
    /// Send no request: use only what `manifest.json` has.
    pub offline: bool,
    /// Delete cache files that this run's images do not reference.
    pub prune: bool,
    /// Hero widths in pixels (default 320, 640, 960, 1280).
    pub widths: Vec<u32>,
    /// Progress on stderr (default [`Progress::Auto`]).
    pub progress: Progress,
}

impl CacheOptions {
    /// The defaults, writing into `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> CacheOptions {
        CacheOptions {
            dir: dir.into(),
            concurrency: 8,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(10),
            request_deadline: Duration::from_secs(30),
            min_rate: 2048,
            rate_grace: Duration::from_secs(2),
            run_deadline: Duration::from_secs(600),
            per_host: 4,
            max_redirects: crate::net::MAX_REDIRECTS,
            max_bytes: 10 * 1024 * 1024,
            allow_private_hosts: false,
            offline: false,
            prune: false,
            widths: vec![320, 640, 960, 1280],
            progress: Progress::Auto,
        }
    }
}

/// What an image is for: decides its sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageRole {
    /// A card's hero image: responsive widths.
    Hero,
    /// A provider logo shown in a `display_size` CSS-pixel square: 1× and 2×.
    Logo { display_size: u32 },
}

/// A cached image: its intrinsic size, a placeholder colour and its files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CachedImage {
    /// Width of the (orientation-corrected) original, in pixels.
    pub width: u32,
    /// Height of the (orientation-corrected) original, in pixels.
    pub height: u32,
    /// Average colour, `#rrggbb`, to paint while the image loads.
    pub placeholder: String,
    /// The files, by ascending width; per width the WebP (when kept) comes
    /// before its JPEG/PNG fallback.
    pub variants: Vec<Variant>,
}

impl CachedImage {
    /// A `srcset` value for the variants of one MIME type, with `base`
    /// prepended to each file name (`"/img/"` → `/img/ab…-320w.webp 320w,
    /// …`). Empty when there is no variant of that type.
    pub fn srcset(&self, base: &str, mime: &str) -> String {
        self.variants
            .iter()
            .filter(|v| v.mime == mime)
            .map(|v| format!("{base}{} {}w", v.file, v.width))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The fallback variants' MIME type (`image/jpeg` or `image/png`).
    pub fn fallback_mime(&self) -> Option<&'static str> {
        self.variants
            .iter()
            .map(|v| v.mime)
            .find(|m| *m != process::MIME_WEBP)
    }
}

/// One file of a [`CachedImage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Variant {
    /// File name inside [`CacheOptions::dir`] (content-hashed).
    pub file: String,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// `image/webp`, `image/jpeg` or `image/png`.
    pub mime: &'static str,
}

/// Counters of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Images downloaded with a 200 this run.
    pub fetched: usize,
    /// Images the server answered 304 Not Modified for (cache reused).
    pub not_modified: usize,
    /// Images served from the manifest without a request (offline mode).
    pub from_cache: usize,
    /// Images that ended with a warning.
    pub failed: usize,
    /// Response body bytes read.
    pub bytes_downloaded: u64,
    /// Bytes of variant files written (existing identical files are not).
    pub bytes_written: u64,
    /// Sum of the original sizes of the images cached successfully.
    pub original_bytes: u64,
    /// Cache files deleted by `prune`.
    pub pruned: usize,
}

/// The outcome of [`cache_images`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CacheReport {
    /// Source URL → the cached image, or a warning saying why not.
    pub images: BTreeMap<String, Result<CachedImage, String>>,
    /// Counters.
    pub stats: Stats,
    /// Problems of the run as a whole (manifest, directory, pruning).
    pub warnings: Vec<String>,
}

/// How one image ended.
enum Outcome {
    Fetched,
    NotModified,
    FromCache,
    Failed,
}

struct Done {
    outcome: Outcome,
    result: Result<Entry, String>,
    downloaded: u64,
    written: u64,
}

struct Job<'a> {
    url: &'a str,
    role: ImageRole,
    /// The manifest entry, when its recipe matches and its files exist.
    prior: Option<&'a Entry>,
    /// There is an entry, but made with other settings or missing files.
    stale: bool,
}

/// Downloads, checks and re-encodes `requests` into `options.dir`. See the
/// module documentation.
pub fn cache_images(requests: &[(String, ImageRole)], options: &CacheOptions) -> CacheReport {
    let mut report = CacheReport::default();

    // One job per URL, first role wins.
    let mut seen = BTreeSet::new();
    let unique: Vec<(&str, ImageRole)> = requests
        .iter()
        .filter(|(url, _)| seen.insert(url.as_str()))
        .map(|(url, role)| (url.as_str(), *role))
        .collect();

    if let Err(e) = std::fs::create_dir_all(&options.dir) {
        let warning = format!("cannot create {}: {e}", options.dir.display());
        for (url, _) in &unique {
            report
                .images
                .insert((*url).to_string(), Err(warning.clone()));
        }
        report.stats.failed = unique.len();
        report.warnings.push(warning);
        return report;
    }

    let (old, manifest_warning) = Manifest::load(&options.dir);
    report.warnings.extend(manifest_warning);

    let jobs: Vec<Job> = unique
        .iter()
        .map(|(url, role)| {
            let recipe = process::recipe(*role, &options.widths);
            let entry = old.images.get(*url);
            let usable =
                entry.filter(|e| e.recipe == recipe && store::all_present(&options.dir, e));
            Job {
                url,
                role: *role,
                prior: usable,
                stale: entry.is_some() && usable.is_none(),
            }
        })
        .collect();

    let fetcher = if options.offline {
        None
    } else {
        Some(Fetcher::new(options, std::time::Instant::now()))
    };
    let results = run_pool(&jobs, options, fetcher.as_ref());

    // Assemble the report and the new manifest.
    let mut manifest = if options.prune {
        Manifest::default()
    } else {
        old.clone()
    };
    for (job, done) in jobs.iter().zip(results) {
        report.stats.bytes_downloaded += done.downloaded;
        report.stats.bytes_written += done.written;
        match done.outcome {
            Outcome::Fetched => report.stats.fetched += 1,
            Outcome::NotModified => report.stats.not_modified += 1,
            Outcome::FromCache => report.stats.from_cache += 1,
            Outcome::Failed => report.stats.failed += 1,
        }
        match done.result {
            Ok(entry) => {
                report.stats.original_bytes += entry.original_bytes;
                report
                    .images
                    .insert(job.url.to_string(), Ok(entry.to_cached_image()));
                manifest.images.insert(job.url.to_string(), entry);
            }
            Err(warning) => {
                // Keep what an earlier run cached, for the next try.
                if let Some(previous) = old.images.get(job.url) {
                    manifest
                        .images
                        .insert(job.url.to_string(), previous.clone());
                }
                report.images.insert(job.url.to_string(), Err(warning));
            }
        }
    }
    if let Err(e) = manifest.save(&options.dir) {
        report
            .warnings
            .push(format!("cannot write the image manifest: {e}"));
    }
    if options.prune {
        let keep: BTreeSet<&str> = manifest
            .images
            .values()
            .flat_map(|e| e.variants.iter().map(|v| v.file.as_str()))
            .collect();
        let (pruned, warnings) = store::prune(&options.dir, &keep);
        report.stats.pruned = pruned;
        report.warnings.extend(warnings);
    }
    report
}

/// Runs the jobs on a pool of worker threads; results come back in job
/// order.
fn run_pool(jobs: &[Job], options: &CacheOptions, fetcher: Option<&Fetcher>) -> Vec<Done> {
    let mut results: Vec<Option<Done>> = jobs.iter().map(|_| None).collect();
    let mut bar = progress::Reporter::new(options.progress, jobs.len());
    let next = AtomicUsize::new(0);
    let workers = options.concurrency.clamp(1, jobs.len().max(1));

    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<(usize, Done)>();
        let mut spawned = 0;
        for n in 0..workers {
            let tx = tx.clone();
            let next = &next;
            let spawn = std::thread::Builder::new()
                .name(format!("image-cache-{n}"))
                .spawn_scoped(scope, move || {
                    while let Some((i, job)) = claim(next, jobs) {
                        let done = run_job_guarded(job, options, fetcher);
                        if tx.send((i, done)).is_err() {
                            break;
                        }
                    }
                });
            if spawn.is_ok() {
                spawned += 1;
            }
        }
        if spawned == 0 {
            // No thread could be started: work on this one.
            while let Some((i, job)) = claim(&next, jobs) {
                let done = run_job_guarded(job, options, fetcher);
                let _ = tx.send((i, done));
            }
        }
        drop(tx);
        for (i, done) in rx {
            bar.record(&done);
            if let Some(slot) = results.get_mut(i) {
                *slot = Some(done);
            }
        }
    });
    bar.finish();

    results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| Done {
                outcome: Outcome::Failed,
                result: Err("internal error: the image was not processed".to_string()),
                downloaded: 0,
                written: 0,
            })
        })
        .collect()
}

fn claim<'j, 'a>(next: &AtomicUsize, jobs: &'j [Job<'a>]) -> Option<(usize, &'j Job<'a>)> {
    let i = next.fetch_add(1, Ordering::Relaxed);
    jobs.get(i).map(|job| (i, job))
}

/// [`run_job`], turning a panic in a decoder or encoder into a warning.
fn run_job_guarded(job: &Job, options: &CacheOptions, fetcher: Option<&Fetcher>) -> Done {
    let run = std::panic::AssertUnwindSafe(|| run_job(job, options, fetcher));
    std::panic::catch_unwind(run).unwrap_or_else(|_| Done {
        outcome: Outcome::Failed,
        result: Err("internal error while processing the image".to_string()),
        downloaded: 0,
        written: 0,
    })
}

fn failed(warning: String, downloaded: u64) -> Done {
    Done {
        outcome: Outcome::Failed,
        result: Err(warning),
        downloaded,
        written: 0,
    }
}

fn run_job(job: &Job, options: &CacheOptions, fetcher: Option<&Fetcher>) -> Done {
    let Some(fetcher) = fetcher else {
        return match job.prior {
            Some(entry) => Done {
                outcome: Outcome::FromCache,
                result: Ok(entry.clone()),
                downloaded: 0,
                written: 0,
            },
            None if job.stale => failed(
                "offline, and the cached copy was made with other settings or lost files"
                    .to_string(),
                0,
            ),
            None => failed("offline, and not in the image cache".to_string(), 0),
        };
    };

    let fetched = match fetcher.get(job.url, job.prior) {
        Ok(f) => f,
        Err(warning) => return failed(warning, 0),
    };
    match fetched {
        Fetched::NotModified => match job.prior {
            Some(entry) => Done {
                outcome: Outcome::NotModified,
                result: Ok(entry.clone()),
                downloaded: 0,
                written: 0,
            },
            None => failed(
                "the server answered 304 Not Modified to an unconditional request".to_string(),
                0,
            ),
        },
        Fetched::Body {
            bytes,
            etag,
            last_modified,
            content_type,
        } => {
            let downloaded = bytes.len() as u64;
            let source_sha256 = store::sha256_hex(&bytes);
            // Same bytes as last time (server ignoring validators): reuse.
            if let Some(entry) = job.prior.filter(|e| e.source_sha256 == source_sha256) {
                let mut entry = entry.clone();
                entry.etag = etag;
                entry.last_modified = last_modified;
                return Done {
                    outcome: Outcome::Fetched,
                    result: Ok(entry),
                    downloaded,
                    written: 0,
                };
            }
            let processed = match process::process(
                &bytes,
                content_type.as_deref(),
                job.role,
                &options.widths,
            ) {
                Ok(p) => p,
                Err(warning) => return failed(warning, downloaded),
            };
            let mut variants = Vec::with_capacity(processed.files.len());
            let mut written = 0;
            for file in processed.files {
                match store::write_variant(&options.dir, &file) {
                    Ok((variant, n)) => {
                        written += n;
                        variants.push(variant);
                    }
                    Err(e) => {
                        return Done {
                            outcome: Outcome::Failed,
                            result: Err(format!("cannot write to {}: {e}", options.dir.display())),
                            downloaded,
                            written,
                        };
                    }
                }
            }
            Done {
                outcome: Outcome::Fetched,
                result: Ok(Entry {
                    recipe: process::recipe(job.role, &options.widths),
                    etag,
                    last_modified,
                    original_bytes: downloaded,
                    source_sha256,
                    width: processed.width,
                    height: processed.height,
                    placeholder: processed.placeholder,
                    variants,
                }),
                downloaded,
                written,
            }
        }
    }
}
