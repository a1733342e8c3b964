#![cfg(not(target_arch = "wasm32"))]
// Test helpers may panic: a panic is a test failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Property tests of the three places where untrusted text is judged:
//! the widget's JSON reader agrees with `serde_json` (except that it
//! refuses a repeated key, the rule both readers follow), `safe_url` lets
//! no other scheme than http(s) through and agrees with the WHATWG parser
//! (`url`) on scheme and host, and text cleaning is idempotent.
//!
//! A modest number of cases per property keeps `cargo test` fast;
//! `PROPTEST_CASES=N` overrides it, and `cargo xtask fuzz` runs these with
//! many more in release mode.

use std::collections::HashSet;
use std::fmt;

use article_cards_widget::json;
use bundle::safe_url::{check_url, is_absolute_http};
use bundle::text::{clean_text, truncate_chars};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// `cases` from a fixed seed, so that `cargo test` gives the same verdict
/// on every run; with `PROPTEST_CASES` (as `cargo xtask fuzz` sets it) the
/// count is that and the seed fresh unless `PROPTEST_RNG_SEED` is given.
/// No regression files are written: a failure prints its minimal input.
fn config(cases: u32) -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
        if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
            config.rng_seed = RngSeed::Fixed(18);
        }
    }
    config.failure_persistence = None;
    config
}

// --- the JSON oracle ------------------------------------------------------

/// Any JSON value, read by `serde_json`, refusing an object with a
/// repeated key (after unescaping, as the widget compares them).
struct NoRepeatedKey;

impl<'de> Deserialize<'de> for NoRepeatedKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoRepeatedKeyVisitor)
    }
}

struct NoRepeatedKeyVisitor;

impl<'de> Visitor<'de> for NoRepeatedKeyVisitor {
    type Value = NoRepeatedKey;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<NoRepeatedKey, E> {
        Ok(NoRepeatedKey)
    }
    fn visit_i64<E>(self, _: i64) -> Result<NoRepeatedKey, E> {
        Ok(NoRepeatedKey)
    }
    fn visit_u64<E>(self, _: u64) -> Result<NoRepeatedKey, E> {
        Ok(NoRepeatedKey)
    }
    fn visit_f64<E>(self, _: f64) -> Result<NoRepeatedKey, E> {
        Ok(NoRepeatedKey)
    }
    fn visit_str<E>(self, _: &str) -> Result<NoRepeatedKey, E> {
        Ok(NoRepeatedKey)
    }
    fn visit_unit<E>(self) -> Result<NoRepeatedKey, E> {
        Ok(NoRepeatedKey)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NoRepeatedKey, A::Error> {
        while seq.next_element::<NoRepeatedKey>()?.is_some() {}
        Ok(NoRepeatedKey)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NoRepeatedKey, A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key) {
                return Err(de::Error::custom("repeated key"));
            }
            map.next_value::<NoRepeatedKey>()?;
        }
        Ok(NoRepeatedKey)
    }
}

/// The verdict the widget's reader must give: `serde_json`'s, except that
/// a text with a repeated key in some object is refused.
fn expected_verdict(bytes: &[u8]) -> bool {
    serde_json::from_slice::<NoRepeatedKey>(bytes).is_ok()
}

/// Same data: strings, order, structure; numbers equal (whole numbers
/// exactly, others within the reader's documented closeness).
fn same_tree(ours: &json::Value, theirs: &serde_json::Value) -> bool {
    use serde_json::Value as S;
    match (ours, theirs) {
        (json::Value::Null, S::Null) => true,
        (json::Value::Bool(a), S::Bool(b)) => a == b,
        (json::Value::Number(a), S::Number(b)) => {
            // The reader scales by powers of ten that underflow below
            // about 1e-290, so numbers that small may read as zero.
            let b = b.as_f64().unwrap();
            a == &b || (a - b).abs() <= 1e-9 * b.abs() || (a - b).abs() < 1e-280
        }
        (json::Value::String(a), S::String(b)) => a == b,
        (json::Value::Array(a), S::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_tree(x, y))
        }
        (json::Value::Object(a), S::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k.as_ref()).is_some_and(|w| same_tree(v, w)))
        }
        _ => false,
    }
}

