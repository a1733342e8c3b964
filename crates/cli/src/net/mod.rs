//! The guarded fetcher: every network read of the CLI goes through
//! [`Fetcher::get`], because the URLs come from untrusted files and the
//! machine running the build may see hosts the public cannot.
//!
//! For each hop of a request:
//!
//! * the URL is parsed by the WHATWG rules (`url` crate), which turn every
//!   numeric host form (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`) into
//!   the address it means before anything is checked;
//! * only `http`/`https`, no user name or password, and (by default) ports
//!   80 and 443;
//! * the host is resolved here and every address is checked by the
//!   [`AddressPolicy`] (by default [`PublicOnly`], see [`addr::is_public`]);
//!   the connection is made to the checked addresses only (ureq is given a
//!   resolver that returns them and nothing else, and no proxy), so a DNS
//!   answer that changes between check and connect changes nothing;
//! * redirects are followed here, not by ureq, so each `Location` goes
//!   through the same checks, at most [`Limits::max_redirects`] (never more
//!   than [`MAX_REDIRECTS`]) times.
//!
//! A request has a deadline (redirects and body included), a per-read
//! timeout, a minimum average transfer rate once a grace period is over
//! (a server dripping bytes is cut off), a byte cap counted while reading
//! (a missing or lying `Content-Length` changes nothing), at most
//! [`Limits::per_host`] requests in flight per host, and the run's deadline
//! ([`Limits::run_deadline`]) above all of them.
//!
//! A host that is refused by the policy, cannot be resolved, or cannot be
//! connected to gives one and the same [`FetchError::Unreachable`] message,
//! so a crafted URL cannot tell an open port of the build machine from a
//! closed or refused one. [`AnyHost`] (`--allow-private-hosts`) lifts the
//! address and port checks, for local testing only.

pub mod addr;

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

use ureq::http::{HeaderMap, StatusCode, Uri, header};
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// The most redirects any request follows, whatever [`Limits`] says.
pub const MAX_REDIRECTS: u32 = 5;

/// Which hosts the fetcher may connect to.
pub trait AddressPolicy: Send + Sync + fmt::Debug {
    /// Whether a resolved address may be connected to.
    fn allows_address(&self, ip: IpAddr) -> bool;
    /// Whether a URL's port (explicit or the scheme's default) is allowed.
    fn allows_port(&self, port: u16) -> bool;
}

/// The default: public unicast addresses, ports 80 and 443.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicOnly;

impl AddressPolicy for PublicOnly {
    fn allows_address(&self, ip: IpAddr) -> bool {
        addr::is_public(ip)
    }
    fn allows_port(&self, port: u16) -> bool {
        port == 80 || port == 443
    }
}

/// Every address and port (`--allow-private-hosts`): for local testing.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnyHost;

impl AddressPolicy for AnyHost {
    fn allows_address(&self, _: IpAddr) -> bool {
        true
    }
    fn allows_port(&self, _: u16) -> bool {
        true
    }
}

/// Time and size limits of a [`Fetcher`]. [`Limits::default`] gives the
/// values documented on each field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Resolving a name, and connecting (TLS included) (default 10 s).
    pub connect_timeout: Duration,
    /// Each read from the server, and the whole response head (default 10 s).
    pub read_timeout: Duration,
    /// One request from the first connect to the last body byte, redirects
    /// included (default 30 s).
    pub request_deadline: Duration,
    /// Minimum average body rate in bytes per second, checked once
    /// [`Limits::rate_grace`] has passed since the response head (default
    /// 2,048; 0 turns the check off).
    pub min_rate: u64,
    /// See [`Limits::min_rate`] (default 2 s).
    pub rate_grace: Duration,
    /// Redirects followed at most (default and ceiling [`MAX_REDIRECTS`]).
    pub max_redirects: u32,
    /// Requests in flight at once to one host name (default 4; 0 counts as 1).
    pub per_host: usize,
    /// No request starts, and none goes on, after this instant (default
    /// none; the image cache sets one for its whole run).
    pub run_deadline: Option<Instant>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(10),
            request_deadline: Duration::from_secs(30),
            min_rate: 2048,
            rate_grace: Duration::from_secs(2),
            max_redirects: MAX_REDIRECTS,
            per_host: 4,
            run_deadline: None,
        }
    }
}

/// One GET.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Absolute http(s) URL.
    pub url: &'a str,
    /// The `Accept` header.
    pub accept: &'a str,
    /// Largest body accepted, in bytes.
    pub max_bytes: u64,
    /// `If-None-Match` (an ETag from an earlier response).
    pub if_none_match: Option<&'a str>,
    /// `If-Modified-Since` (a Last-Modified from an earlier response).
    pub if_modified_since: Option<&'a str>,
}

