//! Problems found in the input, kept as data and printed as
//! `path:line:col: error|warning: message`.

use std::fmt;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Information only (e.g. an article marked `published: false` was
    /// left out on purpose); never fails `--strict`.
    Note,
    /// Something was dropped or adjusted; the article is still bundled.
    Warning,
    /// The file or article was skipped.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem, located as precisely as the input allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The input file, as given or found by the directory walk.
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column (bytes), when known.
    pub col: Option<u32>,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    pub fn new(path: &str, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.to_owned(),
            line: None,
            col: None,
            severity,
            message: message.into(),
        }
    }

    pub fn error(path: &str, message: impl Into<String>) -> Self {
        Diagnostic::new(path, Severity::Error, message)
    }

    pub fn warning(path: &str, message: impl Into<String>) -> Self {
        Diagnostic::new(path, Severity::Warning, message)
    }

    /// Sets the position (`None` keeps it unknown).
    pub fn at(mut self, pos: Option<(u32, u32)>) -> Self {
        if let Some((line, col)) = pos {
            self.line = Some(line);
            self.col = Some(col);
        }
        self
    }

    pub fn note(path: &str, message: impl Into<String>) -> Self {
        Diagnostic::new(path, Severity::Note, message)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// File names and quoted values come from the input: control and bidi
    /// characters are escaped so they cannot drive the terminal or reorder
    /// the line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, &self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.col {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}: ", self.severity)?;
        write_escaped(f, &self.message)
    }
}

/// Characters never printed raw to a terminal: C0 and C1 controls, DEL,
/// and the bidi embedding, override and isolate controls and marks.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// Writes `text` with [`needs_escape`] characters as `\u{..}`.
pub fn write_escaped(f: &mut dyn fmt::Write, text: &str) -> fmt::Result {
    let mut rest = text;
    while let Some((at, c)) = rest.char_indices().find(|&(_, c)| needs_escape(c)) {
        f.write_str(rest.get(..at).unwrap_or_default())?;
        write!(f, "\\u{{{:x}}}", u32::from(c))?;
        rest = rest.get(at + c.len_utf8()..).unwrap_or_default();
    }
    f.write_str(rest)
}

/// `text` with control and bidi characters escaped (see [`write_escaped`]).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = write_escaped(&mut out, text);
    out
}

/// Line starts of a text, found once, so that every offset is placed by a
/// binary search instead of a scan of everything before it.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of the start of each line after the first.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &[u8]) -> Self {
        let starts = text
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n')
            .map(|(i, _)| i + 1)
            .collect();
        LineIndex { starts }
    }

    /// The byte offset of a 1-based line and column (in bytes).
    pub fn offset(&self, line: u32, col: u32) -> Option<usize> {
        let line = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = match line.checked_sub(1) {
            Some(i) => *self.starts.get(i)?,
            None => 0,
        };
        Some(start + usize::try_from(col).ok()?.checked_sub(1)?)
    }

    /// 1-based line and column (in bytes) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let before = self.starts.partition_point(|&s| s <= offset);
        let line_start = match before.checked_sub(1) {
            Some(i) => self.starts.get(i).copied().unwrap_or(0),
            None => 0,
        };
        (
            saturate(before + 1),
            saturate(offset.saturating_sub(line_start) + 1),
        )
    }
}

/// 1-based line and column of a byte offset in `text` (column in bytes),
/// for a single lookup; use [`LineIndex`] for many.
pub fn line_col(text: &[u8], offset: usize) -> (u32, u32) {
    let upto = text.get(..offset).unwrap_or(text);
    let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = upto.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let col = offset.saturating_sub(line_start) + 1;
    (saturate(line), saturate(col))
}

pub(crate) fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_and_without_position() {
        let d = Diagnostic::warning("a.md", "x").at(Some((3, 1)));
        assert_eq!(d.to_string(), "a.md:3:1: warning: x");
        assert_eq!(Diagnostic::error("a.md", "y").to_string(), "a.md: error: y");
        assert_eq!(line_col(b"ab\ncd", 4), (2, 2));
        assert_eq!(line_col(b"ab", 0), (1, 1));
    }

    #[test]
    fn line_index_agrees_with_a_scan() {
        let text = b"ab\ncd\n\nefg\n";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(index.line_col(offset), line_col(text, offset), "{offset}");
            let (line, col) = index.line_col(offset);
            assert_eq!(index.offset(line, col), Some(offset));
        }
    }

    #[test]
    fn finding_6_control_bytes_in_diagnostics_are_escaped() {
        let d =
            Diagnostic::error("evil\u{1b}[2J.md", "`title` `a\u{9b}b\u{202e}c`").at(Some((1, 1)));
        assert_eq!(
            d.to_string(),
            "evil\\u{1b}[2J.md:1:1: error: `title` `a\\u{9b}b\\u{202e}c`"
        );
        assert_eq!(escape("plain é"), "plain é");
    }
}
