//! Reading input files: front matter extraction (YAML `---` or TOML `+++`;
//! CRLF/LF, BOM, size limit, binary and encoding checks) with the start of
//! the body, hardened YAML and TOML parsing, JSON feed pages, and finding
//! the line of a field for diagnostics.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::diag::{LineIndex, line_col, saturate};

/// Largest front matter accepted, in bytes (between the `---` lines).
pub const MAX_FRONT_MATTER: usize = 64 * 1024;
/// Largest JSON feed page accepted, in bytes.
pub const MAX_JSON_BYTES: u64 = 256 * 1024 * 1024;
/// Most items read from one JSON feed page.
pub const MAX_FEED_ITEMS: usize = 100_000;
/// Deepest YAML nesting accepted (mappings + sequences).
pub const MAX_DEPTH: usize = 64;
/// Most of the body read after the front matter, in bytes: enough for an
/// excerpt (site posts without one), so a huge body is never read whole.
pub const MAX_BODY_PREFIX: usize = 32 * 1024;

/// A problem that stops a whole file: a message and, when known, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub message: String,
    pub pos: Option<(u32, u32)>,
}

impl FileError {
    pub fn new(message: impl Into<String>) -> Self {
        FileError {
            message: message.into(),
            pos: None,
        }
    }

    pub fn at(message: impl Into<String>, pos: (u32, u32)) -> Self {
        FileError {
            message: message.into(),
            pos: Some(pos),
        }
    }
}

/// The syntax of a front matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FrontFormat {
    /// Between `---` lines (closed by `---` or `...`).
    #[default]
    Yaml,
    /// Between `+++` lines (Hugo).
    Toml,
}

/// The front matter of a file (between its `---` or `+++` lines) and the
/// beginning of its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter {
    pub text: String,
    /// 1-based line number of the first line of `text` in the file.
    pub first_line: u32,
    pub format: FrontFormat,
    /// The body's first [`MAX_BODY_PREFIX`] bytes at most, cut before an
    /// incomplete or invalid UTF-8 sequence.
    pub body: String,
}

/// One path component of a field, for messages and for [`locate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg {
    Key(&'static str),
    Index(usize),
}

/// `images[0].url`-style rendering of a field path.
pub fn render_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads the front matter of a Markdown/text file and the start of its
/// body. Only the beginning of the file is read: a body of any size costs
/// at most [`MAX_BODY_PREFIX`] bytes.
pub fn read_front_matter(path: &Path) -> Result<FrontMatter, FileError> {
    // Opening line, the front matter itself and a closing line with slack.
    let limit = MAX_FRONT_MATTER + 64;
    let mut buf = Vec::with_capacity(8 * 1024);
    let file = File::open(path).map_err(|e| FileError::new(format!("cannot read: {e}")))?;
    file.take((limit + MAX_BODY_PREFIX) as u64)
        .read_to_end(&mut buf)
        .map_err(|e| FileError::new(format!("cannot read: {e}")))?;
    let more = buf.len() >= limit;
    let head = buf.get(..limit).unwrap_or(&buf);
    let (mut fm, end) = split_at_front_matter(head, more)?;
    let bom = if buf.starts_with(BOM) { BOM.len() } else { 0 };
    let start = end + bom;
    let body = buf
        .get(start..(start + MAX_BODY_PREFIX).min(buf.len()))
        .unwrap_or_default();
    fm.body = match std::str::from_utf8(body) {
        Ok(text) => text.to_owned(),
        Err(e) => {
            String::from_utf8_lossy(body.get(..e.valid_up_to()).unwrap_or_default()).into_owned()
        }
    };
    Ok(fm)
}

/// Extracts the front matter from the first bytes of a file. `truncated`
/// says whether the file goes on beyond `bytes`.
pub fn split_front_matter(bytes: &[u8], truncated: bool) -> Result<FrontMatter, FileError> {
    split_at_front_matter(bytes, truncated).map(|(fm, _)| fm)
}

