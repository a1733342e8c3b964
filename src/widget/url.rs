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
    if !crate::safe_url::is_absolute_http(url) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_a_browser() {
        let base = "https://cdn.example/feeds/news/bundle.json?v=3#top";
        for (reference, want) in [
            (
                "images/x.jpg",
                "https://cdn.example/feeds/news/images/x.jpg",
            ),
            ("../images/x.jpg", "https://cdn.example/feeds/images/x.jpg"),
            ("./r.png", "https://cdn.example/feeds/news/r.png"),
            ("/abs.jpg", "https://cdn.example/abs.jpg"),
            ("//other.example/a", "https://other.example/a"),
            ("?q=1", "https://cdn.example/feeds/news/bundle.json?q=1"),
            ("#f", "https://cdn.example/feeds/news/bundle.json?v=3#f"),
            ("../../../../g", "https://cdn.example/g"),
            ("g/./h/../i", "https://cdn.example/feeds/news/g/i"),
            ("a b.jpg", "https://cdn.example/feeds/news/a%20b.jpg"),
            ("https://Other.Example:443/a", "https://other.example/a"),
        ] {
            assert_eq!(
                resolve(base, reference).as_deref(),
                Some(want),
                "{reference:?}"
            );
        }
        assert_eq!(
            resolve("https://cdn.example", "x.jpg").as_deref(),
            Some("https://cdn.example/x.jpg")
        );
        assert_eq!(resolve("not a url", "x.jpg"), None);
        assert_eq!(resolve(base, "https://exa mple.com/"), None);
    }

    /// RFC 3986's examples (section 5.4), where the URL standard agrees
    /// with it (all but `g:h`, which is no http(s) URL anyway, and the
    /// abnormal `http:g`, which browsers read as relative).
    #[test]
    fn rfc3986_examples() {
        let base = "http://a/b/c/d;p?q";
        for (r, want) in [
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g/"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("g#s", "http://a/b/c/g#s"),
            ("g?y#s", "http://a/b/c/g?y#s"),
            (";x", "http://a/b/c/;x"),
            ("g;x", "http://a/b/c/g;x"),
            ("g;x?y#s", "http://a/b/c/g;x?y#s"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../", "http://a/"),
            ("../../g", "http://a/g"),
            ("../../../g", "http://a/g"),
            ("../../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("/../g", "http://a/g"),
            ("g.", "http://a/b/c/g."),
            (".g", "http://a/b/c/.g"),
            ("g..", "http://a/b/c/g.."),
            ("..g", "http://a/b/c/..g"),
            ("./../g", "http://a/b/g"),
            ("./g/.", "http://a/b/c/g/"),
            ("g/./h", "http://a/b/c/g/h"),
            ("g/../h", "http://a/b/c/h"),
            ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
            ("g;x=1/../y", "http://a/b/c/y"),
            ("g?y/./x", "http://a/b/c/g?y/./x"),
            ("g?y/../x", "http://a/b/c/g?y/../x"),
            ("g#s/./x", "http://a/b/c/g#s/./x"),
            ("g#s/../x", "http://a/b/c/g#s/../x"),
        ] {
            assert_eq!(resolve(base, r).as_deref(), Some(want), "{r:?}");
        }
    }

    #[test]
    fn origins() {
        assert!(same_origin(
            "https://a.example/x",
            "https://A.example:443/y?z"
        ));
        assert!(same_origin("http://[::1]:8080/a", "http://[::1]:8080/b"));
        assert!(same_origin("http://a.example:80/", "http://a.example/"));
        assert!(!same_origin("https://a.example", "http://a.example"));
        assert!(!same_origin("https://a.example", "https://a.example:8443"));
        assert!(!same_origin("https://a.example", "https://b.a.example"));
        assert!(!same_origin("https://a.example", "relative/x.jpg"));
        assert!(!same_origin("relative/x.jpg", "relative/x.jpg"));
        assert!(!same_origin(
            "data:image/png;base64,AAAA",
            "data:image/png;base64,AAAA"
        ));
    }
}
