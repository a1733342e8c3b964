//! Bundle version 2 on disk (`article-cards bundle --out-dir DIR`): the
//! resolved, ordered bundle cut into chains of content-addressed page
//! shards under `DIR/shards/`, and the manifest `DIR/index.json` naming
//! each chain's newest pages (the format: docs/bundle.md, "Version 2").
//!
//! Pages are counted from the oldest end of each chain, and a page's bytes
//! depend only on its articles, their related records and the name of the
//! page before it: a newer article changes the newest page of each chain
//! it is in and nothing older, so readers and CDNs keep every other shard.
//!
//! Order of writing: shards (each atomically, never rewritten once
//! present), then the manifest, then the build log in
//! `DIR/.article-cards/`, then the pruning of shards no recent build
//! uses. A reader therefore never sees a manifest naming a missing shard.

use std::collections::{HashMap, HashSet};
use std::io;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use bundle::v2::{self, Chain, Chains, Manifest, Page, TopicChain, TypeChains};
use bundle::{Article, ArticleType, Bundle, MAX_BUNDLE_BYTES, RelatedRecords};

use crate::diag::Diagnostic;
use crate::{CliError, human_bytes, write_atomically};

/// Builds kept when `--keep` is not given.
pub const DEFAULT_KEEP: usize = 2;
/// The bundler's own files in the output directory (never fetched by
/// readers).
pub const STATE_DIR: &str = ".article-cards";
/// The build log: which shards the last builds' manifests name.
pub const BUILD_LOG: &str = "builds.json";
/// The build log's format version.
const BUILD_LOG_VERSION: u32 = 1;

/// Where and how to write a version 2 bundle.
#[derive(Debug, Clone)]
pub struct ShardOptions {
    /// The output directory: `index.json`, `shards/`, `.article-cards/`.
    pub dir: PathBuf,
    /// Articles per page, [`v2::MIN_PAGE_SIZE`]..=[`v2::MAX_PAGE_SIZE`].
    pub page_size: usize,
    /// Builds whose shards are kept, this one included (at least 1).
    pub keep: usize,
    /// Indent the JSON.
    pub pretty: bool,
    /// Worker threads; the available parallelism when `None`.
    pub threads: Option<usize>,
    /// The parse cache's directory, where the page-name memo is kept
    /// (`None`: no memo, every page assembled to learn its name).
    pub memo: Option<PathBuf>,
}

/// What a version 2 build wrote, for the summary line and the benches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShardStats {
    /// Distinct shards the new manifest's chains go through.
    pub shards: usize,
    /// Of those, the ones this build wrote (the others were there).
    pub written: usize,
    /// Shards deleted because no kept build names them.
    pub pruned: usize,
    /// Bytes of the distinct shards of this build.
    pub shard_bytes: u64,
    /// Bytes of `index.json`.
    pub manifest_bytes: usize,
    /// Pages named from the page-name memo, not assembled.
    pub named: usize,
}

/// Writes `bundle` (articles ordered, related table complete) as a
/// manifest and page shards in `opts.dir`. Warnings (about the build log)
/// are returned as diagnostics; a page or manifest over
/// [`MAX_BUNDLE_BYTES`] is [`CliError::Invalid`] and writes nothing.
pub fn write_v2(
    bundle: &Bundle,
    opts: &ShardOptions,
) -> Result<(ShardStats, Vec<Diagnostic>), CliError> {
    let page_size = opts
        .page_size
        .clamp(v2::MIN_PAGE_SIZE as usize, v2::MAX_PAGE_SIZE as usize);
    let order = newest_order(&bundle.articles);
    let plan = plan_chains(&bundle.articles, &order);
    let encoded = Encoded::new(bundle, opts.pretty)?;
    if !opts.pretty {
        check_sizes(&plan, &encoded, bundle, page_size, &opts.dir)?;
    }

    let shard_dir = opts.dir.join(v2::SHARD_DIR);
    std::fs::create_dir_all(&shard_dir).map_err(|source| CliError::Io {
        context: format!("cannot create {}", shard_dir.display()),
        source,
    })?;
    let (memo, mut diags) = match &opts.memo {
        Some(dir) if !opts.pretty => PageMemo::open(dir),
        _ => (None, Vec::new()),
    };
    let digests = memo.as_ref().map(|_| Digests::new(&encoded));
    let writer = ShardWriter {
        dir: &shard_dir,
        done: Mutex::new(HashMap::new()),
        written: AtomicUsize::new(0),
        named: AtomicUsize::new(0),
        memo: memo.as_ref().zip(digests.as_ref()),
        keys: Mutex::new(Vec::new()),
    };
    let chains = write_chains(&plan, &encoded, bundle, page_size, &writer, opts)?;
    let named = writer.named.load(Ordering::Relaxed);
    let keys = writer
        .keys
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let done = writer
        .done
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut stats = ShardStats {
        shards: done.len(),
        written: writer.written.load(Ordering::Relaxed),
        shard_bytes: done.values().map(|&len| len as u64).sum(),
        named,
        ..ShardStats::default()
    };

    let manifest = assemble_manifest(bundle, &plan, chains, page_size);
    let mut json = to_json(&manifest, opts.pretty, "the manifest")?;
    json.push(b'\n');
    let manifest_path = opts.dir.join(v2::MANIFEST_NAME);
    if json.len() > MAX_BUNDLE_BYTES {
        return Err(CliError::Invalid(format!(
            "the manifest would be {}, over the widget's {} limit ({} topics, {} providers); {} not written",
            human_bytes(json.len()),
            human_bytes(MAX_BUNDLE_BYTES),
            manifest.topics.len(),
            manifest.providers.len(),
            manifest_path.display()
        )));
    }
    write_atomically(&manifest_path, &json)?;
    stats.manifest_bytes = json.len();

    let mut names: Vec<String> = done.into_keys().collect();
    names.sort_unstable();
    let (pruned, prune_diags) =
        record_and_prune(&opts.dir, &bundle.generated_at, names, opts.keep)?;
    diags.extend(prune_diags);
    stats.pruned = pruned;
    if let Some(memo) = &memo {
        diags.extend(memo.save(&keys));
    }
    Ok((stats, diags))
}

