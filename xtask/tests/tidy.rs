#![cfg(not(target_arch = "wasm32"))]
// Test code may panic: a panic is a test failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Tidy: rules of ARCHITECTURE.md that a compiler does not check, checked on
//! the source text of `crates/*/src/` (every `.rs` file, read once, linear
//! in its length). Each finding is reported as `path:line: rule: what to do`.
//!
//! Before any rule looks at a file, comments are removed and the contents of
//! string and character literals are blanked (their quotes kept), so a rule
//! never matches prose or test data; line numbers are kept.
//!
//! The rules:
//! - `browser-edge`: the browser crates (`web_sys`, `js_sys`, `wasm_bindgen`,
//!   `wasm_bindgen_futures`, also as `yew::web_sys`) are named only in the
//!   modules of [`BROWSER_EDGE`], which is the list in ARCHITECTURE.md's
//!   invariants (a test checks that the two lists are the same).
//! - `literal-class`: inside `html!`, an attribute `class` is a string
//!   literal, `class="a b"`. Anything else is non-literal: `class={…}`
//!   (even `class={"a"}`: Yew turns every braced value into its `Classes`
//!   set), the shorthand `{class}`, and `classes!(…)` anywhere. Variants are
//!   data attributes; see docs/size.md.
//! - `inline-style`: no `style=` attribute inside `html!` (one constructable
//!   stylesheet, so a strict `style-src` CSP holds).
//! - `no-unwrap`: no `.unwrap()`/`.expect(…)` call outside test code. Test
//!   code is an item marked `#[test]` or `#[cfg(test)]` (or
//!   `#[cfg(all(test, …))]`), and a file declared by `#[cfg(test)] mod x;`.
//!   The check is textual: a method of our own named `unwrap` or `expect`
//!   would be reported too, so name it otherwise. Clippy denies the same
//!   calls on `Option`/`Result`; this rule also covers code clippy does not
//!   build (the other target's `cfg`s).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The modules that may name a browser crate, relative to the repository.
/// Keep in step with ARCHITECTURE.md ("Invariants").
const BROWSER_EDGE: &[&str] = &[
    "crates/widget/src/browser.rs",
    "crates/widget/src/load.rs",
    "crates/widget/src/mount.rs",
    "crates/widget/src/root.rs",
    "crates/widget/src/components/carousel/dom.rs",
    "crates/widget/src/components/view.rs",
    "crates/widget/src/time.rs",
    "crates/widget/src/url.rs",
    "crates/widget/src/case.rs",
    "crates/widget/src/json.rs",
];

const BROWSER_CRATES: &[&str] = &["web_sys", "js_sys", "wasm_bindgen", "wasm_bindgen_futures"];

#[derive(Debug, PartialEq, Eq)]
struct Finding {
    line: usize,
    rule: &'static str,
    message: String,
}

#[test]
fn tidy() {
    let root = repo_root();
    let root = root.as_path();
    let mut files = Vec::new();
    for krate in std::fs::read_dir(root.join("crates")).unwrap() {
        let src = krate.unwrap().path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    files.sort();
    assert!(
        files.len() > 20,
        "found only {} files under crates/*/src/",
        files.len()
    );

    let texts: Vec<(String, String)> = files
        .iter()
        .map(|path| {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(path)
                .to_string_lossy()
                .replace('\\', "/");
            let text =
                std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (rel, text)
        })
        .collect();

    let test_files: BTreeSet<String> = texts
        .iter()
        .flat_map(|(rel, text)| test_module_files(rel, &mask(text)))
        .collect();

    let mut report = Vec::new();
    for (rel, text) in &texts {
        let code = mask(text);
        let mut findings = Vec::new();
        if !BROWSER_EDGE.contains(&rel.as_str()) {
            findings.extend(browser_calls(&code));
        }
        findings.extend(html_rules(&code));
        if !test_files.contains(rel) {
            findings.extend(unwraps(&code));
        }
        for f in findings {
            report.push(format!("{rel}:{}: {}: {}", f.line, f.rule, f.message));
        }
    }
    assert!(report.is_empty(), "tidy:\n{}", report.join("\n"));
}

#[test]
fn architecture_lists_the_browser_edge() {
    let root = repo_root();
    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let listed = edge_list_in(&doc);
    let ours: BTreeSet<String> = BROWSER_EDGE.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(
        listed, ours,
        "ARCHITECTURE.md's browser-edge invariant and tests/tidy.rs's BROWSER_EDGE differ"
    );
    for path in BROWSER_EDGE {
        assert!(
            root.join(path).is_file(),
            "{path} is listed but does not exist"
        );
    }
}

/// The repository root (xtask's parent).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The backticked `crates/widget/src/…` paths of the paragraph of `doc` that starts with
/// "Browser calls" (up to the next blank line).
fn edge_list_in(doc: &str) -> BTreeSet<String> {
    let Some(start) = doc.find("Browser calls") else {
        return BTreeSet::new();
    };
    let rest = &doc[start..];
    let para = &rest[..rest.find("\n\n").unwrap_or(rest.len())];
    para.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("crates/widget/src/") && s.ends_with(".rs"))
        .map(str::to_owned)
        .collect()
}

