//! The image cache against a loopback HTTP server: good images, every kind
//! of failure, conditional re-runs, offline mode and pruning.
// Test helpers (outside #[test] functions) may unwrap and panic.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

#[path = "support/png.rs"]
mod png;
use png::png_chunk;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use article_cards::images::{
    CacheOptions, CacheReport, CachedImage, ImageRole, Progress, cache_images,
};
use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};
use sha2::{Digest, Sha256};

// ---------------------------------------------------------------- server --

#[derive(Clone, Default)]
struct Route {
    status: u16,
    body: Vec<u8>,
    content_type: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    location: Option<String>,
    delay: Duration,
    /// Close-delimited body: no Content-Length.
    no_length: bool,
}

impl Route {
    fn ok(body: Vec<u8>, content_type: &str) -> Route {
        Route {
            status: 200,
            body,
            content_type: Some(content_type.to_string()),
            ..Route::default()
        }
    }
    fn etag(mut self, etag: &str) -> Route {
        self.etag = Some(etag.to_string());
        self
    }
}

#[derive(Clone, Debug)]
struct Seen {
    path: String,
    headers: HashMap<String, String>,
}

struct Server {
    base: String,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    log: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    fn start(routes: Vec<(&str, Route)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let routes = Arc::new(Mutex::new(
            routes
                .into_iter()
                .map(|(p, r)| (p.to_string(), r))
                .collect::<HashMap<_, _>>(),
        ));
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (routes, log, stop) = (routes.clone(), log.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (routes, log) = (routes.clone(), log.clone());
                            std::thread::spawn(move || serve(stream, &routes, &log));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(2)),
                    }
                }
            })
        };
        Server {
            base,
            routes,
            log,
            stop,
            accept: Some(accept),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn set(&self, path: &str, route: Route) {
        self.routes.lock().unwrap().insert(path.to_string(), route);
    }

    fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    fn requests_to(&self, path: &str) -> Vec<Seen> {
        self.requests()
            .into_iter()
            .filter(|s| s.path == path)
            .collect()
    }

    fn clear_log(&self) {
        self.log.lock().unwrap().clear();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn serve(stream: TcpStream, routes: &Mutex<HashMap<String, Route>>, log: &Mutex<Vec<Seen>>) {
    stream.set_nonblocking(false).ok();
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    log.lock().unwrap().push(Seen {
        path: path.clone(),
        headers: headers.clone(),
    });
    let route = routes.lock().unwrap().get(&path).cloned();
    let mut out = stream;
    let Some(route) = route else {
        let _ = out.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
        );
        return;
    };
    std::thread::sleep(route.delay);
    let not_modified = match (&route.etag, &route.last_modified) {
        (Some(etag), _) => headers.get("if-none-match") == Some(etag),
        (None, Some(date)) => headers.get("if-modified-since") == Some(date),
        _ => false,
    };
    let mut head = if not_modified {
        "HTTP/1.1 304 Not Modified\r\n".to_string()
    } else {
        format!("HTTP/1.1 {} X\r\n", route.status)
    };
    if let Some(ct) = &route.content_type {
        head += &format!("Content-Type: {ct}\r\n");
    }
    if let Some(etag) = &route.etag {
        head += &format!("ETag: {etag}\r\n");
    }
    if let Some(date) = &route.last_modified {
        head += &format!("Last-Modified: {date}\r\n");
    }
    if let Some(location) = &route.location {
        head += &format!("Location: {location}\r\n");
    }
    let body: &[u8] = if not_modified { b"" } else { &route.body };
    if !route.no_length || not_modified {
        head += &format!("Content-Length: {}\r\n", body.len());
    }
    head += "Connection: close\r\n\r\n";
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(body);
    let _ = out.flush();
}

// ---------------------------------------------------------------- images --

fn photo(width: u32, height: u32, seed: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let n = ((x / 16) ^ (y / 16) ^ seed.wrapping_mul(31)) % 7 * 6;
        Rgb([
            ((x * 255 / width) as u8).wrapping_add(n as u8),
            ((y * 255 / height) as u8).wrapping_add(seed as u8),
            ((x + y) * 200 / (width + height)) as u8 + 30,
        ])
    })
}

fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(img)
        .unwrap();
    out
}

fn png_rgb(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

fn png_rgba(img: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgba8,
        )
        .unwrap();
    out
}

fn webp_lossless(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

/// A round logo on a transparent background.
fn logo() -> RgbaImage {
    RgbaImage::from_fn(100, 100, |x, y| {
        let (dx, dy) = (x as i32 - 50, y as i32 - 50);
        if dx * dx + dy * dy < 45 * 45 {
            Rgba([20, 80, 200, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    })
}

/// A PNG that claims 20,000 × 20,000 RGBA pixels: header only.
fn bomb_png() -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&20_000u32.to_be_bytes());
    ihdr.extend_from_slice(&20_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    png_chunk(&mut out, b"IHDR", &ihdr);
    png_chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    png_chunk(&mut out, b"IEND", &[]);
    out
}

// --------------------------------------------------------------- helpers --

fn options(dir: &Path) -> CacheOptions {
    let mut o = CacheOptions::new(dir);
    o.progress = Progress::Never;
    o.connect_timeout = Duration::from_secs(2);
    o.read_timeout = Duration::from_millis(400);
    o.concurrency = 4;
    // Every server of these tests is on loopback.
    o.allow_private_hosts = true;
    o
}

fn hero(url: String) -> (String, ImageRole) {
    (url, ImageRole::Hero)
}

fn ok<'a>(report: &'a CacheReport, url: &str) -> &'a CachedImage {
    match report.images.get(url) {
        Some(Ok(image)) => image,
        other => panic!("{url}: expected a cached image, got {other:?}"),
    }
}

fn warning<'a>(report: &'a CacheReport, url: &str) -> &'a str {
    match report.images.get(url) {
        Some(Err(w)) => w,
        other => panic!("{url}: expected a warning, got {other:?}"),
    }
}

/// Every variant exists, is named after its content hash, decodes to its
/// stated size and type.
fn check_files(dir: &Path, image: &CachedImage) {
    assert!(!image.variants.is_empty());
    for v in &image.variants {
        let bytes = std::fs::read(dir.join(&v.file)).unwrap_or_else(|e| panic!("{}: {e}", v.file));
        let hash = Sha256::digest(&bytes);
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        let ext = match v.mime {
            "image/webp" => "webp",
            "image/jpeg" => "jpg",
            "image/png" => "png",
            other => panic!("unexpected mime {other}"),
        };
        assert_eq!(v.file, format!("{}-{}w.{ext}", &hex[..16], v.width));
        let format = image::guess_format(&bytes).unwrap();
        assert_eq!(format.to_mime_type(), v.mime, "{}", v.file);
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!(
            (decoded.width(), decoded.height()),
            (v.width, v.height),
            "{}",
            v.file
        );
        assert!(
            v.width <= image.width && v.height <= image.height,
            "upscaled: {v:?}"
        );
    }
}

fn widths(image: &CachedImage, mime: &str) -> Vec<u32> {
    image
        .variants
        .iter()
        .filter(|v| v.mime == mime)
        .map(|v| v.width)
        .collect()
}

