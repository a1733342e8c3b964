//! `cargo bench --features cli --bench images [N]`: caches N images (default
//! 1,000) served by a loopback server, then re-runs incrementally (all
//! 304s) and offline. The 35 demo photos of `www/images` are served under N
//! URLs, each copy made distinct by a JPEG comment segment (same pixels,
//! different bytes), so every URL is downloaded, decoded and encoded.
//! Prints figures; asserts nothing about time.
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
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(root.join("www/images"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    paths.sort();
    let photos: Arc<Vec<Vec<u8>>> =
        Arc::new(paths.iter().map(|p| std::fs::read(p).unwrap()).collect());

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
