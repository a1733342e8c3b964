//! The native `article-cards` command.
//!
//! `article-cards bundle <INPUT>... --out <FILE>` turns article files
//! (Markdown with YAML front matter, or JSON feed pages) into a bundle v1
//! JSON file. The pipeline: [`source`] reads a file and parses its front
//! matter into the permissive [`raw`] model, [`resolve`] validates it into
//! bundle types while collecting [`diag::Diagnostic`]s, and [`build`]
//! merges, filters, sorts and assembles the bundle. Exit codes are decided
//! in one place, [`CliError::exit_code`].

pub mod build;
pub mod cache;
pub mod diag;
pub mod feeds;
pub mod raw;
pub mod resolve;
pub mod shards;
pub mod site;
pub mod source;

pub mod images;
mod memo;
pub mod net;
pub mod related;
pub mod render;

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};

pub use build::{BundleOptions, ImageCaching, ImageStats, Stats, bundle_paths, collect_files};
pub use diag::{Diagnostic, Severity};

use crate::images::{CacheOptions, Progress};
use crate::related::RelatedMode;
use bundle::safe_url::{check_url, is_absolute_http};
use bundle::{MAX_BUNDLE_BYTES, MAX_RELATED};

/// Command-line interface.
#[derive(Debug, Parser)]
#[command(name = "article-cards", version, about = "Embeddable news cards")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Bundle article files (Markdown with YAML front matter, JSON feed
    /// pages) into one bundle v1 JSON file (`--out`), or a version 2
    /// manifest and page shards (`--out-dir`), for the widget.
    Bundle(BundleArgs),
    /// Read and validate the inputs like `bundle`, print the diagnostics,
    /// and write nothing (exit 0 when a bundle would be written, 1 when the
    /// input is invalid or `--strict` fails, 2 on usage or I/O errors).
    Check(BundleArgs),
    /// Write the widget's cards as an HTML fragment for a static page: a
    /// host element with a declarative shadow root holding the markup the
    /// widget renders, which the widget takes over (docs/prerender.md).
    Render(render::RenderArgs),
}