/// Article indices in newest order, the widget's `sort: newest`:
/// published descending, undated last, ties by id.
fn newest_order(articles: &[Article]) -> Vec<usize> {
    let keys: Vec<Option<jiff::Timestamp>> = articles
        .iter()
        .map(|a| a.published.as_deref().and_then(|p| p.parse().ok()))
        .collect();
    let mut order: Vec<usize> = (0..articles.len()).collect();
    order.sort_by(|&a, &b| {
        let (ka, kb) = (keys.get(a), keys.get(b));
        let by_date = match (ka.copied().flatten(), kb.copied().flatten()) {
            (Some(x), Some(y)) => y.cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by_date.then_with(|| {
            let id = |i: usize| articles.get(i).map(|a| a.id.as_str());
            id(a).cmp(&id(b))
        })
    });
    order
}

/// Which chain a list of articles is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ChainKey {
    All,
    /// Index into [`Plan::topics`].
    Topic(usize),
    Provider(String),
    Type(ArticleType),
}

/// A topic's spellings, for its display name.
#[derive(Debug, Default)]
struct Topic {
    /// Spelling → articles using it.
    spellings: HashMap<String, usize>,
}

impl Topic {
    /// The most used spelling; ties go to the smallest in byte order.
    fn name(&self) -> String {
        self.spellings
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(s, _)| s.clone())
            .unwrap_or_default()
    }
}

/// Every chain, each as article indices in newest order.
struct Plan {
    chains: Vec<(ChainKey, Vec<usize>)>,
    topics: Vec<Topic>,
}

fn plan_chains(articles: &[Article], order: &[usize]) -> Plan {
    let mut chains: Vec<(ChainKey, Vec<usize>)> = vec![(ChainKey::All, order.to_vec())];
    let mut topic_index: HashMap<String, usize> = HashMap::new();
    let mut topics: Vec<Topic> = Vec::new();
    let mut topic_members: Vec<Vec<usize>> = Vec::new();
    let mut providers: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut types: Vec<(ArticleType, Vec<usize>)> = Vec::new();
    let mut seen: HashSet<usize> = HashSet::new();
    for &i in order {
        let Some(article) = articles.get(i) else {
            continue;
        };
        seen.clear();
        for spelling in &article.topics {
            let key = spelling.to_lowercase();
            let t = *topic_index.entry(key).or_insert_with(|| {
                topics.push(Topic::default());
                topic_members.push(Vec::new());
                topics.len() - 1
            });
            // A topic spelt twice in one article counts once.
            if !seen.insert(t) {
                continue;
            }
            if let (Some(topic), Some(members)) = (topics.get_mut(t), topic_members.get_mut(t)) {
                *topic.spellings.entry(spelling.clone()).or_default() += 1;
                members.push(i);
            }
        }
        if let Some(p) = &article.provider {
            providers.entry(p.as_str()).or_default().push(i);
        }
        match types.iter_mut().find(|(k, _)| *k == article.kind) {
            Some((_, members)) => members.push(i),
            None => types.push((article.kind, vec![i])),
        }
    }
    chains.extend(
        topic_members
            .into_iter()
            .enumerate()
            .map(|(t, members)| (ChainKey::Topic(t), members)),
    );
    let mut providers: Vec<(&str, Vec<usize>)> = providers.into_iter().collect();
    providers.sort_unstable_by(|a, b| a.0.cmp(b.0));
    chains.extend(
        providers
            .into_iter()
            .map(|(p, members)| (ChainKey::Provider(p.to_owned()), members)),
    );
    types.sort_unstable_by_key(|(k, _)| *k == ArticleType::Video);
    chains.extend(
        types
            .into_iter()
            .map(|(k, members)| (ChainKey::Type(k), members)),
    );
    Plan { chains, topics }
}

/// Positions (in a chain's newest order) of each page, oldest page first:
/// every page holds `page_size` articles except the newest.
fn pages(len: usize, page_size: usize) -> Vec<std::ops::Range<usize>> {
    let size = page_size.max(1);
    let count = len.div_ceil(size);
    (0..count)
        .map(|k| {
            let end = len - k * size;
            end.saturating_sub(size)..end
        })
        .collect()
}

/// Each article and related record serialized once, reused by every page
/// that holds it, and the records each article references as numbers, so
/// a page's record list is sorted and de-duplicated without comparing or
/// hashing strings. With `--pretty` pages are serialized whole instead
/// (`articles` and `records` are empty).
struct Encoded {
    articles: Vec<Vec<u8>>,
    /// The table's record ids, in its (key) order.
    ids: Vec<String>,
    /// Per record, `"<rid>":<record JSON>`, as a page's table holds it.
    records: Vec<Vec<u8>>,
    /// Per article, the indices in `ids` of the records it references.
    refs: Vec<Vec<u32>>,
}

