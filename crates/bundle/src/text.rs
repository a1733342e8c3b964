//! Plain-text hygiene for untrusted strings: control characters out,
//! whitespace folded, length capped on a character boundary.

/// Removes control characters (keeping none: newlines and tabs become
/// spaces) and the bidi embedding, override and isolate controls, folds
/// runs of whitespace to one space and trims the ends.
pub fn clean_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for c in raw.chars() {
        // They reorder the text around them (a title could display as
        // something else than it reads); the marks U+200E/U+200F only set
        // the direction of neutral characters and are kept for RTL text.
        if matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            continue;
        }
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

/// Whether `text` has a character that shows: not whitespace, a control,
/// or one of the zero-width and blank characters (joiners, marks, variation
/// selectors, fillers, tags) that render as nothing.
pub fn has_visible(text: &str) -> bool {
    text.chars().any(|c| {
        !(c.is_whitespace()
            || c.is_control()
            || matches!(
                c,
                '\u{ad}'
                    | '\u{34f}'
                    | '\u{61c}'
                    | '\u{115f}'
                    | '\u{1160}'
                    | '\u{17b4}'
                    | '\u{17b5}'
                    | '\u{180b}'..='\u{180f}'
                    | '\u{200b}'..='\u{200f}'
                    | '\u{202a}'..='\u{202e}'
                    | '\u{2060}'..='\u{206f}'
                    | '\u{2800}'
                    | '\u{3164}'
                    | '\u{fe00}'..='\u{fe0f}'
                    | '\u{feff}'
                    | '\u{ffa0}'
                    | '\u{1d173}'..='\u{1d17a}'
                    | '\u{e0000}'..='\u{e0fff}'
            ))
    })
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
    let head = match head.rsplit_once(' ') {
        Some((words, _)) if words.len() >= min_keep => words,
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
    fn finding_6_bidi_controls_are_stripped() {
        assert_eq!(
            clean_text("a\u{202e}b\u{202a}c\u{202d}\u{2066}d\u{2069}\u{2067}\u{2068}"),
            "abcd"
        );
        // Marks only steer neutral characters: kept for RTL text.
        assert_eq!(clean_text("\u{5e9}\u{200f}1"), "\u{5e9}\u{200f}1");
        let once = clean_text(" x\u{202e} \u{202e} y ");
        assert_eq!(once, "x y");
        assert_eq!(clean_text(&once), once);
    }

    #[test]
    fn finding_6_zero_width_only_text_is_not_visible() {
        assert!(!has_visible(
            "\u{200b}\u{200c}\u{200d}\u{2060}\u{feff}\u{fe0f} \u{3164}"
        ));
        assert!(!has_visible(""));
        assert!(has_visible("\u{200b}a"));
        assert!(has_visible("\u{1f468}\u{200d}\u{1f469}"));
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
