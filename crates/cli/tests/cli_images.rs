//! `article-cards bundle --cache-images`: the built binary against a
//! loopback HTTP server. Cached images point at their copies, a failing
//! image keeps its URL with a warning, `--offline` re-runs from the
//! manifest, relative image URLs are left alone.
// Test helpers may panic: a panic is a test failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use bundle::{Bundle, Image};
use image::{ImageEncoder, Rgb, RgbImage};

// ---------------------------------------------------------------- server --

/// Serves fixed bodies by path (404 for anything else) and logs the paths.
struct Server {
    base: String,
    log: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    fn start(routes: Vec<(&str, Vec<u8>, &str)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let routes: Arc<HashMap<String, (Vec<u8>, String)>> = Arc::new(
            routes
                .into_iter()
                .map(|(p, body, ct)| (p.to_string(), (body, ct.to_string())))
                .collect(),
        );
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (log, stop) = (log.clone(), stop.clone());
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
            log,
            stop,
            accept: Some(accept),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
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

fn serve(stream: TcpStream, routes: &HashMap<String, (Vec<u8>, String)>, log: &Mutex<Vec<String>>) {
    stream.set_nonblocking(false).ok();
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
    }
    log.lock().unwrap().push(path.clone());
    let mut out = stream;
    match routes.get(&path) {
        Some((body, ct)) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = out.write_all(head.as_bytes());
            let _ = out.write_all(body);
        }
        None => {
            let _ = out.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
            );
        }
    }
    let _ = out.flush();
}

// ---------------------------------------------------------------- images --

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 120])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn png(size: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(size, size, |x, _| {
        if x < size / 2 {
            Rgb([20, 40, 200])
        } else {
            Rgb([250, 250, 250])
        }
    });
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), size, size, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

// ------------------------------------------------------------------- run --

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_article-cards"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn write_article(dir: &Path, name: &str, title: &str, image: &str, logo: Option<&str>) {
    let provider = match logo {
        Some(logo) => format!(
            "provider:\n  name: The Harbour Gazette\n  domain: harbourgazette.example\n  images:\n    - url: \"{logo}\"\n      width: 50\n      height: 50\n"
        ),
        None => String::new(),
    };
    let text = format!(
        "---\ntitle: \"{title}\"\npublishedDateTime: 2021-04-28T16:08:00Z\nwebUrl: \"https://harbourgazette.example/news/{name}\"\nimages:\n  - url: \"{image}\"\n    width: 10\n    height: 10\n{provider}---\n"
    );
    fs::write(dir.join(format!("{name}.md")), text).unwrap();
}

struct Site {
    _tmp: tempfile::TempDir,
    input: String,
    out: String,
    cache: String,
    www: std::path::PathBuf,
}

/// `in/` with three articles (a cached hero plus logo, a 404 hero, a
/// relative hero) and an empty `www/`.
fn site(server: &Server) -> Site {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let www = tmp.path().join("www");
    fs::create_dir_all(&input).unwrap();
    fs::create_dir_all(&www).unwrap();
    write_article(
        &input,
        "a",
        "Cranes",
        &server.url("/hero.jpg"),
        Some(&server.url("/logo.png")),
    );
    write_article(&input, "b", "Missing", &server.url("/missing.jpg"), None);
    write_article(&input, "c", "Local", "images/local.jpg", None);
    Site {
        input: input.display().to_string(),
        out: www.join("bundle.json").display().to_string(),
        cache: www.join("cache").display().to_string(),
        www,
        _tmp: tmp,
    }
}

fn bundle(out: &str) -> Bundle {
    serde_json::from_slice(&fs::read(out).unwrap()).unwrap()
}

fn image_of<'a>(bundle: &'a Bundle, title: &str) -> &'a Image {
    bundle
        .articles
        .iter()
        .find(|a| a.title == title)
        .and_then(|a| a.image.as_ref())
        .unwrap()
}

fn server() -> Server {
    Server::start(vec![
        ("/hero.jpg", jpeg(1600, 900), "image/jpeg"),
        ("/logo.png", png(50), "image/png"),
    ])
}

fn check_cached(site: &Site, b: &Bundle, hero: &str) {
    let img = image_of(b, "Cranes");
    assert!(img.cached);
    assert_eq!(img.original.as_deref(), Some(hero));
    assert_eq!((img.width, img.height), (Some(1600), Some(900)));
    let ph = img.placeholder.as_deref().unwrap();
    assert!(
        ph.len() == 7 && ph.starts_with('#') && ph[1..].bytes().all(|b| b.is_ascii_hexdigit()),
        "{ph}"
    );
    // src: the largest JPEG up to 1280 px.
    assert!(
        img.src.starts_with("cache/") && img.src.ends_with("-1280w.jpg"),
        "{}",
        img.src
    );
    let widths: Vec<u32> = img.variants.iter().map(|v| v.width).collect();
    assert!(
        widths.contains(&320) && widths.contains(&1280),
        "{widths:?}"
    );
    assert!(img.variants.iter().any(|v| v.mime == "image/webp"));
    assert!(img.variants.iter().any(|v| v.mime == "image/jpeg"));
    for v in &img.variants {
        assert!(v.src.starts_with("cache/"), "{}", v.src);
        assert!(site.www.join(&v.src).is_file(), "{}", v.src);
        assert!(v.height > 0 && v.height < v.width);
    }
    // The logo is cached too, as a logo (at most 2 × 64 px).
    let logo = b.providers.values().find_map(|p| p.logo.as_ref()).unwrap();
    assert!(logo.cached && !logo.variants.is_empty(), "{logo:?}");
    assert!(logo.variants.iter().all(|v| v.width <= 128));
    assert!(logo.src.starts_with("cache/"));
    // The failed image keeps its URL; the relative one is untouched.
    let missing = image_of(b, "Missing");
    assert!(missing.src.ends_with("/missing.jpg"));
    assert!(missing.variants.is_empty() && missing.original.is_none() && !missing.cached);
    let local = image_of(b, "Local");
    assert_eq!(local.src, "images/local.jpg");
    assert!(local.variants.is_empty() && local.original.is_none());
}

