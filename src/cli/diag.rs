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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.col {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}: {}", self.severity, self.message)
    }
}

/// 1-based line and column of a byte offset in `text` (column in bytes).
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
}
