//! Feeds by URL: fetched through the guarded fetcher ([`crate::net`]),
//! conditionally (ETag, Last-Modified) when the state folder has an
//! earlier copy, which a `304 Not Modified` reuses. A feed that cannot be
//! fetched is a warning (its stored copy is used when there is one); the
//! other inputs still bundle.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ureq::http::{StatusCode, header};

use super::{FeedOutcome, MAX_FEED_BYTES, Parsed, outcome, parse_bytes};
use crate::diag::Diagnostic;
use crate::net::{self, AddressPolicy, AnyHost, Limits, PublicOnly, Request};

/// The honest User-Agent sent with every feed request.
pub const USER_AGENT: &str = concat!("article-cards/", env!("CARGO_PKG_VERSION"), " (+feeds)");

const ACCEPT: &str = "application/rss+xml, application/atom+xml, application/feed+json, \
     application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.1";

/// The state folder when `--state` is not given, in the current directory.
pub const DEFAULT_STATE_DIR: &str = ".article-cards-state";

/// No feed request starts, or goes on, this long after the run began.
pub const RUN_DEADLINE: Duration = Duration::from_secs(300);

/// How feeds given by URL are fetched.
#[derive(Debug, Clone, Default)]
pub struct FeedOptions {
    /// Where validators and the last copy of each feed are kept; `None`:
    /// nothing is remembered (every fetch is unconditional).
    pub state_dir: Option<PathBuf>,
    /// `--allow-private-hosts`: loopback and private addresses, any port.
    pub allow_private_hosts: bool,
}

/// What the state folder remembers of one feed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    url: String,
    /// The URL that answered (after redirects): the base of relative links.
    final_url: String,
    etag: Option<String>,
    last_modified: Option<String>,
}

/// Shared by the worker threads of one run.
pub struct FeedContext {
    fetcher: net::Fetcher,
    state_dir: Option<PathBuf>,
}

impl FeedContext {
    pub fn new(options: &FeedOptions) -> FeedContext {
        let policy: Arc<dyn AddressPolicy> = if options.allow_private_hosts {
            Arc::new(AnyHost)
        } else {
            Arc::new(PublicOnly)
        };
        let limits = Limits {
            run_deadline: Instant::now().checked_add(RUN_DEADLINE),
            ..Limits::default()
        };
        FeedContext {
            fetcher: net::Fetcher::new(USER_AGENT, policy, limits),
            state_dir: options.state_dir.clone(),
        }
    }

    /// `<state>/<hash>.json` and `.body` for a URL.
    fn paths(&self, url: &str) -> Option<(PathBuf, PathBuf)> {
        let dir = self.state_dir.as_ref()?;
        let digest = Sha256::digest(url.as_bytes());
        let name = crate::hex(digest.get(..16).unwrap_or_default());
        Some((
            dir.join(format!("{name}.json")),
            dir.join(format!("{name}.body")),
        ))
    }

    fn load(&self, url: &str) -> Option<(Stored, Vec<u8>)> {
        let (meta, body) = self.paths(url)?;
        let stored: Stored = serde_json::from_slice(&std::fs::read(meta).ok()?).ok()?;
        if stored.url != url {
            return None;
        }
        let body = std::fs::read(body).ok()?;
        (body.len() <= MAX_FEED_BYTES).then_some((stored, body))
    }

    fn save(&self, stored: &Stored, body: &[u8]) -> Result<(), String> {
        let Some((meta, body_path)) = self.paths(&stored.url) else {
            return Ok(());
        };
        let dir = self.state_dir.as_deref().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let json = serde_json::to_vec_pretty(stored).map_err(|e| e.to_string())?;
        // The body first: a validator never outlives the copy it describes.
        write_atomically(dir, &body_path, body)?;
        write_atomically(dir, &meta, &json)
    }

    /// Fetches the feed at `url` and bundles its items.
    pub fn bundle_url(
        &self,
        url: &str,
        asset_base: Option<&str>,
        now: jiff::Timestamp,
    ) -> FeedOutcome {
        let prior = self.load(url);
        let request = Request {
            if_none_match: prior.as_ref().and_then(|(s, _)| s.etag.as_deref()),
            if_modified_since: prior.as_ref().and_then(|(s, _)| s.last_modified.as_deref()),
            ..Request::new(url, ACCEPT, MAX_FEED_BYTES as u64)
        };
        let mut diags = Vec::new();
        let fetched = match self.fetcher.get(&request) {
            Ok(r) if r.status == StatusCode::NOT_MODIFIED => match prior {
                Some((stored, body)) => Ok((stored.final_url, body)),
                None => Err("HTTP 304 Not Modified to an unconditional request".to_owned()),
            },
            Ok(r) if r.status.is_success() => {
                let text = |name| r.header(name).map(str::to_owned);
                let stored = Stored {
                    url: url.to_owned(),
                    final_url: r.url.clone(),
                    etag: text(header::ETAG),
                    last_modified: text(header::LAST_MODIFIED),
                };
                if let Err(why) = self.save(&stored, &r.body) {
                    diags.push(Diagnostic::warning(
                        url,
                        format!("feed fetched but not remembered for the next run: {why}"),
                    ));
                }
                Ok((r.url, r.body))
            }
            Ok(r) => {
                let reason = r.status.canonical_reason().unwrap_or("");
                Err(format!("HTTP {} {reason}", r.status.as_u16())
                    .trim_end()
                    .to_owned())
            }
            Err(e) => Err(e.to_string()),
        };
        let (final_url, body) = match fetched {
            Ok(x) => x,
            Err(why) => {
                match self.load(url) {
                    Some((stored, body)) => {
                        diags.push(Diagnostic::warning(
                        url,
                        format!("feed not fetched ({why}); the copy kept from an earlier run is used"),
                    ));
                        (stored.final_url, body)
                    }
                    None => {
                        diags.push(Diagnostic::warning(
                            url,
                            format!("feed not fetched ({why}); skipped"),
                        ));
                        return FeedOutcome {
                            articles: Vec::new(),
                            diags,
                            skipped: 1,
                        };
                    }
                }
            }
        };
        let base = url::Url::parse(&final_url).ok();
        let mut out = match parse_bytes(&body, base.as_ref()) {
            Parsed::Feed(feed) => outcome(feed, url, asset_base, now),
            Parsed::NotAFeed(why) => FeedOutcome {
                articles: Vec::new(),
                diags: vec![Diagnostic::error(url, format!("{why}; skipped"))],
                skipped: 1,
            },
            Parsed::Broken(e) => FeedOutcome {
                articles: Vec::new(),
                diags: vec![Diagnostic::error(url, format!("{}; skipped", e.message)).at(e.pos)],
                skipped: 1,
            },
        };
        diags.append(&mut out.diags);
        out.diags = diags;
        out
    }
}

fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".article-cards-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    tmp.write_all(bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| format!("cannot write {}: {}", path.display(), e.error))?;
    Ok(())
}