/// `text` with comments replaced by spaces and the contents of string and
/// character literals blanked (their delimiters kept). Newlines stay where
/// they were and every other byte becomes one byte, so offsets and line
/// numbers are those of `text`.
fn mask(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let blank = |c: u8| if c == b'\n' { b'\n' } else { b' ' };
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == b'/' && next == Some(b'/') {
            while i < b.len() && b[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
        } else if c == b'/' && next == Some(b'*') {
            let mut depth = 0usize;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    out.extend([b' ', b' ']);
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    out.extend([b' ', b' ']);
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == b'r'
            && (i == 0 || !ident(b[i - 1]) || (b[i - 1] == b'b' && (i < 2 || !ident(b[i - 2]))))
            && matches!(next, Some(b'"' | b'#'))
            && {
                let hashes = b[i + 1..].iter().take_while(|&&h| h == b'#').count();
                b.get(i + 1 + hashes) == Some(&b'"')
            }
        {
            // A raw string: r"…", r#"…"#, br#"…"#.
            let hashes = b[i + 1..].iter().take_while(|&&h| h == b'#').count();
            out.push(b'r');
            out.extend(std::iter::repeat_n(b'#', hashes));
            out.push(b'"');
            i += 2 + hashes;
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            while i < b.len() && !b[i..].starts_with(&close) {
                out.push(blank(b[i]));
                i += 1;
            }
            out.extend(b.get(i..i + close.len()).unwrap_or(&[]));
            i += close.len();
        } else if c == b'"' {
            out.push(b'"');
            i += 1;
            while i < b.len() && b[i] != b'"' {
                let step = if b[i] == b'\\' { 2 } else { 1 };
                out.extend(b[i..(i + step).min(b.len())].iter().map(|&c| blank(c)));
                i += step;
            }
            if i < b.len() {
                out.push(b'"');
                i += 1;
            }
        } else if c == b'\'' {
            // A character literal ('x', '\n', '\u{..}', 'é') or a lifetime.
            let len = if next == Some(b'\\') {
                b[i + 2..].iter().position(|&q| q == b'\'').map(|p| p + 3)
            } else {
                let ch = text[i + 1..].chars().next().map_or(0, char::len_utf8);
                (ch > 0 && b.get(i + 1 + ch) == Some(&b'\'')).then_some(ch + 2)
            };
            match len {
                Some(len) => {
                    out.push(b'\'');
                    out.extend(std::iter::repeat_n(b' ', len - 2));
                    out.push(b'\'');
                    i += len;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn line_of(code: &str, at: usize) -> usize {
    code.as_bytes()[..at]
        .iter()
        .filter(|&&c| c == b'\n')
        .count()
        + 1
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Offsets of `word` in `code` as a whole identifier (`extra` also counts as
/// part of a name on both sides, e.g. `-` for attribute names).
fn words<'a>(code: &'a str, word: &'a str, extra: u8) -> impl Iterator<Item = usize> + 'a {
    let b = code.as_bytes();
    let part = move |c: u8| is_ident(c) || c == extra;
    code.match_indices(word)
        .map(|(at, _)| at)
        .filter(move |&at| {
            (at == 0 || !part(b[at - 1])) && b.get(at + word.len()).is_none_or(|&c| !part(c))
        })
}

fn browser_calls(code: &str) -> Vec<Finding> {
    let mut found: Vec<Finding> = BROWSER_CRATES
        .iter()
        .flat_map(|krate| {
            words(code, krate, 0).map(move |at| Finding {
                line: line_of(code, at),
                rule: "browser-edge",
                message: format!(
                    "`{krate}` outside the browser-edge modules (move the call to one, \
                     or list the module in ARCHITECTURE.md and tests/tidy.rs)"
                ),
            })
        })
        .collect();
    found.sort_by_key(|f| f.line);
    found
}

/// Byte ranges of the bodies of `html!` invocations (nested ones included
/// in their parent's).
fn html_bodies(code: &str) -> Vec<(usize, usize)> {
    let b = code.as_bytes();
    let mut bodies = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("html!").map(|p| p + from) {
        from = at + 5;
        if at > 0 && is_ident(b[at - 1]) {
            continue;
        }
        let Some(open) = b[from..].iter().position(|c| !c.is_ascii_whitespace()) else {
            break;
        };
        let open = from + open;
        let (o, c) = match b[open] {
            b'{' => (b'{', b'}'),
            b'(' => (b'(', b')'),
            b'[' => (b'[', b']'),
            _ => continue,
        };
        let mut depth = 0usize;
        let mut end = b.len();
        for (k, &ch) in b.iter().enumerate().skip(open) {
            if ch == o {
                depth += 1;
            } else if ch == c {
                depth -= 1;
                if depth == 0 {
                    end = k;
                    break;
                }
            }
        }
        bodies.push((open, end));
        from = end;
    }
    bodies
}

fn html_rules(code: &str) -> Vec<Finding> {
    let b = code.as_bytes();
    let mut found = Vec::new();
    for (start, end) in html_bodies(code) {
        let body = &code[start..end];
        for at in words(body, "class", b'-') {
            let after = body[at + 5..].trim_start();
            let literal = after.strip_prefix('=').map(str::trim_start);
            let shorthand = b[..start + at]
                .iter()
                .rev()
                .find(|c| !c.is_ascii_whitespace())
                == Some(&b'{')
                && after.starts_with('}');
            if shorthand || literal.is_some_and(|v| !v.starts_with('"')) {
                found.push(Finding {
                    line: line_of(code, start + at),
                    rule: "literal-class",
                    message: "a non-literal class in html! (write class=\"…\" and put \
                              variants in data attributes; see docs/size.md)"
                        .to_owned(),
                });
            }
        }
        for at in words(body, "style", b'-') {
            if body[at + 5..].trim_start().starts_with('=') {
                found.push(Finding {
                    line: line_of(code, start + at),
                    rule: "inline-style",
                    message: "an inline style attribute in html! (style.css is the one \
                              stylesheet)"
                        .to_owned(),
                });
            }
        }
    }
    for at in code.match_indices("classes!").map(|(at, _)| at) {
        if at == 0 || !is_ident(b[at - 1]) {
            found.push(Finding {
                line: line_of(code, at),
                rule: "literal-class",
                message: "classes!(…) builds Yew's Classes set (write class=\"…\"; \
                          see docs/size.md)"
                    .to_owned(),
            });
        }
    }
    found.sort_by_key(|f| f.line);
    found
}

/// Byte ranges of test items: the item after `#[test]`, `#[cfg(test)]` or
/// `#[cfg(all(test, …))]`, up to its `;` or the brace closing its body.
fn test_items(code: &str) -> Vec<(usize, usize)> {
    let b = code.as_bytes();
    let mut items = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("#[").map(|p| p + from) {
        from = at + 2;
        let raw_len = code[at..].find(']').unwrap_or(code.len() - at);
        let attr: String = code[at..at + raw_len]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if !(attr == "#[test" || attr == "#[cfg(test)" || attr.starts_with("#[cfg(all(test,")) {
            continue;
        }
        let mut depth = 0usize;
        let mut end = b.len();
        let mut k = at + raw_len;
        while k < b.len() {
            match b[k] {
                b'[' if depth == 0 && b.get(k.wrapping_sub(1)) == Some(&b'#') => {
                    // Another attribute on the same item: skip it.
                    let close = b[k..]
                        .iter()
                        .position(|&c| c == b']')
                        .map_or(b.len(), |p| k + p);
                    k = close;
                }
                b';' if depth == 0 => {
                    end = k;
                    break;
                }
                b'{' => depth += 1,
                b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = k;
                        break;
                    }
                }
                _ => {}
            }
            k += 1;
        }
        items.push((at, end));
        from = end.max(from);
    }
    items
}

/// Files declared as test modules by `#[cfg(test)] mod name;` in the file
/// `rel` (whose masked text is `code`).
fn test_module_files(rel: &str, code: &str) -> Vec<String> {
    let dir = match rel.rsplit_once('/') {
        Some((dir, "mod.rs" | "lib.rs" | "main.rs")) => dir.to_owned(),
        _ => rel.trim_end_matches(".rs").to_owned(),
    };
    test_items(code)
        .into_iter()
        .filter_map(|(start, end)| {
            let item = code.get(start..=end)?;
            let name = item.split("mod ").nth(1)?.strip_suffix(';')?.trim();
            name.bytes()
                .all(is_ident)
                .then(|| [format!("{dir}/{name}.rs"), format!("{dir}/{name}/mod.rs")])
        })
        .flatten()
        .collect()
}

fn unwraps(code: &str) -> Vec<Finding> {
    let tests = test_items(code);
    let mut found = Vec::new();
    for call in ["unwrap", "expect"] {
        for at in words(code, call, 0) {
            let before = code[..at].trim_end();
            let after = code[at + call.len()..].trim_start();
            if before.ends_with('.')
                && after.starts_with('(')
                && !tests.iter().any(|&(s, e)| s <= at && at <= e)
            {
                found.push(Finding {
                    line: line_of(code, at),
                    rule: "no-unwrap",
                    message: format!(
                        "`.{call}(…)` outside tests (return or report the error; the \
                         widget never panics on data)"
                    ),
                });
            }
        }
    }
    found.sort_by_key(|f| f.line);
    found
}

// The matchers on small strings: each rule must see what it is for, and
// nothing else.

fn lines(found: Vec<Finding>) -> Vec<(usize, &'static str)> {
    found.into_iter().map(|f| (f.line, f.rule)).collect()
}

#[test]
fn mask_blanks_comments_strings_and_chars() {
    let src = "a // web_sys\nb /* x /* y */ z */ c \"s{\\\"}\" '{' 'a r#\"q\"# \"\n\"";
    let m = mask(src);
    assert_eq!(m.len(), src.len());
    assert_eq!(m.lines().count(), src.lines().count());
    assert!(!m.contains("web_sys") && !m.contains('{') && !m.contains('q') && !m.contains('x'));
    assert!(m.contains("'a r#"), "a lifetime stays code: {m:?}");
    assert!(m.contains('c'));
}

#[test]
fn browser_edge_matches_the_crates_as_words() {
    let code = mask(
        "use web_sys::Element;\nlet x = 1; // js_sys\nfn f() { js_sys::global(); }\n#[wasm_bindgen]\nwasm_bindgen_futures::spawn_local(f);\nlet my_web_sys = 0;\nlet s = \"web_sys\";\nyew::web_sys::window();",
    );
    assert_eq!(
        lines(browser_calls(&code)),
        [
            (1, "browser-edge"),
            (3, "browser-edge"),
            (4, "browser-edge"),
            (5, "browser-edge"),
            (8, "browser-edge")
        ]
    );
}

#[test]
fn literal_class_allows_string_literals_only() {
    let ok = mask(
        "html! { <div class=\"a b\" data-class={x}><p class = \"c\">{\"class={\"}</p></div> }",
    );
    assert_eq!(lines(html_rules(&ok)), []);
    let bad = mask(
        "html! {\n<div class={x}>\n<p class={\"a\"} />\n<i {class} />\n</div> }\nlet c = classes!(\"a\");\nlet class = x;",
    );
    assert_eq!(
        lines(html_rules(&bad)),
        [
            (2, "literal-class"),
            (3, "literal-class"),
            (4, "literal-class"),
            (6, "literal-class")
        ]
    );
}

#[test]
fn inline_style_is_found_in_html_only() {
    let code = mask(
        "html!(<div style=\"color: red\" data-style=\"x\">\n<p style={s} /></div>)\nlet style = 1;\nhtml! { <i>{\"style=\"}</i> }",
    );
    assert_eq!(
        lines(html_rules(&code)),
        [(1, "inline-style"), (2, "inline-style")]
    );
}

#[test]
fn unwrap_outside_tests_is_found() {
    let code = mask(
        "fn f() { a.unwrap(); b.unwrap_or(0); c\n    .expect(\"x\"); }\n\
         #[cfg(test)]\nmod tests {\n    fn g() { a.unwrap(); }\n}\n\
         #[test]\nfn t() { x.expect(\"y\"); }\n\
         fn h() { let s = \"a.unwrap()\"; z.unwrap() }\n\
         #[cfg(all(test, feature = \"cli\"))]\n#[allow(dead_code)]\nfn u() { q.unwrap(); }\n\
         fn expect(x: u8) {}",
    );
    assert_eq!(
        lines(unwraps(&code)),
        [(1, "no-unwrap"), (2, "no-unwrap"), (9, "no-unwrap")]
    );
}

#[test]
fn test_module_files_are_found() {
    let code = mask("pub mod addr;\n#[cfg(test)]\nmod tests;\n");
    assert_eq!(
        test_module_files("crates/cli/src/net/mod.rs", &code),
        [
            "crates/cli/src/net/tests.rs",
            "crates/cli/src/net/tests/mod.rs"
        ]
    );
    assert_eq!(
        test_module_files("crates/widget/src/json.rs", &code),
        [
            "crates/widget/src/json/tests.rs",
            "crates/widget/src/json/tests/mod.rs"
        ]
    );
}

#[test]
fn the_edge_list_is_read_from_its_paragraph() {
    let doc = "x `crates/widget/src/a.rs`\n\nBrowser calls live in `crates/widget/src/b.rs` and\n\
               `crates/widget/src/c/d.rs` (`web_sys`).\n\n`crates/widget/src/e.rs`";
    let expected: BTreeSet<String> = ["crates/widget/src/b.rs", "crates/widget/src/c/d.rs"]
        .map(str::to_owned)
        .into();
    assert_eq!(edge_list_in(doc), expected);
}