/// [`split_front_matter`], and where the body starts (an offset in
/// `bytes` after a BOM).
fn split_at_front_matter(bytes: &[u8], truncated: bool) -> Result<(FrontMatter, usize), FileError> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(FileError::new("empty file"));
    }
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Err(FileError::at(
            "binary file (NUL byte); not an article",
            line_col(bytes, nul),
        ));
    }
    let (first, mut pos) = next_line(bytes, 0);
    let format = match trim_line(first) {
        b"---" => FrontFormat::Yaml,
        b"+++" => FrontFormat::Toml,
        _ => {
            return Err(FileError::at(
                "no front matter: the file must start with a `---` line",
                (1, 1),
            ));
        }
    };
    let start = pos;
    loop {
        if pos >= bytes.len() {
            break;
        }
        let (line, next) = next_line(bytes, pos);
        let complete = next > pos + line.len() || !truncated;
        let closes = match format {
            FrontFormat::Yaml => matches!(trim_line(line), b"---" | b"..."),
            FrontFormat::Toml => trim_line(line) == b"+++",
        };
        if complete && closes {
            let fm = bytes.get(start..pos).unwrap_or_default();
            if fm.len() > MAX_FRONT_MATTER {
                return Err(FileError::at(
                    format!(
                        "front matter is {} bytes, more than the {} KiB limit",
                        fm.len(),
                        MAX_FRONT_MATTER / 1024
                    ),
                    (1, 1),
                ));
            }
            let text = std::str::from_utf8(fm).map_err(|e| {
                let at = start + e.valid_up_to();
                FileError::at("invalid UTF-8 in front matter", line_col(bytes, at))
            })?;
            return Ok((
                FrontMatter {
                    text: text.to_owned(),
                    first_line: 2,
                    format,
                    body: String::new(),
                },
                next,
            ));
        }
        pos = next;
    }
    if truncated {
        Err(FileError::at(
            format!(
                "front matter is larger than the {} KiB limit (or never closed)",
                MAX_FRONT_MATTER / 1024
            ),
            (1, 1),
        ))
    } else {
        let closing = match format {
            FrontFormat::Yaml => "---",
            FrontFormat::Toml => "+++",
        };
        Err(FileError::at(
            format!("unterminated front matter: no closing `{closing}` line"),
            (1, 1),
        ))
    }
}

/// The line starting at `pos` (without its `\n`) and where the next begins.
fn next_line(bytes: &[u8], pos: usize) -> (&[u8], usize) {
    let rest = bytes.get(pos..).unwrap_or_default();
    match rest.iter().position(|&b| b == b'\n') {
        Some(nl) => (rest.get(..nl).unwrap_or_default(), pos + nl + 1),
        None => (rest, bytes.len()),
    }
}

/// A line without `\r` and trailing spaces/tabs.
fn trim_line(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line.get(end - 1), Some(b'\r' | b' ' | b'\t')) {
        end -= 1;
    }
    line.get(..end).unwrap_or_default()
}

/// YAML parser options: every limit an attacker could push on is capped.
fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_documents: 1,
            max_events: 200_000,
            max_nodes: 100_000,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_total_scalar_bytes: 4 * MAX_FRONT_MATTER,
            max_recorded_anchor_events: 50_000,
            max_recorded_anchor_bytes: 4 * MAX_FRONT_MATTER,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 50_000,
            max_replay_stack_depth: 16,
            max_alias_expansions_per_anchor: 1_000,
        },
        // Duplicates are found (and reported) by `duplicate_top_level_keys`;
        // the parser lets the last one win.
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::PassThrough,
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::AsString,
        with_snippet: false,
        emit_comments: false,
    }
}

/// Parses front matter (YAML or TOML, by its fences) into a JSON-model
/// value. Errors are located in the file.
pub fn parse_front_matter(fm: &FrontMatter) -> Result<Value, FileError> {
    match fm.format {
        FrontFormat::Yaml => parse_yaml(fm),
        FrontFormat::Toml => parse_toml(fm),
    }
}

/// Parses TOML front matter (or a TOML site config) into a JSON-model
/// value: dates and times become their TOML text (`2024-03-05`,
/// `2024-03-05T10:00:00Z`), floats that JSON cannot hold become text.
/// The parser bounds its own nesting; the conversion refuses more than
/// [`MAX_DEPTH`] levels, like YAML.
pub fn parse_toml(fm: &FrontMatter) -> Result<Value, FileError> {
    if fm.text.trim().is_empty() {
        return Err(FileError::at(
            "empty front matter",
            (fm.first_line.saturating_sub(1), 1),
        ));
    }
    match toml::from_str::<toml::Table>(&fm.text) {
        Ok(table) => toml_to_json(toml::Value::Table(table), 0).ok_or_else(|| {
            FileError::at(
                format!("invalid TOML: nesting too deep (more than {MAX_DEPTH} levels)"),
                (fm.first_line, 1),
            )
        }),
        Err(e) => {
            let pos = e.span().map(|span| {
                let (line, col) = line_col(fm.text.as_bytes(), span.start);
                (line.saturating_add(fm.first_line).saturating_sub(1), col)
            });
            let message = first_line_of(e.message());
            Err(FileError {
                message: format!("invalid TOML: {message}"),
                pos,
            })
        }
    }
}

