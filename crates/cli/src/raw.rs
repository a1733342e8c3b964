//! The raw input model: permissive serde structs that mirror the YAML front
//! matter (and the JSON feed items, which use the same field names) as
//! closely as possible. Nothing here is validated yet; [`super::resolve`]
//! turns these into bundle types and reports what it had to drop.
//!
//! Every field is a [`Field`]: absent (or `null`), a value of the expected
//! type, or a value of the wrong type that is kept as a description so it can
//! be reported. A wrong type therefore never fails the whole file.

use serde::de::{Deserialize, Deserializer, IgnoredAny};
use serde_json::Value;

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

lenient_struct!(RawProvider, RawImage, RawRelated, RawArticle);

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
