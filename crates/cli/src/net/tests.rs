//! The fetcher against tiny loopback servers (127.0.0.1 and 127.0.0.2 only;
//! each stops when dropped), with injected address policies. Compiled for
//! tests only: `#[cfg(test)] mod tests;` in `mod.rs`.

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::*;

/// How a test server answers a path.
type Handler = dyn Fn(&str, &mut TcpStream) + Send + Sync;

struct Server {
    address: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    connections: Arc<AtomicUsize>,
    paths: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(ip: &str, handler: impl Fn(&str, &mut TcpStream) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind((ip, 0)).unwrap();
        let address = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let paths = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let (stop, connections, paths) = (stop.clone(), connections.clone(), paths.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(mut stream) = stream else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let (handler, paths) = (handler.clone(), paths.clone());
                    std::thread::spawn(move || {
                        let Some(path) = request_path(&stream) else {
                            return;
                        };
                        paths.lock().unwrap().push(path.clone());
                        handler(&path, &mut stream);
                    });
                }
            })
        };
        Server {
            address,
            stop,
            connections,
            paths,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    fn paths(&self) -> Vec<String> {
        self.paths.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.address);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn request_path(stream: &TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_string();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 || header.trim().is_empty() {
            break;
        }
    }
    Some(path)
}

fn reply(stream: &mut TcpStream, head: &str, body: &[u8]) {
    let _ = stream.write_all(format!("{head}\r\nConnection: close\r\n\r\n").as_bytes());
    let _ = stream.write_all(body);
}

fn ok(stream: &mut TcpStream, body: &[u8]) {
    reply(
        stream,
        &format!("HTTP/1.1 200 OK\r\nContent-Length: {}", body.len()),
        body,
    );
}

fn redirect(stream: &mut TcpStream, location: &str) {
    reply(
        stream,
        &format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0"),
        b"",
    );
}

/// Allows the listed addresses, on any port.
#[derive(Debug)]
struct Only(Vec<IpAddr>);

impl AddressPolicy for Only {
    fn allows_address(&self, ip: IpAddr) -> bool {
        self.0.contains(&ip)
    }
    fn allows_port(&self, _: u16) -> bool {
        true
    }
}

/// Public addresses, any port: isolates the address check.
#[derive(Debug)]
struct PublicAnyPort;

impl AddressPolicy for PublicAnyPort {
    fn allows_address(&self, ip: IpAddr) -> bool {
        addr::is_public(ip)
    }
    fn allows_port(&self, _: u16) -> bool {
        true
    }
}

fn fetcher(policy: impl AddressPolicy + 'static, limits: Limits) -> Fetcher {
    Fetcher::new("article-cards-test", Arc::new(policy), limits)
}

fn get(fetcher: &Fetcher, url: &str) -> Result<Response, FetchError> {
    fetcher.get(&Request::new(url, "*/*", 1024 * 1024))
}

fn unreachable(host: &str) -> FetchError {
    FetchError::Unreachable {
        host: host.to_string(),
    }
}

#[test]
fn finding_1_private_and_numeric_hosts_are_refused() {
    let guarded = fetcher(PublicOnly, Limits::default());
    let cases = [
        ("http://127.0.0.1/x.png", "127.0.0.1"),
        ("http://localhost/x.png", "localhost"),
        ("http://LOCALHOST./x.png", "localhost."),
        ("http://0.0.0.0/x.png", "0.0.0.0"),
        ("http://[::1]/x.png", "[::1]"),
        ("http://[::]/x.png", "[::]"),
        ("http://[::ffff:127.0.0.1]/x.png", "[::ffff:7f00:1]"),
        (
            "http://[::ffff:169.254.169.254]/x.png",
            "[::ffff:a9fe:a9fe]",
        ),
        ("http://[64:ff9b::127.0.0.1]/x.png", "[64:ff9b::7f00:1]"),
        ("http://[2002:7f00:1::1]/x.png", "[2002:7f00:1::1]"),
        ("http://2130706433/x.png", "127.0.0.1"),
        ("http://0x7f.0.0.1/x.png", "127.0.0.1"),
        ("http://0x7f.1/x.png", "127.0.0.1"),
        ("http://0177.0.0.1/x.png", "127.0.0.1"),
        ("http://127.1/x.png", "127.0.0.1"),
        (
            "https://169.254.169.254/latest/meta-data/",
            "169.254.169.254",
        ),
        ("http://10.1.2.3/x.png", "10.1.2.3"),
        ("http://172.16.0.1/x.png", "172.16.0.1"),
        ("http://192.168.1.1/x.png", "192.168.1.1"),
        ("http://100.64.0.1/x.png", "100.64.0.1"),
        ("http://224.0.0.1/x.png", "224.0.0.1"),
        ("http://255.255.255.255/x.png", "255.255.255.255"),
        ("http://[fd00::1]/x.png", "[fd00::1]"),
        ("http://[fe80::1]/x.png", "[fe80::1]"),
        ("http://[ff02::1]/x.png", "[ff02::1]"),
    ];
    for (url, host) in cases {
        assert_eq!(
            get(&guarded, url).map(|r| r.status),
            Err(unreachable(host)),
            "{url}"
        );
    }
}