/// A TOML value in the JSON model; `None` past [`MAX_DEPTH`].
fn toml_to_json(value: toml::Value, depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    Some(match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::Number(i.into()),
        toml::Value::Float(f) => {
            Number::from_f64(f).map_or_else(|| Value::String(f.to_string()), Value::Number)
        }
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| toml_to_json(v, depth + 1))
                .collect::<Option<Vec<_>>>()?,
        ),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| toml_to_json(v, depth + 1).map(|v| (k, v)))
                .collect::<Option<Map<_, _>>>()?,
        ),
    })
}

/// Parses front matter text into a JSON-model value (mappings keep the last
/// of duplicate keys). Errors are located in the file.
pub fn parse_yaml(fm: &FrontMatter) -> Result<Value, FileError> {
    if fm.text.trim().is_empty() {
        return Err(FileError::at(
            "empty front matter",
            (fm.first_line.saturating_sub(1), 1),
        ));
    }
    match serde_saphyr::from_str_with_options::<Value>(&fm.text, yaml_options()) {
        Ok(v) => Ok(v),
        Err(e) => {
            let pos = e.location().map(|loc| {
                let line = u32::try_from(loc.line()).unwrap_or(u32::MAX);
                let col = u32::try_from(loc.column()).unwrap_or(u32::MAX);
                (
                    line.saturating_add(fm.first_line).saturating_sub(1),
                    col.max(1),
                )
            });
            let message = first_line_of(&e.to_string());
            Err(FileError {
                message: format!("invalid YAML: {message}"),
                pos,
            })
        }
    }
}

/// The first line of a parser message, without control characters and
/// without the parser's own position (relative to the front matter, not
/// the file; the diagnostic carries the file position).
fn first_line_of(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default();
    let line = line
        .find(" at line ")
        .map_or(line, |at| line.get(..at).unwrap_or(line));
    let cleaned = bundle::text::clean_text(line);
    let lower = cleaned.to_ascii_lowercase();
    let plain = if lower.contains("depth") || lower.contains("recursion limit") {
        format!("nesting too deep ({cleaned})")
    } else if lower.contains("alias") || lower.contains("anchor") || lower.contains("replay") {
        format!("too many aliases, possibly an alias expansion bomb ({cleaned})")
    } else {
        cleaned
    };
    bundle::text::truncate_chars(&plain, 300).0
}

/// A feed item and where it starts in the file.
pub type FeedItem = (Value, Option<(u32, u32)>);

/// Reads a JSON feed page and returns its items.
pub fn read_feed(path: &Path) -> Result<Vec<FeedItem>, FileError> {
    let file = File::open(path).map_err(|e| FileError::new(format!("cannot read: {e}")))?;
    let mut buf = Vec::new();
    file.take(MAX_JSON_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| FileError::new(format!("cannot read: {e}")))?;
    if buf.len() as u64 > MAX_JSON_BYTES {
        return Err(FileError::new(format!(
            "JSON file is larger than {} MiB",
            MAX_JSON_BYTES / (1024 * 1024)
        )));
    }
    parse_feed(&buf)
}

/// Parses a JSON feed page `{ "page": N, "value": [ ... ] }`.
pub fn parse_feed(bytes: &[u8]) -> Result<Vec<FeedItem>, FileError> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(FileError::new("empty file"));
    }
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Err(FileError::at(
            "binary file (NUL byte); not a JSON feed page",
            line_col(bytes, nul),
        ));
    }
    let lines = LineIndex::new(bytes);
    let page = match serde_json::from_slice::<StrictValue>(bytes) {
        Ok(StrictValue(page)) => page,
        Err(e) => {
            let mut pos = (saturate(e.line()), saturate(e.column().max(1)));
            let message = first_line_of(&e.to_string());
            if message.starts_with(REPEATED_KEY) {
                pos = repeated_key_start(bytes, &lines, pos);
            }
            return Err(FileError::at(format!("invalid JSON: {message}"), pos));
        }
    };
    let Value::Object(mut page) = page else {
        return Err(FileError::at(
            format!(
                "not a JSON feed page: expected an object with a `value` list, found {}",
                super::raw::describe(&page)
            ),
            (1, 1),
        ));
    };
    let starts = feed_item_offsets(bytes);
    let value = page.remove("value").filter(|v| !v.is_null());
    match value {
        Some(Value::Array(items)) => Ok(items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let pos = starts.get(i).map(|&at| lines.line_col(at));
                (item, pos)
            })
            .collect()),
        Some(other) => Err(FileError::new(format!(
            "JSON feed page: `value` should be a list, found {}",
            super::raw::describe(&other)
        ))),
        None => Err(FileError::new(
            "not a JSON feed page: expected an object with a `value` list",
        )),
    }
}