impl Encoded {
    fn new(bundle: &Bundle, pretty: bool) -> Result<Self, CliError> {
        let ids: Vec<String> = bundle.related.iter().map(|(k, _)| k.clone()).collect();
        let index: HashMap<&str, u32> = ids
            .iter()
            .enumerate()
            .map(|(n, rid)| (rid.as_str(), n as u32))
            .collect();
        let refs = bundle
            .articles
            .iter()
            .map(|a| {
                a.related
                    .iter()
                    .filter_map(|rid| index.get(rid.as_str()).copied())
                    .collect()
            })
            .collect();
        drop(index);
        if pretty {
            return Ok(Encoded {
                articles: Vec::new(),
                ids,
                records: Vec::new(),
                refs,
            });
        }
        let articles = bundle
            .articles
            .iter()
            .map(|a| to_json(a, false, "an article"))
            .collect::<Result<Vec<_>, _>>()?;
        let records = bundle
            .related
            .iter()
            .map(|(rid, r)| {
                let mut entry = to_json(rid, false, "a record id")?;
                entry.push(b':');
                entry.extend_from_slice(&to_json(r, false, "a related record")?);
                Ok(entry)
            })
            .collect::<Result<Vec<_>, CliError>>()?;
        Ok(Encoded {
            articles,
            ids,
            records,
            refs,
        })
    }
}

fn to_json<T: Serialize>(value: &T, pretty: bool, what: &str) -> Result<Vec<u8>, CliError> {
    let json = if pretty {
        serde_json::to_vec_pretty(value)
    } else {
        serde_json::to_vec(value)
    };
    json.map_err(|e| CliError::Io {
        context: format!("cannot serialise {what}"),
        source: io::Error::other(e),
    })
}

/// The records a page's articles reference (indices in [`Encoded::ids`]),
/// sorted (the table's order), each once.
fn page_records(encoded: &Encoded, members: &[usize]) -> Vec<u32> {
    let mut rids: Vec<u32> = members
        .iter()
        .filter_map(|&i| encoded.refs.get(i))
        .flatten()
        .copied()
        .collect();
    rids.sort_unstable();
    rids.dedup();
    rids
}

const PAGE_HEAD: &[u8] = b"{\"version\":2,\"articles\":[";
const PAGE_RELATED: &[u8] = b"],\"related\":{";
const PAGE_PREV: &[u8] = b"},\"prev\":";
const PAGE_END_NO_PREV: &[u8] = b"}}\n";
const PAGE_END: &[u8] = b"}\n";

/// A page's JSON: what `serde_json` writes for a [`Page`], with a final
/// newline, assembled from the pieces serialized once.
fn assemble_page(
    encoded: &Encoded,
    members: &[usize],
    prev: Option<&str>,
) -> Result<Vec<u8>, CliError> {
    let rids = page_records(encoded, members);
    let mut out = Vec::with_capacity(
        members
            .iter()
            .filter_map(|&i| encoded.articles.get(i))
            .map(|a| a.len() + 1)
            .sum::<usize>()
            + 256,
    );
    out.extend_from_slice(PAGE_HEAD);
    for (n, a) in members
        .iter()
        .filter_map(|&i| encoded.articles.get(i))
        .enumerate()
    {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(a);
    }
    out.extend_from_slice(PAGE_RELATED);
    for (n, entry) in rids
        .iter()
        .filter_map(|&r| encoded.records.get(r as usize))
        .enumerate()
    {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(entry);
    }
    match prev {
        Some(prev) => {
            out.extend_from_slice(PAGE_PREV);
            serde_json::to_writer(&mut out, prev).map_err(|e| CliError::Io {
                context: "cannot serialise a shard name".to_owned(),
                source: io::Error::other(e),
            })?;
            out.extend_from_slice(PAGE_END);
        }
        None => out.extend_from_slice(PAGE_END_NO_PREV),
    }
    Ok(out)
}

/// The page as a [`Page`] value, serialized whole (`--pretty`).
fn pretty_page(
    encoded: &Encoded,
    bundle: &Bundle,
    members: &[usize],
    prev: Option<&str>,
) -> Result<Vec<u8>, CliError> {
    let mut related = RelatedRecords::default();
    for r in page_records(encoded, members) {
        let Some(rid) = encoded.ids.get(r as usize) else {
            continue;
        };
        if let Some(record) = bundle.related.get(rid) {
            related.insert(rid.to_owned(), record.clone());
        }
    }
    let page = Page {
        version: v2::VERSION,
        articles: members
            .iter()
            .filter_map(|&i| bundle.articles.get(i).cloned())
            .collect(),
        related,
        prev: prev.map(str::to_owned),
    };
    let mut json = to_json(&page, true, "a page")?;
    json.push(b'\n');
    Ok(json)
}

/// The byte length [`assemble_page`] gives, without assembling it: every
/// page's size is checked before any file is written.
fn page_len(encoded: &Encoded, members: &[usize], has_prev: bool) -> usize {
    let articles: usize = members
        .iter()
        .filter_map(|&i| encoded.articles.get(i))
        .map(|a| a.len())
        .sum::<usize>()
        + members.len().saturating_sub(1);
    let entries: Vec<usize> = page_records(encoded, members)
        .iter()
        .filter_map(|&r| encoded.records.get(r as usize).map(Vec::len))
        .collect();
    let records = entries.iter().sum::<usize>() + entries.len().saturating_sub(1);
    let prev = if has_prev {
        // "shards/<hash>.json" in quotes.
        PAGE_PREV.len()
            + v2::SHARD_DIR.len()
            + 1
            + v2::SHARD_HASH_HEX
            + ".json".len()
            + 2
            + PAGE_END.len()
    } else {
        PAGE_END_NO_PREV.len()
    };
    PAGE_HEAD.len() + articles + PAGE_RELATED.len() + records + prev
}

