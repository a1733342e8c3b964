//! YouTube ids: the only part of a video embed that survives. The bundler
//! extracts an id from an `<iframe>` snippet; the widget re-validates it and
//! rebuilds the embed URL itself.

/// The privacy-enhanced embed host the widget uses.
pub const EMBED_ORIGIN: &str = "https://www.youtube-nocookie.com";

/// Exactly 11 characters of `[A-Za-z0-9_-]`.
pub fn is_valid_id(id: &str) -> bool {
    id.len() == 11
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `https://www.youtube-nocookie.com/embed/<id>` for a valid id.
pub fn embed_url(id: &str) -> Option<String> {
    is_valid_id(id).then(|| format!("{EMBED_ORIGIN}/embed/{id}"))
}

const HOSTS: [&str; 5] = [
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
];

/// The video id of a YouTube embed URL (`https://www.youtube.com/embed/<id>`,
/// also `youtube-nocookie.com` and protocol-relative), exact hosts only.
pub fn id_from_embed_url(url: &str) -> Option<String> {
    let url = url.trim();
    // Schemes and hosts are case-insensitive: `HTTPS://WWW.YouTube.com`
    // is the same embed.
    let rest = match url.split_once("://") {
        Some((scheme, rest))
            if scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http") =>
        {
            rest
        }
        _ => url.strip_prefix("//")?,
    };
    let (authority, path) = rest.split_at(rest.find('/')?);
    let host = authority.to_ascii_lowercase();
    if !HOSTS.contains(&host.as_str()) {
        return None;
    }
    let id_and_more = path.strip_prefix("/embed/")?;
    let end = id_and_more.find(['?', '#']).unwrap_or(id_and_more.len());
    let id = id_and_more.get(..end)?;
    is_valid_id(id).then(|| id.to_owned())
}

/// Finds the `src` of the first `<iframe>` in an HTML snippet and returns
/// its YouTube id. Anything else (other hosts, lookalikes, scripts) is `None`.
pub fn id_from_iframe_html(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let tag_start = lower.find("<iframe")?;
    let tag_end = tag_start + lower.get(tag_start..)?.find('>')?;
    let tag = html.get(tag_start..tag_end)?;
    let tag_lower = lower.get(tag_start..tag_end)?;
    let mut search_from = 0;
    while let Some(pos) = tag_lower.get(search_from..)?.find("src") {
        let at = search_from + pos;
        search_from = at + 3;
        // Must be a whole attribute name: preceded by whitespace.
        if !tag_lower
            .get(..at)?
            .ends_with(|c: char| c.is_ascii_whitespace())
        {
            continue;
        }
        let after = tag.get(at + 3..)?.trim_start();
        let Some(after_eq) = after.strip_prefix('=') else {
            continue;
        };
        let after_eq = after_eq.trim_start();
        let value = match after_eq.chars().next()? {
            q @ ('"' | '\'') => {
                let inner = after_eq.get(1..)?;
                inner.get(..inner.find(q)?)?
            }
            _ => after_eq.split(|c: char| c.is_ascii_whitespace()).next()?,
        };
        return id_from_embed_url(value);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_from_corpus_style_iframe() {
        let html = r#"<iframe width="800" height="500" frameborder="0" src="https://www.youtube.com/embed/6NPtZSMH0h4" allow="accelerometer" allowfullscreen></iframe>"#;
        assert_eq!(id_from_iframe_html(html).as_deref(), Some("6NPtZSMH0h4"));
        let single = "<IFRAME SRC='//www.youtube-nocookie.com/embed/abcdefghijk?rel=0'></IFRAME>";
        assert_eq!(id_from_iframe_html(single).as_deref(), Some("abcdefghijk"));
    }

    #[test]
    fn finding_6_upper_case_schemes_and_hosts_are_recognised() {
        for html in [
            r#"<iframe src="HTTPS://WWW.YOUTUBE.COM/embed/6NPtZSMH0h4"></iframe>"#,
            r#"<iframe src="Https://www.YouTube-NoCookie.com/embed/6NPtZSMH0h4"></iframe>"#,
            r#"<iframe src="HTTP://m.youtube.com/embed/6NPtZSMH0h4?rel=0"></iframe>"#,
        ] {
            assert_eq!(
                id_from_iframe_html(html).as_deref(),
                Some("6NPtZSMH0h4"),
                "{html}"
            );
        }
        assert_eq!(
            id_from_embed_url("FTP://www.youtube.com/embed/6NPtZSMH0h4"),
            None
        );
        assert_eq!(
            id_from_embed_url("javascript://www.youtube.com/embed/6NPtZSMH0h4"),
            None
        );
    }

    #[test]
    fn rejects_lookalikes_and_junk() {
        for bad in [
            r#"<iframe src="https://www.youtube.com.evil.example/embed/6NPtZSMH0h4"></iframe>"#,
            r#"<iframe src="https://evilyoutube.com/embed/6NPtZSMH0h4"></iframe>"#,
            r#"<iframe src="https://user@www.youtube.com/embed/6NPtZSMH0h4"></iframe>"#,
            r#"<iframe src="https://www.youtube.com/embed/6NPtZSMH0h"></iframe>"#,
            r#"<iframe src="https://www.youtube.com/embed/6NPtZSMH0h4x"></iframe>"#,
            r#"<iframe src="javascript:alert(1)"></iframe>"#,
            r#"<iframe data-src="https://www.youtube.com/embed/6NPtZSMH0h4"></iframe>"#,
            r#"<script>alert(1)</script>"#,
            "",
        ] {
            assert_eq!(id_from_iframe_html(bad), None, "{bad}");
        }
        assert!(!is_valid_id("abc<script>"));
        assert_eq!(
            embed_url("6NPtZSMH0h4").as_deref(),
            Some("https://www.youtube-nocookie.com/embed/6NPtZSMH0h4")
        );
    }
}