#[test]
fn finding_1_refusals_do_not_tell_open_ports_from_closed_ones() {
    let server = Server::start("127.0.0.1", |_, stream| {
        reply(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0", b"")
    });
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let closed_url = format!("http://127.0.0.1:{closed}/x.png");
    for policy in [
        Arc::new(PublicOnly) as Arc<dyn AddressPolicy>,
        Arc::new(PublicAnyPort),
    ] {
        let guarded = Fetcher::new("t", policy, Limits::default());
        let open = get(&guarded, &server.url("/x.png")).unwrap_err();
        let shut = get(&guarded, &closed_url).unwrap_err();
        assert_eq!(open.to_string(), shut.to_string());
    }
    assert_eq!(server.connections.load(Ordering::SeqCst), 0);

    // Where the host is allowed, a port that refuses the connection reads
    // like a refused host, not like a connection error.
    let open = fetcher(AnyHost, Limits::default());
    assert_eq!(
        get(&open, &closed_url).unwrap_err(),
        unreachable("127.0.0.1")
    );
    assert_eq!(
        get(&open, &server.url("/x.png")).unwrap().status,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn finding_1_only_ports_80_and_443_by_default() {
    let guarded = fetcher(PublicOnly, Limits::default());
    for url in [
        "http://example.com:8080/a.png",
        "https://example.com:22/a.png",
        "http://93.184.215.14:6379/",
    ] {
        assert!(
            matches!(get(&guarded, url), Err(FetchError::Port(_))),
            "{url}"
        );
    }
    assert!(PublicOnly.allows_port(80) && PublicOnly.allows_port(443));
    for url in ["ftp://example.com/a.png", "file:///etc/passwd", "data:,x"] {
        assert!(
            matches!(get(&guarded, url), Err(FetchError::BadUrl(_))),
            "{url}"
        );
    }
    assert_eq!(
        get(&guarded, "http://user:pw@example.com/a.png").unwrap_err(),
        FetchError::Credentials
    );
}

#[test]
fn finding_1_every_redirect_hop_is_rechecked() {
    let private = Server::start("127.0.0.2", |_, stream| ok(stream, b"secret"));
    let target = private.url("/secret");
    let public = Server::start("127.0.0.1", move |path, stream| match path {
        "/away" => redirect(stream, &target),
        "/home" => redirect(stream, "/ok#frag"),
        _ => ok(stream, b"fine"),
    });
    let policy = Only(vec!["127.0.0.1".parse().unwrap()]);
    let guarded = fetcher(policy, Limits::default());

    let home = get(&guarded, &public.url("/home")).unwrap();
    assert_eq!(
        (home.body.as_slice(), home.url),
        (&b"fine"[..], public.url("/ok"))
    );

    assert_eq!(
        get(&guarded, &public.url("/away")).unwrap_err(),
        unreachable("127.0.0.2")
    );
    assert_eq!(private.connections.load(Ordering::SeqCst), 0);
    assert_eq!(public.paths(), ["/home", "/ok", "/away"]);
}

#[test]
fn finding_1_at_most_five_redirects() {
    let server = Server::start("127.0.0.1", |path, stream| {
        let n: u32 = path.trim_start_matches("/hop/").parse().unwrap_or(0);
        if n == 0 {
            ok(stream, b"end");
        } else {
            redirect(stream, &format!("/hop/{}", n - 1));
        }
    });
    let limits = Limits {
        max_redirects: 50,
        ..Limits::default()
    };
    let open = fetcher(AnyHost, limits);
    assert_eq!(get(&open, &server.url("/hop/5")).unwrap().body, b"end");
    assert_eq!(
        get(&open, &server.url("/hop/6")).unwrap_err(),
        FetchError::TooManyRedirects(5)
    );
    // 6 answers for the first, then 6 requests (the last one not followed).
    assert_eq!(server.paths().len(), 12);
}

#[test]
fn finding_3_a_dripping_server_is_cut_off() {
    let server = Server::start("127.0.0.1", |_, stream| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        // Stops by itself, or as soon as the client has gone.
        for _ in 0..2000 {
            if stream.write_all(b"x").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let limits = Limits {
        min_rate: 1000,
        rate_grace: Duration::from_millis(300),
        request_deadline: Duration::from_secs(600),
        ..Limits::default()
    };
    let open = fetcher(AnyHost, limits);
    assert_eq!(
        get(&open, &server.url("/drip")).unwrap_err(),
        FetchError::TooSlow { min_rate: 1000 }
    );
}

#[test]
fn finding_3_the_byte_cap_holds_without_content_length() {
    let server = Server::start("127.0.0.1", |path, stream| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        let n = if path == "/big" { 100_000 } else { 10_000 };
        let _ = stream.write_all(&vec![b'x'; n]);
    });
    let open = fetcher(AnyHost, Limits::default());
    let request = |url: &str| open.get(&Request::new(url, "*/*", 10_000));
    assert_eq!(request(&server.url("/small")).unwrap().body.len(), 10_000);
    assert_eq!(
        request(&server.url("/big")).unwrap_err(),
        FetchError::TooLarge { max_bytes: 10_000 }
    );
}

#[test]
fn no_request_starts_after_the_run_deadline() {
    let server = Server::start("127.0.0.1", |_, stream| ok(stream, b"fine"));
    let limits = Limits {
        run_deadline: Some(Instant::now()),
        ..Limits::default()
    };
    let open = fetcher(AnyHost, limits);
    assert_eq!(
        get(&open, &server.url("/a")).unwrap_err(),
        FetchError::RunDeadline
    );
    assert_eq!(server.connections.load(Ordering::SeqCst), 0);
}

#[test]
fn conditional_validators_are_sent() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let url = format!("http://{address}/a");
    let log = seen.clone();
    let thread = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 || line.trim().is_empty() {
                break;
            }
            log.lock().unwrap().push(line.trim().to_ascii_lowercase());
        }
        reply(&mut stream, "HTTP/1.1 304 Not Modified", b"");
    });
    let open = fetcher(AnyHost, Limits::default());
    let request = Request {
        if_none_match: Some("\"v1\""),
        if_modified_since: Some("Mon, 01 Jan 2024 00:00:00 GMT"),
        ..Request::new(&url, "image/png", 10)
    };
    let status = open.get(&request).map(|r| r.status);
    // Had the request not arrived, this connection lets the server end.
    let _ = TcpStream::connect(address);
    thread.join().unwrap();
    assert_eq!(status, Ok(StatusCode::NOT_MODIFIED));
    let seen = seen.lock().unwrap();
    for header in [
        "if-none-match: \"v1\"",
        "if-modified-since: mon, 01 jan 2024 00:00:00 gmt",
        "accept: image/png",
        "user-agent: article-cards-test",
    ] {
        assert!(seen.iter().any(|h| h == header), "{header} in {seen:?}");
    }
}

