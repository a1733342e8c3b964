//! `cargo xtask dist`: builds the release wasm and assembles the npm package
//! in `pkg/`. The hand-written files (`pkg/package.json`, `pkg/src/*.js`,
//! `pkg/index.d.ts`, …) are committed; everything generated lands in the
//! git-ignored `pkg/dist/`:
//!
//! - `article_cards.js`: the wasm-bindgen glue (`--target web`), minified
//!   by terser (npm, pinned in `xtask/js`),
//! - `article_cards_bg.wasm`: the wasm renamed, optimised and reordered
//!   ([`crate::wasm`]),
//! - `index.js`, `element.js`, `define.js`: the ESM API, copied from `pkg/src/`,
//! - `embed.js`: the classic-script loader, minified by terser.
//!
//! Steps whose outputs are newer than their inputs are skipped, so a second
//! run costs one no-op `cargo build`. The wasm steps count the sources of
//! [`crate::wasm`] among their inputs ([`crate::wasm::sources`]).
//!
//! The standard library is rebuilt for size with `-Zbuild-std` and a few
//! unstable rustc flags, under `RUSTC_BOOTSTRAP=1` (docs/size.md,
//! "build-std"). [`BUILD_STD_ENV`]`=0` builds against the prebuilt one
//! instead: a larger wasm, on any stable toolchain.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools;
use crate::util::{cargo, ensure_npm_deps, root, run, up_to_date};
use crate::wasm;

pub const TARGET: &str = "wasm32-unknown-unknown";
pub const PROFILE: &str = "wasm-release";
/// The widget crate's package and library names, as cargo and rustc spell
/// them (`crates/widget`).
pub const WIDGET_PACKAGE: &str = "article-cards-widget";
const WIDGET_LIB: &str = "article_cards_widget";
/// The shipped module's name (`article_cards.js`, `article_cards_bg.wasm`),
/// given to wasm-bindgen as `--out-name`.
pub const LIB: &str = "article_cards";

/// `0` turns off the rebuilt standard library (see [`BuildStd`]).
pub const BUILD_STD_ENV: &str = "ARTICLE_CARDS_BUILD_STD";

/// Unstable rustc flags, with the rebuilt standard library only: panics
/// compiled to a bare trap, so no panic message formatting, location
/// strings or unwinding tables are linked. A panic was already an abort
/// (`panic = "abort"`), so behaviour is unchanged.
const UNSTABLE_RUSTFLAGS: &str =
    "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none";

/// Without the reference-types feature, wasm-bindgen keeps JS values in a
/// table in the glue instead of an externref table with a shim per export.
/// Only with the rebuilt standard library: the prebuilt one uses the
/// feature, and wasm-bindgen then fails on the mix.
const NO_REFERENCE_TYPES: &str = "-Ctarget-feature=-reference-types";

/// Cargo's flags that rebuild the standard library for size.
const BUILD_STD_FLAGS: &[&str] = &[
    "-Zbuild-std=std,panic_abort",
    "-Zbuild-std-features=optimize_for_size",
];

/// What to tell whoever meets a failure of the unstable flags.
const BUILD_STD_HELP: &str = "the widget build uses unstable flags of cargo and rustc \
(-Zbuild-std, -Cpanic=immediate-abort, -Zlocation-detail, -Zfmt-debug) under RUSTC_BOOTSTRAP=1, \
and this toolchain may no longer accept them. Build without them with \
`ARTICLE_CARDS_BUILD_STD=0 cargo xtask <task>`: the same widget against the prebuilt standard \
library, on any stable toolchain, but a larger wasm: 11.5 KiB brotli more when measured, \
which is over the size budget, so `size` and `test` fail on it (docs/size.md, \"build-std\")";

/// Whether the standard library is rebuilt for the widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildStd {
    /// `-Zbuild-std` and the unstable flags, under `RUSTC_BOOTSTRAP=1`.
    Rebuilt,
    /// The prebuilt standard library and stable flags only.
    Prebuilt,
}

impl BuildStd {
    /// The mode [`BUILD_STD_ENV`] asks for: unset, empty or `1` rebuilds.
    pub fn from_env() -> Result<Self, String> {
        Self::parse(std::env::var(BUILD_STD_ENV).ok().as_deref())
    }

