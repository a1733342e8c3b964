//! The raw input model: permissive serde structs that mirror the YAML front
//! matter (and the JSON feed items, which use the same field names) as
//! closely as possible. Nothing here is validated yet; [`super::resolve`]
//! turns these into bundle types and reports what it had to drop.
//!
//! Every field is a [`Field`]: absent (or `null`), a value of the expected
//! type, or a value of the wrong type that is kept as a description so it can
//! be reported. A wrong type therefore never fails the whole file.

use serde::de::{Deserialize, Deserializer, IgnoredAny};
use serde_json::{Map, Value};

use super::source::Seg;

/// One leniently read field.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Field<T> {
    /// Missing or `null`.
    #[default]
    Absent,
    /// Present with the expected type.
    Value(T),
    /// Present with the wrong type: `expected` what we wanted, `found` a
    /// short description of what was there.
    Invalid {
        expected: &'static str,
        found: String,
    },
}

impl<T> Field<T> {
    /// `true` unless absent.
    pub fn is_present(&self) -> bool {
        !matches!(self, Field::Absent)
    }
}

/// Conversion from an already parsed JSON-model value, refusing values of
/// the wrong type (they are handed back for the report).
pub trait FromLenient: Sized {
    /// What the field should hold, for messages ("an integer", "a list").
    const EXPECTED: &'static str;
    fn from_lenient(value: Value) -> Result<Self, Value>;
}

impl<'de, T: FromLenient> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Ok(Field::from_value(value))
    }
}

impl<T: FromLenient> Field<T> {
    /// Classifies an already parsed value.
    pub fn from_value(value: Value) -> Self {
        if value.is_null() {
            return Field::Absent;
        }
        match T::from_lenient(value) {
            Ok(v) => Field::Value(v),
            Err(v) => Field::Invalid {
                expected: T::EXPECTED,
                found: describe(&v),
            },
        }
    }
}

/// "a string (\"abc\")", "a number (5)", "a list", …: short and plain.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) => {
            let shown: String = s
                .chars()
                .take(40)
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            let more = if s.chars().nth(40).is_some() {
                "…"
            } else {
                ""
            };
            format!("a string (\"{shown}{more}\")")
        }
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

impl FromLenient for String {
    const EXPECTED: &'static str = "a string";
    fn from_lenient(value: Value) -> Result<Self, Value> {
        match value {
            Value::String(s) => Ok(s),
            // `title: 2021` is plainly meant as text.
            Value::Number(n) => Ok(n.to_string()),
            other => Err(other),
        }
    }
}

impl FromLenient for i64 {
    const EXPECTED: &'static str = "an integer";
    fn from_lenient(value: Value) -> Result<Self, Value> {
        match value.as_i64() {
            Some(n) => Ok(n),
            None => Err(value),
        }
    }
}

impl FromLenient for bool {
    const EXPECTED: &'static str = "true or false";
    fn from_lenient(value: Value) -> Result<Self, Value> {
        match value {
            Value::Bool(b) => Ok(b),
            other => Err(other),
        }
    }
}

impl<T: FromLenient> FromLenient for Vec<Field<T>> {
    const EXPECTED: &'static str = "a list";
    fn from_lenient(value: Value) -> Result<Self, Value> {
        match value {
            Value::Array(items) => Ok(items.into_iter().map(Field::from_value).collect()),
            other => Err(other),
        }
    }
}

/// Implements [`FromLenient`] for a struct whose fields are all lenient: any
/// mapping converts (unknown keys are ignored), anything else is refused.
macro_rules! lenient_struct {
    ($($ty:ty),* $(,)?) => {$(
        impl FromLenient for $ty {
            const EXPECTED: &'static str = "a mapping";
            fn from_lenient(value: Value) -> Result<Self, Value> {
                if !value.is_object() {
                    return Err(value);
                }
                // Cannot fail for an object: every field is lenient and
                // defaulted; keep the value's description if it ever does.
                let shown = Value::String("unreadable mapping".to_owned());
                serde_json::from_value(value).map_err(|_| shown)
            }
        }
    )*};
}

lenient_struct!(RawProvider, RawRelated, RawArticle);

