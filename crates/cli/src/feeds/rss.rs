//! RSS 2.0 (and the RSS 0.9x it extends) into the feed model, with the
//! extensions feeds use for what RSS lacks: `content:encoded`,
//! `dc:creator`/`dc:date`, Media RSS images, and `atom:link`.

use roxmltree::Node;

use super::xml::{self, ATOM, CONTENT, DC, MEDIA, child, child_text, is};
use super::{
    Entry, Feed, ImageRef, MAX_FEED_ITEMS, RawDate, add_image, add_topic, dates, html_plain,
    join_base, pixels, resolve_url,
};
use crate::diag::LineIndex;

/// The base URL of a node: the document's, then each `xml:base` on the way
/// down (RFC 3986 resolution, each against the one above).
fn base_of(node: Node<'_, '_>, doc_base: Option<&url::Url>) -> Option<url::Url> {
    let mut base = doc_base.cloned();
    for b in xml::bases(node) {
        base = join_base(base.as_ref(), b).or(base);
    }
    base
}

/// Reads `<rss>`. `doc_base` is the URL the feed came from, if any.
pub fn read(root: Node<'_, '_>, lines: &LineIndex, doc_base: Option<&url::Url>) -> Feed {
    let mut feed = Feed {
        format: "RSS 2.0",
        item_key: "item",
        ..Feed::default()
    };
    let Some(channel) = child(root, "", "channel") else {
        feed.warnings.push((
            "`rss` has no `channel`: no item".to_owned(),
            xml::pos(lines, root),
        ));
        return feed;
    };
    let channel_base = base_of(channel, doc_base);
    // A feed read from a file resolves its relative URLs against the
    // feed's own address (`atom:link rel="self"`), else its home page.
    let self_link = channel
        .children()
        .filter(|c| is(*c, ATOM, "link"))
        .find(|c| c.attribute("rel") == Some("self"))
        .and_then(|c| c.attribute("href"));
    let home = child_text(channel, "", "link").map(|l| resolve_url(channel_base.as_ref(), &l));
    let base = channel_base
        .or_else(|| self_link.and_then(|s| join_base(None, s)))
        .or_else(|| home.as_deref().and_then(|h| join_base(None, h)));
    feed.title = child_text(channel, "", "title").map(|t| html_plain(&t).text);
    feed.home = home;
    feed.logo = child(channel, "", "image")
        .and_then(|image| child_text(image, "", "url"))
        .map(|u| resolve_url(base.as_ref(), &u));
    feed.has_date = ["pubDate", "lastBuildDate"].iter().any(|name| {
        child_text(channel, "", name).is_some_and(|d| dates::parse_rss_date(&d).is_some())
    }) || child_text(channel, DC, "date")
        .is_some_and(|d| dates::parse_iso_date(&d).is_some());

    for item in channel.children().filter(|c| is(*c, "", "item")) {
        feed.total += 1;
        if feed.entries.len() < MAX_FEED_ITEMS {
            let item_base = item
                .attribute((xml::XML, "base"))
                .and_then(|b| join_base(base.as_ref(), b))
                .or_else(|| base.clone());
            feed.entries
                .push(read_item(item, lines, item_base.as_ref()));
        }
    }
    feed
}

fn read_item(item: Node<'_, '_>, lines: &LineIndex, base: Option<&url::Url>) -> Entry {
    let mut entry = Entry {
        pos: xml::pos(lines, item),
        topics_field: "category",
        ..Entry::default()
    };
    // Titles are plain text by the spec, but feeds put escaped markup and
    // entities in them: read as HTML, as feed readers do, so neither shows.
    entry.title = child_text(item, "", "title").map(|t| html_plain(&t).text);
    if let Some(link) = child_text(item, "", "link") {
        entry.links.push((resolve_url(base, &link), "link"));
    }
    // A guid is the item's permalink unless it says otherwise.
    if let Some(guid) = child(item, "", "guid")
        && guid
            .attribute("isPermaLink")
            .is_none_or(|v| v.trim() != "false")
        && let Some(text) = child_text(item, "", "guid")
    {
        entry.links.push((resolve_url(base, &text), "guid"));
    }
    let description = child_text(item, "", "description").map(|d| html_plain(&d));
    let content = child_text(item, CONTENT, "encoded").map(|c| html_plain(&c));
    entry.pubdate(item);

    // Images: Media RSS (largest declared width first), enclosures, then
    // the first image of the HTML.
    let mut media: Vec<ImageRef> = Vec::new();
    let groups = std::iter::once(item).chain(item.children().filter(|c| is(*c, MEDIA, "group")));
    for parent in groups {
        for node in parent.children().filter(|c| c.is_element()) {
            if media.len() >= super::MAX_IMAGE_CANDIDATES {
                break;
            }
            let field = if is(node, MEDIA, "content") {
                let medium = node.attribute("medium");
                let mime = node.attribute("type");
                let image = match (medium, mime) {
                    (Some(m), _) => m.eq_ignore_ascii_case("image"),
                    (None, Some(t)) => t.trim().to_ascii_lowercase().starts_with("image/"),
                    (None, None) => true,
                };
                if !image {
                    continue;
                }
                "media:content"
            } else if is(node, MEDIA, "thumbnail") {
                "media:thumbnail"
            } else {
                continue;
            };
            if let Some(url) = node.attribute("url") {
                media.push(ImageRef {
                    url: resolve_url(base, url),
                    width: pixels(node.attribute("width")),
                    height: pixels(node.attribute("height")),
                    field,
                });
            }
        }
    }
    // Stable: equal or unknown widths keep the feed's order.
    media.sort_by_key(|m| {
        std::cmp::Reverse(m.width.filter(|&w| w < bundle::MAX_IMAGE_SIDE).unwrap_or(0))
    });
    for m in media {
        add_image(&mut entry, m);
    }
    for enclosure in item.children().filter(|c| is(*c, "", "enclosure")) {
        let is_image = enclosure
            .attribute("type")
            .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("image/"));
        if let (true, Some(url)) = (is_image, enclosure.attribute("url")) {
            add_image(
                &mut entry,
                ImageRef {
                    url: resolve_url(base, url),
                    width: None,
                    height: None,
                    field: "enclosure",
                },
            );
        }
    }
    for (html, field) in [(&content, "content:encoded"), (&description, "description")] {
        if let Some(src) = html.as_ref().and_then(|h| h.first_image.as_deref()) {
            add_image(
                &mut entry,
                ImageRef {
                    url: resolve_url(base, src),
                    width: None,
                    height: None,
                    field,
                },
            );
        }
    }
    entry.summary = description.map(|d| d.text);
    entry.content = content.map(|c| c.text);
    for category in item.children().filter(|c| is(*c, "", "category")) {
        add_topic(&mut entry, &xml::text(category));
    }
    entry
}

impl Entry {
    /// `pubDate` (RFC 822), else `dc:date` (RFC 3339).
    fn pubdate(&mut self, item: Node<'_, '_>) {
        self.published = child_text(item, "", "pubDate")
            .map(|text| RawDate {
                text,
                field: "pubDate",
                parse: dates::parse_rss_date,
            })
            .or_else(|| {
                child_text(item, DC, "date").map(|text| RawDate {
                    text,
                    field: "dc:date",
                    parse: dates::parse_iso_date,
                })
            });
    }
}
