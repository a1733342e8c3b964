//! `cargo bench -p article-cards --bench images [N]`: caches N images (default
//! 1,000) served by a loopback server, then re-runs incrementally (all
//! 304s) and offline. The 35 demo photos of `www/images` are served under N
//! URLs, each copy made distinct by a JPEG comment segment (same pixels,
//! different bytes), so every URL is downloaded, decoded and encoded.
//! Prints figures; asserts nothing about time.
//!
//! `cargo bench -p article-cards --bench images big [wide|tall|deep|jpeg]` serves
//! 8 copies of one huge image instead, at the pixel limit (PNG: 10000 × 4000
//! RGBA, 4000 × 10000 RGBA, 8000 × 5000 16-bit RGBA; `jpeg`: a progressive
//! 8000 × 5000 JPEG) and caches them once. The first run only makes the
//! image (in `target/bench`), so that the second, run under
//! `/usr/bin/time -v`, measures the peak RSS of the image cache alone.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use article_cards::images::{CacheOptions, CacheReport, ImageRole, Progress, cache_images};

/// The body of `/img/<i>.jpg`: photo `i % photos`, with a COM segment
/// carrying `i` right after the SOI marker.
fn body(photos: &[Vec<u8>], i: usize) -> Vec<u8> {
    let photo = &photos[i % photos.len()];
    let comment = format!("copy {i}");
    let mut out = Vec::with_capacity(photo.len() + comment.len() + 4);
    out.extend_from_slice(&photo[..2]);
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(comment.as_bytes());
    out.extend_from_slice(&photo[2..]);
    out
}

fn serve(stream: TcpStream, photos: &[Vec<u8>]) {
    stream.set_nonblocking(false).ok();
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut if_none_match = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.trim().eq_ignore_ascii_case("if-none-match")
        {
            if_none_match = Some(v.trim().to_string());
        }
    }
    if let Some(big) = photos.get(BIG).filter(|_| path.starts_with("/big/")) {
        let mut out = &stream;
        let _ = write!(
            out,
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            big.len()
        );
        let _ = out.write_all(big);
        return;
    }
    let index = path
        .strip_prefix("/img/")
        .and_then(|p| p.strip_suffix(".jpg"))
        .and_then(|n| n.parse::<usize>().ok());
    let mut out = stream;
    let Some(i) = index else {
        let _ = out
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let etag = format!("\"{i}\"");
    if if_none_match.as_deref() == Some(etag.as_str()) {
        let _ = write!(
            out,
            "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n"
        );
        return;
    }
    let body = body(photos, i);
    let _ = write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nETag: {etag}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = out.write_all(&body);
}

/// Where the huge PNG sits in the served list (after every photo).
const BIG: usize = 1000;

/// A huge, compressible PNG with transparency: a gradient, one per shape.
fn big_png(shape: &str) -> Vec<u8> {
    use image::ImageEncoder;
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let (w, h, deep) = match shape {
        "tall" => (4000u32, 10000u32, false),
        // 16-bit RGBA at the pixel limit.
        "deep" => (8000, 5000, true),
        "jpeg" => {
            // Progressive: the decoder keeps every coefficient.
            let img = image::RgbImage::from_fn(8000, 5000, |x, y| {
                image::Rgb([(x / 40) as u8, (y / 25) as u8, ((x + y) / 60) as u8])
            });
            let mut c = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
            c.set_size(8000, 5000);
            c.set_quality(70.0);
            c.set_progressive_mode();
            let mut started = c.start_compress(Vec::new()).unwrap();
            started.write_scanlines(img.as_raw()).unwrap();
            return started.finish().unwrap();
        }
        _ => (10000, 4000, false),
    };
    let mut out = Vec::new();
    let encoder = PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Sub);
    if deep {
        let img = image::ImageBuffer::<image::Rgba<u16>, Vec<u16>>::from_fn(w, h, |x, y| {
            image::Rgba([
                ((x / 50) << 8) as u16,
                ((y / 50) << 8) as u16,
                0x7000,
                if x < 100 { 0 } else { 65535 },
            ])
        });
        let bytes: Vec<u8> = img.as_raw().iter().flat_map(|v| v.to_be_bytes()).collect();
        encoder
            .write_image(&bytes, w, h, image::ExtendedColorType::Rgba16)
            .unwrap();
    } else {
        let img = image::RgbaImage::from_fn(w, h, |x, y| {
            image::Rgba([
                (x / 50) as u8,
                (y / 50) as u8,
                90,
                if x < 100 { 0 } else { 255 },
            ])
        });
        encoder
            .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgba8)
            .unwrap();
    }
    out
}

fn mib(n: u64) -> f64 {
    n as f64 / 1024.0 / 1024.0
}