impl<'a> Request<'a> {
    /// An unconditional GET.
    pub fn new(url: &'a str, accept: &'a str, max_bytes: u64) -> Request<'a> {
        Request {
            url,
            accept,
            max_bytes,
            if_none_match: None,
            if_modified_since: None,
        }
    }
}

/// The final response (after redirects).
#[derive(Debug, Clone)]
pub struct Response {
    /// The URL that answered (the last hop).
    pub url: String,
    /// Any status but a followed redirect. The body is read for 2xx only.
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// At most [`Request::max_bytes`] bytes; empty unless the status is 2xx.
    pub body: Vec<u8>,
}

impl Response {
    /// A header's value, when present and visible ASCII.
    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Why a request gave no response. Its `Display` is the warning to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Not an absolute http(s) URL.
    BadUrl(String),
    /// The URL has a user name or password.
    Credentials,
    /// The port is not allowed by the policy.
    Port(u16),
    /// Refused by the address policy, not resolvable, or no connection:
    /// deliberately one message for all three.
    Unreachable { host: String },
    /// More redirects than allowed.
    TooManyRedirects(u32),
    /// A redirect without a `Location` that makes a URL.
    BadRedirect(String),
    /// The request's deadline or a read timeout passed.
    TimedOut,
    /// The body came slower than the minimum rate.
    TooSlow { min_rate: u64 },
    /// The body is larger than the cap.
    TooLarge { max_bytes: u64 },
    /// The run's deadline passed.
    RunDeadline,
    /// Any other transport failure (TLS, protocol).
    Failed(String),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::BadUrl(why) => write!(f, "refused: {why}"),
            FetchError::Credentials => write!(f, "refused: the URL has a user name or password"),
            // The port is in the URL; not repeating it keeps the message
            // the same for every refused port.
            FetchError::Port(_) => write!(
                f,
                "refused: only ports 80 and 443 are fetched without --allow-private-hosts"
            ),
            FetchError::Unreachable { host } => write!(
                f,
                "refused: {host} is not a reachable public host (loopback, private, \
                 link-local and reserved addresses are not fetched without --allow-private-hosts)"
            ),
            FetchError::TooManyRedirects(n) => write!(f, "too many redirects (more than {n})"),
            FetchError::BadRedirect(why) => write!(f, "bad redirect: {why}"),
            FetchError::TimedOut => write!(f, "timed out"),
            FetchError::TooSlow { min_rate } => {
                write!(f, "too slow: less than {min_rate} bytes per second")
            }
            FetchError::TooLarge { max_bytes } => {
                write!(f, "too big: more than {max_bytes} bytes")
            }
            FetchError::RunDeadline => write!(f, "the run's time limit has passed"),
            FetchError::Failed(why) => write!(f, "download failed: {why}"),
        }
    }
}

impl std::error::Error for FetchError {}

/// The guarded fetcher. Shared by reference between worker threads.
#[derive(Debug)]
pub struct Fetcher {
    policy: Arc<dyn AddressPolicy>,
    limits: Limits,
    user_agent: String,
    hosts: HostSlots,
}

impl Fetcher {
    /// A fetcher that sends `user_agent` and applies `policy` and `limits`.
    pub fn new(user_agent: &str, policy: Arc<dyn AddressPolicy>, limits: Limits) -> Fetcher {
        Fetcher {
            policy,
            hosts: HostSlots::new(limits.per_host.max(1)),
            limits,
            user_agent: user_agent.to_string(),
        }
    }