/// At least [`page_len`]: each article with every record it references
/// (a record shared by several counted for each), and room for `prev`.
fn page_len_bound(encoded: &Encoded, members: &[usize]) -> usize {
    let mut len = PAGE_HEAD.len()
        + PAGE_RELATED.len()
        + PAGE_PREV.len()
        + v2::SHARD_DIR.len()
        + 1
        + v2::SHARD_HASH_HEX
        + ".json".len()
        + 2
        + PAGE_END.len();
    for &i in members {
        len += encoded.articles.get(i).map_or(0, Vec::len) + 1;
        for &r in encoded.refs.get(i).map_or(&[][..], Vec::as_slice) {
            len += encoded.records.get(r as usize).map_or(0, |e| e.len() + 1);
        }
    }
    len
}

/// Refuses the build when a page would be over the widget's limit, naming
/// that page's largest articles.
fn check_sizes(
    plan: &Plan,
    encoded: &Encoded,
    bundle: &Bundle,
    page_size: usize,
    dir: &Path,
) -> Result<(), CliError> {
    for (_, members) in &plan.chains {
        for (k, range) in pages(members.len(), page_size).into_iter().enumerate() {
            let Some(page) = members.get(range) else {
                continue;
            };
            // Most pages are far under the cap: a bound that counts every
            // reference's record (shared ones too) settles them without
            // the page's record list.
            if page_len_bound(encoded, page) <= MAX_BUNDLE_BYTES {
                continue;
            }
            let len = page_len(encoded, page, k > 0);
            if len > MAX_BUNDLE_BYTES {
                return Err(CliError::Invalid(too_large(
                    encoded, bundle, page, len, dir,
                )));
            }
        }
    }
    Ok(())
}

fn too_large(encoded: &Encoded, bundle: &Bundle, page: &[usize], len: usize, dir: &Path) -> String {
    let sizes: Vec<(usize, &Article)> = page
        .iter()
        .filter_map(|&i| {
            let a = bundle.articles.get(i)?;
            // With `--pretty` nothing is pre-serialized: measured here.
            let own = match encoded.articles.get(i) {
                Some(bytes) => bytes.len(),
                None => serde_json::to_vec(a).map_or(0, |v| v.len()),
            };
            // An article's weight includes the related records it names.
            let records: usize = encoded
                .refs
                .get(i)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .filter_map(|&r| {
                    let rid = encoded.ids.get(r as usize)?;
                    Some(match encoded.records.get(r as usize) {
                        // Less its `"<rid>":`.
                        Some(entry) => entry.len().saturating_sub(rid.len() + 3),
                        None => bundle
                            .related
                            .get(rid)
                            .and_then(|r| serde_json::to_vec(r).ok())
                            .map_or(0, |v| v.len()),
                    })
                })
                .sum();
            Some((own + records, a))
        })
        .collect();
    format!(
        "a page of {} articles would be {}, over the widget's {} limit; nothing written to {} (try a smaller --page-size). Its largest articles: {}",
        page.len(),
        human_bytes(len),
        human_bytes(MAX_BUNDLE_BYTES),
        dir.display(),
        crate::largest_articles(sizes)
    )
}

/// Writes shards into `shards/`, each name once per build.
struct ShardWriter<'a> {
    dir: &'a Path,
    /// Names this build uses → byte length.
    done: Mutex<HashMap<String, usize>>,
    /// Files this build created (the others were present).
    written: AtomicUsize,
    /// Pages named from the memo.
    named: AtomicUsize,
    /// The page-name memo and the digests its keys are made of.
    memo: Option<(&'a PageMemo, &'a Digests)>,
    /// This build's pages for the next run's memo.
    keys: Mutex<Vec<(PageKey, NamedPage)>>,
}

impl ShardWriter<'_> {
    /// The path of a page the memo names, when `shards/` holds that file
    /// with that length (or this build already named it so); `None`: the
    /// page must be assembled.
    fn recall(&self, page: &NamedPage) -> Option<String> {
        let name = page.file_name();
        let path = format!("{}/{name}", v2::SHARD_DIR);
        {
            let done = self
                .done
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(&len) = done.get(&name) {
                return (len as u64 == u64::from(page.len)).then_some(path);
            }
        }
        let file = self.dir.join(&name);
        let present =
            std::fs::metadata(&file).is_ok_and(|m| m.is_file() && m.len() == u64::from(page.len));
        if !present {
            return None;
        }
        self.done
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(name)
            .or_insert(page.len as usize);
        self.named.fetch_add(1, Ordering::Relaxed);
        Some(path)
    }

    /// Writes `bytes` under their content name, unless this build or an
    /// earlier one already did; returns the path as the manifest names it,
    /// and the name and length for the memo.
    fn put(&self, bytes: &[u8]) -> Result<(String, NamedPage), CliError> {
        let digest = Sha256::digest(bytes);
        let mut hash = [0u8; SHARD_NAME_BYTES];
        hash.copy_from_slice(
            digest
                .get(..SHARD_NAME_BYTES)
                .unwrap_or(&[0; SHARD_NAME_BYTES]),
        );
        let named = NamedPage {
            hash,
            len: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
        };
        let path = v2::shard_path(&crate::hex(&digest));
        let name = path
            .strip_prefix(v2::SHARD_DIR)
            .and_then(|n| n.strip_prefix('/'))
            .unwrap_or(&path)
            .to_owned();
        {
            let mut done = self
                .done
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if done.contains_key(&name) {
                return Ok((path, named));
            }
            done.insert(name.clone(), bytes.len());
        }
        let file = self.dir.join(&name);
        // Same name, same length: the same bytes (a shard is never
        // rewritten, so caches holding it stay right). Another length can
        // only be damage, which an atomic rewrite repairs.
        let present =
            std::fs::metadata(&file).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64);
        if !present {
            write_atomically(&file, bytes)?;
            self.written.fetch_add(1, Ordering::Relaxed);
        }
        Ok((path, named))
    }
}

