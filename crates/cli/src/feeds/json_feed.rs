//! JSON Feed 1.0 and 1.1 (jsonfeed.org) into the feed model. A wrong type
//! in an item is a warning about that key, never a failed feed.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{
    Entry, Feed, FileError, ImageRef, MAX_FEED_ITEMS, RawDate, add_image, add_topic, dates,
    html_plain, join_base, resolve_url, text_plain,
};
use crate::raw::describe;

/// The top level; known keys given twice are refused by serde, as the seed's
/// JSON pages refuse repeated keys.
#[derive(Deserialize)]
struct Top {
    version: Option<Value>,
    title: Option<Value>,
    home_page_url: Option<Value>,
    feed_url: Option<Value>,
    icon: Option<Value>,
    favicon: Option<Value>,
    items: Option<Value>,
}

/// `Ok(None)` when the JSON is an object that is not a JSON Feed.
pub fn read(bytes: &[u8], doc_base: Option<&url::Url>) -> Result<Option<Feed>, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let top: Top = serde_json::from_slice(bytes).map_err(|e| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or_default();
        super::file_error_at(
            format!("invalid JSON: {}", bundle::text::clean_text(message)),
            (
                crate::diag::saturate(e.line()),
                crate::diag::saturate(e.column().max(1)),
            ),
        )
    })?;
    let version = match &top.version {
        Some(Value::String(v)) => v.trim(),
        _ => return Ok(None),
    };
    let version = version
        .strip_prefix("https://")
        .or_else(|| version.strip_prefix("http://"))
        .unwrap_or(version);
    let format = match version.trim_end_matches('/') {
        "jsonfeed.org/version/1" => "JSON Feed 1.0",
        "jsonfeed.org/version/1.1" => "JSON Feed 1.1",
        _ => return Ok(None),
    };
    let mut feed = Feed {
        format,
        item_key: "items",
        ..Feed::default()
    };
    let string =
        |v: &Option<Value>, key: &str, warnings: &mut Vec<(String, Option<(u32, u32)>)>| match v {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s.trim().to_owned()),
            Some(other) => {
                warnings.push((feed_warning(key, other), None));
                None
            }
        };
    let mut warnings = Vec::new();
    let home = string(&top.home_page_url, "home_page_url", &mut warnings);
    let feed_url = string(&top.feed_url, "feed_url", &mut warnings);
    // Relative URLs resolve against where the feed came from, else its own
    // `feed_url`, else its home page.
    let base = doc_base
        .cloned()
        .or_else(|| feed_url.as_deref().and_then(|u| join_base(None, u)))
        .or_else(|| home.as_deref().and_then(|u| join_base(None, u)));
    feed.title = string(&top.title, "title", &mut warnings).map(|t| html_plain(&t).text);
    feed.home = home.map(|h| resolve_url(base.as_ref(), &h));
    let icon = string(&top.icon, "icon", &mut warnings);
    let favicon = string(&top.favicon, "favicon", &mut warnings);
    feed.logo = icon.or(favicon).map(|l| resolve_url(base.as_ref(), &l));
    match top.items {
        Some(Value::Array(items)) => {
            feed.total = items.len();
            for item in items.into_iter().take(MAX_FEED_ITEMS) {
                feed.entries.push(read_item(item, base.as_ref()));
            }
        }
        None | Some(Value::Null) => {
            warnings.push(("the feed has no `items`".to_owned(), None));
        }
        Some(other) => {
            warnings.push((feed_warning("items", &other), None));
        }
    }
    feed.warnings = warnings;
    Ok(Some(feed))
}

fn feed_warning(key: &str, found: &Value) -> String {
    format!(
        "`{key}` should be {}, found {}; ignored",
        if key == "items" { "a list" } else { "a string" },
        describe(found)
    )
}

fn read_item(item: Value, base: Option<&url::Url>) -> Entry {
    let mut entry = Entry {
        topics_field: "tags",
        ..Entry::default()
    };
    let Value::Object(mut item) = item else {
        entry
            .warnings
            .push(format!("should be an object, found {}", describe(&item)));
        return entry;
    };
    let mut string = |item: &mut Map<String, Value>, key: &str| match item.remove(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            entry.warnings.push(format!(
                "`{key}` should be a string, found {}; ignored",
                describe(&other)
            ));
            None
        }
    };
    let title = string(&mut item, "title");
    let url = string(&mut item, "url");
    let external = string(&mut item, "external_url");
    let summary = string(&mut item, "summary");
    let content_text = string(&mut item, "content_text");
    let content_html = string(&mut item, "content_html");
    let image = string(&mut item, "image");
    let banner = string(&mut item, "banner_image");
    let published = string(&mut item, "date_published");
    let modified = string(&mut item, "date_modified");

    // Plain text by the spec, but read as HTML like every feed's titles,
    // so that markup a publisher left in never shows.
    entry.title = title.map(|t| html_plain(&t).text);
    for (u, field) in [(url, "url"), (external, "external_url")] {
        if let Some(u) = u {
            entry.links.push((resolve_url(base, &u), field));
        }
    }
    entry.summary = summary.map(|s| html_plain(&s).text);
    let html = content_html.map(|h| html_plain(&h));
    entry.content = match (&html, content_text) {
        (Some(h), _) if !h.text.trim().is_empty() => Some(h.text.clone()),
        (_, Some(t)) => Some(text_plain(&t)),
        (Some(h), None) => Some(h.text.clone()),
        (None, None) => None,
    };
    for (u, field) in [(image, "image"), (banner, "banner_image")] {
        if let Some(u) = u {
            add_image(
                &mut entry,
                ImageRef {
                    url: resolve_url(base, &u),
                    width: None,
                    height: None,
                    field,
                },
            );
        }
    }
    if let Some(src) = html.as_ref().and_then(|h| h.first_image.as_deref()) {
        add_image(
            &mut entry,
            ImageRef {
                url: resolve_url(base, src),
                width: None,
                height: None,
                field: "content_html",
            },
        );
    }
    let date = |text: Option<String>, field: &'static str| {
        text.map(|text| RawDate {
            text,
            field,
            parse: dates::parse_iso_date,
        })
    };
    entry.published = date(published, "date_published");
    entry.updated = date(modified, "date_modified");
    match item.remove("tags") {
        None | Some(Value::Null) => {}
        Some(Value::Array(tags)) => {
            for tag in tags {
                match tag {
                    Value::String(t) => add_topic(&mut entry, &t),
                    other => entry.warnings.push(format!(
                        "a `tags` entry should be a string, found {}; ignored",
                        describe(&other)
                    )),
                }
            }
        }
        Some(other) => entry.warnings.push(format!(
            "`tags` should be a list, found {}; ignored",
            describe(&other)
        )),
    }
    entry
}
