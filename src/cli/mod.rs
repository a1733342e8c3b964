//! The native `article-cards` command.

use std::process::ExitCode;

/// Entry point used by `src/main.rs`.
pub fn main() -> ExitCode {
    ExitCode::SUCCESS
}
