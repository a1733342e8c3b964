//! What RSS and Atom share: reading XML safely (no DTD, so no entity can
//! expand; a node budget; declared encodings), namespaces, `xml:base`, and
//! the text of elements.

use roxmltree::{Document, Node, ParsingOptions};

use super::{FileError, MAX_FEED_BYTES};
use crate::diag::LineIndex;

pub const ATOM: &str = "http://www.w3.org/2005/Atom";
pub const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
pub const DC: &str = "http://purl.org/dc/elements/1.1/";
pub const MEDIA: &str = "http://search.yahoo.com/mrss/";
pub const XHTML: &str = "http://www.w3.org/1999/xhtml";
pub const XML: &str = "http://www.w3.org/XML/1998/namespace";

/// Most XML nodes (elements, attributes' owners, text runs) of one feed:
/// bounds the tree's memory whatever the shape of the file.
pub const MAX_NODES: u32 = 3_000_000;

/// The text of a feed as UTF-8: UTF-8 as is (after a BOM), otherwise the
/// encoding its XML declaration names.
pub fn decode(bytes: &[u8]) -> Result<String, FileError> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or_default();
        let (text, had_errors) = enc.decode_without_bom_handling(rest);
        if had_errors {
            return Err(super::file_error(format!(
                "invalid {} in the feed",
                enc.name()
            )));
        }
        return Ok(text.into_owned());
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(utf8_error) => {
            let label = declared_encoding(bytes);
            let enc = label.and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()));
            match enc {
                Some(enc) if enc != encoding_rs::UTF_8 => {
                    let (text, _, had_errors) = enc.decode(bytes);
                    if had_errors {
                        return Err(super::file_error(format!(
                            "invalid {} in the feed",
                            enc.name()
                        )));
                    }
                    Ok(text.into_owned())
                }
                _ => {
                    let at = utf8_error.valid_up_to();
                    Err(super::file_error_at(
                        "invalid UTF-8 (and no other encoding declared)",
                        crate::diag::line_col(bytes, at),
                    ))
                }
            }
        }
    }
}

/// `encoding="…"` of the XML declaration, when there is one.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = bytes.get(..bytes.len().min(256))?;
    let head = String::from_utf8_lossy(head);
    let decl = head.strip_prefix("<?xml")?;
    let decl = decl.get(..decl.find("?>")?)?;
    let at = decl.find("encoding")?;
    let rest = decl.get(at + "encoding".len()..)?.trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = rest.get(1..)?;
    let end = value.find(quote)?;
    Some(value.get(..end)?.to_owned())
}

/// Parses XML with DTDs refused (entity declarations are the only way an
/// XML text expands beyond its size) and at most [`MAX_NODES`] nodes.
pub fn parse(text: &str) -> Result<Document<'_>, FileError> {
    if text.len() > MAX_FEED_BYTES {
        return Err(super::file_error("feed is too large"));
    }
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, options).map_err(|e| {
        let pos = e.pos();
        let at = (pos.row, pos.col);
        let message = match e {
            roxmltree::Error::DtdDetected => {
                "the feed has a DOCTYPE; DTDs are refused, so that no entity can expand".to_owned()
            }
            roxmltree::Error::NodesLimitReached => {
                format!("the feed has more than {MAX_NODES} XML nodes (cap)")
            }
            other => {
                let shown = other.to_string();
                let shown = shown.split(" at ").next().unwrap_or_default().to_owned();
                format!("invalid XML: {}", bundle::text::clean_text(&shown))
            }
        };
        super::file_error_at(message, at)
    })
}

/// The element's own text: its text and CDATA children, joined (comments
/// and child elements are skipped).
pub fn text(node: Node<'_, '_>) -> String {
    let mut out = String::new();
    for child in node.children().filter(Node::is_text) {
        out.push_str(child.text().unwrap_or_default());
    }
    out
}

/// The first child element with this namespace and local name.
pub fn child<'a, 'input>(node: Node<'a, 'input>, ns: &str, name: &str) -> Option<Node<'a, 'input>> {
    node.children().find(|c| is(*c, ns, name))
}