/// Writes every chain's pages, oldest first (each names the one before),
/// chains shared out between worker threads. Returns each chain's
/// manifest entry, in plan order.
fn write_chains(
    plan: &Plan,
    encoded: &Encoded,
    bundle: &Bundle,
    page_size: usize,
    writer: &ShardWriter<'_>,
    opts: &ShardOptions,
) -> Result<Vec<Chain>, CliError> {
    let write_chain = |members: &[usize]| -> Result<Chain, CliError> {
        let mut names: Vec<String> = Vec::new();
        let mut prev: Option<String> = None;
        let mut keys: Vec<(PageKey, NamedPage)> = Vec::new();
        for range in pages(members.len(), page_size) {
            let Some(page) = members.get(range) else {
                continue;
            };
            // With the memo, a page whose pieces are unchanged is named
            // without being assembled.
            let key = writer
                .memo
                .map(|(memo, digests)| (memo, page_key(digests, encoded, page, prev.as_deref())));
            let recalled = key.as_ref().and_then(|(memo, key)| {
                let named = memo.names.get(key)?;
                Some((writer.recall(named)?, *named))
            });
            let (path, named) = match recalled {
                Some(found) => found,
                None => {
                    let bytes = if opts.pretty {
                        pretty_page(encoded, bundle, page, prev.as_deref())?
                    } else {
                        assemble_page(encoded, page, prev.as_deref())?
                    };
                    // Over the widget's per-file cap: an error that names
                    // the page's largest articles.
                    if bytes.len() > MAX_BUNDLE_BYTES {
                        return Err(CliError::Invalid(too_large(
                            encoded,
                            bundle,
                            page,
                            bytes.len(),
                            &opts.dir,
                        )));
                    }
                    writer.put(&bytes)?
                }
            };
            if let Some((_, key)) = key {
                keys.push((key, named));
            }
            names.push(path.clone());
            prev = Some(path);
        }
        if !keys.is_empty() {
            writer
                .keys
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend(keys);
        }
        Ok(entry(members.len(), page_size, names))
    };
    let threads = opts
        .threads
        .or_else(|| {
            std::thread::available_parallelism()
                .ok()
                .map(NonZeroUsize::get)
        })
        .unwrap_or(1)
        .clamp(1, plan.chains.len().max(1));
    let next = AtomicUsize::new(0);
    let work = || -> Result<Vec<(usize, Chain)>, CliError> {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some((_, members)) = plan.chains.get(i) else {
                break;
            };
            done.push((i, write_chain(members)?));
        }
        Ok(done)
    };
    let batches: Vec<Result<Vec<(usize, Chain)>, CliError>> = if threads == 1 {
        vec![work()]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (1..threads)
                .filter_map(|_| std::thread::Builder::new().spawn_scoped(s, work).ok())
                .collect();
            let mut all = vec![work()];
            for h in handles {
                all.push(h.join().unwrap_or_else(|_| {
                    Err(CliError::Io {
                        context: "a shard writer thread failed".to_owned(),
                        source: io::Error::other("thread panicked"),
                    })
                }));
            }
            all
        })
    };
    let mut chains: Vec<Option<Chain>> = vec![None; plan.chains.len()];
    for batch in batches {
        for (i, chain) in batch? {
            if let Some(slot) = chains.get_mut(i) {
                *slot = Some(chain);
            }
        }
    }
    Ok(chains.into_iter().map(Option::unwrap_or_default).collect())
}

/// A chain's manifest entry from its page names, oldest first: the newest
/// pages, newest first, just enough to hold a page's worth of articles.
fn entry(count: usize, page_size: usize, mut names: Vec<String>) -> Chain {
    let newest_len = match count % page_size.max(1) {
        0 => page_size,
        r => r,
    };
    let first_screen = if newest_len >= page_size || names.len() < 2 {
        1
    } else {
        2
    };
    names.reverse();
    names.truncate(first_screen);
    Chain {
        count: u32::try_from(count).unwrap_or(u32::MAX),
        pages: names,
    }
}

