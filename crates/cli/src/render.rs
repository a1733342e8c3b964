//! `article-cards render`: the widget's cards as an HTML fragment for a
//! static page (docs/prerender.md). The fragment is a host element that
//! the widget's three ways in find (a `<div data-article-cards>` for the
//! script-tag embed and `mount()`, or `<article-cards>` with
//! `--element`), carrying the options as attributes, and a declarative
//! shadow root (`<template shadowrootmode="open">`) holding a
//! `<link rel="stylesheet">` to the widget's stylesheet and the markup the
//! widget's own components render for the same data and options (Yew's
//! server renderer, `widget::prerender`). Every text is escaped by Yew, and
//! every URL passes the same checks as in the widget; the host's
//! attributes are escaped here.
//!
//! The data is read from local files only: a version 1 bundle, a version 2
//! manifest (and the page shards of the chain the options need, found
//! beside it), or article inputs, bundled as `article-cards bundle` does.
//! Either way the bundle goes through the widget's own decoder, so the
//! cards are what the widget would show.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use clap::{Arg, ArgMatches, Args, FromArgMatches};

use crate::{BundleOptions, CliError, bundle_paths, write_atomically};
use bundle::Bundle;
use bundle::safe_url::{check_url, is_absolute_http};
use widget::decode::{Decoded, decode_any, decode_page};
use widget::json::Value;
use widget::options::{self, OPTION_ATTRIBUTES, Options, RawOptions};
use widget::shards::{self, PAGES_PER_SCREEN};

/// What the widget mounts its view in, inside its shadow root (the
/// widget's `mount::CONTAINER_CLASS`, which is compiled for wasm32 only).
const CONTAINER_CLASS: &str = "article-cards";

/// Marks the prerendered container: the loaders and `mount()` keep it on
/// screen until the widget's own cards are rendered, then remove it.
pub const PRERENDERED_ATTRIBUTE: &str = "data-prerendered";

/// The stylesheet `cargo xtask dist` writes beside the loaders.
pub const DEFAULT_CSS_HREF: &str = "article-cards.css";

#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    /// A bundle (version 1 JSON file), a version 2 manifest (its page
    /// shards are read from beside it), or article inputs as for `bundle`.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Where to write the fragment (atomically); `-` writes it to stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: PathBuf,
    /// URL of the stylesheet linked inside the shadow root (the
    /// `article-cards.css` that `cargo xtask dist` ships in `dist/`):
    /// absolute http(s) or relative to the page.
    #[arg(long, value_name = "URL", default_value = DEFAULT_CSS_HREF)]
    pub css_href: String,
    /// The bundle's absolute URL as the widget fetches it, when `--src` is
    /// relative: relative image URLs in the bundle are resolved against
    /// it, as the widget does. Without it they are written as they are
    /// (relative to the page).
    #[arg(long, value_name = "URL")]
    pub bundle_url: Option<String>,
    /// Write an `<article-cards>` element (the custom element of
    /// `article-cards/define`) instead of a `<div data-article-cards>` (the
    /// script-tag embed and `mount()`).
    #[arg(long)]
    pub element: bool,
    /// Print errors only.
    #[arg(long, short)]
    pub quiet: bool,
    /// The widget's options, one flag per option of its table.
    #[command(flatten)]
    pub widget: WidgetFlags,
}

/// The widget's options as flags: `--<attribute> VALUE` for every row of
/// the widget's options table (`--layout`, `--limit`, `--topics`, …, and
/// the aliases without capitals or `_`, such as `--topic`), so the flags
/// follow the table. Values are read by the widget's own option rules.
#[derive(Debug, Clone, Default)]
pub struct WidgetFlags {
    /// `(key, attribute, value)` of each option given.
    pub given: Vec<(&'static str, &'static str, String)>,
}

impl FromArgMatches for WidgetFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = WidgetFlags::default();
        flags.update_from_arg_matches(matches)?;
        Ok(flags)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for &(key, _, attribute, _) in OPTION_ATTRIBUTES {
            if let Ok(Some(value)) = matches.try_get_one::<String>(attribute) {
                self.given.retain(|(k, _, _)| *k != key);
                self.given.push((key, attribute, value.clone()));
            }
        }
        Ok(())
    }
}