/// How a repeated key is reported (the message starts with this).
const REPEATED_KEY: &str = "repeated key";

/// A JSON value read by `serde_json`, refusing an object with a repeated
/// key (which `serde_json::Value` would silently resolve to the last one).
/// The widget's reader refuses them too: one rule for both.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(StrictVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                let shown = bundle::text::truncate_chars(&key, 80).0;
                return Err(de::Error::custom(format!(
                    "{REPEATED_KEY} `{shown}` (an object may name a key once)"
                )));
            }
            let StrictValue(value) = map.next_value()?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// `serde_json` places an error raised for a key just after the key's
/// closing quote: step back to its opening quote, so the position is the
/// key's own.
fn repeated_key_start(bytes: &[u8], lines: &LineIndex, (line, col): (u32, u32)) -> (u32, u32) {
    let Some(end) = lines.offset(line, col) else {
        return (line, col);
    };
    // `end` is one past the closing quote.
    let mut at = end.saturating_sub(2);
    while at > 0 {
        if bytes.get(at) == Some(&b'"') {
            let slashes = bytes
                .get(..at)
                .unwrap_or_default()
                .iter()
                .rev()
                .take_while(|&&b| b == b'\\')
                .count();
            if slashes % 2 == 0 {
                return lines.line_col(at);
            }
        }
        at -= 1;
    }
    (line, col)
}

/// Byte offsets of the elements of the top-level `"value"` array of a JSON
/// document that is known to parse: a small scanner over strings and
/// brackets, so items can be reported with their line.
fn feed_item_offsets(bytes: &[u8]) -> Vec<usize> {
    let mut offsets = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut string_start = 0usize;
    let mut last_string: &[u8] = &[];
    let mut last_key: &[u8] = &[];
    let mut in_value_array = false;
    let mut expect_item = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                last_string = bytes.get(string_start..i).unwrap_or_default();
            }
            continue;
        }
        if expect_item && !b.is_ascii_whitespace() && b != b']' {
            offsets.push(i);
            expect_item = false;
        }
        match b {
            b'"' => {
                in_string = true;
                string_start = i + 1;
            }
            b'{' | b'[' => {
                if b == b'[' && depth == 1 && last_key == b"value" {
                    in_value_array = true;
                    expect_item = true;
                }
                depth += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    in_value_array = false;
                }
                expect_item = false;
            }
            b',' if in_value_array && depth == 2 => expect_item = true,
            b':' if depth == 1 => last_key = last_string,
            _ => {}
        }
    }
    offsets
}

/// Non-blank, non-comment lines as (0-based line, indent column, content).
fn significant_lines(text: &str) -> Vec<(usize, usize, &str)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let content = line.trim_start_matches(' ');
            let col = line.len() - content.len();
            let content = content.trim_end();
            if content.is_empty() || content.starts_with('#') {
                None
            } else {
                Some((i, col, content))
            }
        })
        .collect()
}

fn is_item(content: &str) -> bool {
    content == "-" || content.starts_with("- ") || content.starts_with("-\t")
}

/// The key of a `key: value` (or `key:`) line, bare or quoted.
fn key_of(content: &str) -> Option<&str> {
    let (key, rest) = match content.as_bytes().first() {
        Some(&q @ (b'"' | b'\'')) => {
            let inner = content.get(1..)?;
            let close = inner.bytes().position(|b| b == q)?;
            (inner.get(..close)?, inner.get(close + 1..)?)
        }
        _ => {
            let colon = content.char_indices().find_map(|(i, c)| {
                let next = content.get(i + 1..)?;
                (c == ':' && (next.is_empty() || next.starts_with([' ', '\t']))).then_some(i)
            })?;
            (
                content.get(..colon)?.trim_end_matches([' ', '\t']),
                content.get(colon..)?,
            )
        }
    };
    let rest = rest.trim_start_matches([' ', '\t']);
    (rest == ":" || rest.starts_with(": ") || rest.starts_with(":\t")).then_some(key)
}