fn assemble_manifest(
    bundle: &Bundle,
    plan: &Plan,
    chains: Vec<Chain>,
    page_size: usize,
) -> Manifest {
    let mut all = Chain::default();
    let mut topics: Vec<TopicChain> = Vec::new();
    let mut provider_chains = Chains::default();
    let mut types = TypeChains::default();
    for ((key, _), chain) in plan.chains.iter().zip(chains) {
        match key {
            ChainKey::All => all = chain,
            ChainKey::Topic(t) => topics.push(TopicChain {
                name: plan.topics.get(*t).map(Topic::name).unwrap_or_default(),
                chain,
            }),
            ChainKey::Provider(p) => provider_chains.insert(p.clone(), chain),
            ChainKey::Type(k) => types.set(*k, chain),
        }
    }
    topics.sort_by(|a, b| {
        b.chain
            .count
            .cmp(&a.chain.count)
            .then_with(|| a.name.cmp(&b.name))
    });
    Manifest {
        version: v2::VERSION,
        generated_at: bundle.generated_at.clone(),
        page_size: u32::try_from(page_size).unwrap_or(v2::DEFAULT_PAGE_SIZE),
        count: u32::try_from(bundle.articles.len()).unwrap_or(u32::MAX),
        providers: bundle.providers.clone(),
        all,
        topics,
        provider_chains,
        types,
    }
}

/// `DIR/.article-cards/builds.json`: the shard names of the latest builds,
/// oldest first.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BuildLog {
    version: u32,
    builds: Vec<BuildEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BuildEntry {
    generated_at: String,
    /// Shard file names (`<hash>.json`), sorted.
    shards: Vec<String>,
}

/// Appends this build to the log, keeps the last `keep` builds, and
/// deletes the shard files none of them names. Without a readable log (a
/// first build, or a log that was removed or damaged) nothing is deleted:
/// the shards of builds it cannot see may still be named by a manifest a
/// reader holds.
fn record_and_prune(
    dir: &Path,
    generated_at: &str,
    shards: Vec<String>,
    keep: usize,
) -> Result<(usize, Vec<Diagnostic>), CliError> {
    let state = dir.join(STATE_DIR);
    let log_path = state.join(BUILD_LOG);
    let mut diags = Vec::new();
    let (mut log, known) = match std::fs::read(&log_path) {
        Ok(bytes) => match serde_json::from_slice::<BuildLog>(&bytes) {
            Ok(log) if log.version == BUILD_LOG_VERSION => (log, true),
            _ => {
                diags.push(Diagnostic::warning(
                    &log_path.display().to_string(),
                    "unreadable build log; started again, no old shard deleted this time",
                ));
                (BuildLog::default(), false)
            }
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => (BuildLog::default(), false),
        Err(source) => {
            return Err(CliError::Io {
                context: format!("cannot read {}", log_path.display()),
                source,
            });
        }
    };
    log.version = BUILD_LOG_VERSION;
    log.builds.push(BuildEntry {
        generated_at: generated_at.to_owned(),
        shards,
    });
    let excess = log.builds.len().saturating_sub(keep.max(1));
    log.builds.drain(..excess);
    std::fs::create_dir_all(&state).map_err(|source| CliError::Io {
        context: format!("cannot create {}", state.display()),
        source,
    })?;
    let mut json = to_json(&log, false, "the build log")?;
    json.push(b'\n');
    write_atomically(&log_path, &json)?;
    if !known {
        return Ok((0, diags));
    }
    let live: HashSet<&str> = log
        .builds
        .iter()
        .flat_map(|b| b.shards.iter().map(String::as_str))
        .collect();
    let shard_dir = dir.join(v2::SHARD_DIR);
    let entries = std::fs::read_dir(&shard_dir).map_err(|source| CliError::Io {
        context: format!("cannot list {}", shard_dir.display()),
        source,
    })?;
    let mut pruned = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if !v2::is_shard_file_name(name) || live.contains(name) {
            continue;
        }
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        match std::fs::remove_file(entry.path()) {
            Ok(()) => pruned += 1,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(CliError::Io {
                    context: format!("cannot delete {}", entry.path().display()),
                    source,
                });
            }
        }
    }
    Ok((pruned, diags))
}

/// The page-name memo's file name, beside the parse cache.
pub const PAGE_MEMO_FILE: &str = "page-names.bin";
const PAGE_MEMO_KIND: crate::memo::Kind = crate::memo::Kind {
    magic: b"article-cards page names\n",
    version: 1,
    what: "page-name memo",
    temp_prefix: ".page-names-",
};
/// Key, the name's 12 bytes, the length.
const PAGE_MEMO_ENTRY: usize = 32 + SHARD_NAME_BYTES + 4;
/// A shard name's hash as bytes (half its hex digits).
const SHARD_NAME_BYTES: usize = v2::SHARD_HASH_HEX / 2;

type PageKey = [u8; 32];

/// A page's name and byte length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NamedPage {
    hash: [u8; SHARD_NAME_BYTES],
    len: u32,
}

impl NamedPage {
    /// `<24 hex digits>.json`.
    fn file_name(&self) -> String {
        let mut name = crate::hex(&self.hash);
        name.push_str(".json");
        name
    }
}

/// The names of the last run's pages by the SHA-256 of what their bytes
/// are made of (the digests of their articles' and records' JSON and the
/// name of the page before: [`page_key`]), so a rebuild names an unchanged
/// page without assembling and hashing it. Untrusted like the parse
/// cache: cap, header (format, version, the bundler's build, which fixes
/// how pages are assembled) and checksum, or it is not used; a name is
/// used only when `shards/` holds that file with that length (the test
/// `ShardWriter::put` already applies to a file it finds), else the page
/// is assembled.
///
/// Layout (integers little-endian): magic, version `u32`, build (32
/// bytes), entries `u64`, SHA-256 of the body (32 bytes); then entries of
/// a key (32 bytes), a name (12 bytes) and a length `u32`.
struct PageMemo {
    file: PathBuf,
    build: PageKey,
    names: HashMap<PageKey, NamedPage>,
}