fn check_json(bytes: &[u8]) -> Result<(), TestCaseError> {
    let want = expected_verdict(bytes);
    let got = json::parse(bytes);
    prop_assert_eq!(
        got.is_ok(),
        want,
        "widget::json {} what serde_json {} (repeated keys refused): {:?} ({:?})",
        if got.is_ok() { "accepts" } else { "refuses" },
        if want { "accepts" } else { "refuses" },
        String::from_utf8_lossy(bytes),
        got.as_ref().err()
    );
    if let Ok(ours) = got {
        let theirs: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        prop_assert!(
            same_tree(&ours, &theirs),
            "different data: {:?} vs {:?}",
            ours,
            theirs
        );
    }
    Ok(())
}

// --- JSON generators ------------------------------------------------------

fn json_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{0,3}",
        any::<String>(),
        proptest::collection::vec(
            prop::sample::select(vec![
                'a',
                '"',
                '\\',
                '/',
                '\u{0}',
                '\u{1f}',
                '\u{7f}',
                'é',
                '\u{2028}',
                '\u{fffd}',
                '\u{1F600}',
                '\u{202e}',
            ]),
            0..6
        )
        .prop_map(|c| c.into_iter().collect()),
    ]
}

fn json_number() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_filter_map("finite", |f| {
            serde_json::Number::from_f64(f).map(serde_json::Value::Number)
        }),
        (-1000i32..1000).prop_map(|n| serde_json::Value::from(f64::from(n) / 8.0)),
    ]
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        json_number(),
        json_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((json_string(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A small deterministic generator for the writing choices, so that one
/// value is written many ways (whitespace, escapes, number spellings).
struct Choices(u64);

impl Choices {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn write_ws(out: &mut String, c: &mut Choices) {
    for _ in 0..c.next(3) {
        out.push([' ', '\t', '\n', '\r'][c.next(4) as usize]);
    }
}

fn write_string(out: &mut String, s: &str, c: &mut Choices) {
    out.push('"');
    for ch in s.chars() {
        let must = ch == '"' || ch == '\\' || ch < ' ';
        match c.next(4) {
            0 if !must => out.push(ch),
            1 | 2 if !must && ch != '/' => out.push(ch),
            _ => {
                let mut units = [0u16; 2];
                for u in ch.encode_utf16(&mut units) {
                    if c.next(2) == 0 {
                        out.push_str(&format!("\\u{u:04x}"));
                    } else {
                        out.push_str(&format!("\\u{u:04X}"));
                    }
                }
            }
        }
    }
    out.push('"');
}

fn write_value(out: &mut String, v: &serde_json::Value, c: &mut Choices) {
    use serde_json::Value;
    write_ws(out, c);
    match v {
        Value::Null | Value::Bool(_) => out.push_str(&v.to_string()),
        Value::Number(n) => {
            let text = n.to_string();
            match (n.as_i64(), c.next(3)) {
                (Some(i), 0) if i != 0 && i.abs() < 1000 => {
                    out.push_str(&format!("{i}0e-1"));
                }
                (Some(i), 1) if i.abs() < 1000 => out.push_str(&format!("{i}E+0")),
                _ => out.push_str(&text),
            }
        }
        Value::String(s) => write_string(out, s, c),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, c);
            }
            write_ws(out, c);
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_ws(out, c);
                write_string(out, k, c);
                write_ws(out, c);
                out.push(':');
                write_value(out, item, c);
            }
            write_ws(out, c);
            out.push('}');
        }
    }
    write_ws(out, c);
}

/// Valid JSON text for a value, written one of many ways.
fn json_text() -> impl Strategy<Value = Vec<u8>> {
    (json_value(), any::<u64>()).prop_map(|(v, seed)| {
        let mut out = String::new();
        write_value(&mut out, &v, &mut Choices(seed | 1));
        out.into_bytes()
    })
}