/// Nesting followed by [`Locator::new`]; deeper fields are located at their
/// deepest indexed parent.
const MAX_LOCATE_DEPTH: usize = 2 * MAX_DEPTH;

/// Where the fields of block-style front matter are: every key and list
/// item is indexed once per file, so placing a diagnostic is a lookup
/// rather than a pass over the file.
#[derive(Debug, Clone, Default)]
pub struct Locator {
    first_line: u32,
    /// Encoded field path (see [`Locator::push`]) → 0-based line, column.
    positions: HashMap<String, (usize, usize)>,
    /// The same paths with keys in ASCII lowercase: static-site keys are
    /// matched without regard to case (`PubDate` for `pubDate`).
    folded: HashMap<String, (usize, usize)>,
}

type Line<'a> = (usize, usize, &'a str);

impl Locator {
    pub fn new(fm: &FrontMatter) -> Self {
        let mut locator = Locator {
            first_line: fm.first_line,
            positions: HashMap::new(),
            folded: HashMap::new(),
        };
        match fm.format {
            FrontFormat::Yaml => {
                let lines = significant_lines(&fm.text);
                locator.index(&lines, &mut String::new(), 0);
            }
            FrontFormat::Toml => locator.index_toml(&fm.text),
        }
        locator
    }

    /// TOML: top-level `key = …` lines and the keys of `[table]` sections
    /// (dotted headers and keys as nested paths; array tables and list
    /// items are not indexed).
    fn index_toml(&mut self, text: &str) {
        let mut table = String::new();
        for (line, raw) in text.lines().enumerate() {
            let content = raw.trim_start_matches([' ', '\t']);
            let col = raw.len() - content.len();
            if content.starts_with("[[") {
                table = "\0\0".to_owned();
                continue;
            }
            if let Some(header) = content.strip_prefix('[') {
                let Some(end) = header.find(']') else {
                    continue;
                };
                table.clear();
                for part in header.get(..end).unwrap_or_default().split('.') {
                    table.push('\0');
                    table.push_str(part.trim().trim_matches(['"', '\'']));
                }
                self.record(&table, (line, col));
                continue;
            }
            if table.starts_with("\0\0") {
                continue;
            }
            let Some(eq) = content.find('=') else {
                continue;
            };
            let mut path = table.clone();
            for part in content.get(..eq).unwrap_or_default().split('.') {
                path.push('\0');
                path.push_str(part.trim().trim_matches(['"', '\'']));
            }
            self.record(&path, (line, col));
        }
    }

    /// Appends a path component to an encoded path. NUL never occurs in
    /// front matter (such a file is refused as binary), so keys cannot
    /// forge a separator.
    fn push(path: &mut String, seg: Seg) {
        match seg {
            Seg::Key(key) => {
                path.push('\0');
                path.push_str(key);
            }
            Seg::Index(i) => {
                path.push_str("\0[");
                path.push_str(&i.to_string());
            }
        }
    }

