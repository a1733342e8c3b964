//! URL resolution and origins by the WHATWG URL standard, the one browsers
//! load images and links by: on wasm32 through the browser's own `URL`
//! (so the wasm carries no URL parser), natively (SSR, tests) through the
//! `url` crate, which implements the same standard.

/// `reference` resolved against the absolute URL `base`, serialized; `None`
/// when either does not parse.
pub fn resolve(base: &str, reference: &str) -> Option<String> {
    imp::resolve(base, reference)
}

/// Whether two absolute http(s) URLs have the same origin (scheme, host
/// and port, with default ports and host case normalized). Anything else,
/// relative URLs included, has no origin to share.
pub fn same_origin(a: &str, b: &str) -> bool {
    match (http_origin(a), http_origin(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The serialized origin of an absolute http(s) URL.
fn http_origin(url: &str) -> Option<String> {
    if !bundle::safe_url::is_absolute_http(url) {
        return None;
    }
    imp::origin(url).filter(|o| o != "null")
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use web_sys::Url;

    pub fn resolve(base: &str, reference: &str) -> Option<String> {
        Url::new_with_base(reference, base).ok().map(|u| u.href())
    }

    pub fn origin(url: &str) -> Option<String> {
        Url::new(url).ok().map(|u| u.origin())
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use url::Url;

    pub fn resolve(base: &str, reference: &str) -> Option<String> {
        Url::parse(base)
            .and_then(|b| b.join(reference))
            .ok()
            .map(String::from)
    }

    pub fn origin(url: &str) -> Option<String> {
        Url::parse(url)
            .ok()
            .map(|u| u.origin().ascii_serialization())
    }
}

/// The cases both implementations are checked against: natively by this
/// module's tests, in the browser by `tests/web.rs`.
#[doc(hidden)]
pub mod examples {
    const CDN: &str = "https://cdn.example/feeds/news/bundle.json?v=3#top";
    /// RFC 3986's base (section 5.4).
    const RFC: &str = "http://a/b/c/d;p?q";

    /// `(base, reference, resolved)`. RFC 3986's examples are those the URL
    /// standard agrees with: all but `g:h` (no http(s) URL anyway) and the
    /// abnormal `http:g`, which browsers read as relative. (A space in a
    /// host is left out too: Chromium percent-encodes it where the
    /// standard, and the `url` crate, refuse the URL.)
    pub const RESOLVE: [(&str, &str, Option<&str>); 53] = [
        (
            CDN,
            "images/x.jpg",
            Some("https://cdn.example/feeds/news/images/x.jpg"),
        ),
        (
            CDN,
            "../images/x.jpg",
            Some("https://cdn.example/feeds/images/x.jpg"),
        ),
        (CDN, "./r.png", Some("https://cdn.example/feeds/news/r.png")),
        (CDN, "/abs.jpg", Some("https://cdn.example/abs.jpg")),
        (CDN, "//other.example/a", Some("https://other.example/a")),
        (
            CDN,
            "?q=1",
            Some("https://cdn.example/feeds/news/bundle.json?q=1"),
        ),
        (
            CDN,
            "#f",
            Some("https://cdn.example/feeds/news/bundle.json?v=3#f"),
        ),
        (CDN, "../../../../g", Some("https://cdn.example/g")),
        (
            CDN,
            "g/./h/../i",
            Some("https://cdn.example/feeds/news/g/i"),
        ),
        (
            CDN,
            "a b.jpg",
            Some("https://cdn.example/feeds/news/a%20b.jpg"),
        ),
        (
            CDN,
            "https://Other.Example:443/a",
            Some("https://other.example/a"),
        ),
        (
            "https://cdn.example",
            "x.jpg",
            Some("https://cdn.example/x.jpg"),
        ),
        ("not a url", "x.jpg", None),
        (RFC, "g", Some("http://a/b/c/g")),
        (RFC, "./g", Some("http://a/b/c/g")),
        (RFC, "g/", Some("http://a/b/c/g/")),
        (RFC, "/g", Some("http://a/g")),
        (RFC, "//g", Some("http://g/")),
        (RFC, "?y", Some("http://a/b/c/d;p?y")),
        (RFC, "g?y", Some("http://a/b/c/g?y")),
        (RFC, "#s", Some("http://a/b/c/d;p?q#s")),
        (RFC, "g#s", Some("http://a/b/c/g#s")),
        (RFC, "g?y#s", Some("http://a/b/c/g?y#s")),
        (RFC, ";x", Some("http://a/b/c/;x")),
        (RFC, "g;x", Some("http://a/b/c/g;x")),
        (RFC, "g;x?y#s", Some("http://a/b/c/g;x?y#s")),
        (RFC, "", Some("http://a/b/c/d;p?q")),
        (RFC, ".", Some("http://a/b/c/")),
        (RFC, "./", Some("http://a/b/c/")),
        (RFC, "..", Some("http://a/b/")),
        (RFC, "../", Some("http://a/b/")),
        (RFC, "../g", Some("http://a/b/g")),
        (RFC, "../..", Some("http://a/")),
        (RFC, "../../", Some("http://a/")),
        (RFC, "../../g", Some("http://a/g")),
        (RFC, "../../../g", Some("http://a/g")),
        (RFC, "../../../../g", Some("http://a/g")),
        (RFC, "/./g", Some("http://a/g")),
        (RFC, "/../g", Some("http://a/g")),
        (RFC, "g.", Some("http://a/b/c/g.")),
        (RFC, ".g", Some("http://a/b/c/.g")),
        (RFC, "g..", Some("http://a/b/c/g..")),
        (RFC, "..g", Some("http://a/b/c/..g")),
        (RFC, "./../g", Some("http://a/b/g")),
        (RFC, "./g/.", Some("http://a/b/c/g/")),
        (RFC, "g/./h", Some("http://a/b/c/g/h")),
        (RFC, "g/../h", Some("http://a/b/c/h")),
        (RFC, "g;x=1/./y", Some("http://a/b/c/g;x=1/y")),
        (RFC, "g;x=1/../y", Some("http://a/b/c/y")),
        (RFC, "g?y/./x", Some("http://a/b/c/g?y/./x")),
        (RFC, "g?y/../x", Some("http://a/b/c/g?y/../x")),
        (RFC, "g#s/./x", Some("http://a/b/c/g#s/./x")),
        (RFC, "g#s/../x", Some("http://a/b/c/g#s/../x")),
    ];

    /// `(a, b, same origin)`.
    pub const SAME_ORIGIN: [(&str, &str, bool); 9] = [
        ("https://a.example/x", "https://A.example:443/y?z", true),
        ("http://[::1]:8080/a", "http://[::1]:8080/b", true),
        ("http://a.example:80/", "http://a.example/", true),
        ("https://a.example", "http://a.example", false),
        ("https://a.example", "https://a.example:8443", false),
        ("https://a.example", "https://b.a.example", false),
        ("https://a.example", "relative/x.jpg", false),
        ("relative/x.jpg", "relative/x.jpg", false),
        (
            "data:image/png;base64,AAAA",
            "data:image/png;base64,AAAA",
            false,
        ),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_a_browser() {
        for (base, reference, want) in examples::RESOLVE {
            assert_eq!(
                resolve(base, reference).as_deref(),
                want,
                "{base} + {reference:?}"
            );
        }
    }

    #[test]
    fn origins() {
        for (a, b, want) in examples::SAME_ORIGIN {
            assert_eq!(same_origin(a, b), want, "{a} ~ {b}");
        }
    }
}