    /// GETs `request.url`, following redirects through the same checks.
    pub fn get(&self, request: &Request) -> Result<Response, FetchError> {
        let start = Instant::now();
        let mut deadline = start + self.limits.request_deadline;
        if let Some(run) = self.limits.run_deadline {
            if start >= run {
                return Err(FetchError::RunDeadline);
            }
            deadline = deadline.min(run);
        }
        let max_redirects = self.limits.max_redirects.min(MAX_REDIRECTS);
        let mut url = parse(request.url)?;
        let mut hops = 0;
        loop {
            let target = self.check(&url, deadline)?;
            // Held until the body is read.
            let _slot = self.hosts.acquire(&target.host, deadline)?;
            let response = self.exchange(&url, &target, request, deadline)?;
            let status = response.status();
            if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
                return self.finish(url, response, request, deadline);
            }
            if hops == max_redirects {
                return Err(FetchError::TooManyRedirects(max_redirects));
            }
            hops += 1;
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| FetchError::BadRedirect("no usable Location".to_string()))?;
            let next = url
                .join(location)
                .map_err(|e| FetchError::BadRedirect(format!("Location {location:?}: {e}")))?;
            url = checked_url(next)?;
        }
    }

    /// Resolves and checks one hop's host: the addresses to connect to.
    fn check(&self, url: &url::Url, deadline: Instant) -> Result<Target, FetchError> {
        let port = url
            .port_or_known_default()
            .ok_or_else(|| FetchError::BadUrl("no port".to_string()))?;
        if !self.policy.allows_port(port) {
            return Err(FetchError::Port(port));
        }
        let unreachable = || FetchError::Unreachable {
            host: url.host_str().unwrap_or("").to_string(),
        };
        let addresses: Vec<SocketAddr> = match url.host() {
            Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
            Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
            Some(url::Host::Domain(name)) => {
                let budget = self
                    .limits
                    .connect_timeout
                    .min(deadline.saturating_duration_since(Instant::now()));
                resolve(name, port, budget).ok_or_else(unreachable)?
            }
            None => return Err(FetchError::BadUrl("no host".to_string())),
        };
        let mut allowed = ResolvedSocketAddrs::from_fn(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        for address in addresses
            .into_iter()
            .filter(|a| self.policy.allows_address(a.ip()))
        {
            if allowed.len() < 16 {
                allowed.push(address);
            }
        }
        if allowed.is_empty() {
            return Err(unreachable());
        }
        Ok(Target {
            host: url.host_str().unwrap_or("").to_ascii_lowercase(),
            port,
            addresses: allowed,
        })
    }

    /// Sends one GET to `target`'s checked addresses; ureq follows nothing.
    fn exchange(
        &self,
        url: &url::Url,
        target: &Target,
        request: &Request,
        deadline: Instant,
    ) -> Result<ureq::http::Response<ureq::Body>, FetchError> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(self.timed_out());
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .user_agent(&self.user_agent)
            .accept(request.accept)
            .timeout_global(Some(remaining))
            .timeout_connect(Some(self.limits.connect_timeout))
            .timeout_per_read(Some(self.limits.read_timeout))
            .timeout_recv_response(Some(self.limits.read_timeout))
            .build();
        let agent = ureq::Agent::with_parts(
            config,
            DefaultConnector::default(),
            Pinned {
                host: target.host.clone(),
                port: target.port,
                addresses: target.addresses.clone(),
            },
        );
        let mut call = agent.get(url.as_str());
        if let Some(etag) = request.if_none_match {
            call = call.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(date) = request.if_modified_since {
            call = call.header(header::IF_MODIFIED_SINCE, date);
        }
        call.call().map_err(|e| self.describe(e, &target.host))
    }

    /// Reads the body of a final 2xx response under the cap and the rate.
    fn finish(
        &self,
        url: url::Url,
        response: ureq::http::Response<ureq::Body>,
        request: &Request,
        deadline: Instant,
    ) -> Result<Response, FetchError> {
        let (parts, body) = response.into_parts();
        let mut out = Response {
            url: url.to_string(),
            status: parts.status,
            headers: parts.headers,
            body: Vec::new(),
        };
        if !out.status.is_success() {
            return Ok(out);
        }
        let too_large = FetchError::TooLarge {
            max_bytes: request.max_bytes,
        };
        if body.content_length().is_some_and(|n| n > request.max_bytes) {
            return Err(too_large);
        }
        let host = url.host_str().unwrap_or("").to_string();
        let mut reader = body.into_reader();
        let started = Instant::now();
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            let n = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => return Err(self.describe_io(e, &host)),
            };
            if (out.body.len() + n) as u64 > request.max_bytes {
                return Err(too_large);
            }
            out.body
                .extend_from_slice(buffer.get(..n).unwrap_or_default());
            let now = Instant::now();
            if now >= deadline {
                return Err(self.timed_out());
            }
            let elapsed = now.duration_since(started);
            if self.limits.min_rate > 0
                && elapsed > self.limits.rate_grace
                && (out.body.len() as u128) * 1000
                    < u128::from(self.limits.min_rate) * elapsed.as_millis()
            {
                return Err(FetchError::TooSlow {
                    min_rate: self.limits.min_rate,
                });
            }
        }
        Ok(out)
    }

    fn timed_out(&self) -> FetchError {
        if self
            .limits
            .run_deadline
            .is_some_and(|run| Instant::now() >= run)
        {
            FetchError::RunDeadline
        } else {
            FetchError::TimedOut
        }
    }

    fn describe(&self, error: ureq::Error, host: &str) -> FetchError {
        let unreachable = || FetchError::Unreachable {
            host: host.to_string(),
        };
        match error {
            ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => unreachable(),
            ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => unreachable(),
            ureq::Error::Timeout(_) => self.timed_out(),
            ureq::Error::Io(e) => self.describe_io(e, host),
            ureq::Error::BodyExceedsLimit(n) => FetchError::TooLarge { max_bytes: n },
            other => FetchError::Failed(other.to_string()),
        }
    }

    fn describe_io(&self, error: std::io::Error, host: &str) -> FetchError {
        use std::io::ErrorKind as K;
        match error.kind() {
            K::ConnectionRefused
            | K::HostUnreachable
            | K::NetworkUnreachable
            | K::NetworkDown
            | K::AddrNotAvailable => FetchError::Unreachable {
                host: host.to_string(),
            },
            K::TimedOut | K::WouldBlock => self.timed_out(),
            _ => FetchError::Failed(error.to_string()),
        }
    }
}

