//! Plain-text hygiene for untrusted strings: control characters out,
//! whitespace folded, length capped on a character boundary.

/// Removes control characters (keeping none: newlines and tabs become
/// spaces), folds runs of whitespace to one space and trims the ends.
pub fn clean_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for c in raw.chars() {
        if c.is_whitespace() || c.is_control() {
            // Format controls such as U+200B are not `is_control`, and are
            // harmless as text; C0/C1 controls and whitespace fold to a space.
            pending_space =
                c.is_whitespace() || matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}');
            if pending_space && out.is_empty() {
                pending_space = false;
            }
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// Cuts `text` to at most `max` characters, ending with `…` when cut. The cut
/// prefers the last word boundary in the final fifth of the allowance.
pub fn truncate_chars(text: &str, max: usize) -> (String, bool) {
    if max == 0 {
        return (String::new(), !text.is_empty());
    }
    let Some((cut_at, _)) = text.char_indices().nth(max) else {
        return (text.to_owned(), false);
    };
    // Room for the ellipsis: keep `max - 1` characters.
    let keep_end = text.char_indices().nth(max - 1).map_or(cut_at, |(i, _)| i);
    let head = text.get(..keep_end).unwrap_or_default();
    let min_keep = head.len() * 4 / 5;
    let head = match head.rfind(' ') {
        Some(space) if space >= min_keep => head.get(..space).unwrap_or(head),
        _ => head,
    };
    let mut out = head.trim_end().to_owned();
    out.push('…');
    (out, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_controls_and_whitespace() {
        assert_eq!(clean_text("  a\r\n\tb\u{0}c\u{7}  d  "), "a b c d");
        assert_eq!(clean_text("<b>x</b>"), "<b>x</b>");
        assert_eq!(clean_text("\u{85}x"), "x");
    }

    #[test]
    fn truncates_on_char_boundary_with_ellipsis() {
        let (s, cut) = truncate_chars("héllo wörld", 5);
        assert!(cut);
        assert_eq!(s.chars().count(), 5);
        assert!(s.ends_with('…'));
        assert_eq!(truncate_chars("short", 10), ("short".to_owned(), false));
        let long = "word ".repeat(200);
        let (s, _) = truncate_chars(&long, 300);
        assert!(s.chars().count() <= 300);
        assert!(s.ends_with("word…"));
        let cjk = "漢".repeat(400);
        let (s, _) = truncate_chars(&cjk, 300);
        assert_eq!(s.chars().count(), 300);
    }
}
