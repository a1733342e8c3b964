//! The URL policy shared by the bundler and the widget: only absolute
//! `http:`/`https:` URLs without user-info, or relative paths, may reach an
//! `href` or `src`. The widget checks again what the bundler already checked,
//! because a bundle is untrusted input wherever it came from.

use std::fmt;

/// Why a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlRejection {
    Empty,
    /// A scheme other than http/https (`javascript:`, `data:`, `file:`, …).
    Scheme(String),
    /// `//host/...` (or with backslashes): it would inherit the page's scheme
    /// and point anywhere.
    ProtocolRelative,
    /// `https://user:pass@host/`.
    UserInfo,
    /// `https://` with no host, or a malformed authority.
    NoHost,
    /// Control characters that survive the browser's own stripping.
    ControlCharacter,
}

impl fmt::Display for UrlRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlRejection::Empty => f.write_str("empty URL"),
            UrlRejection::Scheme(s) => {
                write!(f, "URL scheme `{s}:` is not allowed (only http and https)")
            }
            UrlRejection::ProtocolRelative => {
                f.write_str("protocol-relative URL (`//host`) is not allowed")
            }
            UrlRejection::UserInfo => {
                f.write_str("URL with user-info (`user@host`) is not allowed")
            }
            UrlRejection::NoHost => f.write_str("URL has no host"),
            UrlRejection::ControlCharacter => f.write_str("URL contains control characters"),
        }
    }
}

/// Returns the URL as a browser would read it (leading/trailing C0 controls
/// and spaces removed, tabs and newlines removed everywhere) when it is an
/// absolute http(s) URL without user-info or a relative reference.
pub fn check_url(raw: &str) -> Result<String, UrlRejection> {
    // Browsers (WHATWG URL) strip leading/trailing C0 control-or-space and
    // remove every ASCII tab or newline before parsing: `java\tscript:` is
    // `javascript:`. Do the same first so the check sees what they see.
    let trimmed = raw.trim_matches(|c: char| c <= ' ');
    let cleaned: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    if cleaned.is_empty() {
        return Err(UrlRejection::Empty);
    }
    if cleaned.chars().any(|c| c.is_control()) {
        return Err(UrlRejection::ControlCharacter);
    }
    match scheme_of(&cleaned) {
        Some(scheme) => {
            let lower = scheme.to_ascii_lowercase();
            if lower != "http" && lower != "https" {
                return Err(UrlRejection::Scheme(lower));
            }
            let rest = cleaned.get(scheme.len() + 1..).unwrap_or_default();
            let after_slashes = match rest.strip_prefix("//") {
                Some(r) => r,
                None => return Err(UrlRejection::NoHost),
            };
            let authority_end = after_slashes
                .find(['/', '\\', '?', '#'])
                .unwrap_or(after_slashes.len());
            let authority = after_slashes.get(..authority_end).unwrap_or_default();
            if authority.contains('@') {
                return Err(UrlRejection::UserInfo);
            }
            let host = authority.rsplit_once(':').map_or(authority, |(h, _port)| h);
            if host.is_empty() || host.starts_with('.') {
                return Err(UrlRejection::NoHost);
            }
            Ok(format!("{lower}:{rest}"))
        }
        None => {
            let mut lead = cleaned.chars().take(2);
            let is_sep = |c: Option<char>| matches!(c, Some('/' | '\\'));
            if is_sep(lead.next()) && is_sep(lead.next()) {
                return Err(UrlRejection::ProtocolRelative);
            }
            if cleaned.starts_with('\\') {
                return Err(UrlRejection::ProtocolRelative);
            }
            Ok(cleaned)
        }
    }
}

/// `true` when [`check_url`] accepts the URL.
pub fn is_safe_url(raw: &str) -> bool {
    check_url(raw).is_ok()
}

/// The scheme (without `:`) when the reference starts with one, per RFC 3986:
/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"` before any `/`, `?`, `#`.
fn scheme_of(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let candidate = url.get(..colon)?;
    let mut chars = candidate.chars();
    let first = chars.next()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    if chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) {
        Some(candidate)
    } else {
        None
    }
}

/// `true` for an absolute http(s) URL (as opposed to a relative path).
pub fn is_absolute_http(url: &str) -> bool {
    scheme_of(url)
        .is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_https_and_relative() {
        for ok in [
            "https://example.com/a?b#c",
            "http://example.com",
            "HTTPS://Example.com/x",
            "/articles.json",
            "images/a.png",
            "./a.png",
            "../a.png",
            "?page=2",
            "#top",
            "https://example.com:8443/x",
            "https://good.example\\@evil.example/",
        ] {
            assert!(is_safe_url(ok), "{ok}");
        }
        assert_eq!(
            check_url("HTTPS://Example.com/x").unwrap(),
            "https://Example.com/x"
        );
        assert_eq!(
            check_url("  https://e.com/a\tb\n ").unwrap(),
            "https://e.com/ab"
        );
    }

    #[test]
    fn rejects_script_and_odd_schemes() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "  javascript:alert(1)",
            "\u{1}\u{8}javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\tjavascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "blob:https://example.com/uuid",
            "//evil.example/x",
            "\\\\evil.example/x",
            "/\\evil.example/x",
            "\\/evil.example/x",
            "https://user:pass@example.com/",
            "https://user@example.com/",
            "https:///evil.example",
            "https:evil.example",
            "",
            "   ",
            "https://exa\u{7f}mple.com",
        ] {
            assert!(!is_safe_url(bad), "{bad:?}");
        }
    }

    #[test]
    fn absolute_detection() {
        assert!(is_absolute_http("https://a.b"));
        assert!(!is_absolute_http("/a"));
        assert!(!is_absolute_http("a/b:c"));
    }
}