impl FromLenient for RawImage {
    const EXPECTED: &'static str = "a mapping or a URL";
    /// A mapping, or a bare URL (Hugo's `images = ["cover.jpg"]`).
    fn from_lenient(value: Value) -> Result<Self, Value> {
        match value {
            Value::String(url) => Ok(RawImage {
                url: Field::Value(url),
                ..RawImage::default()
            }),
            Value::Object(_) => {
                let shown = Value::String("unreadable mapping".to_owned());
                serde_json::from_value(value).map_err(|_| shown)
            }
            other => Err(other),
        }
    }
}

/// The front matter of one article file, or one item of a JSON feed page.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RawArticle {
    pub category: Field<String>,
    pub title: Field<String>,
    pub excerpt: Field<String>,
    pub published_date_time: Field<String>,
    pub updated_date_time: Field<String>,
    pub original_url: Field<String>,
    pub web_url: Field<String>,
    pub amp_web_url: Field<String>,
    pub cdn_amp_web_url: Field<String>,
    #[serde(rename = "type")]
    pub kind: Field<String>,
    pub quality: Field<i64>,
    pub heat: Field<i64>,
    pub published: Field<bool>,
    pub featured_content: Field<String>,
    pub provider: Field<RawProvider>,
    pub topics: Field<Vec<Field<String>>>,
    pub tags: Field<Vec<Field<String>>>,
    pub locale: Field<String>,
    pub images: Field<Vec<Field<RawImage>>>,
    pub related: Field<Vec<Field<RawRelated>>>,
    /// An opaque blob in the source data; read and thrown away.
    pub secured: Option<IgnoredAny>,
}

/// `provider:` of an article or related item, and a provider record file.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RawProvider {
    pub name: Field<String>,
    pub domain: Field<String>,
    pub images: Field<Vec<Field<RawImage>>>,
}

/// One entry of `images:`.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RawImage {
    pub url: Field<String>,
    pub width: Field<i64>,
    pub height: Field<i64>,
    pub is_cached: Field<bool>,
    pub title: Field<String>,
    pub attribution: Field<String>,
}

/// One entry of `related:`: a small article.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RawRelated {
    pub title: Field<String>,
    pub excerpt: Field<String>,
    pub published_date_time: Field<String>,
    pub web_url: Field<String>,
    pub original_url: Field<String>,
    pub amp_web_url: Field<String>,
    pub cdn_amp_web_url: Field<String>,
    #[serde(rename = "type")]
    pub kind: Field<String>,
    pub provider: Field<RawProvider>,
    pub quality: Field<i64>,
    pub images: Field<Vec<Field<RawImage>>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_are_kept_as_descriptions() {
        let raw: RawArticle = serde_json::from_value(serde_json::json!({
            "title": "T", "heat": "abc", "topics": 5, "quality": null,
            "images": [{"url": "a.png", "width": -3}, 7], "unknown": {"x": 1}
        }))
        .unwrap();
        assert_eq!(raw.title, Field::Value("T".to_owned()));
        assert!(matches!(
            raw.heat,
            Field::Invalid {
                expected: "an integer",
                ..
            }
        ));
        assert!(matches!(
            raw.topics,
            Field::Invalid {
                expected: "a list",
                ..
            }
        ));
        assert_eq!(raw.quality, Field::Absent);
        let Field::Value(images) = raw.images else {
            panic!("images")
        };
        assert!(matches!(
            images[0],
            Field::Value(RawImage {
                width: Field::Value(-3),
                ..
            })
        ));
        assert!(matches!(images[1], Field::Invalid { .. }));
    }
}

/// One static-site key found in the front matter: where (for messages and
/// positions) and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteValue {
    pub path: &'static [Seg],
    pub value: Value,
}

/// The static-site keys of a post (Jekyll, Hugo, Eleventy, Astro), found
/// ignoring ASCII case; each is the first present key of its list, in the
/// order docs/inputs.md gives. The seed's own keys are read by
/// [`RawArticle`] and win where both exist.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawSite {
    pub title: Option<SiteValue>,
    pub date: Option<SiteValue>,
    pub updated: Option<SiteValue>,
    pub excerpt: Option<SiteValue>,
    pub image: Option<SiteValue>,
    /// Every topic key present (`tags` and `categories` are merged).
    pub topics: Vec<SiteValue>,
    pub draft: Option<SiteValue>,
    /// `url`, else `permalink`: the post's own URL or path.
    pub url: Option<SiteValue>,
    pub slug: Option<SiteValue>,
}