#[test]
fn requests_to_one_host_are_limited() {
    let current = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let server = {
        let (current, most) = (current.clone(), most.clone());
        Server::start("127.0.0.1", move |_, stream| {
            let now = current.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            // A slow server, so that requests overlap when they may.
            std::thread::sleep(Duration::from_millis(150));
            current.fetch_sub(1, Ordering::SeqCst);
            ok(stream, b"fine");
        })
    };
    let limits = Limits {
        per_host: 2,
        ..Limits::default()
    };
    let open = fetcher(AnyHost, limits);
    std::thread::scope(|scope| {
        for i in 0..6 {
            let (open, url) = (&open, server.url(&format!("/{i}")));
            scope.spawn(move || assert_eq!(get(open, &url).unwrap().body, b"fine"));
        }
    });
    assert_eq!(server.paths().len(), 6);
    assert!(most.load(Ordering::SeqCst) <= 2, "{most:?}");
}

/// ureq connects to what the resolver returns: the pinned resolver answers
/// with the checked addresses for the checked host only, so a second DNS
/// answer (rebinding) is never asked for.
#[test]
fn the_resolver_returns_only_the_checked_addresses() {
    let mut addresses = ResolvedSocketAddrs::from_fn(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
    addresses.push(SocketAddr::from(([93, 184, 215, 14], 443)));
    let pinned = Pinned {
        host: "images.example".to_string(),
        port: 443,
        addresses,
    };
    let config = ureq::Agent::config_builder().build();
    let resolve = |uri: &str| {
        pinned
            .resolve(&uri.parse().unwrap(), &config, NextTimeout::default())
            .map(|a| a.to_vec())
    };
    assert_eq!(
        resolve("https://images.example/a.png").unwrap(),
        [SocketAddr::from(([93, 184, 215, 14], 443))]
    );
    assert!(resolve("https://IMAGES.example:443/a.png").is_ok());
    assert!(resolve("https://other.example/a.png").is_err());
    assert!(resolve("http://images.example/a.png").is_err());
    assert!(resolve("https://images.example:8443/a.png").is_err());
}