#[derive(Debug, Clone, Args)]
pub struct BundleArgs {
    /// Article files, feeds (RSS, Atom, JSON Feed: a file or an http(s)
    /// URL) or directories (walked recursively for .md, .markdown, .txt,
    /// .json, .xml, .rss and .atom files).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Where to write the bundle (atomically: a failed run leaves the
    /// previous file untouched); `-` writes it to stdout. `bundle` needs
    /// `--out` or `--out-dir`.
    #[arg(long, short, value_name = "FILE", conflicts_with = "out_dir")]
    pub out: Option<PathBuf>,
    /// Write a version 2 bundle instead: DIR/index.json (the manifest) and
    /// content-addressed page shards in DIR/shards/, so a reader fetches
    /// only the pages it shows.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Articles per page of a version 2 bundle [default: 24].
    #[arg(long, value_name = "N", requires = "out_dir", value_parser = clap::value_parser!(u16).range(1..=100))]
    pub page_size: Option<u16>,
    /// Keep the shards named by the last N builds (this one included) and
    /// delete older ones, so a reader holding an older manifest still
    /// finds its pages [default: 2].
    #[arg(long, value_name = "N", requires = "out_dir", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub keep: Option<u16>,
    /// Keep what each input file yielded in DIR (parse-cache.jsonl) and
    /// reuse it for files whose bytes are unchanged [default with
    /// --out-dir: DIR/.article-cards].
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache: Option<PathBuf>,
    /// Parse every file, with no parse cache (none is read or written).
    #[arg(long)]
    pub no_cache: bool,
    /// Fail (exit 1, nothing written) on any warning or error.
    #[arg(long)]
    pub strict: bool,
    /// Indent the JSON output.
    #[arg(long)]
    pub pretty: bool,
    /// Print errors only: no warnings or notes, no summary line.
    #[arg(long, short)]
    pub quiet: bool,
    /// Directory of provider records (name, domain, logo images) used for
    /// providers that come without a logo.
    #[arg(long, value_name = "DIR")]
    pub providers: Option<PathBuf>,
    /// Absolute http(s) URL prepended to site-relative image paths
    /// (`/assets/...`).
    #[arg(long, value_name = "URL")]
    pub asset_base: Option<String>,
    /// Static-site posts without a URL get one from this absolute http(s)
    /// URL and the permalink pattern (wins over the site's `_config.yml`
    /// `url` + `baseurl` or `hugo.toml` `baseURL`).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Permalink pattern of posts without a URL (default
    /// `/:year/:month/:day/:slug/`; Hugo: `/:year/:month/:slug/`;
    /// docs/inputs.md lists the placeholders).
    #[arg(long, value_name = "PATTERN")]
    pub permalink: Option<String>,
    /// Provider name of posts that name none (wins over the site's title).
    #[arg(long, value_name = "NAME")]
    pub provider_name: Option<String>,
    /// Provider logo URL of posts that name no provider (absolute, or a path
    /// below the base URL).
    #[arg(long, value_name = "URL")]
    pub provider_logo: Option<String>,
    /// How diagnostics are printed on stderr: `text`
    /// (`path:line:col: severity: message`) or `json` (one object a line:
    /// path, line, column, severity, message).
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub diagnostics: String,
    /// Keep only articles published at or after this time: RFC 3339, a date
    /// (midnight UTC), or an age before now (`12h`, `30d`, `2w`).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Keep only articles with this topic (case-insensitive; repeatable:
    /// any of them).
    #[arg(long = "topic", value_name = "NAME")]
    pub topics: Vec<String>,
    /// Related articles: `auto` keeps explicit lists and computes up to
    /// `--related-limit` for articles without one (shared topics, similar
    /// title and excerpt terms, then recency); `explicit` keeps only the
    /// lists in the files; `off` drops them all.
    #[arg(long, value_name = "MODE", default_value = "auto", value_parser = ["auto", "explicit", "off"])]
    pub related: String,
    /// How many related articles to compute per article (at most the
    /// bundle's cap on related items).
    #[arg(long, value_name = "K", default_value_t = 6, value_parser = clap::value_parser!(u16).range(1..=MAX_RELATED as i64))]
    pub related_limit: u16,
    /// Download the images (article, related and logo images with absolute
    /// http(s) URLs) into DIR as responsive WebP + JPEG/PNG copies and
    /// point the bundle at them (`variants`, `placeholder`, `original`). An
    /// image that fails keeps its URL, with a warning.
    #[arg(long, value_name = "DIR")]
    pub cache_images: Option<PathBuf>,
    /// URL of DIR as the widget sees it, relative to the bundle or absolute
    /// (default: DIR's path relative to the directory of `--out`).
    #[arg(long, value_name = "URL", requires = "cache_images")]
    pub image_base: Option<String>,
    /// Send no image request: use only what DIR/manifest.json has.
    #[arg(long, requires = "cache_images")]
    pub offline: bool,
    /// Delete the files in DIR that no image of this run uses.
    #[arg(long, requires = "cache_images")]
    pub prune: bool,
    /// Images downloaded at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub image_concurrency: u16,
    /// Where feeds given by URL keep their validators (ETag,
    /// Last-Modified) and last copy between runs (default
    /// `.article-cards-state` in the current directory).
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Let every network read of the run (feeds by URL, `--cache-images`) reach any
    /// address and port, loopback and private networks included. For local
    /// testing only: by default only public addresses on ports 80 and 443
    /// are fetched.
    #[arg(long)]
    pub allow_private_hosts: bool,
}

/// Why a run failed. [`CliError::exit_code`] maps it to the exit status.
#[derive(Debug)]
pub enum CliError {
    /// Bad arguments (exit 2).
    Usage(String),
    /// Reading or writing failed (exit 2).
    Io { context: String, source: io::Error },
    /// The input does not make a bundle: problems under `--strict`, or no
    /// article at all (exit 1). Nothing was written.
    Invalid(String),
}