/// Bytes a mutation may insert: JSON's own syntax, and what breaks it.
const NOISE: &[u8] =
    b"{}[]\",:\\/-+.eE0123456789 \t\n\rtrufalsn\x00\x01\x7f\xc3\xa9\xff\xed\xa0\x80u";

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Insert(usize, u8),
    Replace(usize, u8),
    Truncate(usize),
    Repeat(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let noise = prop::sample::select(NOISE.to_vec());
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), noise.clone()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<usize>(), noise).prop_map(|(i, b)| Mutation::Replace(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..8).prop_map(|(i, n)| Mutation::Repeat(i, n)),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len();
        let at = |i: usize| if len == 0 { 0 } else { i % (len + 1) };
        match *m {
            Mutation::Delete(i) if len > 0 => {
                bytes.remove(i % len);
            }
            Mutation::Insert(i, b) => bytes.insert(at(i), b),
            Mutation::Replace(i, b) if len > 0 => bytes[i % len] = b,
            Mutation::Truncate(i) => bytes.truncate(at(i)),
            Mutation::Repeat(i, n) if len > 0 => {
                let start = i % len;
                let end = (start + n).min(len);
                let piece = bytes[start..end].to_vec();
                bytes.splice(start..start, piece);
            }
            _ => {}
        }
    }
    bytes
}

/// Text made of JSON tokens, legal and not, in any order.
fn token_soup() -> impl Strategy<Value = Vec<u8>> {
    let token = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"a\"",
        "\"\\u0061\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\u00e9\"",
        "\"\\x41\"",
        "\"\\/\"",
        "\"\t\"",
        "\"",
        "null",
        "true",
        "false",
        "nul",
        "True",
        "0",
        "-0",
        "01",
        "1.",
        ".5",
        "1e5",
        "1E+2",
        "1e-7",
        "-",
        "1e400",
        "-1e400",
        "18446744073709551616",
        "1.7976931348623157e308",
        "NaN",
        "Infinity",
        "'a'",
        "/**/",
        " ",
        "\n",
        "\u{feff}",
        "\u{a0}",
    ]);
    proptest::collection::vec(token, 0..24).prop_map(|t| t.concat().into_bytes())
}

/// An object with a key repeated, directly or through an escape,
/// somewhere in an otherwise valid text.
fn repeated_key_text() -> impl Strategy<Value = Vec<u8>> {
    (
        json_value(),
        json_value(),
        "[a-z]{1,3}",
        any::<bool>(),
        0usize..3,
    )
        .prop_map(|(a, b, key, escaped, depth)| {
            let again = if escaped {
                key.chars()
                    .map(|c| format!("\\u{:04x}", c as u32))
                    .collect()
            } else {
                key.clone()
            };
            let mut text = format!("{{\"{key}\":{a},\"x{key}\":1,\"{again}\":{b}}}");
            for _ in 0..depth {
                text = format!("[{text}, {{\"k\": {text}}}]");
            }
            text.into_bytes()
        })
}

/// Arrays and objects nested around the readers' shared depth limit.
fn deep_text() -> impl Strategy<Value = Vec<u8>> {
    (120usize..136, any::<bool>()).prop_map(|(depth, objects)| {
        let (open, close) = if objects {
            ("{\"a\":", "}")
        } else {
            ("[", "]")
        };
        format!("{}0{}", open.repeat(depth), close.repeat(depth)).into_bytes()
    })
}

