//! A small strict JSON (RFC 8259) reader for the widget's bundle decoder.
//!
//! Why not `serde_json`: with serde's derived visitors, its error messages
//! (which format floats) and its float parser, decoding was a large share
//! of the widget's wasm, which has a size budget (see docs/size.md). This reader builds a plain
//! tree ([`Value`]) in one pass and never panics; `decode` walks the tree.
//! It accepts the same syntax as `serde_json::from_slice` (tests check the
//! two agree), with the same nesting limit, with one deliberate difference:
//! an object with a repeated key is refused (the error gives the byte
//! offset of the repeat), where `serde_json::Value` keeps the last
//! occurrence. A bundle is one writer's output, so a repeated key is a
//! fault or a trick, and no reader should have to pick a winner; the
//! bundler refuses the same (docs/bundle.md). Numbers are kept as `f64`
//! computed without the standard library's exact decimal parser and its
//! tables: exact for whole numbers, close for the rest (the bundle's
//! numbers are whole). Which numbers are out of `f64` range is decided
//! exactly, as a correctly rounding parser decides it (serde_json with its
//! `float_roundtrip` feature, which this crate turns on).

use std::borrow::Cow;

/// One JSON value: a bundle as parsed here, and the widget's options as
/// the edge reads them from JS (through `JSON.stringify`). Object members keep
/// their order; [`parse`] never builds an object with a repeated key.
///
/// Strings and keys borrow from the parsed text unless they hold escapes:
/// a bundle's tree is then mostly arrays and objects, with a fraction of
/// the allocations to make and to free (freeing the tree of a 1,000-article
/// bundle was a sizeable part of the decode in a Chromium profile).
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    /// Always finite.
    Number(f64),
    String(Cow<'a, str>),
    Array(Vec<Value<'a>>),
    Object(Vec<(Cow<'a, str>, Value<'a>)>),
}

/// Deepest nesting of arrays and objects accepted: serde_json's recursion
/// limit of 128 admits 127 levels.
pub const MAX_DEPTH: u32 = 127;

/// Why the bytes are not JSON: what was expected, and the byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub what: &'static str,
    pub at: usize,
}

impl<'a> Value<'a> {
    /// The member named `key` of an object (the first, if a tree built
    /// other than by [`parse`] repeats it).
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Compact JSON, as `serde_json` would print it (numbers: integers
    /// exactly, others to 6 decimals, without float formatting code).
    pub fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => push_number(out, *n),
            Value::String(s) => push_json_string(out, s),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Value::Object(entries) => {
                out.push('{');
                for (i, (key, item)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_json_string(out, key);
                    out.push(':');
                    item.write_json(out);
                }
                out.push('}');
            }
        }
    }

    /// A whole number in `0..=u32::MAX` (`3` and `3.0`, not `3.5` or `-1`).
    pub fn as_u32(&self) -> Option<u32> {
        match self {
            Value::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n <= f64::from(u32::MAX) => {
                Some(*n as u32)
            }
            _ => None,
        }
    }
}

/// Parses one JSON text (surrounding whitespace allowed, nothing else).
pub fn parse(bytes: &[u8]) -> Result<Value<'_>, SyntaxError> {
    // Validating UTF-8 up front lets strings be sliced without re-checking.
    let text = std::str::from_utf8(bytes).map_err(|e| SyntaxError {
        what: "valid UTF-8",
        at: e.valid_up_to(),
    })?;
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
        key_at: Vec::new(),
    };
    let value = p.value(0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.err("the end of the file"));
    }
    Ok(value)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    /// Offsets of the keys of the objects being read, innermost last: a
    /// stack, so that each object's are found without a `Vec` of its own.
    key_at: Vec<usize>,
}

/// Positions `0..n` ordered by `key`, equal keys in position order (a
/// stable sort). Every sort of positions by a string goes through this one
/// non-generic function (object keys here; provider keys and article ids
/// in `decode`), so the wasm carries one copy of the sort.
pub fn positions_by_key<'k>(n: usize, key: &dyn Fn(usize) -> &'k str) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| key(*a).cmp(key(*b)));
    order
}

