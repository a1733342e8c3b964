//! Image downloads through the guarded fetcher ([`crate::net`]):
//! conditional requests, the byte cap, and warnings a person can act on.

use std::sync::Arc;
use std::time::Instant;

use ureq::http::{StatusCode, header};

use super::CacheOptions;
use super::manifest::Entry;
use crate::net::{self, AddressPolicy, AnyHost, Limits, PublicOnly, Request};

/// The honest User-Agent sent with every request.
pub const USER_AGENT: &str = concat!(
    "article-cards/",
    env!("CARGO_PKG_VERSION"),
    " (+image cache)"
);

/// Only formats we can decode; WebP first because it is what we make.
const ACCEPT: &str = "image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1";

pub struct Fetcher {
    inner: net::Fetcher,
    max_bytes: u64,
}

pub enum Fetched {
    NotModified,
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
        content_type: Option<String>,
    },
}

impl Fetcher {
    /// A fetcher for one run that started at `started`.
    pub fn new(options: &CacheOptions, started: Instant) -> Fetcher {
        let policy: Arc<dyn AddressPolicy> = if options.allow_private_hosts {
            Arc::new(AnyHost)
        } else {
            Arc::new(PublicOnly)
        };
        let limits = Limits {
            connect_timeout: options.connect_timeout,
            read_timeout: options.read_timeout,
            request_deadline: options.request_deadline,
            min_rate: options.min_rate,
            rate_grace: options.rate_grace,
            max_redirects: options.max_redirects,
            per_host: options.per_host,
            run_deadline: started.checked_add(options.run_deadline),
        };
        Fetcher {
            inner: net::Fetcher::new(USER_AGENT, policy, limits),
            max_bytes: options.max_bytes,
        }
    }

    /// GETs `url`, conditionally when `prior` has validators.
    pub fn get(&self, url: &str, prior: Option<&Entry>) -> Result<Fetched, String> {
        let request = Request {
            if_none_match: prior.and_then(|e| e.etag.as_deref()),
            if_modified_since: prior.and_then(|e| e.last_modified.as_deref()),
            ..Request::new(url, ACCEPT, self.max_bytes)
        };
        let response = self.inner.get(&request).map_err(|e| e.to_string())?;
        let status = response.status;
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            let reason = status.canonical_reason().unwrap_or("");
            return Err(if status.is_redirection() {
                format!(
                    "HTTP {} {reason} without a usable Location",
                    status.as_u16()
                )
            } else {
                format!("HTTP {} {reason}", status.as_u16())
                    .trim_end()
                    .to_string()
            });
        }
        let text = |name| response.header(name).map(str::to_string);
        Ok(Fetched::Body {
            etag: text(header::ETAG),
            last_modified: text(header::LAST_MODIFIED),
            content_type: text(header::CONTENT_TYPE),
            bytes: response.body,
        })
    }
}