#[test]
fn caches_images_and_rewrites_the_bundle() {
    let server = server();
    let site = site(&server);
    let o = run(&[
        "bundle",
        &site.input,
        "--out",
        &site.out,
        "--cache-images",
        &site.cache,
        "--allow-private-hosts",
        "--image-concurrency",
        "2",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let missing = server.url("/missing.jpg");
    assert!(
        err.lines().any(|l| l.contains("b.md: warning: image ")
            && l.contains(&format!("{missing} not cached: "))),
        "{err}"
    );
    let last = err.lines().last().unwrap();
    assert!(
        last.contains("(0 skipped, 1 warnings), 2 images cached (1 failed) in "),
        "{last}"
    );
    let b = bundle(&site.out);
    check_cached(&site, &b, &server.url("/hero.jpg"));
    assert!(Path::new(&site.cache).join("manifest.json").is_file());

    // --strict: the image warning fails the run, nothing written.
    let strict_out = site.www.join("strict.json").display().to_string();
    let o = run(&[
        "bundle",
        &site.input,
        "--out",
        &strict_out,
        "--cache-images",
        &site.cache,
        "--allow-private-hosts",
        "--strict",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!Path::new(&strict_out).exists());
}

#[test]
fn offline_rerun_uses_the_manifest() {
    let server = server();
    let site = site(&server);
    let args = [
        "bundle",
        &site.input,
        "--out",
        &site.out,
        "--cache-images",
        &site.cache,
        "--allow-private-hosts",
        "--quiet",
    ];
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let first = bundle(&site.out);
    let before = server.requests().len();

    let mut offline = args.to_vec();
    offline.push("--offline");
    let o = run(&offline);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(server.requests().len(), before, "offline sent a request");
    let second = bundle(&site.out);
    check_cached(&site, &second, &server.url("/hero.jpg"));
    assert_eq!(
        image_of(&first, "Cranes").variants,
        image_of(&second, "Cranes").variants
    );
}

#[test]
fn explicit_image_base_and_usage_errors() {
    let server = server();
    let site = site(&server);
    let o = run(&[
        "bundle",
        &site.input,
        "--out",
        &site.out,
        "--cache-images",
        &site.cache,
        "--allow-private-hosts",
        "--image-base",
        "https://cdn.example/img",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let b = bundle(&site.out);
    let img = image_of(&b, "Cranes");
    assert!(
        img.src.starts_with("https://cdn.example/img/"),
        "{}",
        img.src
    );
    assert!(
        img.variants
            .iter()
            .all(|v| v.src.starts_with("https://cdn.example/img/"))
    );

    // Companion flags need --cache-images; an unsafe base is refused.
    let o = run(&["bundle", &site.input, "--out", &site.out, "--offline"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "bundle",
        &site.input,
        "--out",
        &site.out,
        "--cache-images",
        &site.cache,
        "--allow-private-hosts",
        "--image-base",
        "javascript:alert(1)",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    // Without --cache-images nothing changes and no image is requested.
    let before = server.requests().len();
    let o = run(&["bundle", &site.input, "--out", &site.out]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!stderr(&o).contains("images cached"));
    assert_eq!(server.requests().len(), before);
    let img = image_of(&bundle(&site.out), "Cranes").clone();
    assert_eq!(img.src, server.url("/hero.jpg"));
    assert!(img.variants.is_empty() && img.placeholder.is_none());
}

/// A regression test: without `--allow-private-hosts` a loopback image was
/// fetched and re-encoded into the cache, and a 404 read differently from
/// a closed port.
#[test]
fn finding_1_private_hosts_are_refused_without_the_flag() {
    let server = server();
    let site = site(&server);
    let o = run(&[
        "bundle",
        &site.input,
        "--out",
        &site.out,
        "--cache-images",
        &site.cache,
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        server.requests().is_empty(),
        "a loopback host was contacted"
    );
    // The warning names the article, the URL and the reason; the reason is
    // the same for an image that exists and one that does not.
    let reason = |file: &str, url: &str| -> String {
        let line = err
            .lines()
            .find(|l| l.contains(&format!("{file}: warning: image {url} not cached: ")))
            .unwrap_or_else(|| panic!("no warning for {url} in {err}"));
        line.split(" not cached: ").nth(1).unwrap().to_string()
    };
    let hero = reason("a.md", &server.url("/hero.jpg"));
    assert!(hero.starts_with("refused: "), "{hero}");
    assert!(hero.contains("--allow-private-hosts"), "{hero}");
    assert!(hero.ends_with("its original URL is kept"), "{hero}");
    assert_eq!(hero, reason("b.md", &server.url("/missing.jpg")));

    // The articles are kept with their original URLs; nothing is cached.
    let b = bundle(&site.out);
    let img = image_of(&b, "Cranes");
    assert_eq!(img.src, server.url("/hero.jpg"));
    assert!(!img.cached && img.variants.is_empty() && img.placeholder.is_none());
    let cached: Vec<_> = fs::read_dir(&site.cache)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "manifest.json")
        .collect();
    assert!(cached.is_empty(), "{cached:?}");
}