impl PageMemo {
    /// Opens the memo in `dir`; a file there that cannot be used is a
    /// warning (one of another build is ignored without a word).
    fn open(dir: &Path) -> (Option<PageMemo>, Vec<Diagnostic>) {
        let Some(build) = crate::cache::build_identity() else {
            return (None, Vec::new());
        };
        let mut memo = PageMemo {
            file: dir.join(PAGE_MEMO_FILE),
            build,
            names: HashMap::new(),
        };
        let diags = match memo.load() {
            Ok(()) | Err(None) => Vec::new(),
            Err(Some(why)) => vec![Diagnostic::warning(
                &memo.file.display().to_string(),
                format!("unusable page-name memo ({why}); ignored, every page assembled again"),
            )],
        };
        (Some(memo), diags)
    }

    /// `Err(None)`: no file, or another build's; `Err(Some(why))`: unusable.
    fn load(&mut self) -> Result<(), Option<String>> {
        let contents = crate::memo::read(&self.file, &PAGE_MEMO_KIND, &self.build)?;
        let (body, entries) = (contents.body(), contents.entries);
        let short = || Some("damaged: cut short".to_owned());
        if body.len() % PAGE_MEMO_ENTRY != 0 || (body.len() / PAGE_MEMO_ENTRY) as u64 != entries {
            return Err(Some("damaged: the entry count differs".to_owned()));
        }
        let mut names = HashMap::with_capacity(body.len() / PAGE_MEMO_ENTRY);
        for entry in body.chunks_exact(PAGE_MEMO_ENTRY) {
            let (key, rest) = entry.split_at(32);
            let (hash, len) = rest.split_at(SHARD_NAME_BYTES);
            let (Ok(key), Ok(hash), Ok(len)) = (
                PageKey::try_from(key),
                <[u8; SHARD_NAME_BYTES]>::try_from(hash),
                <[u8; 4]>::try_from(len),
            ) else {
                return Err(short());
            };
            let page = NamedPage {
                hash,
                len: u32::from_le_bytes(len),
            };
            if names.insert(key, page).is_some() {
                return Err(Some("damaged: a key twice".to_owned()));
            }
        }
        self.names = names;
        Ok(())
    }

    /// Replaces the file with this build's pages.
    fn save(&self, pages: &[(PageKey, NamedPage)]) -> Vec<Diagnostic> {
        let mut body = Vec::with_capacity(pages.len() * PAGE_MEMO_ENTRY);
        let mut seen = HashSet::with_capacity(pages.len());
        for (key, page) in pages {
            if seen.insert(key) {
                body.extend_from_slice(key);
                body.extend_from_slice(&page.hash);
                body.extend_from_slice(&page.len.to_le_bytes());
            }
        }
        let entries = (body.len() / PAGE_MEMO_ENTRY) as u64;
        let written = crate::memo::write(&self.file, &PAGE_MEMO_KIND, &self.build, entries, &body);
        match written {
            Ok(()) => Vec::new(),
            Err(e) => vec![Diagnostic::warning(
                &self.file.display().to_string(),
                format!("cannot write the page-name memo: {e}"),
            )],
        }
    }
}

/// What a page's bytes are made of, hashed: the digests of its articles'
/// and records' JSON (each computed once per build), in page order, and
/// the page before it. Equal keys, equal bytes: [`assemble_page`] puts
/// exactly these pieces together.
fn page_key(
    digests: &Digests,
    encoded: &Encoded,
    members: &[usize],
    prev: Option<&str>,
) -> PageKey {
    let mut h = Sha256::new();
    h.update((members.len() as u64).to_le_bytes());
    for &i in members {
        if let Some(d) = digests.articles.get(i) {
            h.update(d);
        }
    }
    let rids = page_records(encoded, members);
    h.update((rids.len() as u64).to_le_bytes());
    for r in rids {
        if let Some(d) = digests.records.get(r as usize) {
            h.update(d);
        }
    }
    match prev {
        Some(p) => {
            h.update([1u8]);
            h.update((p.len() as u64).to_le_bytes());
            h.update(p.as_bytes());
        }
        None => h.update([0u8]),
    }
    h.finalize().into()
}

/// SHA-256 of each article's and record entry's JSON in [`Encoded`].
struct Digests {
    articles: Vec<PageKey>,
    records: Vec<PageKey>,
}

