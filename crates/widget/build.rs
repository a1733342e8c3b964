//! Build script: a minified copy of the widget stylesheet for the wasm.
//!
//! `src/style.css` stays the readable source; the widget embeds
//! `$OUT_DIR/style.min.css` (`include_str!` in `widget::components`):
//! comments dropped, whitespace runs collapsed to one space and removed
//! around `{`, `}`, `;`, `,` and after `:` (never inside strings, never
//! before `:` or around combinators, where it can matter). For size: see docs/size.md.

use std::error::Error;
use std::path::PathBuf;

const SOURCE: &str = "src/style.css";

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed={SOURCE}");
    println!("cargo::rerun-if-changed=build.rs");
    let css = std::fs::read_to_string(SOURCE)?;
    let min = minify_css(&css);
    // Only comments and whitespace may differ.
    if squeeze(&css) != squeeze(&min) {
        return Err("style.css: the minified stylesheet differs in more than whitespace".into());
    }
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("style.min.css");
    std::fs::write(out, min)?;
    Ok(())
}

/// Characters around which whitespace never matters in CSS.
fn tight(c: char) -> bool {
    matches!(c, '{' | '}' | ';' | ',')
}

fn minify_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            let mut prev = ' ';
            for d in chars.by_ref() {
                if prev == '*' && d == '/' {
                    break;
                }
                prev = d;
            }
            space = true;
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            space = false;
            // After `:` too: a declaration's value may start right after
            // it, and in a selector a pseudo-class never follows a space.
            if !out.is_empty() && !out.ends_with(tight) && !out.ends_with(':') && !tight(c) {
                out.push(' ');
            }
        }
        if c == '}' && out.ends_with(';') {
            out.pop();
        }
        out.push(c);
        if c == '"' || c == '\'' {
            while let Some(d) = chars.next() {
                out.push(d);
                if d == '\\' {
                    if let Some(e) = chars.next() {
                        out.push(e);
                    }
                } else if d == c {
                    break;
                }
            }
        }
    }
    out.push('\n');
    out
}

/// The stylesheet without comments, whitespace and `;` before `}`: what
/// minifying must leave unchanged (computed independently of it).
fn squeeze(css: &str) -> String {
    let no_comments: String = css
        .split("*/")
        .map(|chunk| chunk.split("/*").next().unwrap_or_default())
        .collect();
    let no_space: String = no_comments.chars().filter(|c| !c.is_whitespace()).collect();
    no_space.replace(";}", "}")
}
