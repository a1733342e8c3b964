//! Small process helpers shared by the tasks.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The repository root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// `cargo`, as the one running this task.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// Runs a command, echoing it, failing with a message naming the step.
pub fn run(step: &str, cmd: &mut Command) -> Result<(), String> {
    eprintln!("\n==> {step}");
    eprintln!("    $ {}", describe(cmd));
    let started = Instant::now();
    let status = cmd
        .status()
        .map_err(|e| format!("{step}: could not start `{}`: {e}", describe(cmd)))?;
    eprintln!("    ({step}: {:.1} s)", started.elapsed().as_secs_f64());
    if status.success() {
        Ok(())
    } else {
        Err(format!("{step} failed ({status})"))
    }
}

/// `true` when the command runs and exits 0 (output discarded).
pub fn succeeds(cmd: &mut Command) -> bool {
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Captured stdout of a successful command.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// `true` when every output exists and none is older than the newest input
/// (missing inputs are ignored): the step that makes them can be skipped.
pub fn up_to_date(outputs: &[&Path], inputs: &[&Path]) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let Some(oldest_output) = outputs
        .iter()
        .map(|p| modified(p))
        .collect::<Option<Vec<_>>>()
        .and_then(|times| times.into_iter().min())
    else {
        return false;
    };
    inputs
        .iter()
        .filter_map(|p| modified(p))
        .all(|t| t <= oldest_output)
}

/// `npm`, run in `dir`.
pub fn npm(dir: &Path) -> Command {
    let mut cmd = Command::new("npm");
    cmd.current_dir(dir);
    cmd
}

/// `npm ci` in `dir` when its `node_modules` is missing or older than its
/// lockfile.
pub fn ensure_npm_deps(dir: &Path, what: &str) -> Result<(), String> {
    let installed = dir.join("node_modules/.package-lock.json");
    if up_to_date(&[&installed], &[&dir.join("package-lock.json")]) {
        return Ok(());
    }
    run(
        &format!("install {what} (npm ci)"),
        npm(dir).args(["ci", "--no-audit", "--no-fund", "--prefer-offline"]),
    )
}

/// `1,000`, `10_000` or `100000` as a number.
pub fn count(arg: &str) -> Result<usize, String> {
    arg.replace([',', '_'], "")
        .parse()
        .map_err(|_| format!("not a count: {arg}"))
}