    fn parse(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim) {
            None | Some("" | "1") => Ok(BuildStd::Rebuilt),
            Some("0") => Ok(BuildStd::Prebuilt),
            Some(other) => Err(format!(
                "{BUILD_STD_ENV} is `{other}`: set it to 0 (prebuilt standard library) or 1 \
                 (rebuilt, the default)"
            )),
        }
    }

    /// Sets up `build` (a `cargo build` of the widget) for this mode; the
    /// prebuilt standard library needs nothing.
    fn configure(self, build: &mut Command) {
        if self == BuildStd::Rebuilt {
            build
                .env("RUSTC_BOOTSTRAP", "1")
                .env(
                    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
                    format!("{UNSTABLE_RUSTFLAGS} {NO_REFERENCE_TYPES}"),
                )
                .args(BUILD_STD_FLAGS);
        }
    }
}

/// Fails, with [`BUILD_STD_HELP`], when cargo or rustc refuse the unstable
/// flags, before the build would fail on them somewhere in its output. A
/// check that fails without the flags too blames nothing: the build then
/// reports what is wrong.
fn check_unstable_flags() -> Result<(), String> {
    let rustc = || {
        let mut cmd = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()));
        cmd.env("RUSTC_BOOTSTRAP", "1")
            .args(["--target", TARGET, "--print", "cfg"]);
        cmd
    };
    // `cargo --version` accepts any `-Z` flag; a command that reads the
    // workspace checks them.
    let metadata = || {
        let mut cmd = cargo();
        cmd.env("RUSTC_BOOTSTRAP", "1").args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ]);
        cmd
    };
    let mut with_rustc_flags = rustc();
    with_rustc_flags.args(UNSTABLE_RUSTFLAGS.split_whitespace());
    let mut with_cargo_flags = metadata();
    with_cargo_flags.args(BUILD_STD_FLAGS);
    let checks = [
        ("rustc", rustc(), with_rustc_flags),
        ("cargo", metadata(), with_cargo_flags),
    ];
    for (what, mut plain, mut flagged) in checks {
        if let Err(message) = refused(&mut flagged)
            && refused(&mut plain).is_ok()
        {
            return Err(format!(
                "{what} refused the unstable flags:\n{message}\n{BUILD_STD_HELP}"
            ));
        }
    }
    Ok(())
}

/// Runs `cmd` quietly; its stderr when it fails.
fn refused(cmd: &mut Command) -> Result<(), String> {
    match cmd.output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(String::from_utf8_lossy(&out.stderr).trim().to_owned()),
        Err(e) => Err(format!(
            "could not start `{}`: {e}",
            crate::util::describe(cmd)
        )),
    }
}

/// What `dist` produced, for `size` and `e2e`.
pub struct Dist {
    /// `pkg/dist/`.
    pub dir: PathBuf,
    pub wasm: PathBuf,
    pub glue: PathBuf,
    pub embed: PathBuf,
    pub index: PathBuf,
    pub element: PathBuf,
}

pub fn main(args: &[String]) -> Result<(), String> {
    let mut force = false;
    for arg in args {
        match arg.as_str() {
            "--force" => force = true,
            other => {
                return Err(format!(
                    "dist: unknown option `{other}` (usage: cargo xtask dist [--force])"
                ));
            }
        }
    }
    let dist = build(force)?;
    eprintln!("\npackage assembled in {}", dist.dir.display());
    Ok(())
}

/// Runs every step that is out of date; `force` runs them all.
pub fn build(force: bool) -> Result<Dist, String> {
    build_with(force, None)
}