/// The position of the first member (in text order) whose key an earlier
/// member already has: one sort of the positions, then equal neighbours,
/// so a hostile object costs `n log n` comparisons, not `n²`.
fn first_repeat(members: &[(Cow<'_, str>, Value<'_>)]) -> Option<usize> {
    if members.len() < 2 {
        return None;
    }
    let key = |i: usize| members.get(i).map_or("", |(k, _)| k.as_ref());
    let order = positions_by_key(members.len(), &key);
    order
        .windows(2)
        .filter_map(|pair| match pair {
            // Stable: the later of two equal keys is `next`.
            [first, next] if key(*first) == key(*next) => Some(*next),
            _ => None,
        })
        .min()
}

impl<'a> Parser<'a> {
    fn err(&self, what: &'static str) -> SyntaxError {
        SyntaxError { what, at: self.i }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// Consumes `b` after optional whitespace.
    fn eat(&mut self, b: u8) -> bool {
        self.ws();
        let hit = self.peek() == Some(b);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn literal(&mut self, word: &'static str, value: Value<'a>) -> Result<Value<'a>, SyntaxError> {
        if self.s.get(self.i..self.i + word.len()) == Some(word.as_bytes()) {
            self.i += word.len();
            Ok(value)
        } else {
            Err(self.err("a value"))
        }
    }

    fn value(&mut self, depth: u32) -> Result<Value<'a>, SyntaxError> {
        self.ws();
        match self.peek() {
            Some(b'{' | b'[') if depth >= MAX_DEPTH => Err(self.err("less nesting")),
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::new();
                let keys = self.key_at.len();
                if !self.eat(b'}') {
                    loop {
                        self.ws();
                        if self.peek() != Some(b'"') {
                            return Err(self.err("a string key"));
                        }
                        self.key_at.push(self.i);
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return Err(self.err("`:`"));
                        }
                        members.push((key, self.value(depth + 1)?));
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return Err(self.err("`,` or `}`"));
                        }
                    }
                }
                if let Some(at) = first_repeat(&members) {
                    return Err(SyntaxError {
                        what: "a key not already in this object",
                        at: self.key_at.get(keys + at).copied().unwrap_or(self.i),
                    });
                }
                self.key_at.truncate(keys);
                Ok(Value::Object(members))
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return Err(self.err("`,` or `]`"));
                        }
                    }
                }
                Ok(Value::Array(items))
            }
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.err("a value")),
        }
    }

    fn number(&mut self) -> Result<Value<'a>, SyntaxError> {
        let start = self.i;
        let negative = self.peek() == Some(b'-');
        self.i += usize::from(negative);
        // Up to 18 significant digits in `mantissa`, the rest as a power of
        // ten: approximate past 2^53, exact for the whole numbers bundles hold.
        let mut mantissa: u64 = 0;
        let mut scale: i32 = 0;
        let mut take = |d: u8, fraction: bool, scale: &mut i32| {
            if mantissa < 100_000_000_000_000_000 {
                mantissa = mantissa * 10 + u64::from(d - b'0');
                *scale -= i32::from(fraction);
            } else {
                *scale += i32::from(!fraction);
            }
        };
        let int_start = self.i;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            take(d, false, &mut scale);
            self.i += 1;
        }
        let int_len = self.i - int_start;
        if int_len == 0 || (int_len > 1 && self.s.get(int_start) == Some(&b'0')) {
            return Err(self.err("a number"));
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            let frac_start = self.i;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                take(d, true, &mut scale);
                self.i += 1;
            }
            if self.i == frac_start {
                return Err(self.err("a digit after `.`"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            let minus = self.peek() == Some(b'-');
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            let mut exp: i32 = 0;
            let exp_start = self.i;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                // Saturates: anything past ±10,000 is 0 or infinite anyway.
                exp = (exp * 10 + i32::from(d - b'0')).min(10_000);
                self.i += 1;
            }
            if self.i == exp_start {
                return Err(self.err("an exponent"));
            }
            scale = scale.saturating_add(if minus { -exp } else { exp });
        }
        let m = mantissa as f64;
        // Dividing by an exact power of ten rounds correctly where
        // multiplying by an inexact 0.1 would not (`640.0` stays 640).
        let value = match scale {
            _ if mantissa == 0 => 0.0,
            s if s < 0 => m / 10f64.powi(s.max(-400).saturating_neg()),
            s => m * 10f64.powi(s.min(400)),
        };
        // The scaling is approximate, so the range is decided on the text
        // near its edge, where a correctly rounding parser (serde_json's)
        // decides it.
        let value = if value.is_infinite() || value > NEAR_MAX {
            if self.s.get(start..self.i).is_none_or(rounds_to_infinity) {
                self.i = start;
                return Err(self.err("a number within range"));
            }
            value.min(f64::MAX)
        } else {
            value
        };
        Ok(Value::Number(if negative { -value } else { value }))
    }

    /// A string starting at the opening quote: borrowed from the text
    /// when it has no escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        self.i += 1;
        let opening = self.i;
        let mut out = String::new();
        loop {
            let start = self.i;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.i += 1;
            }
            // Whole UTF-8 sequences: the run stops only at ASCII bytes.
            let run = self.text.get(start..self.i).unwrap_or_default();
            // The whole string in one run: nothing to unescape.
            if start == opening && self.peek() == Some(b'"') {
                self.i += 1;
                return Ok(Cow::Borrowed(run));
            }
            out.push_str(run);
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.i += 1;
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            out.push(self.unicode_escape()?);
                            continue;
                        }
                        _ => return Err(self.err("an escape sequence")),
                    };
                    self.i += 1;
                    out.push(escaped);
                }
                Some(_) => return Err(self.err("no control character in a string")),
                None => return Err(self.err("the end of the string")),
            }
        }
    }

    /// Four hex digits after `\u`.
    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut v = 0;
        for _ in 0..4 {
            let d = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or_else(|| self.err("four hex digits"))?;
            v = v * 16 + d;
            self.i += 1;
        }
        Ok(v)
    }

    /// The character of a `\uXXXX` escape (after the `u`), joining a
    /// surrogate pair; a lone surrogate is an error, as in serde_json.
    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let high = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&high) {
            if self.s.get(self.i..self.i + 2) != Some(b"\\u") {
                return Err(self.err("a low surrogate"));
            }
            self.i += 2;
            let low = self.hex4()?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(self.err("a low surrogate"));
            }
            0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        } else {
            high
        };
        char::from_u32(code).ok_or_else(|| self.err("a unicode scalar value"))
    }
}

