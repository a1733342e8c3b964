//! Atom 1.0 (RFC 4287) into the feed model: text constructs of type text,
//! html and xhtml, `xml:base` at every level, `link` relations, and Media
//! RSS images when an Atom feed carries them.

use roxmltree::Node;

use super::xml::{self, ATOM, MEDIA, XHTML, child, child_text, is};
use super::{
    Entry, Feed, ImageRef, MAX_FEED_ITEMS, MAX_TEXT_CHARS, RawDate, add_image, add_topic, dates,
    html_plain, join_base, pixels, resolve_url, text_plain,
};
use crate::diag::LineIndex;

/// The base URL in force at `node`: the document's, then every `xml:base`
/// from the root down to `node` itself, each resolved against the one
/// above (RFC 4287 §2, RFC 3986 §5.1).
fn base_of(node: Node<'_, '_>, doc_base: Option<&url::Url>) -> Option<url::Url> {
    let mut base = doc_base.cloned();
    for b in xml::bases(node) {
        base = join_base(base.as_ref(), b).or(base);
    }
    base
}

/// A text construct's plain text and first image (RFC 4287 §3.1):
/// `type="text"` as is, `html` through the HTML reader, `xhtml` from the
/// XHTML `div` it wraps. Another media type (content only) is read as text
/// when it is `text/…`, else ignored.
fn text_construct(node: Node<'_, '_>) -> Option<(String, Option<String>)> {
    if node.has_attribute("src") {
        // Out-of-line content: nothing to read here.
        return None;
    }
    let kind = node
        .attribute("type")
        .unwrap_or("text")
        .trim()
        .to_ascii_lowercase();
    let (text, image) = match kind.as_str() {
        "html" | "text/html" => {
            let html = html_plain(&xml::text(node));
            (html.text, html.first_image)
        }
        "xhtml" | "application/xhtml+xml" => {
            let div = child(node, XHTML, "div").unwrap_or(node);
            xml::xhtml_text(div, MAX_TEXT_CHARS)
        }
        k if k == "text" || k.starts_with("text/") => (text_plain(&xml::text(node)), None),
        _ => return None,
    };
    Some((text, image))
}

/// Links in order of preference: `rel="alternate"` (the default rel),
/// HTML first; then the first link of any relation.
fn preferred_links<'a, 'i>(node: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
    let all: Vec<Node<'a, 'i>> = node
        .children()
        .filter(|c| is(*c, ATOM, "link") && c.has_attribute("href"))
        .collect();
    let rel = |n: &Node<'_, '_>| n.attribute("rel").unwrap_or("alternate").trim().to_owned();
    let html = |n: &Node<'_, '_>| {
        n.attribute("type")
            .is_none_or(|t| t.trim().eq_ignore_ascii_case("text/html"))
    };
    let mut out: Vec<Node<'a, 'i>> = Vec::new();
    out.extend(all.iter().filter(|n| rel(n) == "alternate" && html(n)));
    out.extend(all.iter().filter(|n| rel(n) == "alternate" && !html(n)));
    if let Some(first) = all.first()
        && !out.contains(first)
    {
        out.push(*first);
    }
    out
}

/// Reads `<feed>`. `doc_base` is the URL the feed came from, if any.
pub fn read(root: Node<'_, '_>, lines: &LineIndex, doc_base: Option<&url::Url>) -> Feed {
    let mut feed = Feed {
        format: "Atom 1.0",
        item_key: "entry",
        ..Feed::default()
    };
    let home = preferred_links(root).first().and_then(|l| {
        Some(resolve_url(
            base_of(*l, doc_base).as_ref(),
            l.attribute("href")?,
        ))
    });
    // A feed read from a file has no address of its own: its home page,
    // when absolute, is the base of what stays relative.
    let fallback = home.as_deref().and_then(|h| join_base(None, h));
    let start = doc_base.or(fallback.as_ref());
    let base_at = |node: Node<'_, '_>| base_of(node, start);
    feed.title = child(root, ATOM, "title")
        .and_then(text_construct)
        .map(|(t, _)| t);
    feed.home = home;
    feed.logo = ["icon", "logo"].iter().find_map(|name| {
        let node = child(root, ATOM, name)?;
        let url = child_text(root, ATOM, name)?;
        Some(resolve_url(base_at(node).as_ref(), &url))
    });
    feed.has_date =
        child_text(root, ATOM, "updated").is_some_and(|d| dates::parse_iso_date(&d).is_some());

    for node in root.children().filter(|c| is(*c, ATOM, "entry")) {
        feed.total += 1;
        if feed.entries.len() >= MAX_FEED_ITEMS {
            continue;
        }
        let mut entry = Entry {
            pos: xml::pos(lines, node),
            topics_field: "category",
            ..Entry::default()
        };
        entry.title = child(node, ATOM, "title")
            .and_then(text_construct)
            .map(|(t, _)| t);
        for link in preferred_links(node) {
            if let Some(href) = link.attribute("href") {
                entry
                    .links
                    .push((resolve_url(base_at(link).as_ref(), href), "link"));
            }
        }
        let summary = child(node, ATOM, "summary").and_then(|n| Some((n, text_construct(n)?)));
        let content = child(node, ATOM, "content").and_then(|n| Some((n, text_construct(n)?)));
        let date = |name: &'static str| {
            child_text(node, ATOM, name).map(|text| RawDate {
                text,
                field: name,
                parse: dates::parse_iso_date,
            })
        };
        entry.published = date("published");
        entry.updated = date("updated");

        for m in node.children().chain(
            node.children()
                .filter(|c| is(*c, MEDIA, "group"))
                .flat_map(|g| g.children()),
        ) {
            let field = if is(m, MEDIA, "thumbnail") {
                "media:thumbnail"
            } else if is(m, MEDIA, "content")
                && m.attribute("medium")
                    .is_none_or(|v| v.eq_ignore_ascii_case("image"))
                && m.attribute("type")
                    .is_none_or(|t| t.trim().to_ascii_lowercase().starts_with("image/"))
            {
                "media:content"
            } else {
                continue;
            };
            if let Some(url) = m.attribute("url") {
                add_image(
                    &mut entry,
                    ImageRef {
                        url: resolve_url(base_at(m).as_ref(), url),
                        width: pixels(m.attribute("width")),
                        height: pixels(m.attribute("height")),
                        field,
                    },
                );
            }
        }
        for link in node.children().filter(|c| is(*c, ATOM, "link")) {
            let enclosure = link.attribute("rel") == Some("enclosure")
                && link
                    .attribute("type")
                    .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("image/"));
            if let (true, Some(href)) = (enclosure, link.attribute("href")) {
                add_image(
                    &mut entry,
                    ImageRef {
                        url: resolve_url(base_at(link).as_ref(), href),
                        width: None,
                        height: None,
                        field: "link rel=enclosure",
                    },
                );
            }
        }
        for (part, field) in [(&content, "content"), (&summary, "summary")] {
            if let Some((n, (_, Some(src)))) = part {
                add_image(
                    &mut entry,
                    ImageRef {
                        url: resolve_url(base_at(*n).as_ref(), src),
                        width: None,
                        height: None,
                        field,
                    },
                );
            }
        }
        entry.summary = summary.map(|(_, (t, _))| t);
        entry.content = content.map(|(_, (t, _))| t);
        for category in node.children().filter(|c| is(*c, ATOM, "category")) {
            if let Some(term) = category.attribute("term") {
                add_topic(&mut entry, term);
            }
        }
        feed.entries.push(entry);
    }
    feed
}
