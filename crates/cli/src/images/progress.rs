//! Progress on stderr: an `indicatif` bar on a terminal, plain lines
//! otherwise.

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Done, Outcome, Progress};

enum Mode {
    Silent,
    Bar(ProgressBar),
    /// Plain lines; the last tenth reported.
    Lines(usize),
}

pub struct Reporter {
    mode: Mode,
    total: usize,
    done: usize,
    failed: usize,
    bytes: u64,
}

impl Reporter {
    pub fn new(progress: Progress, total: usize) -> Reporter {
        let mode = match progress {
            Progress::Never => Mode::Silent,
            Progress::Auto if total == 0 => Mode::Silent,
            Progress::Auto if std::io::stderr().is_terminal() => {
                let bar =
                    ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
                if let Ok(style) = ProgressStyle::with_template(
                    "images {bar:30.cyan/blue} {pos}/{len} {msg} [{elapsed}]",
                ) {
                    bar.set_style(style.progress_chars("=> "));
                }
                Mode::Bar(bar)
            }
            Progress::Auto => Mode::Lines(0),
        };
        Reporter {
            mode,
            total,
            done: 0,
            failed: 0,
            bytes: 0,
        }
    }

    pub fn record(&mut self, done: &Done) {
        self.done += 1;
        self.bytes += done.downloaded;
        if matches!(done.outcome, Outcome::Failed) {
            self.failed += 1;
        }
        let summary = self.summary();
        match &mut self.mode {
            Mode::Silent => {}
            Mode::Bar(bar) => {
                bar.set_message(summary);
                bar.inc(1);
            }
            Mode::Lines(last_tenth) => {
                let tenth = self.done * 10 / self.total.max(1);
                if tenth > *last_tenth && self.done < self.total {
                    *last_tenth = tenth;
                    line(&format!("images: {}/{} {summary}", self.done, self.total));
                }
            }
        }
    }

    pub fn finish(self) {
        let summary = self.summary();
        match self.mode {
            Mode::Silent => {}
            Mode::Bar(bar) => bar.finish_with_message(summary),
            Mode::Lines(_) => line(&format!("images: {}/{} {summary}", self.done, self.total)),
        }
    }

    fn summary(&self) -> String {
        format!(
            "({} downloaded, {} failed)",
            human_bytes(self.bytes),
            self.failed
        )
    }
}

fn line(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

fn human_bytes(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let f = n as f64;
    if f < KIB {
        format!("{n} B")
    } else if f < KIB * KIB {
        format!("{:.1} KiB", f / KIB)
    } else {
        format!("{:.1} MiB", f / KIB / KIB)
    }
}