/// Appends a number as JSON, for messages: in the browser its shortest
/// round-trip form (`String(n)`, so no float formatting is linked into the
/// wasm), `null` when not finite.
#[cfg(target_arch = "wasm32")]
pub fn push_number(out: &mut String, n: f64) {
    match js_sys::Number::from(n).to_string_with_radix(10) {
        Ok(text) if n.is_finite() => out.push_str(&String::from(text)),
        _ => out.push_str("null"),
    }
}

/// Appends a finite number as JSON: whole numbers exactly (below 1e16),
/// others rounded to 6 decimals or, when huge or tiny, as `1.5e300`
/// (natively: SSR and tests; the browser has its own, above).
#[cfg(not(target_arch = "wasm32"))]
pub fn push_number(out: &mut String, n: f64) {
    if !n.is_finite() {
        out.push_str("null");
        return;
    }
    let mut n = n;
    if n < 0.0 {
        out.push('-');
        n = -n;
    }
    if n == 0.0 || (1e-5..1e16).contains(&n) {
        let mut int = n.trunc();
        let mut micros = ((n - int) * 1e6 + 0.5).floor();
        if micros >= 1e6 {
            int += 1.0;
            micros = 0.0;
        }
        out.push_str(&(int as u64).to_string());
        if micros > 0.0 {
            let digits = format!("{:06}", micros as u32);
            out.push('.');
            out.push_str(digits.trim_end_matches('0'));
        }
        return;
    }
    let mut exp = 0i32;
    while n >= 10.0 {
        n /= 10.0;
        exp += 1;
    }
    while n < 1.0 {
        n *= 10.0;
        exp -= 1;
    }
    push_number(out, n);
    out.push('e');
    out.push_str(&exp.to_string());
}