impl CliError {
    /// The one place exit codes are decided: 1 invalid input, 2 usage or
    /// I/O error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Invalid(_) => 1,
            CliError::Usage(_) | CliError::Io { .. } => 2,
        }
    }
}

impl fmt::Display for CliError {
    /// Paths and titles in messages can come from the input: control and
    /// bidi characters are escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) | CliError::Invalid(m) => diag::write_escaped(f, m),
            CliError::Io { context, source } => {
                diag::write_escaped(f, &format!("{context}: {source}"))
            }
        }
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CliError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A successful run.
#[derive(Debug, Clone)]
pub struct Summary {
    pub stats: Stats,
    pub elapsed: Duration,
    /// The bundle file, or the directory of a version 2 bundle.
    pub out: PathBuf,
    /// Set for a version 2 bundle (`--out-dir`).
    pub shards: Option<shards::ShardStats>,
}

impl fmt::Display for Summary {
    /// `bundled 128 articles from 130 files (2 skipped, 3 warnings) in 41 ms`;
    /// with `--cache-images`: `… 3 warnings), 40 images cached (1 failed) in …`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.stats;
        // `check` writes nothing: its summary has no destination.
        let verb = if self.out.as_os_str().is_empty() {
            "checked"
        } else {
            "bundled"
        };
        write!(
            f,
            "{verb} {} articles from {} files ({} skipped, ",
            s.articles, s.files, s.skipped
        )?;
        if s.filtered > 0 {
            write!(f, "{} filtered, ", s.filtered)?;
        }
        write!(f, "{} warnings", s.warnings)?;
        if let Some(cached) = s.cached {
            write!(f, ", {cached} from the parse cache")?;
        }
        if let Some(reused) = s.related_reused {
            write!(f, ", {reused} related lists reused")?;
        }
        write!(f, ")")?;
        if let Some(sh) = &self.shards {
            write!(
                f,
                " into {} shards ({} written, {} pruned)",
                sh.shards, sh.written, sh.pruned
            )?;
        }
        if let Some(images) = s.images {
            write!(
                f,
                ", {} images cached ({} failed)",
                images.cached, images.failed
            )?;
        }
        write!(f, " in {} ms", self.elapsed.as_millis())
    }
}