/// `true` for an element with this namespace (`""`: none) and local name.
pub fn is(node: Node<'_, '_>, ns: &str, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node.tag_name().namespace().unwrap_or("") == ns
}

/// A child element's text, trimmed; `None` when absent or blank.
pub fn child_text(node: Node<'_, '_>, ns: &str, name: &str) -> Option<String> {
    let text = text(child(node, ns, name)?);
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// The byte offset of a node as a 1-based line and column.
pub fn pos(lines: &LineIndex, node: Node<'_, '_>) -> Option<(u32, u32)> {
    Some(lines.line_col(node.range().start))
}

/// Elements that end a run of words in XHTML content.
fn breaks_text(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "pre"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "figure"
            | "figcaption"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "hr"
            | "dd"
            | "dt"
    )
}

fn hidden(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "template" | "svg" | "math" | "object" | "iframe" | "noscript"
    )
}

/// The text of an XHTML subtree (Atom `type="xhtml"`) and the `src` of its
/// first `<img>`, walked without recursion so that depth costs no stack;
/// at most `max_chars` characters, whitespace folded.
pub fn xhtml_text(root: Node<'_, '_>, max_chars: usize) -> (String, Option<String>) {
    let mut out = String::new();
    let mut count = 0;
    let mut image = None;
    let mut push = |out: &mut String, s: &str| {
        for c in s.chars() {
            if count >= max_chars {
                return;
            }
            if c.is_whitespace() {
                if out.is_empty() || out.ends_with(' ') {
                    continue;
                }
                out.push(' ');
            } else {
                out.push(c);
            }
            count += 1;
        }
    };
    let mut next = root.first_child();
    while let Some(node) = next {
        let mut descend = false;
        if node.is_text() {
            push(&mut out, node.text().unwrap_or_default());
        } else if node.is_element() {
            let name = node.tag_name().name();
            if name == "img" && image.is_none() {
                image = node
                    .attribute("src")
                    .filter(|s| !s.trim().is_empty())
                    .map(str::to_owned);
            }
            if breaks_text(name) {
                push(&mut out, " ");
            }
            descend = !hidden(name);
        }
        next = if descend { node.first_child() } else { None };
        if next.is_none() {
            // Up to the next sibling, leaving each finished element.
            let mut cur = node;
            loop {
                if cur.is_element() && breaks_text(cur.tag_name().name()) {
                    push(&mut out, " ");
                }
                if let Some(sibling) = cur.next_sibling() {
                    next = Some(sibling);
                    break;
                }
                match cur.parent() {
                    Some(parent) if parent != root => cur = parent,
                    _ => break,
                }
            }
        }
    }
    (out, image)
}

/// The chain of `xml:base` values from the outermost ancestor down to
/// `node` itself.
pub fn bases<'a>(node: Node<'a, '_>) -> Vec<&'a str> {
    let mut chain: Vec<&str> = node
        .ancestors()
        .filter_map(|n| n.attribute((XML, "base")))
        .collect();
    chain.reverse();
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtds_are_refused() {
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><rss>&b;</rss>";
        let err = parse(bomb).unwrap_err();
        assert!(err.message.contains("DTDs are refused"), "{}", err.message);
    }

    #[test]
    fn xhtml_text_walks_flat() {
        let xml = format!(
            "<div xmlns=\"{XHTML}\"><p>One <b>two</b></p><script>x</script><p>three<img src=\"a.png\"/></p>{}deep{}</div>",
            "<span>".repeat(5000),
            "</span>".repeat(5000)
        );
        let doc = parse(&xml).unwrap();
        let (text, image) = xhtml_text(doc.root_element(), 1000);
        assert_eq!(bundle::text::clean_text(&text), "One two three deep");
        assert_eq!(image.as_deref(), Some("a.png"));
    }

    #[test]
    fn declared_latin1_is_decoded() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>caf\xe9</rss>";
        assert!(decode(bytes).unwrap().contains("café"));
        assert!(decode(b"<rss>\xff</rss>").is_err());
    }
}