/// [`build`], with the wasm profile's `opt-level` overridden (`"s"`, `"z"`,
/// …) through cargo's `CARGO_PROFILE_WASM_RELEASE_OPT_LEVEL`.
pub fn build_with(force: bool, opt_level: Option<&str>) -> Result<Dist, String> {
    let root = root();
    let pkg = root.join("pkg");
    let out = pkg.join("dist");
    let tools_dir = root.join("xtask/js");

    let build_std = BuildStd::from_env()?;
    tools::ensure_wasm_target()?;
    if build_std == BuildStd::Rebuilt {
        tools::ensure_rust_src()?;
        check_unstable_flags()?;
    }
    tools::ensure_wasm_bindgen()?;
    ensure_npm_deps(&tools_dir, "wasm-opt (binaryen), terser")?;

    // Cargo knows best when the wasm is stale; a no-op build is quick.
    let mut build = cargo();
    build.args([
        "build",
        "-p",
        WIDGET_PACKAGE,
        "--lib",
        "--target",
        TARGET,
        "--profile",
        PROFILE,
    ]);
    build_std.configure(&mut build);
    if let Some(level) = opt_level {
        build.env("CARGO_PROFILE_WASM_RELEASE_OPT_LEVEL", level);
    }
    run("build the widget (wasm32, wasm-release)", &mut build).map_err(|e| match build_std {
        BuildStd::Rebuilt => format!(
            "{e}\nif the errors above are in the standard library or name an unstable flag, {BUILD_STD_HELP}"
        ),
        BuildStd::Prebuilt => e,
    })?;
    let raw_wasm = target_dir()
        .join(TARGET)
        .join(PROFILE)
        .join(format!("{WIDGET_LIB}.wasm"));
    if !raw_wasm.is_file() {
        return Err(format!("the build did not produce {}", raw_wasm.display()));
    }

    // wasm-bindgen writes next to the raw wasm, not into pkg/: only the
    // optimised wasm is shipped.
    let bindgen_dir = target_dir().join("wasm-bindgen");
    let bindgen_wasm = bindgen_wasm();
    let bindgen_js = bindgen_dir.join(format!("{LIB}.js"));
    // Cargo may swap the output back to an older artifact (another
    // opt-level) without making it newer: compare a stamp of the input
    // instead of timestamps alone.
    let stamp_file = target_dir().join("wasm-bindgen.stamp");
    let stamp = stamp_of(&raw_wasm);
    let same_input = fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp);
    // The renaming is part of this step, and the later steps are part of
    // the next: a change to the tooling reruns them.
    let tooling = wasm::sources();
    let with_tooling = |input: &Path| -> Vec<PathBuf> {
        let mut inputs = vec![input.to_path_buf()];
        inputs.extend(tooling.iter().cloned());
        inputs
    };
    let inputs = with_tooling(&raw_wasm);
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    if force || !same_input || !up_to_date(&[&bindgen_wasm, &bindgen_js], &inputs) {
        if bindgen_dir.exists() {
            fs::remove_dir_all(&bindgen_dir)
                .map_err(|e| format!("cannot clear {}: {e}", bindgen_dir.display()))?;
        }
        run(
            "generate the JS bindings (wasm-bindgen --target web)",
            Command::new("wasm-bindgen")
                .args(["--target", "web", "--no-typescript", "--out-name", LIB])
                .arg("--out-dir")
                .arg(&bindgen_dir)
                .arg(&raw_wasm),
        )?;
        wasm::shorten_names(&bindgen_wasm, &bindgen_js, LIB)?;
        write(&stamp_file, &stamp)?;
    } else {
        eprintln!("\n==> wasm-bindgen: up to date");
    }

    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let wasm = out.join(format!("{LIB}_bg.wasm"));
    let this_file = root.join(file!());
    let inputs = with_tooling(&bindgen_wasm);
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    if force || !up_to_date(&[&wasm], &inputs) {
        wasm::finish(&bindgen_wasm, &wasm)?;
    } else {
        eprintln!("\n==> wasm-opt: up to date");
    }

    // The glue with the widget's JS snippets (`crates/widget/src/*.js`)
    // written into it, so the package stays one script and the size
    // budget counts them; minified (an ES module: terser keeps its exports
    // and the `new URL("…_bg.wasm", import.meta.url)` that bundlers look
    // for).
    let snippets = bindgen_dir.join("snippets");
    let mut glue_inputs = vec![bindgen_js.clone(), root.join(file!())];
    glue_inputs.extend(files_under(&snippets)?);
    let glue_inputs: Vec<&Path> = glue_inputs.iter().map(PathBuf::as_path).collect();
    let glue = out.join(format!("{LIB}.js"));
    if force || !up_to_date(&[&glue], &glue_inputs) {
        let joined = bindgen_dir.join(format!("{LIB}.joined.js"));
        write(&joined, &inline_snippets(&bindgen_js, &bindgen_dir)?)?;
        run(
            "minify the JS glue (terser)",
            Command::new("node")
                .arg(tools_dir.join("node_modules/terser/bin/terser"))
                .arg(&joined)
                .args(["--module", "--compress", "--mangle", "-o"])
                .arg(&glue),
        )?;
    }

    let src = pkg.join("src");
    let index = out.join("index.js");
    let element = out.join("element.js");
    let embed = out.join("embed.js");
    copy_if_changed(&src.join("index.js"), &index)?;
    copy_if_changed(&src.join("element.js"), &element)?;
    copy_if_changed(&src.join("define.js"), &out.join("define.js"))?;
    // The stylesheet the wasm embeds, for prerendered pages
    // (`article-cards render`, docs/prerender.md).
    copy_if_changed(&embedded_style()?, &out.join("article-cards.css"))?;
    let embed_src = src.join("embed.js");
    if force || !up_to_date(&[&embed], &[&embed_src, &this_file]) {
        // A classic script (one IIFE): its names are all local, so terser
        // may shorten them.
        run(
            "minify the loader (terser)",
            Command::new("node")
                .arg(tools_dir.join("node_modules/terser/bin/terser"))
                .arg(&embed_src)
                .args(["--compress", "--mangle", "-o"])
                .arg(&embed),
        )?;
    }

    Ok(Dist {
        glue,
        dir: out,
        wasm,
        embed,
        index,
        element,
    })
}