impl Digests {
    fn new(encoded: &Encoded) -> Digests {
        let digest = |bytes: &Vec<u8>| -> PageKey { Sha256::digest(bytes).into() };
        Digests {
            articles: encoded.articles.iter().map(digest).collect(),
            records: encoded.records.iter().map(digest).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, related: &[&str]) -> Article {
        Article {
            id: id.to_owned(),
            title: format!("Title \"{id}\""),
            excerpt: None,
            url: format!("https://example.test/{id}"),
            published: Some("2026-01-02T03:04:05Z".to_owned()),
            updated: None,
            kind: ArticleType::Article,
            topics: vec!["A".to_owned()],
            provider: None,
            image: None,
            video: None,
            heat: None,
            quality: None,
            related: related.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    #[test]
    fn assembled_pages_are_what_serde_writes() {
        let mut related = RelatedRecords::default();
        for rid in ["r2", "r1"] {
            related.insert(
                rid.to_owned(),
                bundle::RelatedRecord {
                    title: format!("Record {rid}"),
                    url: format!("https://example.test/{rid}"),
                    published: None,
                    kind: ArticleType::Video,
                    provider: None,
                    image: None,
                },
            );
        }
        let bundle = Bundle {
            version: bundle::BUNDLE_VERSION,
            generated_at: "2026-01-01T00:00:00Z".to_owned(),
            providers: bundle::Providers::default(),
            related,
            articles: vec![
                article("a", &["r2", "missing", "r1"]),
                article("b", &["r1"]),
                article("c", &[]),
            ],
        };
        let encoded = Encoded::new(&bundle, false).unwrap();
        for (members, prev) in [
            (vec![0, 1], Some("shards/0123456789abcdef01234567.json")),
            (vec![2], None),
            (vec![], None),
        ] {
            let page = Page {
                version: v2::VERSION,
                articles: members
                    .iter()
                    .map(|&i| bundle.articles[i].clone())
                    .collect(),
                related: {
                    let mut t = RelatedRecords::default();
                    for r in page_records(&encoded, &members) {
                        let rid = &encoded.ids[r as usize];
                        t.insert(rid.clone(), bundle.related.get(rid).unwrap().clone());
                    }
                    t
                },
                prev: prev.map(str::to_owned),
            };
            let mut want = serde_json::to_vec(&page).unwrap();
            want.push(b'\n');
            let got = assemble_page(&encoded, &members, prev).unwrap();
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(want.clone()).unwrap()
            );
            assert_eq!(page_len(&encoded, &members, prev.is_some()), want.len());
            assert!(page_len_bound(&encoded, &members) >= want.len());
        }
    }

    /// The page-name memo names unchanged pages without assembling them,
    /// and a page whose file is gone (or has another length) is assembled
    /// and written again: the output is always the same.
    #[test]
    fn the_page_memo_names_pages_it_can_find() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let memo = tmp.path().join("memo");
        let mut articles: Vec<Article> = (0..7)
            .map(|i| {
                let mut a = article(&format!("a{i}"), &[]);
                a.published = Some(format!("2026-01-0{}T00:00:00Z", i + 1));
                a
            })
            .collect();
        articles.reverse();
        let bundle = Bundle {
            version: bundle::BUNDLE_VERSION,
            generated_at: "2026-01-01T00:00:00Z".to_owned(),
            providers: bundle::Providers::default(),
            related: RelatedRecords::default(),
            articles,
        };
        let opts = ShardOptions {
            dir: dir.clone(),
            page_size: 2,
            keep: 2,
            pretty: false,
            threads: Some(2),
            memo: Some(memo.clone()),
        };
        let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
        let (first, _) = write_v2(&bundle, &opts).unwrap();
        assert_eq!((first.named, first.written), (0, first.shards));
        let manifest = read("index.json");
        let (second, diags) = write_v2(&bundle, &opts).unwrap();
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!((second.named, second.written), (first.shards, 0));
        assert_eq!(read("index.json"), manifest);
        // A shard gone, another cut short: both assembled and written again.
        let mut shards: Vec<String> = std::fs::read_dir(dir.join("shards"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        shards.sort();
        let gone = dir.join("shards").join(&shards[0]);
        let short = dir.join("shards").join(&shards[1]);
        let (kept_gone, kept_short) = (
            std::fs::read(&gone).unwrap(),
            std::fs::read(&short).unwrap(),
        );
        std::fs::remove_file(&gone).unwrap();
        std::fs::write(&short, &kept_short[..10]).unwrap();
        let (third, _) = write_v2(&bundle, &opts).unwrap();
        assert_eq!((third.named, third.written), (first.shards - 2, 2));
        assert_eq!(std::fs::read(&gone).unwrap(), kept_gone);
        assert_eq!(std::fs::read(&short).unwrap(), kept_short);
        assert_eq!(read("index.json"), manifest);
        // Without a memo the same files.
        let plain = ShardOptions {
            dir: tmp.path().join("plain"),
            memo: None,
            ..opts.clone()
        };
        let (fourth, _) = write_v2(&bundle, &plain).unwrap();
        assert_eq!(fourth.named, 0);
        assert_eq!(
            std::fs::read(plain.dir.join("index.json")).unwrap(),
            manifest
        );
        // A damaged memo is a warning, and every page is assembled.
        let file = memo.join(PAGE_MEMO_FILE);
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        let (fifth, diags) = write_v2(&bundle, &opts).unwrap();
        assert_eq!(fifth.named, 0);
        assert!(
            diags.iter().any(|d| d
                .message
                .contains("unusable page-name memo (damaged: checksum mismatch)")),
            "{diags:?}"
        );
        assert_eq!(read("index.json"), manifest);
    }

    #[test]
    fn pages_are_counted_from_the_oldest_end() {
        assert_eq!(pages(0, 3), Vec::<std::ops::Range<usize>>::new());
        assert_eq!(pages(3, 3), vec![0..3]);
        assert_eq!(pages(7, 3), vec![4..7, 1..4, 0..1]);
        assert_eq!(pages(2, 3), vec![0..2]);
    }

    #[test]
    fn first_screen_holds_a_page_of_articles() {
        let names = |n: usize| (0..n).map(|i| format!("p{i}")).collect::<Vec<_>>();
        // Full newest page: one page.
        assert_eq!(entry(6, 3, names(2)).pages, vec!["p1"]);
        // A partial newest page and an older one: two.
        assert_eq!(entry(7, 3, names(3)).pages, vec!["p2", "p1"]);
        // A partial page alone: one.
        assert_eq!(entry(2, 3, names(1)).pages, vec!["p0"]);
        assert_eq!(entry(0, 3, names(0)).pages, Vec::<String>::new());
    }
}