fn mtime(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

// ----------------------------------------------------------------- tests --

#[test]
fn caches_good_images_and_warns_about_bad_ones() {
    let photo_jpg = jpeg(&photo(1600, 900, 1));
    let small_png = png_rgb(&RgbImage::from_pixel(200, 150, Rgb([200, 100, 50])));
    let pic_webp = webp_lossless(&photo(700, 400, 2));
    let logo_png = png_rgba(&logo());
    let mut truncated = png_rgb(&photo(300, 200, 3));
    truncated.truncate(truncated.len() / 2);
    let mut big = jpeg(&photo(300, 200, 4));
    big.resize(600_000, 0);

    let server = Server::start(vec![
        (
            "/photo.jpg",
            Route::ok(photo_jpg.clone(), "image/jpeg").etag("\"p1\""),
        ),
        ("/small.png", Route::ok(small_png, "image/png")),
        ("/pic.webp", Route::ok(pic_webp, "image/webp")),
        ("/logo.png", Route::ok(logo_png, "image/png")),
        (
            "/moved",
            Route {
                status: 301,
                location: Some("/photo.jpg".into()),
                ..Route::default()
            },
        ),
        (
            "/slow.jpg",
            Route {
                delay: Duration::from_secs(2),
                ..Route::ok(photo_jpg.clone(), "image/jpeg")
            },
        ),
        (
            "/page.jpg",
            Route::ok(
                b"<!DOCTYPE html><html><body>Oops</body></html>".to_vec(),
                "image/jpeg",
            ),
        ),
        ("/truncated.png", Route::ok(truncated, "image/png")),
        ("/bomb.png", Route::ok(bomb_png(), "image/png")),
        (
            "/loop",
            Route {
                status: 302,
                location: Some("/loop".into()),
                ..Route::default()
            },
        ),
        (
            "/error",
            Route {
                status: 500,
                ..Route::default()
            },
        ),
        ("/big.jpg", Route::ok(big.clone(), "image/jpeg")),
        (
            "/big-chunked.jpg",
            Route {
                no_length: true,
                ..Route::ok(big, "image/jpeg")
            },
        ),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cache");
    let mut opts = options(&dir);
    opts.max_bytes = 400_000;
    assert!(photo_jpg.len() < 400_000, "{}", photo_jpg.len());

    let good = ["/photo.jpg", "/small.png", "/pic.webp", "/moved"];
    let bad = [
        "/slow.jpg",
        "/missing.jpg",
        "/page.jpg",
        "/truncated.png",
        "/bomb.png",
        "/loop",
        "/error",
        "/big.jpg",
        "/big-chunked.jpg",
    ];
    let mut requests: Vec<_> = good
        .iter()
        .chain(&bad)
        .map(|p| hero(server.url(p)))
        .collect();
    requests.push((
        server.url("/logo.png"),
        ImageRole::Logo { display_size: 32 },
    ));
    requests.push(hero(server.url("/photo.jpg"))); // duplicate: processed once
    requests.push(("ftp://example.invalid/x.png".to_string(), ImageRole::Hero));

    let report = cache_images(&requests, &opts);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(report.images.len(), good.len() + bad.len() + 2);

    // A 1600 px JPEG: the four widths, WebP + JPEG each, aspect kept.
    let p = ok(&report, &server.url("/photo.jpg"));
    assert_eq!((p.width, p.height), (1600, 900));
    assert_eq!(widths(p, "image/webp"), [320, 640, 960, 1280]);
    assert_eq!(widths(p, "image/jpeg"), [320, 640, 960, 1280]);
    let heights: Vec<u32> = p.variants.iter().map(|v| v.height).collect();
    assert_eq!(heights, [180, 180, 360, 360, 540, 540, 720, 720]);
    assert!(p.placeholder.starts_with('#') && p.placeholder.len() == 7);
    check_files(&dir, p);
    assert_eq!(p.srcset("/img/", "image/webp").matches("w, ").count(), 3);
    assert_eq!(p.fallback_mime(), Some("image/jpeg"));

    // Followed redirect: same bytes, same files.
    assert_eq!(ok(&report, &server.url("/moved")), p);

    // Narrower than every width: one variant at its own size, never upscaled.
    let s = ok(&report, &server.url("/small.png"));
    assert_eq!((s.width, s.height), (200, 150));
    assert_eq!(widths(s, "image/jpeg"), [200]);
    assert_eq!(s.placeholder, "#c86432");
    check_files(&dir, s);

    // 700 px WebP: 320 and its own width (640 is within 10 % of 700).
    let w = ok(&report, &server.url("/pic.webp"));
    assert_eq!(widths(w, "image/jpeg"), [320, 700]);
    check_files(&dir, w);

    // Transparent logo: 1× and 2× of 32 px, PNG fallback.
    let l = ok(&report, &server.url("/logo.png"));
    assert_eq!(widths(l, "image/png"), [32, 64]);
    assert!(widths(l, "image/jpeg").is_empty());
    assert_eq!(l.fallback_mime(), Some("image/png"));
    assert_eq!(l.placeholder, "#1450c8");
    check_files(&dir, l);
    let png = image::open(
        dir.join(
            &l.variants
                .iter()
                .find(|v| v.mime == "image/png")
                .unwrap()
                .file,
        ),
    )
    .unwrap();
    assert!(png.color().has_alpha());

    // Warnings.
    let expect = [
        ("/slow.jpg", "timed out"),
        ("/missing.jpg", "HTTP 404"),
        (
            "/page.jpg",
            "not an image: the body is an HTML page (Content-Type said image/jpeg)",
        ),
        ("/truncated.png", "cannot decode PNG"),
        ("/bomb.png", "image too large"),
        ("/loop", "too many redirects (more than 5)"),
        ("/error", "HTTP 500"),
        ("/big.jpg", "too big: more than 400000 bytes"),
        ("/big-chunked.jpg", "too big: more than 400000 bytes"),
    ];
    for (path, text) in expect {
        let w = warning(&report, &server.url(path));
        assert!(w.contains(text), "{path}: {w:?} should contain {text:?}");
    }
    assert!(
        warning(&report, "ftp://example.invalid/x.png")
            .contains("only http and https URLs are fetched")
    );
    // The redirect loop stopped after 5 redirects (6 requests).
    assert_eq!(server.requests_to("/loop").len(), 6);

    let stats = &report.stats;
    assert_eq!(stats.fetched, 5);
    assert_eq!(stats.failed, bad.len() + 1);
    assert_eq!(stats.not_modified + stats.from_cache, 0);
    assert!(stats.bytes_written > 0);
    assert_eq!(
        stats.bytes_written,
        std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_name() != "manifest.json")
            .map(|e| e.metadata().unwrap().len())
            .sum::<u64>(),
        "identical variants (photo and its redirect) are written once"
    );
    assert!(stats.original_bytes >= 2 * photo_jpg.len() as u64);

    // The honest User-Agent and Accept.
    let seen = server.requests_to("/photo.jpg");
    let ua = &seen[0].headers["user-agent"];
    assert_eq!(
        ua,
        &format!("article-cards/{} (+image cache)", env!("CARGO_PKG_VERSION"))
    );
    assert!(seen[0].headers["accept"].starts_with("image/webp"));
    assert!(!seen[0].headers.contains_key("if-none-match"));

    // The manifest records what came back.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let entry = &manifest["images"][server.url("/photo.jpg")];
    assert_eq!(entry["etag"], "\"p1\"");
    assert_eq!(entry["original_bytes"], photo_jpg.len());
    assert!(manifest["images"].get(server.url("/page.jpg")).is_none());
}

#[test]
fn second_run_is_conditional_and_refetches_what_changed() {
    let a = jpeg(&photo(900, 600, 10));
    let b = png_rgb(&photo(500, 300, 11));
    let c1 = jpeg(&photo(800, 500, 12));
    let c2 = jpeg(&photo(800, 500, 13));
    let server = Server::start(vec![
        ("/a.jpg", Route::ok(a, "image/jpeg").etag("\"a1\"")),
        (
            "/b.png",
            Route {
                last_modified: Some("Tue, 01 Apr 2025 10:00:00 GMT".into()),
                ..Route::ok(b, "image/png")
            },
        ),
        ("/c.jpg", Route::ok(c1.clone(), "image/jpeg").etag("\"c1\"")),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let opts = options(dir);
    let requests: Vec<_> = ["/a.jpg", "/b.png", "/c.jpg"]
        .iter()
        .map(|p| hero(server.url(p)))
        .collect();

    let first = cache_images(&requests, &opts);
    assert_eq!(first.stats.fetched, 3);
    let a_files: Vec<_> = ok(&first, &server.url("/a.jpg"))
        .variants
        .iter()
        .map(|v| dir.join(&v.file))
        .collect();
    let a_times: Vec<_> = a_files.iter().map(|f| mtime(f)).collect();
    let old_c = ok(&first, &server.url("/c.jpg")).clone();

    // c changes between runs.
    server.set("/c.jpg", Route::ok(c2.clone(), "image/jpeg").etag("\"c2\""));
    server.clear_log();
    std::thread::sleep(Duration::from_millis(20));
    let second = cache_images(&requests, &opts);

    let a_req = &server.requests_to("/a.jpg")[0];
    assert_eq!(
        a_req.headers.get("if-none-match").map(String::as_str),
        Some("\"a1\"")
    );
    let b_req = &server.requests_to("/b.png")[0];
    assert_eq!(
        b_req.headers.get("if-modified-since").map(String::as_str),
        Some("Tue, 01 Apr 2025 10:00:00 GMT")
    );
    let c_req = &server.requests_to("/c.jpg")[0];
    assert_eq!(
        c_req.headers.get("if-none-match").map(String::as_str),
        Some("\"c1\"")
    );

    assert_eq!(second.stats.not_modified, 2);
    assert_eq!(second.stats.fetched, 1);
    assert_eq!(second.stats.failed, 0);
    assert_eq!(second.stats.bytes_downloaded, c2.len() as u64);
    assert_eq!(
        ok(&second, &server.url("/a.jpg")),
        ok(&first, &server.url("/a.jpg"))
    );
    assert_eq!(
        ok(&second, &server.url("/b.png")),
        ok(&first, &server.url("/b.png"))
    );
    // Unchanged images were not rewritten.
    let after: Vec<_> = a_files.iter().map(|f| mtime(f)).collect();
    assert_eq!(a_times, after);
    // The changed one was: new files, new hashes, new ETag in the manifest.
    let new_c = ok(&second, &server.url("/c.jpg"));
    assert_ne!(new_c.variants, old_c.variants);
    check_files(dir, new_c);
    let written: u64 = new_c
        .variants
        .iter()
        .map(|v| std::fs::metadata(dir.join(&v.file)).unwrap().len())
        .sum();
    assert_eq!(second.stats.bytes_written, written);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["images"][server.url("/c.jpg")]["etag"], "\"c2\"");
    // Without prune, the old files stay.
    assert!(dir.join(&old_c.variants[0].file).exists());

    // A different role for the same URL: unconditional request, new sizes.
    server.clear_log();
    let logo = cache_images(
        &[(server.url("/a.jpg"), ImageRole::Logo { display_size: 48 })],
        &opts,
    );
    assert!(
        !server.requests_to("/a.jpg")[0]
            .headers
            .contains_key("if-none-match")
    );
    assert_eq!(
        widths(ok(&logo, &server.url("/a.jpg")), "image/jpeg"),
        [48, 96]
    );
    assert_eq!(logo.stats.fetched, 1);

    // A lost file: unconditional request, file written again.
    std::fs::remove_file(dir.join(&ok(&second, &server.url("/b.png")).variants[0].file)).unwrap();
    server.clear_log();
    let third = cache_images(&requests[1..2], &opts);
    assert!(
        !server.requests_to("/b.png")[0]
            .headers
            .contains_key("if-modified-since")
    );
    assert_eq!(third.stats.fetched, 1);
    assert!(third.stats.bytes_written > 0);
    check_files(dir, ok(&third, &server.url("/b.png")));
}

#[test]
fn offline_uses_only_the_manifest() {
    let server = Server::start(vec![(
        "/a.jpg",
        Route::ok(jpeg(&photo(400, 300, 20)), "image/jpeg").etag("\"x\""),
    )]);
    let tmp = tempfile::tempdir().unwrap();
    let opts = options(tmp.path());
    let first = cache_images(&[hero(server.url("/a.jpg"))], &opts);
    let cached = ok(&first, &server.url("/a.jpg")).clone();

    server.clear_log();
    let offline = CacheOptions {
        offline: true,
        ..opts.clone()
    };
    let report = cache_images(
        &[
            hero(server.url("/a.jpg")),
            hero(server.url("/never-seen.jpg")),
            (server.url("/a.jpg"), ImageRole::Hero),
        ],
        &offline,
    );
    assert!(server.requests().is_empty(), "offline mode sent requests");
    assert_eq!(ok(&report, &server.url("/a.jpg")), &cached);
    assert!(warning(&report, &server.url("/never-seen.jpg")).contains("offline"));
    assert_eq!(report.stats.from_cache, 1);
    assert_eq!(report.stats.failed, 1);
    assert_eq!(
        report.stats.bytes_downloaded + report.stats.bytes_written,
        0
    );

    // Cached with other settings: offline cannot help.
    let other = cache_images(
        &[(server.url("/a.jpg"), ImageRole::Logo { display_size: 16 })],
        &offline,
    );
    assert!(warning(&other, &server.url("/a.jpg")).contains("other settings"));
    assert!(server.requests().is_empty());
}

#[test]
fn prune_deletes_only_unreferenced_cache_files() {
    let server = Server::start(vec![
        (
            "/a.jpg",
            Route::ok(jpeg(&photo(700, 400, 30)), "image/jpeg"),
        ),
        (
            "/b.jpg",
            Route::ok(jpeg(&photo(700, 400, 31)), "image/jpeg"),
        ),
        (
            "/flaky.jpg",
            Route::ok(jpeg(&photo(500, 400, 32)), "image/jpeg"),
        ),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let opts = options(dir);
    let all: Vec<_> = ["/a.jpg", "/b.jpg", "/flaky.jpg"]
        .iter()
        .map(|p| hero(server.url(p)))
        .collect();
    let first = cache_images(&all, &opts);
    assert_eq!(first.stats.fetched, 3);

    // Files that are not ours, some of them look close.
    let foreign = [
        "notes.txt",
        "photo.jpg",
        "abc-320w.webp",
        "0123456789abcdef-320w.gif",
        "0123456789ABCDEF-320w.jpg",
    ];
    for f in foreign {
        std::fs::write(dir.join(f), b"keep me").unwrap();
    }
    std::fs::create_dir(dir.join("0123456789abcdef-640w.webp")).unwrap();

    // b is gone from this run; flaky fails this time.
    server.set(
        "/flaky.jpg",
        Route {
            status: 503,
            ..Route::default()
        },
    );
    let prune = CacheOptions {
        prune: true,
        ..opts.clone()
    };
    let report = cache_images(&[all[0].clone(), all[2].clone()], &prune);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert!(warning(&report, &server.url("/flaky.jpg")).contains("503"));

    let b = ok(&first, &server.url("/b.jpg"));
    assert_eq!(report.stats.pruned, b.variants.len());
    for v in &b.variants {
        assert!(!dir.join(&v.file).exists(), "{} should be pruned", v.file);
    }
    check_files(dir, ok(&first, &server.url("/a.jpg")));
    // A transient failure keeps the earlier files and manifest entry.
    check_files(dir, ok(&first, &server.url("/flaky.jpg")));
    for f in foreign {
        assert_eq!(std::fs::read(dir.join(f)).unwrap(), b"keep me");
    }
    assert!(dir.join("0123456789abcdef-640w.webp").is_dir());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let urls: Vec<&String> = manifest["images"].as_object().unwrap().keys().collect();
    assert_eq!(urls, [&server.url("/a.jpg"), &server.url("/flaky.jpg")]);

    // Offline afterwards still serves what is left.
    let offline = CacheOptions {
        offline: true,
        ..opts
    };
    let again = cache_images(&[all[0].clone(), all[2].clone()], &offline);
    assert_eq!(again.stats.from_cache, 2);
}

#[test]
fn a_bad_manifest_is_a_warning_not_a_failure() {
    let server = Server::start(vec![(
        "/a.jpg",
        Route::ok(jpeg(&photo(400, 300, 40)), "image/jpeg"),
    )]);
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("manifest.json"), b"{ not json").unwrap();
    let report = cache_images(&[hero(server.url("/a.jpg"))], &options(tmp.path()));
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(report.warnings[0].contains("starting afresh"));
    check_files(tmp.path(), ok(&report, &server.url("/a.jpg")));

    // A manifest pointing outside the cache is not trusted.
    let evil = serde_json::json!({
        "version": 1,
        "images": { server.url("/evil.png"): {
            "recipe": "x", "original_bytes": 1, "source_sha256": "", "width": 1, "height": 1,
            "placeholder": "#000000",
            "variants": [{ "file": "../../etc/passwd", "width": 1, "height": 1, "mime": "image/png" }],
        }},
    })
    .to_string();
    std::fs::write(tmp.path().join("manifest.json"), evil).unwrap();
    let offline = CacheOptions {
        offline: true,
        ..options(tmp.path())
    };
    let report = cache_images(&[hero(server.url("/evil.png"))], &offline);
    assert!(report.warnings[0].contains("ignored 1 invalid"));
    assert!(warning(&report, &server.url("/evil.png")).contains("not in the image cache"));
}

#[test]
fn an_unwritable_directory_is_reported_for_every_image() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    std::fs::write(&file, b"x").unwrap();
    let report = cache_images(
        &[hero("http://127.0.0.1:9/a.jpg".into())],
        &options(&file.join("sub")),
    );
    assert_eq!(report.stats.failed, 1);
    assert!(warning(&report, "http://127.0.0.1:9/a.jpg").contains("cannot create"));
    assert_eq!(report.warnings.len(), 1);
}

#[test]
fn a_dead_server_is_a_warning() {
    // Bind then drop to get a port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{port}/a.jpg");
    let report = cache_images(&[hero(url.clone())], &options(tmp.path()));
    let w = warning(&report, &url);
    assert!(
        w.contains("connection") || w.contains("refused") || w.contains("download failed"),
        "{w}"
    );
}

// ------------------------------------------------ finding 1: private hosts --

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// A regression test: a loopback-only image was fetched and re-encoded
/// into the publishable cache, whatever form its address took.
#[test]
fn finding_1_a_loopback_image_is_never_cached_without_the_flag() {
    let server = Server::start(vec![(
        "/photo.jpg",
        Route::ok(jpeg(&photo(400, 300, 90)), "image/jpeg"),
    )]);
    let port = server.base.rsplit(':').next().unwrap().to_string();
    let urls: Vec<String> = [
        server.url("/photo.jpg"),
        format!("http://localhost:{port}/photo.jpg"),
        format!("http://0.0.0.0:{port}/photo.jpg"),
        format!("http://[::ffff:127.0.0.1]:{port}/photo.jpg"),
        format!("http://2130706433:{port}/photo.jpg"),
        format!("http://0x7f.0.0.1:{port}/photo.jpg"),
        // Default ports: the address check alone refuses them.
        "http://127.0.0.1/photo.jpg".to_string(),
        "http://localhost/photo.jpg".to_string(),
        "http://0.0.0.0/photo.jpg".to_string(),
        "http://[::1]/photo.jpg".to_string(),
        "http://[::ffff:127.0.0.1]/photo.jpg".to_string(),
        "http://2130706433/photo.jpg".to_string(),
        "http://0x7f.0.0.1/photo.jpg".to_string(),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://10.0.0.1/photo.jpg".to_string(),
    ]
    .into_iter()
    .collect();
    let tmp = tempfile::tempdir().unwrap();
    let guarded = CacheOptions {
        allow_private_hosts: false,
        ..options(tmp.path())
    };
    let requests: Vec<_> = urls.iter().cloned().map(hero).collect();
    let report = cache_images(&requests, &guarded);
    for url in &urls {
        let w = warning(&report, url);
        assert!(w.starts_with("refused: "), "{url}: {w}");
        assert!(w.contains("--allow-private-hosts"), "{url}: {w}");
    }
    assert!(server.requests().is_empty(), "a private host was contacted");
    assert_eq!(files_in(tmp.path()), ["manifest.json"]);

    // The flag lifts the check.
    let open = cache_images(&requests[..1], &options(tmp.path()));
    check_files(tmp.path(), ok(&open, &urls[0]));
}

/// A regression test: "connection refused" and "HTTP 404" told a crafted
/// article which ports of the build machine are open.
#[test]
fn finding_1_a_closed_port_and_a_404_read_the_same() {
    let server = Server::start(vec![]);
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let missing = server.url("/missing.jpg");
    let shut = format!("http://127.0.0.1:{closed}/missing.jpg");
    let tmp = tempfile::tempdir().unwrap();
    let guarded = CacheOptions {
        allow_private_hosts: false,
        ..options(tmp.path())
    };
    let report = cache_images(&[hero(missing.clone()), hero(shut.clone())], &guarded);
    assert_eq!(warning(&report, &missing), warning(&report, &shut));
    assert!(server.requests().is_empty());
}

// ------------------------------------------- finding 6: a symlink-safe cache --

#[cfg(unix)]
#[test]
fn finding_6_symlinks_planted_in_the_cache_are_never_followed() {
    use std::os::unix::fs::symlink;

    let bytes = jpeg(&photo(400, 300, 91));
    let server = Server::start(vec![("/a.jpg", Route::ok(bytes, "image/jpeg"))]);
    let url = server.url("/a.jpg");

    // Learn the names the variants get.
    let scratch = tempfile::tempdir().unwrap();
    let first = cache_images(&[hero(url.clone())], &options(scratch.path()));
    let names: Vec<(String, u64)> = ok(&first, &url)
        .variants
        .iter()
        .map(|v| {
            let len = std::fs::metadata(scratch.path().join(&v.file))
                .unwrap()
                .len();
            (v.file.clone(), len)
        })
        .collect();

    // A fresh cache where every one of those names, and the manifest, is a
    // symlink to a file outside it of the same size.
    let outside = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    for (name, len) in &names {
        let victim = outside.path().join(name);
        std::fs::write(&victim, vec![b'v'; *len as usize]).unwrap();
        symlink(&victim, tmp.path().join(name)).unwrap();
    }
    let secret = outside.path().join("secret.json");
    std::fs::write(&secret, br#"{"version":1,"images":{}}"#).unwrap();
    symlink(&secret, tmp.path().join("manifest.json")).unwrap();

    let report = cache_images(&[hero(url.clone())], &options(tmp.path()));
    let image = ok(&report, &url);
    check_files(tmp.path(), image);
    assert!(
        report.warnings.iter().any(|w| w.contains("manifest.json")),
        "the planted manifest is not read: {:?}",
        report.warnings
    );
    for (name, len) in &names {
        let path = tmp.path().join(name);
        let meta = std::fs::symlink_metadata(&path).unwrap();
        assert!(meta.file_type().is_file(), "{name} is still a symlink");
        assert_eq!(
            std::fs::read(outside.path().join(name)).unwrap(),
            vec![b'v'; *len as usize],
            "written through the symlink"
        );
    }
    assert!(
        std::fs::symlink_metadata(tmp.path().join("manifest.json"))
            .unwrap()
            .file_type()
            .is_file()
    );
    assert_eq!(
        std::fs::read(&secret).unwrap(),
        br#"{"version":1,"images":{}}"#
    );
}

#[cfg(unix)]
#[test]
fn finding_6_cache_files_get_the_umask_mode() {
    use std::os::unix::fs::PermissionsExt;

    let server = Server::start(vec![(
        "/a.jpg",
        Route::ok(jpeg(&photo(400, 300, 92)), "image/jpeg"),
    )]);
    let tmp = tempfile::tempdir().unwrap();
    let report = cache_images(&[hero(server.url("/a.jpg"))], &options(tmp.path()));
    let reference = tmp.path().join("reference");
    std::fs::write(&reference, b"x").unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let expected = mode(&reference);
    let mut files: Vec<String> = ok(&report, &server.url("/a.jpg"))
        .variants
        .iter()
        .map(|v| v.file.clone())
        .collect();
    files.push("manifest.json".to_string());
    for file in files {
        assert_eq!(mode(&tmp.path().join(&file)), expected, "{file}");
    }
}

/// A regression test: the manifest's `placeholder` went into the bundle
/// unchecked.
#[test]
fn finding_6_a_manifest_placeholder_that_is_not_a_colour_is_not_trusted() {
    let server = Server::start(vec![(
        "/a.jpg",
        Route::ok(jpeg(&photo(400, 300, 93)), "image/jpeg"),
    )]);
    let url = server.url("/a.jpg");
    let tmp = tempfile::tempdir().unwrap();
    let first = cache_images(&[hero(url.clone())], &options(tmp.path()));
    ok(&first, &url);
    let path = tmp.path().join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["images"][&url]["placeholder"] = "#fff\"><script>".into();
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();

    let offline = CacheOptions {
        offline: true,
        ..options(tmp.path())
    };
    let report = cache_images(&[hero(url.clone())], &offline);
    assert!(
        report.warnings[0].contains("ignored 1 invalid"),
        "{:?}",
        report.warnings
    );
    assert!(warning(&report, &url).contains("not in the image cache"));
}