/// The minified stylesheet the widget's `build.rs` wrote for the wasm just
/// built (the newest, should older build directories remain).
fn embedded_style() -> Result<PathBuf, String> {
    let build = target_dir().join(TARGET).join(PROFILE).join("build");
    let entries =
        fs::read_dir(&build).map_err(|e| format!("cannot list {}: {e}", build.display()))?;
    entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{WIDGET_PACKAGE}-"))
        })
        .map(|e| e.path().join("out/style.min.css"))
        .filter_map(|p| Some((fs::metadata(&p).ok()?.modified().ok()?, p)))
        .max()
        .map(|(_, p)| p)
        .ok_or_else(|| format!("no style.min.css of the widget under {}", build.display()))
}

/// The wasm-bindgen output the wasm-opt step starts from (in `target/wasm-bindgen/`).
pub fn bindgen_wasm() -> PathBuf {
    target_dir()
        .join("wasm-bindgen")
        .join(format!("{LIB}_bg.wasm"))
}

/// Where cargo puts build output.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        }
        None => root().join("target"),
    }
}

/// Length and modification time: changes whenever cargo relinks or swaps
/// the artifact.
fn stamp_of(path: &Path) -> String {
    let meta = fs::metadata(path).ok();
    let len = meta.as_ref().map_or(0, |m| m.len());
    let modified = meta
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("{len} {modified}")
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Copies when the content differs (keeps timestamps of unchanged files).
fn copy_if_changed(from: &Path, to: &Path) -> Result<(), String> {
    let new = fs::read(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    if fs::read(to).is_ok_and(|old| old == new) {
        return Ok(());
    }
    fs::write(to, new).map_err(|e| format!("cannot write {}: {e}", to.display()))
}

/// The files under `dir` (none when it does not exist).
fn files_under(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(files);
    };
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            files.extend(files_under(&path)?);
        } else {
            files.push(path);
        }
    }
    Ok(files)
}