impl Args for WidgetFlags {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        OPTION_ATTRIBUTES
            .iter()
            .fold(cmd, |cmd, &(_, aliases, attribute, doc)| {
                let aliases = aliases
                    .iter()
                    .filter(|a| a.bytes().all(|b| b.is_ascii_lowercase()));
                cmd.arg(
                    Arg::new(attribute)
                        .long(attribute)
                        .visible_aliases(aliases)
                        .value_name("VALUE")
                        .help(doc)
                        .help_heading("Widget options"),
                )
            })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl WidgetFlags {
    /// The options resolved by the widget's rules, with its warnings.
    pub fn resolve(&self) -> Result<(Options, Vec<String>), CliError> {
        let members = self
            .given
            .iter()
            .map(|(key, _, value)| (Cow::Borrowed(*key), Value::String(Cow::Borrowed(value))))
            .collect();
        let raw = RawOptions::from_value(Value::Object(members)).map_err(CliError::Usage)?;
        options::resolve(&raw).map_err(CliError::Usage)
    }
}

/// Runs `render`, printing warnings and a summary line to `err`.
pub fn run(args: &RenderArgs, err: &mut dyn Write) -> Result<(), CliError> {
    let (options, warnings) = args.widget.resolve()?;
    for warning in &warnings {
        if !args.quiet {
            let _ = writeln!(err, "article-cards: warning: {warning}");
        }
    }
    let css_href = check_url(&args.css_href)
        .map_err(|_| CliError::Usage("--css-href must be an http(s) or relative URL".into()))?;
    let base = bundle_base(args, &options)?;
    let (bundle, warnings) = read_bundle(&args.inputs, base.as_deref(), &options)?;
    for warning in &warnings {
        if !args.quiet {
            let _ = writeln!(err, "article-cards: warning: {warning}");
        }
    }
    let count = shards::selected(&bundle, &options).min(options.limit);
    let fragment = fragment(args, &options, bundle, base.as_deref(), &css_href)?;
    if args.out == Path::new("-") {
        let stdout = io::stdout();
        let mut lock = stdout.lock();
        lock.write_all(fragment.as_bytes())
            .and_then(|()| lock.flush())
            .map_err(|source| CliError::Io {
                context: "cannot write the fragment to stdout".to_owned(),
                source,
            })?;
    } else {
        write_atomically(&args.out, fragment.as_bytes())?;
    }
    if !args.quiet {
        let _ = writeln!(
            err,
            "rendered {count} cards to {}",
            crate::diag::escape(&args.out.display().to_string())
        );
    }
    Ok(())
}

/// The origin a root-relative `--src` is resolved on, so that the
/// bundle's relative URLs resolve as the widget resolves them; it is then
/// taken off every URL written (`.invalid` is reserved: no real URL has
/// it).
const PAGE_ORIGIN: &str = "https://prerender.invalid";

/// The absolute URL the bundle's relative URLs resolve against:
/// `--bundle-url`, else `--src` when absolute, else a root-relative `--src`
/// on [`PAGE_ORIGIN`], else none.
fn bundle_base(args: &RenderArgs, options: &Options) -> Result<Option<String>, CliError> {
    if let Some(url) = &args.bundle_url {
        return match check_url(url) {
            Ok(url) if is_absolute_http(&url) => Ok(Some(url)),
            _ => Err(CliError::Usage(
                "--bundle-url must be an absolute http(s) URL".into(),
            )),
        };
    }
    let src = options.src.as_str();
    Ok(if is_absolute_http(src) {
        Some(src.to_owned())
    } else if src.starts_with('/') && !src.starts_with("//") {
        Some(format!("{PAGE_ORIGIN}{src}"))
    } else {
        None
    })
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|source| CliError::Io {
        context: format!("cannot read {}", path.display()),
        source,
    })
}

fn invalid(path: &Path, message: &str) -> CliError {
    CliError::Invalid(format!("{}: {message}", path.display()))
}

/// Whether `path` is one JSON file that is a bundle or a manifest (a
/// `version` member at the top), rather than an article or feed file.
fn is_bundle_file(path: &Path, bytes: &[u8]) -> bool {
    path.extension().is_some_and(|e| e == "json")
        && widget::json::parse(bytes)
            .ok()
            .is_some_and(|v| matches!(v.get("version"), Some(Value::Number(_))))
}

/// The bundle the cards are rendered from, read as the widget reads it.
fn read_bundle(
    inputs: &[PathBuf],
    base: Option<&str>,
    options: &Options,
) -> Result<(Bundle, Vec<String>), CliError> {
    if let [path] = inputs
        && path.is_file()
    {
        let bytes = read(path)?;
        if is_bundle_file(path, &bytes) {
            return read_bundle_file(path, &bytes, base, options);
        }
    }
    let (bundle, diags, stats) = bundle_paths(inputs, &BundleOptions::default());
    if stats.articles == 0 {
        let first = diags.first().map(|d| format!(": {d}")).unwrap_or_default();
        return Err(CliError::Invalid(format!(
            "no article to render from {} files ({} skipped){first}",
            stats.files, stats.skipped
        )));
    }
    let json = serde_json::to_vec(&bundle).map_err(|e| CliError::Io {
        context: "cannot serialise the bundle".to_owned(),
        source: io::Error::other(e),
    })?;
    read_bundle_file(Path::new("-"), &json, base, options)
}

