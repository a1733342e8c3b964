//! Feeds by URL (`article-cards bundle http://…/feed.xml`) against a
//! loopback server started here: several feeds and a folder merge into one
//! bundle, a feed that cannot be fetched is a warning, and a second run
//! sends the remembered validators and reuses the stored copy on a 304.
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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use article_cards::{Cli, run_with};
use bundle::Bundle;
use clap::Parser;

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
    status: u16,
}

struct Route {
    body: Vec<u8>,
    etag: Option<&'static str>,
    last_modified: Option<&'static str>,
}

/// Serves fixed feeds by path with validators, answering 304 when the
/// request's validator matches; 404 for anything else. Stops when dropped.
struct Server {
    addr: String,
    log: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    fn start(routes: HashMap<&'static str, Route>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let routes = Arc::new(routes);
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (log, stop) = (log.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        serve(stream, &routes, &log);
                    }
                }
            })
        };
        Server {
            addr,
            log,
            stop,
            accept: Some(accept),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept so it sees the flag.
        let _ = TcpStream::connect(&self.addr);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn serve(stream: TcpStream, routes: &HashMap<&'static str, Route>, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let if_none_match = headers.get("if-none-match").cloned();
    let if_modified_since = headers.get("if-modified-since").cloned();
    let mut out = stream;
    let status = match routes.get(path.as_str()) {
        Some(route) => {
            let fresh = match (
                route.etag,
                &if_none_match,
                route.last_modified,
                &if_modified_since,
            ) {
                (Some(e), Some(seen), _, _) => e == seen,
                (None, None, Some(lm), Some(seen)) => lm == seen,
                _ => false,
            };
            let mut head = String::new();
            if let Some(e) = route.etag {
                head.push_str(&format!("ETag: {e}\r\n"));
            }
            if let Some(lm) = route.last_modified {
                head.push_str(&format!("Last-Modified: {lm}\r\n"));
            }
            if fresh {
                let _ = out.write_all(
                    format!("HTTP/1.1 304 Not Modified\r\n{head}Connection: close\r\n\r\n")
                        .as_bytes(),
                );
                304
            } else {
                let _ = out.write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n{head}Content-Length: {}\r\nConnection: close\r\n\r\n",
                        route.body.len()
                    )
                    .as_bytes(),
                );
                let _ = out.write_all(&route.body);
                200
            }
        }
        None => {
            let _ = out.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
            );
            404
        }
    };
    let _ = out.flush();
    log.lock().unwrap().push(Seen {
        path,
        if_none_match,
        if_modified_since,
        status,
    });
}

const RSS: &str = r#"<?xml version="1.0"?>
<rss version="2.0"><channel>
<title>Loopback Gazette</title><link>/</link>
<lastBuildDate>Mon, 02 Nov 2026 10:00:00 GMT</lastBuildDate>
<item><title>Relative link resolved against the feed URL</title><link>/stories/one</link>
<pubDate>Mon, 02 Nov 2026 09:00:00 GMT</pubDate><description>&lt;p&gt;First story.&lt;/p&gt;</description></item>
<item><title>Shared story</title><link>https://shared.example/story</link>
<pubDate>Sun, 01 Nov 2026 09:00:00 GMT</pubDate></item>
</channel></rss>"#;

const ATOM: &str = r#"<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Loopback Atom</title>
<updated>2026-11-02T10:00:00Z</updated>
<entry><title>Atom entry</title><link href="entries/a"/><updated>2026-11-02T08:00:00Z</updated></entry>
<entry><title>Shared story, newer copy</title><link href="https://shared.example/story"/><updated>2026-11-02T07:00:00Z</updated></entry>
</feed>"#;

fn run(args: &[String]) -> (Result<(), u8>, String) {
    let mut argv: Vec<String> = vec!["article-cards".into(), "bundle".into()];
    argv.extend(args.iter().cloned());
    let cli = Cli::try_parse_from(&argv).unwrap();
    let mut err = Vec::new();
    let result = run_with(cli, &mut err)
        .map(|_| ())
        .map_err(|e| e.exit_code());
    (result, String::from_utf8(err).unwrap())
}