/// The glue at `glue` with each `import { a, b } from './snippets/…';`
/// line replaced by the snippet's code in a function scope of its own that
/// returns those names. A snippet may export only `function`s and
/// `async function`s (anything else stops the build rather than ship a
/// glue that imports a file the package does not have).
fn inline_snippets(glue: &Path, dir: &Path) -> Result<String, String> {
    let text =
        fs::read_to_string(glue).map_err(|e| format!("cannot read {}: {e}", glue.display()))?;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let Some(rest) = line.trim_end().strip_prefix("import { ") else {
            out.push_str(line);
            continue;
        };
        let Some((names, from)) = rest.split_once(" } from '") else {
            return Err(format!("unexpected import in the glue: {line}"));
        };
        let Some(path) = from
            .strip_suffix("';")
            .and_then(|p| p.strip_prefix("./snippets/"))
        else {
            return Err(format!("unexpected import in the glue: {line}"));
        };
        let file = dir.join("snippets").join(path);
        let code = fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let mut body = String::with_capacity(code.len());
        for code_line in code.split_inclusive('\n') {
            match code_line.strip_prefix("export ") {
                Some(f) if f.starts_with("function ") || f.starts_with("async function ") => {
                    body.push_str(f)
                }
                Some(_) => {
                    return Err(format!(
                        "{}: only `export function` and `export async function` can be inlined",
                        file.display()
                    ));
                }
                None if code_line.contains("import ") && code_line.starts_with("import") => {
                    return Err(format!("{}: a snippet cannot import", file.display()));
                }
                None => body.push_str(code_line),
            }
        }
        out.push_str(&format!(
            "const {{ {names} }} = (() => {{\n{body}\nreturn {{ {names} }};\n}})();\n"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_written_into_the_glue_in_scopes_of_their_own() {
        let dir = std::env::temp_dir().join(format!("ac-dist-inline-{}", std::process::id()));
        let snippet_dir = dir.join("snippets/w-1/src");
        fs::create_dir_all(&snippet_dir).unwrap();
        fs::write(
            snippet_dir.join("edge.js"),
            "const LIMIT = 2;\nexport function one() { return LIMIT; }\nexport async function two() {}\n",
        )
        .unwrap();
        let glue = dir.join("glue.js");
        fs::write(
            &glue,
            "import { one, two } from './snippets/w-1/src/edge.js';\nconst LIMIT = 9;\nexport { LIMIT };\n",
        )
        .unwrap();
        let joined = inline_snippets(&glue, &dir).unwrap();
        assert!(!joined.contains("import "), "{joined}");
        assert!(
            joined.starts_with("const { one, two } = (() => {\n"),
            "{joined}"
        );
        assert!(
            joined.contains("function one() { return LIMIT; }"),
            "{joined}"
        );
        assert!(
            joined.contains("return { one, two };\n})();\nconst LIMIT = 9;"),
            "{joined}"
        );

        // Anything but exported functions stops the build.
        fs::write(snippet_dir.join("edge.js"), "export const x = 1;\n").unwrap();
        assert!(inline_snippets(&glue, &dir).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn build_std_is_on_unless_turned_off() {
        assert_eq!(BuildStd::parse(None), Ok(BuildStd::Rebuilt));
        assert_eq!(BuildStd::parse(Some("1")), Ok(BuildStd::Rebuilt));
        assert_eq!(BuildStd::parse(Some("")), Ok(BuildStd::Rebuilt));
        assert_eq!(BuildStd::parse(Some(" 0 ")), Ok(BuildStd::Prebuilt));
        let err = BuildStd::parse(Some("no")).unwrap_err();
        assert!(err.contains(BUILD_STD_ENV), "{err}");
    }

    #[test]
    fn only_the_rebuilt_std_uses_unstable_flags() {
        let configured = |mode: BuildStd| {
            let mut cmd = Command::new("cargo");
            mode.configure(&mut cmd);
            let envs: Vec<String> = cmd
                .get_envs()
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        k.to_string_lossy(),
                        v.map(|v| v.to_string_lossy()).unwrap_or_default()
                    )
                })
                .collect();
            let args: Vec<String> = cmd
                .get_args()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            (envs.join(" "), args.join(" "))
        };
        let (envs, args) = configured(BuildStd::Prebuilt);
        assert!(
            !envs.contains("-Z") && !envs.contains("RUSTC_BOOTSTRAP"),
            "{envs}"
        );
        assert!(!envs.contains("immediate-abort"), "{envs}");
        assert!(args.is_empty(), "{args}");
        let (envs, args) = configured(BuildStd::Rebuilt);
        assert!(
            envs.contains("RUSTC_BOOTSTRAP=1") && envs.contains("immediate-abort"),
            "{envs}"
        );
        assert!(args.contains("-Zbuild-std="), "{args}");
    }

    #[test]
    fn the_build_std_help_names_the_switch_and_its_cost() {
        assert!(BUILD_STD_HELP.contains("ARTICLE_CARDS_BUILD_STD=0"));
        assert!(BUILD_STD_HELP.contains(BUILD_STD_ENV));
        assert!(BUILD_STD_HELP.contains("docs/size.md"));
    }
}