/// The edges of the number grammar and of the nesting limit, every run.
#[test]
fn json_edges_agree_with_serde() {
    let mut texts: Vec<String> = [
        "1.7976931348623157e308",
        "-1.7976931348623157e308",
        "1.7976931348623158e308",
        "2e308",
        "1e308",
        "5e-324",
        "1e-400",
        "-0",
        "-0.0e-0",
        "0e0",
        "18446744073709551616",
        "-9223372036854775809",
        "1E400",
        "0.000000000000000000000000000001e330",
        "100000000000000000000000000000e-20",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for depth in [126, 127, 128, 129] {
        texts.push(format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
        texts.push(format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth)));
    }
    let failures: Vec<String> = texts
        .iter()
        .filter(|t| check_json(t.as_bytes()).is_err())
        .map(|t| format!("{t:.40}… ({} bytes)", t.len()))
        .collect();
    assert!(
        failures.is_empty(),
        "widget::json and serde_json disagree on {failures:#?}"
    );
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn json_valid_texts_agree_with_serde(text in json_text()) {
        check_json(&text)?;
    }

    #[test]
    fn json_mutated_texts_agree_with_serde(
        text in json_text(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        check_json(&mutate(text, &mutations))?;
    }

    #[test]
    fn json_token_soup_agrees_with_serde(text in token_soup()) {
        check_json(&text)?;
    }

    #[test]
    fn json_arbitrary_bytes_agree_with_serde(bytes in proptest::collection::vec(any::<u8>(), 0..32)) {
        check_json(&bytes)?;
    }

    #[test]
    fn json_repeated_keys_are_refused(text in repeated_key_text()) {
        prop_assert!(!expected_verdict(&text));
        check_json(&text)?;
    }

    #[test]
    fn json_nesting_limit_agrees_with_serde(text in deep_text()) {
        check_json(&text)?;
    }
}

// --- safe_url ---------------------------------------------------------------

/// Strings shaped like URLs, with the tricks browsers are known for.
fn url_like() -> impl Strategy<Value = String> {
    let lead = prop::sample::select(vec![
        "", "", "", " ", "\t", "\n", "\u{0}", "\u{1}", "\u{1f}", "\u{a0}", "\u{feff}", " \t",
    ]);
    let scheme = prop_oneof![
        prop::sample::select(vec![
            "http",
            "https",
            "HTTP",
            "hTtPs",
            "javascript",
            "JavaScript",
            "java\tscript",
            "jav\nascript",
            "data",
            "vbscript",
            "file",
            "ftp",
            "blob",
            "about",
            "ws",
            "mailto",
            "h",
            "https+x",
            "1http",
            "",
            "java\u{200b}script",
            "ｊavascript",
            "%6aavascript",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z][a-zA-Z0-9+.-]{0,6}",
    ];
    let sep = prop::sample::select(vec![
        ":", "://", "://", "://", ":/", ":\\\\", ":\\/", ":/\\", "", "//", "\\\\", "/", "%3A",
        "&#58;", ":\t//", ": //", "\u{0}:",
    ]);
    let user = prop::sample::select(vec![
        "",
        "",
        "",
        "user@",
        "u:p@",
        "@",
        "a%40b@",
        "good.example\\@",
        "x/@",
        "x?@",
    ]);
    let host = prop_oneof![
        prop::sample::select(vec![
            "example.com",
            "EXAMPLE.com",
            "ехаmple.com",
            "xn--80ak6aa92e.com",
            "127.0.0.1",
            "2130706433",
            "0x7f.1",
            "[::1]",
            "[::ffff:127.0.0.1]",
            "",
            ".",
            ".example",
            "a..b",
            "%65vil.com",
            "evil.com.",
            "ex ample.com",
            "exa\tmple.com",
            "[",
            "a:b",
            "ＥＸＡＭＰＬＥ.com",
            "例え.jp",
            "evil.com\u{3002}x",
        ])
        .prop_map(str::to_owned),
        "[a-z0-9.-]{0,10}",
    ];
    let port = prop::sample::select(vec!["", "", ":80", ":", ":99999", ":0x50", ":-1", ":443"]);
    let rest = prop_oneof![
        "[/\\\\?#@:%a-z0-9.]{0,12}",
        any::<String>().prop_map(|s| s.chars().take(8).collect()),
    ];
    let trail = prop::sample::select(vec!["", "", " ", "\n", "\u{0}"]);
    prop_oneof![
        (lead, scheme, sep, user, host, port, rest, trail)
            .prop_map(|(l, s, sep, u, h, p, r, t)| format!("{l}{s}{sep}{u}{h}{p}{r}{t}")),
        any::<String>(),
        "[a-z:/\\\\.@%#?\t ]{0,16}",
    ]
}

fn base() -> url::Url {
    url::Url::parse("https://base.example/dir/page?q#f").unwrap()
}

/// The host `check_url` saw in an absolute URL it accepted: from after
/// `//` to the first `/`, `\`, `?` or `#`, without the port.
fn host_seen(accepted: &str) -> &str {
    let after = accepted.split_once("//").map_or("", |(_, r)| r);
    let authority = after.split(['/', '\\', '?', '#']).next().unwrap_or("");
    if authority.starts_with('[') {
        return authority
            .find(']')
            .map_or(authority, |end| &authority[..=end]);
    }
    authority.rsplit_once(':').map_or(authority, |(h, _)| h)
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn safe_url_lets_only_http_and_relative_through(raw in url_like()) {
        let whatwg = url::Url::parse(&raw);
        let Ok(accepted) = check_url(&raw) else { return Ok(()); };
        // What the WHATWG parser reads as absolute must be http(s).
        if let Ok(u) = &whatwg {
            prop_assert!(
                matches!(u.scheme(), "http" | "https"),
                "{raw:?} accepted, but it is a {} URL", u.scheme()
            );
        }
        prop_assert!(!accepted.chars().any(char::is_control), "{accepted:?}");
        // Accepting is stable: the output is accepted as it is.
        prop_assert_eq!(check_url(&accepted), Ok(accepted.clone()));
        // Resolved on an https page it stays http(s).
        if let Ok(j) = base().join(&accepted) {
            prop_assert!(matches!(j.scheme(), "http" | "https"), "{raw:?} → {j}");
        }
    }

    #[test]
    fn safe_url_agrees_with_whatwg_on_scheme_and_host(raw in url_like()) {
        let Ok(accepted) = check_url(&raw) else { return Ok(()); };
        let from_raw = base().join(&raw);
        let from_accepted = base().join(&accepted);
        // check_url only trims what the parser trims: the same result.
        prop_assert_eq!(
            from_raw.as_ref().map(url::Url::as_str).ok(),
            from_accepted.as_ref().map(url::Url::as_str).ok(),
            "{:?} vs its output {:?}", raw, accepted
        );
        let Ok(resolved) = from_accepted else { return Ok(()); };
        if is_absolute_http(&accepted) {
            let scheme = accepted.split_once(':').map_or("", |(s, _)| s);
            prop_assert_eq!(scheme, resolved.scheme(), "{:?}", raw);
            // The authority ends where the parser ends it.
            let seen = host_seen(&accepted);
            let alone = url::Url::parse(&format!("{scheme}://{seen}/"));
            prop_assert_eq!(
                alone.as_ref().ok().and_then(url::Url::host_str),
                resolved.host_str(),
                "{:?}: check_url saw the host {:?}", raw, seen
            );
        } else {
            // A relative URL stays on the page's host.
            prop_assert_eq!(resolved.scheme(), "https", "{:?}", raw);
            prop_assert_eq!(resolved.host_str(), Some("base.example"), "{:?} → {}", raw, resolved);
        }
    }
}

// --- text cleaning ----------------------------------------------------------

fn tricky_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(
            prop::sample::select(vec![
                ' ', '\t', '\n', '\r', '\u{0}', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}',
                '\u{a0}', '\u{2028}', '\u{2029}', '\u{200b}', '\u{202e}', '\u{2066}', '\u{feff}',
                '\u{3000}', 'a', 'é', '\u{301}', '漢', '😀', '…',
            ]),
            0..40,
        )
        .prop_map(|c| c.into_iter().collect()),
    ]
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn clean_text_is_idempotent(raw in tricky_text()) {
        let once = clean_text(&raw);
        prop_assert_eq!(clean_text(&once), once.clone(), "{:?}", raw);
        prop_assert!(!once.chars().any(char::is_control), "{:?}", once);
        prop_assert_eq!(once.trim(), once.as_str());
        let folded = once.chars().zip(once.chars().skip(1)).any(|(a, b)| a.is_whitespace() && b.is_whitespace());
        prop_assert!(!folded, "a run of whitespace is left in {:?}", once);
    }

    #[test]
    fn cleaned_then_cut_text_stays_clean(raw in tricky_text(), max in 0usize..50) {
        let once = clean_text(&raw);
        let (cut, _) = truncate_chars(&once, max);
        prop_assert!(cut.chars().count() <= max, "{:?}", cut);
        prop_assert_eq!(clean_text(&cut), cut.clone());
        prop_assert_eq!(truncate_chars(&cut, max).0, cut);
    }
}