macro_rules! keys {
    ($($k:literal),* $(,)?) => {
        &[$(&[Seg::Key($k)]),*]
    };
}

const TITLE: &[&[Seg]] = keys!["title"];
const DATE: &[&[Seg]] = keys!["date", "pubDate", "published", "created"];
const UPDATED: &[&[Seg]] = keys![
    "lastmod",
    "updated",
    "modified",
    "last_modified_at",
    "updatedDate"
];
const EXCERPT: &[&[Seg]] = keys!["description", "summary", "excerpt", "subtitle"];
const IMAGE: &[&[Seg]] = &[
    &[Seg::Key("image")],
    &[Seg::Key("cover")],
    &[Seg::Key("featured_image")],
    &[Seg::Key("featuredImage")],
    &[Seg::Key("heroImage")],
    &[Seg::Key("thumbnail")],
    &[Seg::Key("header"), Seg::Key("image")],
    &[Seg::Key("feature_image")],
];
const TOPICS: &[&[Seg]] = keys!["tags", "categories", "category", "keywords"];
const DRAFT: &[&[Seg]] = keys!["draft"];
const URL: &[&[Seg]] = keys!["url", "permalink"];
const SLUG: &[&[Seg]] = keys!["slug"];

/// The value at a key path, matching keys without regard to ASCII case
/// (the exact spelling first); `null` counts as absent.
fn lookup<'a>(map: &'a Map<String, Value>, path: &[Seg]) -> Option<&'a Value> {
    let mut current = map;
    let mut found = None;
    for (i, seg) in path.iter().enumerate() {
        let Seg::Key(k) = seg else {
            return None;
        };
        let value = current.get(*k).or_else(|| {
            current
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(k))
                .map(|(_, v)| v)
        })?;
        if i + 1 < path.len() {
            current = value.as_object()?;
        } else {
            found = Some(value);
        }
    }
    found.filter(|v| !v.is_null())
}

/// The first present key of `paths`. A key the seed reads under its exact
/// spelling (`title`, `excerpt`) is left to the seed.
fn first(map: &Map<String, Value>, paths: &[&'static [Seg]]) -> Option<SiteValue> {
    paths.iter().find_map(|&path| {
        if let [Seg::Key(k @ ("title" | "excerpt"))] = path
            && map.contains_key(*k)
        {
            return None;
        }
        lookup(map, path).map(|value| SiteValue {
            path,
            value: value.clone(),
        })
    })
}

impl RawSite {
    /// Reads the static-site keys of a front matter mapping. `published`
    /// that is not a boolean is a date here and is taken out of `map` (the
    /// seed reads `published` as a flag); `tags` is taken out too (the
    /// seed only checked it, topics read it now).
    pub fn take_from(map: &mut Map<String, Value>) -> RawSite {
        let published_key = map
            .keys()
            .find(|k| k.eq_ignore_ascii_case("published"))
            .cloned();
        // A date starts with its year (`2024-03-05`) or is written out
        // (`Jul 08 2022`); anything else is a (bad) flag for the seed.
        let looks_dated = |v: &Value| {
            v.as_str().is_some_and(|s| {
                let s = s.trim();
                s.starts_with(|c: char| c.is_ascii_digit())
                    || crate::site::parse_site_date(s, &jiff::tz::TimeZone::UTC).is_some()
            })
        };
        let mut dated_published = None;
        if let Some(k) = published_key
            && map.get(&k).is_some_and(looks_dated)
        {
            dated_published = map.remove(&k);
        }
        let date = DATE.iter().find_map(|&path| {
            if matches!(path, [Seg::Key("published")]) {
                return dated_published
                    .clone()
                    .map(|value| SiteValue { path, value });
            }
            first(map, &[path])
        });
        let topics = TOPICS
            .iter()
            .filter_map(|&path| first(map, &[path]))
            .collect();
        let site = RawSite {
            title: first(map, TITLE),
            date,
            updated: first(map, UPDATED),
            excerpt: first(map, EXCERPT),
            image: first(map, IMAGE),
            topics,
            draft: first(map, DRAFT),
            url: first(map, URL),
            slug: first(map, SLUG),
        };
        map.remove("tags");
        site
    }
}