#[test]
fn feeds_by_url_merge_remember_and_survive_a_dead_feed() {
    let mut routes = HashMap::new();
    routes.insert(
        "/feed.xml",
        Route {
            body: RSS.as_bytes().to_vec(),
            etag: Some("\"v1\""),
            last_modified: None,
        },
    );
    routes.insert(
        "/atom.xml",
        Route {
            body: ATOM.as_bytes().to_vec(),
            etag: None,
            last_modified: Some("Mon, 02 Nov 2026 10:00:00 GMT"),
        },
    );
    let server = Server::start(routes);
    // A port nothing listens on: bound, then closed.
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/feed.xml", l.local_addr().unwrap())
    };

    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("posts");
    fs::create_dir(&folder).unwrap();
    fs::write(
        folder.join("local.md"),
        "---\ntitle: A local article\nwebUrl: https://local.example/a\npublishedDateTime: 2026-10-30T10:00:00Z\n---\n",
    )
    .unwrap();
    let state = tmp.path().join("state");
    let out = tmp.path().join("bundle.json");
    let args: Vec<String> = vec![
        server.url("/feed.xml"),
        server.url("/atom.xml"),
        server.url("/missing.xml"),
        dead.clone(),
        folder.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--state".into(),
        state.display().to_string(),
        "--allow-private-hosts".into(),
        "--related".into(),
        "off".into(),
    ];

    let (result, stderr) = run(&args);
    assert_eq!(result, Ok(()), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}: warning: feed not fetched (HTTP 404 Not Found); skipped",
            server.url("/missing.xml")
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{dead}: warning: feed not fetched (")),
        "{stderr}"
    );
    assert!(stderr.contains("duplicate merged"), "{stderr}");
    let first: Bundle = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    let urls: Vec<&str> = first.articles.iter().map(|a| a.url.as_str()).collect();
    assert_eq!(
        urls,
        vec![
            server.url("/stories/one").as_str(),
            server.url("/entries/a").as_str(),
            "https://shared.example/story",
            "https://local.example/a",
        ]
    );
    // The copy updated later wins the merge.
    assert_eq!(first.articles[2].title, "Shared story, newer copy");
    assert_eq!(
        fs::read_dir(&state).unwrap().count(),
        4,
        "two feeds, a body and validators each"
    );

    // Second run: validators sent, 304s answered, the stored copies used.
    let before = server.seen().len();
    let (result, stderr) = run(&args);
    assert_eq!(result, Ok(()), "{stderr}");
    let second: Bundle = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    assert_eq!(second.articles, first.articles);
    let again: Vec<Seen> = server.seen().into_iter().skip(before).collect();
    let rss = again.iter().find(|s| s.path == "/feed.xml").unwrap();
    assert_eq!(rss.if_none_match.as_deref(), Some("\"v1\""));
    assert_eq!(rss.status, 304);
    let atom = again.iter().find(|s| s.path == "/atom.xml").unwrap();
    assert_eq!(
        atom.if_modified_since.as_deref(),
        Some("Mon, 02 Nov 2026 10:00:00 GMT")
    );
    assert_eq!(atom.status, 304);
}

#[test]
fn without_allow_private_hosts_loopback_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("bundle.json");
    let args: Vec<String> = vec![
        "http://127.0.0.1/feed.xml".into(),
        "--out".into(),
        out.display().to_string(),
        "--state".into(),
        tmp.path().join("state").display().to_string(),
    ];
    let (result, stderr) = run(&args);
    // Nothing to bundle: exit 1, and the refusal says why.
    assert_eq!(result, Err(1), "{stderr}");
    assert!(
        stderr.contains("is not a reachable public host"),
        "{stderr}"
    );
}