/// Parses and checks a URL as given (the first hop).
fn parse(text: &str) -> Result<url::Url, FetchError> {
    let url = url::Url::parse(text)
        .map_err(|e| FetchError::BadUrl(format!("not an absolute URL ({e})")))?;
    checked_url(url)
}

/// The checks on a hop's URL that need no network.
fn checked_url(mut url: url::Url) -> Result<url::Url, FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::BadUrl(format!(
            "only http and https URLs are fetched, not {}:",
            url.scheme()
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FetchError::Credentials);
    }
    url.set_fragment(None);
    Ok(url)
}

/// A checked hop: where ureq may connect.
struct Target {
    host: String,
    port: u16,
    addresses: ResolvedSocketAddrs,
}

/// Resolves `name` within `budget`; `None` when it fails or takes longer.
/// The look-up runs on its own thread because the system resolver has no
/// timeout; a late answer is dropped.
fn resolve(name: &str, port: u16, budget: Duration) -> Option<Vec<SocketAddr>> {
    let (tx, rx) = mpsc::sync_channel(1);
    let name = name.to_string();
    std::thread::Builder::new()
        .name("resolve".to_string())
        .spawn(move || {
            let found = (name.as_str(), port)
                .to_socket_addrs()
                .map(Iterator::collect::<Vec<_>>);
            let _ = tx.send(found);
        })
        .ok()?;
    match rx.recv_timeout(budget) {
        Ok(Ok(addresses)) if !addresses.is_empty() => Some(addresses),
        _ => None,
    }
}

/// The resolver ureq is given: it answers only for the host that was
/// checked, with the addresses that passed the policy. ureq's TCP connector
/// connects to exactly the addresses the resolver returns.
#[derive(Debug)]
struct Pinned {
    host: String,
    port: u16,
    addresses: ResolvedSocketAddrs,
}

impl Resolver for Pinned {
    fn resolve(
        &self,
        uri: &Uri,
        _: &ureq::config::Config,
        _: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let authority = uri.authority().ok_or(ureq::Error::HostNotFound)?;
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let port = authority.port_u16().or(match uri.scheme_str() {
            Some("http") => Some(80),
            Some("https") => Some(443),
            _ => None,
        });
        if !host.eq_ignore_ascii_case(self.host.trim_start_matches('[').trim_end_matches(']'))
            || port != Some(self.port)
        {
            return Err(ureq::Error::HostNotFound);
        }
        Ok(self.addresses.clone())
    }
}

/// Requests in flight per host name.
#[derive(Debug)]
struct HostSlots {
    limit: usize,
    busy: Mutex<HashMap<String, usize>>,
    freed: Condvar,
}

struct Slot<'a> {
    slots: &'a HostSlots,
    host: String,
}

impl HostSlots {
    fn new(limit: usize) -> HostSlots {
        HostSlots {
            limit,
            busy: Mutex::new(HashMap::new()),
            freed: Condvar::new(),
        }
    }

    fn acquire(&self, host: &str, deadline: Instant) -> Result<Slot<'_>, FetchError> {
        let mut busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let n = busy.get(host).copied().unwrap_or(0);
            if n < self.limit {
                busy.insert(host.to_string(), n + 1);
                return Ok(Slot {
                    slots: self,
                    host: host.to_string(),
                });
            }
            let wait = deadline.saturating_duration_since(Instant::now());
            if wait.is_zero() {
                return Err(FetchError::TimedOut);
            }
            busy = self
                .freed
                .wait_timeout(busy, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut busy = self.slots.busy.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = busy.get_mut(&self.host) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                busy.remove(&self.host);
            }
        }
        drop(busy);
        self.slots.freed.notify_all();
    }
}

#[cfg(test)]
mod tests;