fn summary(label: &str, report: &CacheReport, elapsed: Duration, n: usize) {
    let s = &report.stats;
    println!(
        "{label:<12} {:>7.2} s  {:>8.1} images/s  fetched {} · 304 {} · cache {} · failed {}  downloaded {:.2} MiB  written {:.2} MiB",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        s.fetched,
        s.not_modified,
        s.from_cache,
        s.failed,
        mib(s.bytes_downloaded),
        mib(s.bytes_written),
    );
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let mut paths: Vec<_> = std::fs::read_dir(root.join("www/images"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    paths.sort();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let big = args.iter().position(|a| a == "big").map(|i| {
        args.get(i + 1)
            .map_or("wide", |s| {
                if s.starts_with('-') {
                    "wide"
                } else {
                    s.as_str()
                }
            })
            .to_string()
    });
    let mut photos: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    if let Some(shape) = &big {
        photos.resize(BIG, Vec::new());
        let file = root.join(format!("target/bench/huge-{shape}.img"));
        let Ok(png) = std::fs::read(&file) else {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, big_png(shape)).unwrap();
            println!("made {}; run again to measure", file.display());
            return;
        };
        println!("huge PNG ({shape}): {:.2} MiB", mib(png.len() as u64));
        photos.push(png);
    }
    let photos = Arc::new(photos);

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let (stop, photos) = (stop.clone(), photos.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let photos = photos.clone();
                        std::thread::spawn(move || serve(stream, &photos));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(1)),
                }
            }
        })
    };

    let work = root.join("target/bench/images");
    let _ = std::fs::remove_dir_all(&work);
    let mut options = CacheOptions::new(&work);
    options.progress = Progress::Never;
    // The server is on loopback.
    options.allow_private_hosts = true;
    if big.is_some() {
        let requests: Vec<(String, ImageRole)> = (0..8)
            .map(|i| (format!("{base}/big/{i}.png"), ImageRole::Hero))
            .collect();
        let t = Instant::now();
        let report = cache_images(&requests, &options);
        summary("huge PNGs", &report, t.elapsed(), requests.len());
        for (url, result) in &report.images {
            if let Err(w) = result {
                println!("  {url}: {w}");
            }
        }
        stop.store(true, Ordering::Relaxed);
        let _ = server.join();
        return;
    }
    let requests: Vec<(String, ImageRole)> = (0..n)
        .map(|i| (format!("{base}/img/{i}.jpg"), ImageRole::Hero))
        .collect();

    println!(
        "image cache: {n} hero images ({} distinct photos, {} threads, {} cores)",
        photos.len(),
        options.concurrency,
        std::thread::available_parallelism().map_or(1, |p| p.get())
    );
    let t = Instant::now();
    let first = cache_images(&requests, &options);
    let first_time = t.elapsed();
    summary("first run", &first, first_time, n);

    let t = Instant::now();
    let second = cache_images(&requests, &options);
    summary("incremental", &second, t.elapsed(), n);

    let offline = CacheOptions {
        offline: true,
        ..options.clone()
    };
    let t = Instant::now();
    let third = cache_images(&requests, &offline);
    summary("offline", &third, t.elapsed(), n);

    // Bytes a browser downloads per image, versus the original.
    let sizes: HashMap<String, u64> = std::fs::read_dir(&work)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().len(),
            )
        })
        .collect();
    let original = first.stats.original_bytes;
    let pick = |mime: &str, width: Option<u32>| -> u64 {
        first
            .images
            .values()
            .filter_map(|r| r.as_ref().ok())
            .map(|img| {
                let of_type = img.variants.iter().filter(|v| v.mime == mime);
                let chosen = match width {
                    // The smallest variant at least this wide, else the widest.
                    Some(w) => of_type
                        .clone()
                        .filter(|v| v.width >= w)
                        .min_by_key(|v| v.width)
                        .or_else(|| of_type.max_by_key(|v| v.width)),
                    None => of_type.max_by_key(|v| v.width),
                };
                chosen.map_or(0, |v| sizes[&v.file])
            })
            .sum()
    };
    println!("originals: {:.2} MiB", mib(original));
    for (label, mime, width) in [
        ("WebP 640w (phone)", "image/webp", Some(640)),
        ("WebP widest", "image/webp", None),
        ("JPEG 640w", "image/jpeg", Some(640)),
        ("JPEG widest", "image/jpeg", None),
    ] {
        let total = pick(mime, width);
        println!(
            "  {label:<18} {:>7.2} MiB  ({:.0}% saved vs originals)",
            mib(total),
            100.0 * (1.0 - total as f64 / original.max(1) as f64)
        );
    }
    let on_disk: u64 = sizes
        .iter()
        .filter(|(k, _)| k.as_str() != "manifest.json")
        .map(|(_, v)| v)
        .sum();
    println!(
        "cache dir: {} files, {:.2} MiB (identical variants shared)",
        sizes.len() - 1,
        mib(on_disk)
    );

    stop.store(true, Ordering::Relaxed);
    let _ = server.join();
}