/// Entry point used by `src/main.rs`.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with status 0; usage errors
            // are printed by clap and mapped like every other usage error.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(CliError::Usage(String::new()).exit_code())
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let quiet = match &cli.command {
        Command::Bundle(args) | Command::Check(args) => args.quiet,
        // `render` prints its own summary.
        Command::Render(_) => true,
    };
    match run(cli) {
        Ok(summary) => {
            if !quiet {
                eprintln!("{summary}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("article-cards: error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Runs a parsed command, printing diagnostics to stderr.
pub fn run(cli: Cli) -> Result<Summary, CliError> {
    let stderr = io::stderr();
    let mut err = io::BufWriter::new(stderr.lock());
    let result = run_with(cli, &mut err);
    let _ = err.flush();
    result
}

/// Runs a parsed command, printing diagnostics to `err`.
pub fn run_with(cli: Cli, err: &mut dyn Write) -> Result<Summary, CliError> {
    match cli.command {
        Command::Bundle(args) => run_bundle(&args, err),
        Command::Check(args) => run_check(&args, err),
        Command::Render(args) => render::run(&args, err).map(|()| Summary {
            stats: Stats::default(),
            elapsed: Duration::ZERO,
            out: args.out.clone(),
            shards: None,
        }),
    }
}

impl BundleArgs {
    /// Checks the arguments and turns them into library options.
    pub fn options(&self) -> Result<BundleOptions, CliError> {
        for input in &self.inputs {
            if !input.exists() && !feeds::is_url_input(input) {
                return Err(CliError::Usage(format!(
                    "input not found: {}",
                    input.display()
                )));
            }
        }
        if let Some(dir) = &self.providers
            && !dir.is_dir()
        {
            return Err(CliError::Usage(format!(
                "--providers: not a directory: {}",
                dir.display()
            )));
        }
        let asset_base = match &self.asset_base {
            Some(base) => match check_url(base) {
                Ok(url) if is_absolute_http(&url) => Some(url),
                Ok(_) => {
                    return Err(CliError::Usage(format!(
                        "--asset-base: `{base}` is not an absolute http(s) URL"
                    )));
                }
                Err(why) => {
                    return Err(CliError::Usage(format!("--asset-base: {why}")));
                }
            },
            None => None,
        };
        let generated_at = generated_at_from_env();
        let since = match &self.since {
            Some(s) => {
                let now = generated_at.unwrap_or_else(jiff::Timestamp::now);
                match resolve::parse_since(s, now) {
                    Ok(ts) => Some(ts),
                    Err(resolve::NotADate) => {
                        return Err(CliError::Usage(format!(
                            "--since: `{s}` is not a date (2021-04-28), a date-time (2021-04-28T16:08:00Z) or an age (12h, 30d, 2w)"
                        )));
                    }
                }
            }
            None => None,
        };
        let http_flag = |flag: &str, value: &Option<String>| match value {
            Some(v) => match check_url(v.trim()) {
                Ok(url) if is_absolute_http(&url) => Ok(Some(url)),
                _ => Err(CliError::Usage(format!(
                    "{flag}: `{v}` is not an absolute http(s) URL"
                ))),
            },
            None => Ok(None),
        };
        let base_url = http_flag("--base-url", &self.base_url)?;
        // A path is resolved against each site's base URL (flag or config).
        let provider_logo = match &self.provider_logo {
            Some(logo) if !logo.contains("://") => Some(logo.trim().to_owned()),
            _ => http_flag("--provider-logo", &self.provider_logo)?,
        };
        if let Some(p) = &self.permalink
            && (p.len() > site::MAX_PATTERN_BYTES || !p.starts_with('/'))
        {
            return Err(CliError::Usage(format!(
                "--permalink: `{p}` should be a path starting with `/` of at most {} bytes",
                site::MAX_PATTERN_BYTES
            )));
        }
        let site = site::SiteFlags {
            base_url,
            permalink: self.permalink.clone(),
            provider_name: self.provider_name.clone(),
            provider_logo,
        };
        Ok(BundleOptions {
            providers_dir: self.providers.clone(),
            asset_base,
            since,
            topics: self.topics.clone(),
            generated_at,
            threads: None,
            related: match self.related.as_str() {
                "explicit" => RelatedMode::Explicit,
                "off" => RelatedMode::Off,
                _ => RelatedMode::Auto,
            },
            related_limit: usize::from(self.related_limit),
            images: self.image_caching()?,
            cache: match (&self.cache, &self.out_dir) {
                _ if self.no_cache => None,
                (Some(dir), _) => Some(dir.clone()),
                (None, Some(out)) => Some(out.join(shards::STATE_DIR)),
                (None, None) => None,
            },
            site,
            feeds: feeds::fetch::FeedOptions {
                state_dir: Some(
                    self.state
                        .clone()
                        .unwrap_or_else(|| PathBuf::from(feeds::fetch::DEFAULT_STATE_DIR)),
                ),
                allow_private_hosts: self.allow_private_hosts,
            },
        })
    }

    /// `--cache-images` and its companions.
    fn image_caching(&self) -> Result<Option<ImageCaching>, CliError> {
        let Some(dir) = &self.cache_images else {
            return Ok(None);
        };
        if dir.exists() && !dir.is_dir() {
            return Err(CliError::Usage(format!(
                "--cache-images: not a directory: {}",
                dir.display()
            )));
        }
        let base = match &self.image_base {
            Some(base) => {
                check_url(base).map_err(|why| CliError::Usage(format!("--image-base: {why}")))?
            }
            None => {
                let out_dir = self.base_dir();
                relative_url(&out_dir, dir).ok_or_else(|| {
                    CliError::Usage(format!(
                        "--cache-images: cannot express {} relative to {}; give --image-base",
                        dir.display(),
                        out_dir.display()
                    ))
                })?
            }
        };
        let base = if base.is_empty() || base.ends_with('/') {
            base
        } else {
            format!("{base}/")
        };
        let mut cache = CacheOptions::new(dir);
        cache.concurrency = usize::from(self.image_concurrency);
        cache.offline = self.offline;
        cache.prune = self.prune;
        cache.allow_private_hosts = self.allow_private_hosts;
        cache.progress = if self.quiet {
            Progress::Never
        } else {
            Progress::Auto
        };
        Ok(Some(ImageCaching { cache, base }))
    }
}

impl BundleArgs {
    /// Where the output goes: the bundle file or the version 2 directory.
    pub fn destination(&self) -> &Path {
        match (&self.out_dir, &self.out) {
            (Some(dir), _) => dir,
            (None, Some(out)) => out,
            (None, None) => Path::new("."),
        }
    }

    /// The directory relative URLs in the output are resolved against:
    /// the bundle file's directory, or the version 2 directory (the
    /// manifest's, which shard paths and image paths are relative to).
    fn base_dir(&self) -> PathBuf {
        if let Some(dir) = &self.out_dir {
            return dir.clone();
        }
        match self.out.as_deref().and_then(Path::parent) {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

/// `to` as a relative URL path from the directory `from` (`www` and
/// `www/cache` → `cache`; `www` and `img` → `../img`), percent-encoding
/// what is not a plain path character. `None` when a path is not UTF-8 or
/// the two are on different roots.
pub fn relative_url(from: &Path, to: &Path) -> Option<String> {
    use std::path::Component;
    fn normal(p: &Path) -> Option<Vec<String>> {
        let abs = std::path::absolute(p).ok()?;
        let mut out: Vec<String> = Vec::new();
        for c in abs.components() {
            match c {
                Component::Prefix(pre) => out.push(pre.as_os_str().to_str()?.to_owned()),
                Component::RootDir => out.push("/".to_owned()),
                Component::CurDir => {}
                Component::ParentDir => {
                    if out.len() > 1 {
                        out.pop();
                    }
                }
                Component::Normal(s) => out.push(s.to_str()?.to_owned()),
            }
        }
        Some(out)
    }
    let from = normal(from)?;
    let to = normal(to)?;
    if from.first() != to.first() {
        return None;
    }
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut segments: Vec<String> = vec!["..".to_owned(); from.len().saturating_sub(common)];
    segments.extend(to.iter().skip(common).map(|s| percent_encode(s)));
    Some(segments.join("/"))
}

fn percent_encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `SOURCE_DATE_EPOCH` (seconds), for reproducible bundles.
fn generated_at_from_env() -> Option<jiff::Timestamp> {
    let secs: i64 = std::env::var("SOURCE_DATE_EPOCH")
        .ok()?
        .trim()
        .parse()
        .ok()?;
    jiff::Timestamp::from_second(secs).ok()
}

/// Prints diagnostics as `--diagnostics` says (errors only with
/// `--quiet`).
fn print_diagnostics(args: &BundleArgs, diags: &[Diagnostic], err: &mut dyn Write) {
    for d in diags {
        if args.quiet && d.severity != Severity::Error {
            continue;
        }
        if args.diagnostics == "json" {
            // Escaped like the text form: a terminal shows these too.
            let line = serde_json::json!({
                "path": diag::escape(&d.path),
                "line": d.line,
                "column": d.col,
                "severity": d.severity.to_string(),
                "message": diag::escape(&d.message),
            });
            let _ = writeln!(err, "{line}");
        } else {
            let _ = writeln!(err, "{d}");
        }
    }
}

/// `check`: everything `bundle` does short of writing.
fn run_check(args: &BundleArgs, err: &mut dyn Write) -> Result<Summary, CliError> {
    let started = Instant::now();
    if args.out.is_some() || args.out_dir.is_some() || args.cache.is_some() {
        return Err(CliError::Usage(
            "check writes nothing: drop --out/--out-dir/--cache".to_owned(),
        ));
    }
    let opts = args.options()?;
    let (bundle, diags, stats) = bundle_paths(&args.inputs, &opts);
    print_diagnostics(args, &diags, err);
    if args.strict && (stats.errors > 0 || stats.warnings > 0) {
        return Err(CliError::Invalid(format!(
            "--strict: {} errors and {} warnings",
            stats.errors, stats.warnings
        )));
    }
    if stats.articles == 0 {
        return Err(CliError::Invalid(format!(
            "no article to bundle from {} files ({} skipped)",
            stats.files, stats.skipped
        )));
    }
    let len = json_len(&bundle, false).map_or(0, |n| n + 1);
    if len > MAX_BUNDLE_BYTES {
        let why = too_large(&bundle, len, Path::new("-"));
        return Err(CliError::Invalid(why.replace("; nothing written to -", "")));
    }
    Ok(Summary {
        stats,
        elapsed: started.elapsed(),
        out: PathBuf::new(),
        shards: None,
    })
}

fn run_bundle(args: &BundleArgs, err: &mut dyn Write) -> Result<Summary, CliError> {
    let started = Instant::now();
    if args.out.is_none() && args.out_dir.is_none() {
        return Err(CliError::Usage(
            "bundle needs --out FILE (or `-` for stdout) or --out-dir DIR".to_owned(),
        ));
    }
    // clap lets these through beside `--out`: it waives `requires` for an
    // argument in conflict with one present.
    if args.out_dir.is_none() && (args.page_size.is_some() || args.keep.is_some()) {
        return Err(CliError::Usage(
            "--page-size and --keep need --out-dir".to_owned(),
        ));
    }
    let opts = args.options()?;
    let dest = args.destination();
    let (bundle, diags, stats) = bundle_paths(&args.inputs, &opts);
    print_diagnostics(args, &diags, err);
    if args.strict && (stats.errors > 0 || stats.warnings > 0) {
        return Err(CliError::Invalid(format!(
            "--strict: {} errors and {} warnings; nothing written to {}",
            stats.errors,
            stats.warnings,
            dest.display()
        )));
    }
    if stats.articles == 0 {
        return Err(CliError::Invalid(format!(
            "no article to bundle from {} files ({} skipped); nothing written to {}",
            stats.files,
            stats.skipped,
            dest.display()
        )));
    }
    if let Some(dir) = &args.out_dir {
        let (shard_stats, shard_diags) = shards::write_v2(
            &bundle,
            &shards::ShardOptions {
                dir: dir.clone(),
                page_size: args
                    .page_size
                    .map_or(bundle::v2::DEFAULT_PAGE_SIZE as usize, usize::from),
                keep: args.keep.map_or(shards::DEFAULT_KEEP, usize::from),
                pretty: args.pretty,
                threads: None,
                memo: opts.cache.clone(),
            },
        )?;
        if !args.quiet {
            print_diagnostics(args, &shard_diags, err);
        }
        return Ok(Summary {
            stats,
            elapsed: started.elapsed(),
            out: dir.clone(),
            shards: Some(shard_stats),
        });
    }
    let unserialisable = |e: serde_json::Error| CliError::Io {
        context: "cannot serialise the bundle".to_owned(),
        source: io::Error::other(e),
    };
    // Counted first: a bundle over the limit is refused without being
    // held in memory.
    let len = json_len(&bundle, args.pretty).map_err(unserialisable)? + 1;
    if len > MAX_BUNDLE_BYTES {
        return Err(CliError::Invalid(too_large(&bundle, len, dest)));
    }
    let mut json = Vec::with_capacity(len);
    if args.pretty {
        serde_json::to_writer_pretty(&mut json, &bundle)
    } else {
        serde_json::to_writer(&mut json, &bundle)
    }
    .map_err(unserialisable)?;
    json.push(b'\n');
    if dest == Path::new("-") {
        let stdout = io::stdout();
        let mut lock = stdout.lock();
        lock.write_all(&json)
            .and_then(|()| lock.flush())
            .map_err(|source| CliError::Io {
                context: "cannot write the bundle to stdout".to_owned(),
                source,
            })?;
    } else {
        write_atomically(dest, &json)?;
    }
    Ok(Summary {
        stats,
        elapsed: started.elapsed(),
        out: dest.to_path_buf(),
        shards: None,
    })
}

/// How many bytes `value` serializes to (pretty or compact), counted
/// without keeping them.
fn json_len(value: &impl serde::Serialize, pretty: bool) -> Result<usize, serde_json::Error> {
    struct Count(usize);
    impl Write for Count {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    if pretty {
        serde_json::to_writer_pretty(&mut count, value)?;
    } else {
        serde_json::to_writer(&mut count, value)?;
    }
    Ok(count.0)
}

/// Why a bundle over the widget's limit is not written, naming the largest
/// articles (by their serialized size) as the ones to look at.
fn too_large(bundle: &bundle::Bundle, len: usize, out: &Path) -> String {
    let sizes: Vec<(usize, &bundle::Article)> = bundle
        .articles
        .iter()
        .map(|a| {
            // An article's weight includes the related records it names.
            let records = a.related.iter().filter_map(|rid| bundle.related.get(rid));
            let size = std::iter::once(serde_json::to_vec(a))
                .chain(records.map(serde_json::to_vec))
                .map(|v| v.map_or(0, |v| v.len()))
                .sum();
            (size, a)
        })
        .collect();
    format!(
        "the bundle would be {}, over the widget's {} limit; nothing written to {}. Largest articles: {}",
        human_bytes(len),
        human_bytes(MAX_BUNDLE_BYTES),
        out.display(),
        largest_articles(sizes)
    )
}

/// The five heaviest of `sizes` (bytes, article), heaviest first, as the
/// too-large messages of `--out` and `--out-dir` name them.
pub(crate) fn largest_articles(mut sizes: Vec<(usize, &bundle::Article)>) -> String {
    sizes.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    let largest: Vec<String> = sizes
        .iter()
        .take(5)
        .map(|(size, a)| {
            let title = bundle::text::truncate_chars(&a.title, 60).0;
            let url = bundle::text::truncate_chars(&a.url, 100).0;
            format!("{} `{title}` {url}", human_bytes(*size))
        })
        .collect();
    largest.join("; ")
}

/// Lower-case hex digits of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        for nibble in [b >> 4, b & 0xf] {
            if let Some(&d) = DIGITS.get(usize::from(nibble)) {
                out.push(char::from(d));
            }
        }
    }
    out
}

/// A byte count for messages: whole bytes under one KiB, else KiB or MiB
/// with one decimal.
pub(crate) fn human_bytes(n: usize) -> String {
    let f = n as f64;
    if n < 1024 {
        format!("{n} bytes")
    } else if n < 1024 * 1024 {
        format!("{:.1} KiB", f / 1024.0)
    } else {
        format!("{:.1} MiB", f / (1024.0 * 1024.0))
    }
}

/// Writes `bytes` to a temporary file next to `out`, then renames it over
/// `out`: readers see the old file or the new one, never a partial one.
pub fn write_atomically(out: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let io_err = |context: String| move |source: io::Error| CliError::Io { context, source };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".article-cards-").suffix(".tmp");
    // A temporary file is private (0600); the bundle is for publishing, so
    // it is created like any new file: 0666 less the umask, applied by the
    // system when the file is created.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(&dir).map_err(io_err(format!(
        "cannot create a temporary file in {}",
        dir.display()
    )))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(io_err(format!("cannot write {}", out.display())))?;
    tmp.persist(out).map_err(|e| CliError::Io {
        context: format!("cannot write {}", out.display()),
        source: e.error,
    })?;
    Ok(())
}
