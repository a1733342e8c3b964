//! HTML fragments (feed descriptions and contents) to plain text, through
//! html5ever's tokenizer: the browser's own tokenizing rules (character
//! references, raw-text elements, broken markup), and no tree, so the work
//! is one pass over the input and nesting costs nothing.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// What an HTML fragment gives a card.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HtmlText {
    /// The visible text, runs of whitespace folded to one space; at most
    /// the `max_chars` asked for.
    pub text: String,
    /// `src` of the first `<img>`, as written (not resolved, not checked).
    pub first_image: Option<String>,
}

/// Elements that end a run of text: a space keeps the words on both sides
/// apart (`<p>a</p><p>b</p>` reads "a b", not "ab").
fn breaks_text(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "br"
            | "caption"
            | "dd"
            | "details"
            | "div"
            | "dl"
            | "dt"
            | "figcaption"
            | "figure"
            | "footer"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "img"
            | "li"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "td"
            | "th"
            | "tr"
            | "ul"
    )
}

/// Elements whose content is never shown as text, and how the tokenizer
/// must read it (as a browser does, so `</p>` inside a script does not end
/// anything).
fn hidden_content(name: &str) -> Option<RawKind> {
    match name {
        "script" => Some(RawKind::ScriptData),
        "style" | "iframe" | "noembed" | "noframes" | "noscript" | "xmp" => Some(RawKind::Rawtext),
        "title" | "textarea" => Some(RawKind::Rcdata),
        _ => None,
    }
}

/// Elements skipped with everything inside them that the tokenizer reads
/// as markup (their content is not raw text, but is not the article's).
fn skipped_element(name: &str) -> bool {
    matches!(name, "template" | "svg" | "math" | "object" | "head")
}

struct Sink {
    max_chars: usize,
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    out: HtmlText,
    chars: usize,
    /// Inside a raw-text element: text is dropped until its end tag.
    in_hidden: bool,
    /// Depth inside skipped elements (counted by name, so that an unclosed
    /// one only hides what follows it, as a browser would).
    skipped_depth: usize,
}

impl State {
    fn push_text(&mut self, text: &str, max_chars: usize) {
        if self.in_hidden || self.skipped_depth > 0 {
            return;
        }
        // Whitespace is folded here, so the cap counts characters that
        // will be kept.
        for c in text.chars() {
            if self.chars >= max_chars {
                return;
            }
            if c.is_whitespace() {
                if self.out.text.is_empty() || self.out.text.ends_with(' ') {
                    continue;
                }
                self.out.text.push(' ');
            } else {
                self.out.text.push(c);
            }
            self.chars += 1;
        }
    }

    fn tag(&mut self, tag: &Tag, max_chars: usize) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        match tag.kind {
            TagKind::StartTag => {
                if name == "img" && self.out.first_image.is_none() && self.skipped_depth == 0 {
                    self.out.first_image = tag
                        .attrs
                        .iter()
                        .find(|a| &*a.name.local == "src")
                        .map(|a| a.value.to_string())
                        .filter(|s| !s.trim().is_empty());
                }
                if skipped_element(name) && !tag.self_closing {
                    self.skipped_depth = self.skipped_depth.saturating_add(1);
                }
                if breaks_text(name) {
                    self.push_text(" ", max_chars);
                }
                if let Some(kind) = hidden_content(name)
                    && !tag.self_closing
                {
                    self.in_hidden = true;
                    return TokenSinkResult::RawData(kind);
                }
            }
            TagKind::EndTag => {
                if hidden_content(name).is_some() {
                    self.in_hidden = false;
                }
                if skipped_element(name) {
                    self.skipped_depth = self.skipped_depth.saturating_sub(1);
                }
                if breaks_text(name) {
                    self.push_text(" ", max_chars);
                }
            }
        }
        TokenSinkResult::Continue
    }
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let Ok(mut state) = self.state.try_borrow_mut() else {
            return TokenSinkResult::Continue;
        };
        match token {
            Token::TagToken(tag) => state.tag(&tag, self.max_chars),
            Token::CharacterTokens(text) => {
                state.push_text(&text, self.max_chars);
                TokenSinkResult::Continue
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

/// The plain text of an HTML fragment (at most `max_chars` characters are
/// kept; the rest is still read, for the first image) and its first image.
pub fn html_to_text(html: &str, max_chars: usize) -> HtmlText {
    let sink = Sink {
        max_chars,
        state: RefCell::new(State::default()),
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    // The sink never asks to pause for a script, so one call reads it all.
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let state = tokenizer.sink.state.take();
    state.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bundle::text::clean_text;

    fn text(html: &str) -> String {
        clean_text(&html_to_text(html, 10_000).text)
    }

    #[test]
    fn blocks_separate_words_and_inline_does_not() {
        assert_eq!(text("<p>One</p><p>Two <b>th</b>ree</p>"), "One Two three");
        assert_eq!(text("a<br>b<li>c</li>"), "a b c");
    }

    #[test]
    fn entities_decode_once() {
        assert_eq!(text("Fish &amp; chips"), "Fish & chips");
        // A double-encoded `&amp;amp;` is decoded once: the text shows
        // `&amp;`, which is what the author's feed literally says.
        assert_eq!(text("Fish &amp;amp; chips"), "Fish &amp; chips");
        assert_eq!(text("caf&eacute; &#8212; &#x263A;"), "café — ☺");
        assert_eq!(text("a &lt;script&gt; b"), "a <script> b");
    }

    #[test]
    fn hidden_content_is_dropped() {
        assert_eq!(
            text("a<script>document.write('</p>x')</script>b<style>p{}</style>c"),
            "abc"
        );
        assert_eq!(text("a<template><p>t</p></template> b"), "a b");
        assert_eq!(text("a<svg><text>x</text></svg>b"), "ab");
        assert_eq!(text("<!-- note -->x"), "x");
    }

    #[test]
    fn first_image_and_cap() {
        let got = html_to_text("<p>Hello world</p><img src=\"/a.png\"><img src=b.png>", 5);
        assert_eq!(got.text, "Hello");
        assert_eq!(got.first_image.as_deref(), Some("/a.png"));
    }

    #[test]
    fn broken_markup_is_text_or_nothing() {
        assert_eq!(text("<p>unclosed <b>bold"), "unclosed bold");
        assert_eq!(text("a < b > c"), "a < b > c");
        assert_eq!(text("<div"), "");
    }

    #[test]
    fn deep_nesting_is_flat_work() {
        let html = "<div>".repeat(100_000) + "deep" + &"</div>".repeat(100_000);
        assert_eq!(text(&html), "deep");
    }
}