/// A version 1 bundle, or a version 2 manifest and the pages of its chain
/// for `options` (the first ones, then older ones by `prev` until a screen
/// of cards is selected, as the widget reads them).
fn read_bundle_file(
    path: &Path,
    bytes: &[u8],
    base: Option<&str>,
    options: &Options,
) -> Result<(Bundle, Vec<String>), CliError> {
    let cached_only = options.images == options::Images::CachedOnly;
    let (decoded, mut warnings) =
        decode_any(bytes, base, options).map_err(|e| invalid(path, &e.message))?;
    let (mut bundle, _) = match decoded {
        Decoded::Bundle(bundle) => return Ok((bundle, warnings)),
        Decoded::Manifest { bundle, first } => (bundle, first),
    };
    // The shard names again, relative to the manifest's folder: they are
    // read from the disk, not fetched.
    let (Decoded::Manifest { first, .. }, _) =
        decode_any(bytes, None, options).map_err(|e| invalid(path, &e.message))?
    else {
        return Err(invalid(path, "read once as a manifest and once not"));
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut queue: Vec<String> = first;
    let mut read_pages = 0;
    while let Some(name) = (!queue.is_empty()).then(|| queue.remove(0)) {
        let file = shard_path(dir, &name)
            .ok_or_else(|| invalid(path, &format!("shard {name} is outside its folder")))?;
        let page_bytes = read(&file)?;
        let (page, page_warnings) = decode_page(&page_bytes, None, cached_only, &bundle.providers)
            .map_err(|e| invalid(&file, &e.message))?;
        warnings.extend(page_warnings);
        let prev = page.prev.clone();
        // Image and article URLs of a page resolve against the manifest's
        // URL: read the page again with that base when there is one.
        let page = match base {
            Some(base) => {
                decode_page(&page_bytes, Some(base), cached_only, &bundle.providers)
                    .map_err(|e| invalid(&file, &e.message))?
                    .0
            }
            None => page,
        };
        shards::append(&mut bundle, page);
        read_pages += 1;
        if queue.is_empty()
            && shards::selected(&bundle, options) < options.limit
            && read_pages < PAGES_PER_SCREEN
            && let Some(prev) = prev
        {
            queue.push(prev);
        }
    }
    Ok((bundle, warnings))
}

/// The local file of a shard named relative to the manifest (`None` for a
/// name that leaves the manifest's folder).
fn shard_path(dir: &Path, name: &str) -> Option<PathBuf> {
    let relative = Path::new(name.split(['?', '#']).next().unwrap_or(name));
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| dir.join(relative))
}

/// Escapes text for a double-quoted HTML attribute value.
fn attribute_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            '{' => out.push_str("&#123;"),
            '}' => out.push_str("&#125;"),
            c => out.push(c),
        }
    }
    out
}

/// The fragment: the host with the options given and the bundle's
/// `generatedAt` (`data-generated-at`, which tells a newer bundle), and the
/// declarative shadow root holding the stylesheet link and the cards.
pub fn fragment(
    args: &RenderArgs,
    options: &Options,
    bundle: Bundle,
    base: Option<&str>,
    css_href: &str,
) -> Result<String, CliError> {
    let generated_at = bundle.generated_at.clone();
    let view =
        widget::prerender::view_html(bundle, options.clone(), base).map_err(|e| CliError::Io {
            context: "cannot render the cards".to_owned(),
            source: io::Error::other(e),
        })?;
    // Root-relative again (see `PAGE_ORIGIN`).
    let view = view.replace(&format!("{PAGE_ORIGIN}/"), "/");
    // Site generators run their template language over an included file
    // (Liquid in Jekyll and Eleventy, Go templates in a Hugo partial,
    // Nunjucks): a `{{` or `{%` in an article's text must stay text. The
    // markup itself has no braces (no inline style or script), so every
    // brace is text or an attribute value, where a character reference
    // means the same.
    let view = view.replace('{', "&#123;").replace('}', "&#125;");
    let (tag, prefix) = if args.element {
        ("article-cards", "")
    } else {
        ("div", "data-")
    };
    let mut host = format!("<{tag}");
    if !args.element {
        host.push_str(" data-article-cards");
    }
    for (_, attribute, value) in &args.widget.given {
        host.push_str(&format!(
            " {prefix}{attribute}=\"{}\"",
            attribute_value(value)
        ));
    }
    if !generated_at.is_empty() {
        host.push_str(&format!(
            " data-generated-at=\"{}\"",
            attribute_value(&generated_at)
        ));
    }
    Ok(format!(
        "{host}><template shadowrootmode=\"open\">\
         <link rel=\"stylesheet\" href=\"{}\">\
         <div class=\"{CONTAINER_CLASS}\" {PRERENDERED_ATTRIBUTE}>{view}</div>\
         </template></{tag}>\n",
        attribute_value(css_href)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_values_are_escaped() {
        assert_eq!(
            attribute_value(r#"a"b<c>&'d{{e}}"#),
            "a&quot;b&lt;c&gt;&amp;&#39;d&#123;&#123;e&#125;&#125;"
        );
    }

    #[test]
    fn shard_names_stay_in_the_folder() {
        let dir = Path::new("/site/news");
        assert_eq!(
            shard_path(dir, "shards/ab.json"),
            Some(PathBuf::from("/site/news/shards/ab.json"))
        );
        assert_eq!(shard_path(dir, "../secret.json"), None);
        assert_eq!(shard_path(dir, "/etc/passwd"), None);
    }
}