    /// Indexes one block: its first line's column is the column of its
    /// entries; a key's block is what follows it, deeper or as list items
    /// at its column; an item's block is its inline content and the deeper
    /// lines after it. The first of repeated keys is kept.
    fn index(&mut self, scope: &[Line<'_>], path: &mut String, depth: usize) {
        let Some(&(_, child_col, _)) = scope.first() else {
            return;
        };
        if depth > MAX_LOCATE_DEPTH {
            return;
        }
        let mut items = 0;
        let mut i = 0;
        while let Some(&(line, col, content)) = scope.get(i) {
            let rest = scope.get(i + 1..).unwrap_or_default();
            let len = path.len();
            if col != child_col {
                i += 1;
            } else if is_item(content) {
                Self::push(path, Seg::Index(items));
                items += 1;
                self.record(path, (line, col));
                let end = rest
                    .iter()
                    .position(|&(_, c, _)| c <= col)
                    .unwrap_or(rest.len());
                let after_dash = content.get(1..).unwrap_or_default();
                let inner = after_dash.trim_start_matches([' ', '\t']);
                let inner_col = col + 1 + (after_dash.len() - inner.len());
                let mut block = Vec::with_capacity(end + 1);
                if !inner.is_empty() {
                    block.push((line, inner_col, inner));
                }
                block.extend_from_slice(rest.get(..end).unwrap_or_default());
                self.index(&block, path, depth + 1);
                i += 1 + end;
            } else if let Some(key) = key_of(content) {
                path.push('\0');
                path.push_str(key);
                self.record(path, (line, col));
                let end = rest
                    .iter()
                    .position(|&(_, c, s)| c < col || (c == col && !is_item(s)))
                    .unwrap_or(rest.len());
                self.index(rest.get(..end).unwrap_or_default(), path, depth + 1);
                i += 1 + end;
            } else {
                i += 1;
            }
            path.truncate(len);
        }
    }

    /// Notes where an encoded path is (the first occurrence wins).
    fn record(&mut self, path: &str, pos: (usize, usize)) {
        self.positions.entry(path.to_owned()).or_insert(pos);
        self.folded.entry(path.to_ascii_lowercase()).or_insert(pos);
    }

    /// Best-effort position (1-based line and column) of a field: the
    /// deepest path component that could be found.
    pub fn locate(&self, path: &[Seg]) -> Option<(u32, u32)> {
        let deepest = |map: &HashMap<String, (usize, usize)>, fold: bool| {
            let mut key = String::new();
            let mut best = None;
            for (depth, &seg) in path.iter().enumerate() {
                Self::push(&mut key, seg);
                if fold {
                    key.make_ascii_lowercase();
                }
                match map.get(&key) {
                    Some(&pos) => best = Some((depth, pos)),
                    None => break,
                }
            }
            best
        };
        let exact = deepest(&self.positions, false);
        // The exact spelling first; another case only when it reaches deeper.
        let best = match (exact, deepest(&self.folded, true)) {
            (Some(e), Some(f)) if f.0 > e.0 => Some(f),
            (None, f) => f,
            (e, _) => e,
        };
        best.map(|(_, (line, col))| {
            (
                saturate(line).saturating_add(self.first_line),
                saturate(col + 1),
            )
        })
    }
}

/// Best-effort position of one field (see [`Locator`], which serves many).
pub fn locate(fm: &FrontMatter, path: &[Seg]) -> Option<(u32, u32)> {
    Locator::new(fm).locate(path)
}

/// Top-level keys that appear more than once: (key, first line, repeat
/// position), in file order.
pub fn duplicate_top_level_keys(fm: &FrontMatter) -> Vec<(String, u32, (u32, u32))> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut dups = Vec::new();
    // TOML refuses a repeated key itself (a parse error).
    if fm.format == FrontFormat::Toml {
        return dups;
    }
    for (line, col, content) in significant_lines(&fm.text) {
        if col != 0 || is_item(content) {
            continue;
        }
        let Some(colon) = content.find(':') else {
            continue;
        };
        let key = content.get(..colon).unwrap_or_default().trim();
        let key = key.trim_matches(|c| c == '"' || c == '\'');
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            continue;
        }
        let after = content.get(colon + 1..).unwrap_or_default();
        if !(after.is_empty() || after.starts_with([' ', '\t'])) {
            continue;
        }
        let to_line = |l: usize| saturate(l).saturating_add(fm.first_line);
        match seen.get(key) {
            Some(&first) => dups.push((key.to_owned(), to_line(first), (to_line(line), 1))),
            None => {
                seen.insert(key, line);
            }
        }
    }
    dups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fm(text: &str) -> FrontMatter {
        FrontMatter {
            text: text.to_owned(),
            first_line: 2,
            format: FrontFormat::Yaml,
            body: String::new(),
        }
    }

    #[test]
    fn reads_toml_front_matter_and_the_body() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(
            &path,
            "\u{feff}+++\r\ntitle = \"T\"\r\ndate = 2024-03-05T10:00:00Z\r\n[params]\r\nx = [1, 2.5]\r\n+++\r\nBody *here*.\r\n",
        )
        .unwrap();
        let f = read_front_matter(&path).unwrap();
        assert_eq!(f.format, FrontFormat::Toml);
        assert_eq!(f.body, "Body *here*.\r\n");
        let v = parse_front_matter(&f).unwrap();
        assert_eq!(v["date"], "2024-03-05T10:00:00Z");
        assert_eq!(v["params"]["x"][1], 2.5);
        let locator = Locator::new(&f);
        assert_eq!(locator.locate(&[Seg::Key("date")]), Some((3, 1)));
        assert_eq!(
            locator.locate(&[Seg::Key("params"), Seg::Key("x")]),
            Some((5, 1))
        );
        let bad = FrontMatter {
            text: "a = 1\nb = [\n".to_owned(),
            first_line: 2,
            format: FrontFormat::Toml,
            body: String::new(),
        };
        let err = parse_toml(&bad).unwrap_err();
        assert!(err.message.starts_with("invalid TOML"), "{err:?}");
        assert_eq!(err.pos.map(|p| p.0), Some(3));
        let deep = FrontMatter {
            text: format!("x = {}{}\n", "[".repeat(5000), "]".repeat(5000)),
            ..bad
        };
        assert!(
            parse_toml(&deep)
                .unwrap_err()
                .message
                .starts_with("invalid TOML")
        );
    }

    #[test]
    fn splits_lf_crlf_and_bom() {
        let lf = split_front_matter(b"---\ntitle: a\n---\nbody", false).unwrap();
        assert_eq!(lf.text, "title: a\n");
        let crlf = split_front_matter(b"\xEF\xBB\xBF---\r\ntitle: a\r\n---\r\n", false).unwrap();
        assert_eq!(crlf.text, "title: a\r\n");
        let eof = split_front_matter(b"---\ntitle: a\n---", false).unwrap();
        assert_eq!(eof.text, "title: a\n");
    }

    #[test]
    fn refuses_broken_files() {
        let msg = |b: &[u8]| split_front_matter(b, false).unwrap_err().message;
        assert_eq!(msg(b""), "empty file");
        assert!(msg(b"---\ntitle: a\n").starts_with("unterminated"));
        assert!(msg(b"\x00\x01binary").starts_with("binary"));
        assert!(msg(b"title: a\n").starts_with("no front matter"));
        let err = split_front_matter(b"---\ntitle: \xFF\n---\n", false).unwrap_err();
        assert_eq!(err.pos, Some((2, 8)));
    }

    #[test]
    fn locates_nested_fields() {
        let f = fm(
            "title: x\nimages:\n  - url: a\n    width: 5\n  - url: b\n    width: 0\nprovider:\n  name: n\n",
        );
        assert_eq!(locate(&f, &[Seg::Key("title")]), Some((2, 1)));
        assert_eq!(
            locate(&f, &[Seg::Key("images"), Seg::Index(1), Seg::Key("width")]),
            Some((7, 5))
        );
        assert_eq!(
            locate(&f, &[Seg::Key("images"), Seg::Index(0), Seg::Key("url")]),
            Some((4, 5))
        );
        assert_eq!(
            locate(&f, &[Seg::Key("provider"), Seg::Key("name")]),
            Some((9, 3))
        );
        assert_eq!(locate(&f, &[Seg::Key("nope")]), None);
        assert_eq!(
            render_path(&[Seg::Key("a"), Seg::Index(2), Seg::Key("b")]),
            "a[2].b"
        );
    }

    #[test]
    fn finds_feed_items() {
        let json =
            b"{\"page\": 1, \"x\": \"value\", \"value\": [\n {\"a\": [1, 2]},\n null, \"s,]\" ]}";
        let items = parse_feed(json).unwrap();
        let pos: Vec<_> = items.iter().map(|(_, p)| *p).collect();
        assert_eq!(pos, vec![Some((2, 2)), Some((3, 2)), Some((3, 8))]);
    }

    // The one-pass index against the scan it replaced, on every path of
    // every fixture's front matter.
    /// `key:` (bare or quoted) at the start of `content`.
    fn key_matches(content: &str, key: &str) -> bool {
        let rest = if let Some(r) = content.strip_prefix(key) {
            r
        } else if let Some(r) = content
            .strip_prefix('"')
            .and_then(|r| r.strip_prefix(key))
            .and_then(|r| r.strip_prefix('"'))
        {
            r
        } else if let Some(r) = content
            .strip_prefix('\'')
            .and_then(|r| r.strip_prefix(key))
            .and_then(|r| r.strip_prefix('\''))
        {
            r
        } else {
            return false;
        };
        let rest = rest.trim_start_matches([' ', '\t']);
        rest == ":" || rest.starts_with(": ") || rest.starts_with(":\t")
    }

    /// Best-effort position (1-based line and column) of a field in block-style
    /// front matter: the deepest path component that could be found.
    fn reference_locate(fm: &FrontMatter, path: &[Seg]) -> Option<(u32, u32)> {
        let mut scope = significant_lines(&fm.text);
        let mut best = None;
        for seg in path {
            let Some(&(_, child_col, _)) = scope.first() else {
                break;
            };
            match *seg {
                Seg::Key(key) => {
                    let Some(at) = scope
                        .iter()
                        .position(|&(_, c, s)| c == child_col && key_matches(s, key))
                    else {
                        break;
                    };
                    let Some(&(line, col, _)) = scope.get(at) else {
                        break;
                    };
                    best = Some((line, col));
                    let rest = scope.get(at + 1..).unwrap_or_default();
                    let end = rest
                        .iter()
                        .position(|&(_, c, s)| c < col || (c == col && !is_item(s)))
                        .unwrap_or(rest.len());
                    scope = rest.get(..end).unwrap_or_default().to_vec();
                }
                Seg::Index(index) => {
                    let Some((at, &(line, col, content))) = scope
                        .iter()
                        .enumerate()
                        .filter(|(_, (_, c, s))| *c == child_col && is_item(s))
                        .nth(index)
                    else {
                        break;
                    };
                    best = Some((line, col));
                    let after_dash = content.get(1..).unwrap_or_default();
                    let inner = after_dash.trim_start_matches([' ', '\t']);
                    let inner_col = col + 1 + (after_dash.len() - inner.len());
                    let rest = scope.get(at + 1..).unwrap_or_default();
                    let end = rest
                        .iter()
                        .position(|&(_, c, _)| c <= col)
                        .unwrap_or(rest.len());
                    let mut next = Vec::with_capacity(end + 1);
                    if !inner.is_empty() {
                        next.push((line, inner_col, inner));
                    }
                    next.extend_from_slice(rest.get(..end).unwrap_or_default());
                    scope = next;
                }
            }
        }
        best.map(|(line, col)| {
            (
                saturate(line).saturating_add(fm.first_line),
                saturate(col + 1),
            )
        })
    }

    fn paths(value: &Value, prefix: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        if prefix.len() > 6 {
            return;
        }
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let key: &'static str = Box::leak(k.clone().into_boxed_str());
                    prefix.push(Seg::Key(key));
                    out.push(prefix.clone());
                    paths(v, prefix, out);
                    prefix.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    prefix.push(Seg::Index(i));
                    out.push(prefix.clone());
                    paths(v, prefix, out);
                    prefix.pop();
                }
            }
            _ => {}
        }
    }

    #[test]
    fn finding_2_locator_agrees_with_the_scan() {
        let mut checked = 0;
        for case in
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures")).unwrap()
        {
            let dir = case.unwrap().path().join("in");
            let Ok(files) = std::fs::read_dir(&dir) else {
                continue;
            };
            for file in files {
                let path = file.unwrap().path();
                if path.extension().is_none_or(|e| e != "md") {
                    continue;
                }
                let Ok(fm) = read_front_matter(&path) else {
                    continue;
                };
                let Ok(value) = parse_yaml(&fm) else {
                    continue;
                };
                let mut all = Vec::new();
                paths(&value, &mut Vec::new(), &mut all);
                all.push(vec![Seg::Key("nope")]);
                all.push(vec![Seg::Key("images"), Seg::Index(99)]);
                let locator = Locator::new(&fm);
                for p in all {
                    assert_eq!(
                        locator.locate(&p),
                        reference_locate(&fm, &p),
                        "{} {}",
                        path.display(),
                        render_path(&p)
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 500, "{checked}");
    }

    #[test]
    fn locates_keys_in_another_case() {
        let f = fm("Title: x\nHeader:\n  Image: y\ntitle: z\n");
        assert_eq!(locate(&f, &[Seg::Key("title")]), Some((5, 1)));
        assert_eq!(
            locate(&f, &[Seg::Key("header"), Seg::Key("image")]),
            Some((4, 3))
        );
        assert_eq!(locate(&f, &[Seg::Key("pubDate")]), None);
    }

    #[test]
    fn finds_duplicate_keys() {
        let f = fm("title: a\nexcerpt: b\ntitle: c\n");
        assert_eq!(
            duplicate_top_level_keys(&f),
            vec![("title".to_owned(), 2, (4, 1))]
        );
    }
}
