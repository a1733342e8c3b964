//! HTTP(S) downloads: one shared `ureq` agent, conditional requests, size
//! cap, and warnings a person can act on.

use ureq::http::header;

use super::CacheOptions;
use super::manifest::Entry;

/// The honest User-Agent sent with every request.
pub const USER_AGENT: &str = concat!(
    "article-cards/",
    env!("CARGO_PKG_VERSION"),
    " (+image cache)"
);

/// Only formats we can decode; WebP first because it is what we make.
const ACCEPT: &str = "image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1";

pub struct Fetcher {
    agent: ureq::Agent,
    max_bytes: u64,
    max_redirects: u32,
    read_timeout: std::time::Duration,
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
    pub fn new(options: &CacheOptions) -> Fetcher {
        let global = options
            .connect_timeout
            .saturating_add(options.read_timeout.saturating_mul(6));
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(options.max_redirects)
            .user_agent(USER_AGENT)
            .accept(ACCEPT)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_per_read(Some(options.read_timeout))
            .timeout_global(Some(global))
            .build();
        Fetcher {
            agent: ureq::Agent::new_with_config(config),
            max_bytes: options.max_bytes,
            max_redirects: options.max_redirects,
            read_timeout: options.read_timeout,
        }
    }

    /// GETs `url`, conditionally when `prior` has validators.
    pub fn get(&self, url: &str, prior: Option<&Entry>) -> Result<Fetched, String> {
        let scheme_ok = url
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
            || url
                .get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
        if !scheme_ok {
            return Err("not an http(s) URL".to_string());
        }
        let mut request = self.agent.get(url);
        if let Some(entry) = prior {
            if let Some(etag) = &entry.etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(date) = &entry.last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, date);
            }
        }
        let response = request.call().map_err(|e| self.describe(e))?;
        let status = response.status();
        if status == ureq::http::StatusCode::NOT_MODIFIED {
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
        let text = |name: header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let etag = text(header::ETAG);
        let last_modified = text(header::LAST_MODIFIED);
        let content_type = text(header::CONTENT_TYPE);
        if let Some(length) = response.body().content_length()
            && length > self.max_bytes
        {
            return Err(self.too_big());
        }
        let bytes = response
            .into_body()
            .into_with_config()
            .limit(self.max_bytes)
            .read_to_vec()
            .map_err(|e| self.describe(e))?;
        Ok(Fetched::Body {
            bytes,
            etag,
            last_modified,
            content_type,
        })
    }

    fn too_big(&self) -> String {
        format!("too big: more than {} bytes", self.max_bytes)
    }

    fn describe(&self, error: ureq::Error) -> String {
        match error {
            ureq::Error::Timeout(t) => format!(
                "timed out ({t}; read timeout {} ms)",
                self.read_timeout.as_millis()
            ),
            ureq::Error::TooManyRedirects => {
                format!("too many redirects (more than {})", self.max_redirects)
            }
            ureq::Error::RedirectFailed => "redirect failed".to_string(),
            ureq::Error::BodyExceedsLimit(_) => self.too_big(),
            ureq::Error::HostNotFound => "host not found".to_string(),
            ureq::Error::ConnectionFailed => "connection failed".to_string(),
            ureq::Error::BadUri(u) => format!("bad URL: {u}"),
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => format!(
                "timed out (read timeout {} ms)",
                self.read_timeout.as_millis()
            ),
            other => format!("download failed: {other}"),
        }
    }
}