/// Appends `s` as a JSON string literal (escapes as `serde_json` writes
/// them).
fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                for shift in [4, 0] {
                    let nibble = (u32::from(c) >> shift) & 0xf;
                    out.push(HEX.get(nibble as usize).map_or('0', |&b| char::from(b)));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
/// `serde_json`'s tree as ours: to compare the two parsers, and to write
/// options in tests as `json!` values (the edge converts JS values the same way).
pub(crate) fn from_serde(v: &serde_json::Value) -> Value<'static> {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap()),
        serde_json::Value::String(s) => Value::String(s.clone().into()),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(from_serde).collect()),
        serde_json::Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone().into(), from_serde(v)))
                .collect(),
        ),
    }
}

/// Below this, the approximate value of [`Parser::number`] cannot be out of
/// range, whatever its rounding.
const NEAR_MAX: f64 = 1.797e308;

/// The digits of 2^1024 − 2^970, the least number that a correctly rounding
/// parser rounds to infinity (halfway between `f64::MAX` and 2^1024, which
/// rounds to the even side, up).
const OVERFLOW_DIGITS: &[u8; 309] = b"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792";

/// Whether a number `text` (valid by JSON's grammar) is, in magnitude, at
/// least 2^1024 − 2^970: out of `f64` range. One pass over the text.
fn rounds_to_infinity(text: &[u8]) -> bool {
    let (mantissa, exponent) = match text.iter().position(|&b| b == b'e' || b == b'E') {
        Some(e) => (text.get(..e).unwrap_or_default(), text.get(e + 1..)),
        None => (text, None),
    };
    let mut exp: i64 = 0;
    if let Some(exponent) = exponent {
        for &b in exponent {
            if b.is_ascii_digit() {
                exp = (exp * 10 + i64::from(b - b'0')).min(1_000_000);
            }
        }
        if exponent.first() == Some(&b'-') {
            exp = -exp;
        }
    }
    let int_len = mantissa
        .iter()
        .take_while(|&&b| b != b'.')
        .filter(|b| b.is_ascii_digit())
        .count() as i64;
    let mut digits = mantissa
        .iter()
        .copied()
        .filter(u8::is_ascii_digit)
        .peekable();
    let mut leading = 0i64;
    while digits.next_if_eq(&b'0').is_some() {
        leading += 1;
    }
    if digits.peek().is_none() {
        return false;
    }
    // The number is 0.d₁d₂… × 10^point, and the threshold 0.t₁…t₃₀₉ × 10^309.
    let point = int_len - leading + exp;
    if point != OVERFLOW_DIGITS.len() as i64 {
        return point > OVERFLOW_DIGITS.len() as i64;
    }
    for &t in OVERFLOW_DIGITS {
        match digits.next().unwrap_or(b'0').cmp(&t) {
            std::cmp::Ordering::Equal => {}
            unequal => return unequal == std::cmp::Ordering::Greater,
        }
    }
    // Equal to the threshold in its 309 digits: at least the threshold.
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_without_escapes_borrow_from_the_text() {
        let text = br#"{"plain": "text", "esc\u0061ped": "a\nb", "list": ["x", "\"y\""]}"#;
        let Ok(Value::Object(members)) = parse(text) else {
            panic!("not an object");
        };
        let borrowed = |c: &Cow<'_, str>| matches!(c, Cow::Borrowed(_));
        let (key, value) = &members[0];
        assert!(borrowed(key) && key == "plain");
        assert!(matches!(value, Value::String(s) if borrowed(s) && s == "text"));
        let (key, value) = &members[1];
        assert!(!borrowed(key) && key == "escaped");
        assert!(matches!(value, Value::String(s) if !borrowed(s) && s == "a\nb"));
        let Value::Array(items) = &members[2].1 else {
            panic!("not an array");
        };
        assert!(matches!(&items[0], Value::String(s) if borrowed(s)));
        assert!(matches!(&items[1], Value::String(s) if !borrowed(s) && s == "\"y\""));
    }

    /// Both parsers accept `text` and build the same tree (serde_json's map
    /// is sorted: compare with sorted members). The one difference, a
    /// repeated key, has its own test below.
    fn same_as_serde(text: &str) {
        let ours = parse(text.as_bytes()).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
        let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(sorted(ours), from_serde(&theirs), "{text:?}");
    }

    fn sorted(v: Value) -> Value {
        match v {
            Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
            Value::Object(o) => {
                let mut o: Vec<_> = o.into_iter().map(|(k, v)| (k, sorted(v))).collect();
                o.sort_by(|a, b| a.0.cmp(&b.0));
                Value::Object(o)
            }
            other => other,
        }
    }

    #[test]
    fn agrees_with_serde_json_on_valid_text() {
        for text in [
            "null",
            " true ",
            "false",
            "0",
            "-0",
            "12",
            "4294967295",
            "1.5",
            "-2.25e2",
            "1E3",
            "1e-2",
            "0.5e+1",
            r#""""#,
            r#""plain""#,
            r#""a\"b\\c\/d\b\f\n\r\t""#,
            r#""\u00e9\u4e2d\ud83d\ude00""#,
            "\"caf\u{e9} \u{1F600} \u{202E}\"",
            "[]",
            "[1, [2, [3]], {}]",
            r#"{"b": 1, "a": [true, null], "c": {"d": "e"}}"#,
            "\n\t{ \"x\" : [ ] }\r\n",
        ] {
            same_as_serde(text);
        }
    }

    #[test]
    fn agrees_with_serde_json_on_whole_bundles() {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures");
        let mut checked = 0;
        for entry in std::fs::read_dir(fixtures).unwrap() {
            let path = entry.unwrap().path().join("expected.json");
            if let Ok(text) = std::fs::read_to_string(&path) {
                same_as_serde(&text);
                checked += 1;
            }
        }
        assert!(checked >= 10, "only {checked} fixture bundles found");
    }

    #[test]
    fn rejects_what_serde_json_rejects() {
        for text in [
            "",
            "   ",
            "nul",
            "True",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "+1",
            "0x10",
            "1e999",
            "NaN",
            "[1,]",
            "[1 2]",
            "{\"a\":1,}",
            "{a:1}",
            "{\"a\" 1}",
            "{\"a\":}",
            "[",
            "{",
            "\"open",
            "\"tab\there\"",
            "\"bad \\x escape\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\ud800\\u0041\"",
            "\"\\udc00\"",
            "'single'",
            "[] []",
            "{} x",
        ] {
            assert!(
                serde_json::from_str::<serde_json::Value>(text).is_err(),
                "serde_json accepts {text:?}"
            );
            assert!(parse(text.as_bytes()).is_err(), "accepted {text:?}");
        }
        assert!(parse(b"\"\xff\"").is_err(), "invalid UTF-8");
    }

    /// The one deliberate difference from serde_json: its `Value` keeps the
    /// last of a repeated key, this reader refuses the object (and says
    /// where the repeat is), as the bundler does.
    #[test]
    fn finding_5_a_repeated_key_is_refused_where_serde_json_keeps_the_last() {
        let cases: [(&str, usize); 6] = [
            (r#"{"a": 1, "b": 2, "a": 3}"#, 17),
            // The same key once unescaped.
            (r#"{"a": 1, "\u0061": 2}"#, 9),
            (
                r#"{"providers": {"x": {}, "y": {}, "x": {"name": "Evil"}}}"#,
                33,
            ),
            (r#"[{"k": 1}, {"k": 2, "j": 0, "k": 3}]"#, 28),
            // The earliest repeat in text order, whatever the key order.
            (r#"{"b": 0, "a": 0, "b": 1, "a": 1}"#, 17),
            (r#"{"": 0, "": 1}"#, 8),
        ];
        for (text, at) in cases {
            assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
            assert_eq!(
                parse(text.as_bytes()),
                Err(SyntaxError {
                    what: "a key not already in this object",
                    at
                }),
                "{text}"
            );
        }
        let theirs: serde_json::Value = serde_json::from_str(cases[0].0).unwrap();
        assert_eq!(theirs["a"], 3);
        // Equal keys in different objects are no repeat.
        same_as_serde(r#"{"a": {"a": {"a": 1}}, "b": [{"a": 2}, {"a": 3}]}"#);
    }

    /// A hostile object of many keys costs a sort, not a comparison of
    /// every pair (which would not finish in any reasonable time here).
    #[test]
    fn finding_5_many_keys_are_checked_by_one_sort() {
        let n = 200_000;
        let mut text = String::from("{");
        for i in 0..n {
            text.push_str(&format!("\"k{i}\": {i},"));
        }
        let distinct = format!("{}\"last\": 0}}", text);
        let Ok(Value::Object(members)) = parse(distinct.as_bytes()) else {
            panic!("refused");
        };
        assert_eq!(members.len(), n + 1);
        let repeat_at = text.len();
        let repeated = format!("{text}\"k{}\": 0}}", n / 2);
        assert_eq!(parse(repeated.as_bytes()).unwrap_err().at, repeat_at);
    }

    #[test]
    fn errors_say_where() {
        assert_eq!(
            parse(b"[1, 2,, 3]"),
            Err(SyntaxError {
                what: "a value",
                at: 6
            })
        );
        assert_eq!(parse(b"{\"a\": 1} ,").unwrap_err().at, 9);
    }

    #[test]
    fn nesting_is_limited_without_overflowing_the_stack() {
        let ok = "[".repeat(MAX_DEPTH as usize) + &"]".repeat(MAX_DEPTH as usize);
        assert!(parse(ok.as_bytes()).is_ok());
        let deep = "[".repeat(100_000);
        assert_eq!(parse(deep.as_bytes()).unwrap_err().what, "less nesting");
    }

    #[test]
    fn the_edge_of_the_f64_range_is_decided_exactly() {
        let ok = |t: &str| parse(t.as_bytes()).is_ok();
        assert!(ok("1.7976931348623157e308"));
        assert!(ok("-1.7976931348623158e308"));
        assert!(ok(
            "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791"
        ));
        assert!(!ok(
            "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792"
        ));
        assert!(!ok(
            "1.797693134862315807937289714053034150799341327100378269361737789804449682927647509466490179775872070963302864166928879109465555478519404026306574886715058206819089020007083836762738548458177115317644757302700698555713669596228429148198608349364752927190741684443655107043427115596995080930428801779041744977920000001e308"
        ));
        assert!(!ok("2e308"));
        assert!(!ok("0.00000000002e319"));
        assert!(ok("1e-400"));
        assert_eq!(
            parse(b"1.79769313486231579e308"),
            Ok(Value::Number(f64::MAX))
        );
    }

    #[test]
    fn whole_numbers() {
        let n = |t: &str| parse(t.as_bytes()).unwrap().as_u32();
        assert_eq!(n("0"), Some(0));
        assert_eq!(n("640"), Some(640));
        assert_eq!(n("640.0"), Some(640));
        assert_eq!(n("6.4e2"), Some(640));
        assert_eq!(n("4294967295"), Some(u32::MAX));
        assert_eq!(n("4294967296"), None);
        assert_eq!(n("-1"), None);
        assert_eq!(n("1.5"), None);
        assert_eq!(n("\"1\""), None);
    }
}
