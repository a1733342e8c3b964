//! Computed related articles: for articles without an explicit `related`
//! list, the bundler picks up to K neighbours, ranked by shared topics and
//! TF-IDF cosine similarity of title and excerpt terms, ties broken by
//! recency then id.
//!
//! An article's neighbours are chosen among the articles **older** than it
//! (after it in newest order, the order of the version 2 chains), and
//! everything its choice depends on (term weights, candidate lists, term
//! numbering) is computed from those older articles and itself alone. So
//! adding an article newer than all others changes no other article's
//! list, and a version 2 rebuild rewrites only the newest pages (see
//! docs/bundle.md, "Computed related articles").
//!
//! Bounded: candidates are, per query term and per topic, the newest older
//! articles that have it (a window of fixed length), so the work per
//! article is capped and the pass is linear in the number of articles
//! apart from one sort.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use bundle::{Article, MAX_RELATED, RelatedRecord};

use crate::diag::Diagnostic;

/// How related items are chosen (`--related`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RelatedMode {
    /// Keep explicit lists; compute for articles without one.
    #[default]
    Auto,
    /// Keep explicit lists only.
    Explicit,
    /// No related items at all.
    Off,
}

/// Tuning of the computation.
#[derive(Debug, Clone, Copy)]
pub struct RelatedConfig {
    /// Related items per article.
    pub k: usize,
    /// Candidates looked at per query term and per topic: the newest
    /// articles older than the one being linked that have that term or
    /// topic.
    pub window: usize,
    /// Terms per document used to look for candidates (highest weight first).
    pub query_terms: usize,
    /// Minimum combined score for a neighbour to count as related.
    pub min_score: f32,
}

impl Default for RelatedConfig {
    fn default() -> Self {
        RelatedConfig {
            k: 6,
            window: 96,
            query_terms: 12,
            min_score: 0.08,
        }
    }
}

const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "but", "by", "can", "could", "de", "der", "des", "die", "do", "does", "et", "for", "from",
    "had", "has", "have", "he", "her", "his", "how", "if", "in", "into", "is", "it", "its", "la",
    "le", "les", "more", "most", "new", "no", "not", "of", "on", "one", "or", "our", "out", "over",
    "she", "so", "some", "than", "that", "the", "their", "them", "then", "there", "these", "they",
    "this", "to", "two", "und", "up", "us", "was", "we", "were", "what", "when", "which", "who",
    "will", "with", "would", "you", "your",
];

/// Calls `f` with each lowercased word token of at least two characters,
/// minus stop words, with a light plural fold (`cities` → `city`, `maps` →
/// `map`). The token is built in `buf`, so known terms cost no allocation.
fn for_each_term(text: &str, buf: &mut String, mut f: impl FnMut(&str)) {
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let mut chars = word.chars();
        if chars.next().is_none() || chars.next().is_none() {
            continue;
        }
        buf.clear();
        if word
            .bytes()
            .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
        {
            buf.push_str(word);
        } else {
            buf.push_str(&word.to_lowercase());
        }
        if STOP_WORDS.binary_search(&buf.as_str()).is_ok() {
            continue;
        }
        if buf.len() > 4 && buf.ends_with("ies") {
            buf.truncate(buf.len() - 3);
            buf.push('y');
        } else if buf.len() > 3 && buf.ends_with('s') && !buf.ends_with("ss") {
            buf.pop();
        }
        f(buf);
    }
}

/// A document's weighted terms, L2-normalised, sorted by term id, each
/// with the document's place in that term's posting list.
struct DocVector {
    /// (term id, weight, index in the term's postings).
    entries: Vec<(u32, f32, u32)>,
    /// Per entry, the term's idf as the document saw it.
    idf: Vec<f32>,
}

/// Fills in `related` (record ids) for every article according to `mode`.
pub fn apply(articles: &mut [Article], mode: RelatedMode, config: &RelatedConfig) {
    apply_with(articles, mode, config, None);
}

/// [`apply`] through the lists of an earlier run (`memo`, `--related auto`
/// only). Returns what the memo should keep for the next run and how many
/// lists came from it.
pub fn apply_with(
    articles: &mut [Article],
    mode: RelatedMode,
    config: &RelatedConfig,
    memo: Option<&Memo>,
) -> Computed {
    match mode {
        RelatedMode::Off => {
            articles.iter_mut().for_each(|a| a.related.clear());
            Computed::default()
        }
        RelatedMode::Explicit => Computed::default(),
        RelatedMode::Auto => {
            // An explicit list is kept, so none is computed for it.
            let wanted: Vec<bool> = articles.iter().map(|a| a.related.is_empty()).collect();
            let mut computed = compute_with(articles, config, Some(&wanted), memo);
            let lists = std::mem::take(&mut computed.lists);
            for (article, neighbours) in articles.iter_mut().zip(lists) {
                if article.related.is_empty() {
                    article.related = neighbours;
                }
            }
            computed
        }
    }
}

/// What [`compute_with`] found.
#[derive(Debug, Default)]
pub struct Computed {
    /// Per article (in the slice's order), its related ids.
    pub lists: Vec<Vec<String>>,
    /// With a memo: every list as the memo keeps it, its key and its
    /// neighbours' places from the oldest end.
    pub entries: Vec<(MemoKey, Vec<u32>)>,
    /// Lists taken from the memo.
    pub reused: usize,
    /// Memo entries found but not plausible (those lists were computed).
    pub refused: usize,
}

/// The ids of each article's related articles (explicit lists are ignored
/// here), each chosen among the articles older than it; each id is also
/// the id of the neighbour's record.
pub fn compute(articles: &[Article], config: &RelatedConfig) -> Vec<Vec<String>> {
    compute_with(articles, config, None, None).lists
}

/// [`compute`] for the articles `wanted` marks (every one when `None`; the
/// others get no list). With a memo, a list whose key it holds is taken
/// from it when plausible (older neighbours, each once, at most `k`), and
/// the others are computed.
pub fn compute_with(
    articles: &[Article],
    config: &RelatedConfig,
    wanted: Option<&[bool]>,
    memo: Option<&Memo>,
) -> Computed {
    let n = articles.len();
    let wants = |doc: usize| wanted.is_none_or(|w| w.get(doc).copied().unwrap_or(false));
    let mut out = Computed {
        lists: vec![Vec::new(); n],
        ..Computed::default()
    };
    if n < 2 || config.k == 0 {
        return out;
    }

    // Place from the oldest end: 0 = the oldest (the last in newest order).
    let mut by_age: Vec<usize> = (0..n).collect();
    by_age.sort_by(|&a, &b| newer_first(articles, b, a).then(b.cmp(&a)));
    let mut place = vec![0u32; n];
    for (rank, &doc) in by_age.iter().enumerate() {
        if let Some(slot) = place.get_mut(doc) {
            *slot = rank as u32;
        }
    }

    // Articles that share a URL are one page: each gets the index of the
    // first with its URL, so candidates compare numbers, not strings.
    let mut first_with_url: HashMap<&str, u32> = HashMap::with_capacity(n);
    let url_ids: Vec<u32> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| *first_with_url.entry(a.url.as_str()).or_insert(i as u32))
        .collect();
    drop(first_with_url);

    // Per article, its neighbours (article indices), from the memo or
    // computed below.
    let mut chosen: Vec<Vec<u32>> = vec![Vec::new(); n];
    let keys = match memo {
        Some(_) => memo_keys(articles, &by_age, config),
        None => Vec::new(),
    };
    let mut todo: Vec<usize> = Vec::new();
    for (rank, &doc) in by_age.iter().enumerate() {
        if !wants(doc) {
            continue;
        }
        let found = match (memo, keys.get(rank)) {
            (Some(memo), Some(key)) => memo.get(key),
            _ => None,
        };
        let Some(places) = found else {
            todo.push(doc);
            continue;
        };
        match plausible(&places, rank, doc, &by_age, &url_ids, config.k) {
            Some(neighbours) => {
                if let Some(slot) = chosen.get_mut(doc) {
                    *slot = neighbours;
                }
                out.reused += 1;
            }
            None => {
                out.refused += 1;
                todo.push(doc);
            }
        }
    }

    if !todo.is_empty() {
        let index = Index::new(articles, &by_age);
        let ctx = Context {
            articles,
            url_ids: &url_ids,
            vectors: &index.vectors,
            postings: &index.postings,
            doc_topics: &index.doc_topics,
            topic_docs: &index.topic_docs,
            place: &place,
            config,
        };
        for (&doc, neighbours) in todo.iter().zip(ctx.neighbours_of(&todo)) {
            if let Some(slot) = chosen.get_mut(doc) {
                *slot = neighbours;
            }
        }
    }

    if memo.is_some() {
        for (rank, &doc) in by_age.iter().enumerate() {
            if let (true, Some(key), Some(neighbours)) =
                (wants(doc), keys.get(rank), chosen.get(doc))
            {
                let places = neighbours
                    .iter()
                    .filter_map(|&o| place.get(o as usize).copied())
                    .collect();
                out.entries.push((*key, places));
            }
        }
    }
    for (list, neighbours) in out.lists.iter_mut().zip(&chosen) {
        *list = neighbours
            .iter()
            .filter_map(|&o| articles.get(o as usize).map(|a| a.id.clone()))
            .collect();
    }
    out
}

/// The term and topic index of the archive, built oldest first.
struct Index {
    vectors: Vec<DocVector>,
    /// Per term: (document, its tf weight over its vector's norm).
    postings: Vec<Vec<(u32, f32)>>,
    doc_topics: Vec<Vec<(u32, u32)>>,
    topic_docs: Vec<Vec<u32>>,
}

impl Index {
    fn new(articles: &[Article], by_age: &[usize]) -> Index {
        let n = articles.len();
        // 1. Oldest first: term ids in order of first use, document
        // frequencies so far, and each document's vector weighed by the
        // archive as it was with that document the newest (sublinear tf,
        // smoothed idf, title terms count double), normalised.
        let mut vocabulary: HashMap<String, u32> = HashMap::new();
        let mut df: Vec<u32> = Vec::new();
        // Per term: (document, its tf weight over its vector's norm).
        let mut postings: Vec<Vec<(u32, f32)>> = Vec::new();
        let mut vectors: Vec<DocVector> = (0..n)
            .map(|_| DocVector {
                entries: Vec::new(),
                idf: Vec::new(),
            })
            .collect();
        let mut buf = String::new();
        // Per document: (term, weight) per occurrence, then summed per term.
        let mut occurrences: Vec<(u32, f32)> = Vec::new();
        let mut counts: Vec<(u32, f32)> = Vec::new();
        for (seen, &doc) in by_age.iter().enumerate() {
            let Some(article) = articles.get(doc) else {
                continue;
            };
            occurrences.clear();
            for (text, weight) in [
                (Some(article.title.as_str()), 2.0),
                (article.excerpt.as_deref(), 1.0),
            ] {
                for_each_term(text.unwrap_or_default(), &mut buf, |term| {
                    let id = match vocabulary.get(term) {
                        Some(&id) => id,
                        None => {
                            let id = vocabulary.len() as u32;
                            vocabulary.insert(term.to_owned(), id);
                            df.push(0);
                            postings.push(Vec::new());
                            id
                        }
                    };
                    occurrences.push((id, weight));
                });
            }
            // Stable: each term's weights are summed in the order they
            // occur, as a running total would.
            occurrences.sort_by_key(|&(id, _)| id);
            counts.clear();
            for &(id, weight) in &occurrences {
                match counts.last_mut() {
                    Some((last, tf)) if *last == id => *tf += weight,
                    _ => counts.push((id, weight)),
                }
            }
            let docs = (seen + 1) as f32;
            // (term, tf weight, idf) by term id, as `counts` is.
            let weighed: Vec<(u32, f32, f32)> = counts
                .iter()
                .map(|&(id, tf)| {
                    let d = df.get_mut(id as usize).map_or(1, |d| {
                        *d += 1;
                        *d
                    });
                    let idf = ((docs + 1.0) / (d as f32 + 1.0)).ln() + 1.0;
                    (id, 1.0 + tf.ln(), idf)
                })
                .collect();
            let norm = weighed
                .iter()
                .map(|(_, tf, idf)| (tf * idf) * (tf * idf))
                .sum::<f32>()
                .sqrt();
            let norm = if norm > 0.0 { norm } else { 1.0 };
            let mut entries = Vec::with_capacity(weighed.len());
            let mut idfs = Vec::with_capacity(weighed.len());
            for (id, tf, idf) in weighed {
                let at = match postings.get_mut(id as usize) {
                    Some(list) => {
                        list.push((doc as u32, tf / norm));
                        list.len() as u32 - 1
                    }
                    None => 0,
                };
                entries.push((id, tf * idf / norm, at));
                idfs.push(idf);
            }
            if let Some(v) = vectors.get_mut(doc) {
                v.entries = entries;
                v.idf = idfs;
            }
        }

        // Topics: lowercased, numbered in order of first use (oldest first);
        // per topic its documents oldest first, and per document its place in
        // each of its topics' lists.
        let mut topic_ids: HashMap<String, u32> = HashMap::new();
        let mut topic_docs: Vec<Vec<u32>> = Vec::new();
        let mut doc_topics: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
        for &doc in by_age {
            let Some(article) = articles.get(doc) else {
                continue;
            };
            let mut ids: Vec<u32> = article
                .topics
                .iter()
                .map(|t| {
                    let next = topic_ids.len() as u32;
                    let id = *topic_ids.entry(t.to_lowercase()).or_insert(next);
                    if id == next {
                        topic_docs.push(Vec::new());
                    }
                    id
                })
                .collect();
            ids.sort_unstable();
            ids.dedup();
            if let Some(slot) = doc_topics.get_mut(doc) {
                *slot = ids
                    .into_iter()
                    .filter_map(|t| {
                        let list = topic_docs.get_mut(t as usize)?;
                        list.push(doc as u32);
                        Some((t, list.len() as u32 - 1))
                    })
                    .collect();
            }
        }

        Index {
            vectors,
            postings,
            doc_topics,
            topic_docs,
        }
    }
}

struct Context<'a> {
    articles: &'a [Article],
    /// Per article, the index of the first article with its URL.
    url_ids: &'a [u32],
    vectors: &'a [DocVector],
    /// Per term, (document, weight), oldest first.
    postings: &'a [Vec<(u32, f32)>],
    /// Per document, (topic, its index in that topic's list).
    doc_topics: &'a [Vec<(u32, u32)>],
    /// Per topic, its documents oldest first.
    topic_docs: &'a [Vec<u32>],
    /// Per document, its place from the oldest end.
    place: &'a [u32],
    config: &'a RelatedConfig,
}

/// The `window` entries of `list` just before index `at` (the newest ones
/// older than the entry at `at`).
fn window<T>(list: &[T], at: u32, window: usize) -> &[T] {
    let end = (at as usize).min(list.len());
    list.get(end.saturating_sub(window)..end)
        .unwrap_or_default()
}

impl Context<'_> {
    /// The neighbours of each of `docs`, in parallel over contiguous
    /// parts.
    fn neighbours_of(&self, docs: &[usize]) -> Vec<Vec<u32>> {
        let n = self.articles.len();
        let threads = std::thread::available_parallelism()
            .map_or(1, |p| p.get())
            .clamp(1, 8);
        let chunk = docs.len().div_ceil(threads).max(1);
        let mut results: Vec<Vec<u32>> = Vec::with_capacity(docs.len());
        std::thread::scope(|scope| {
            let handles: Vec<_> = docs
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        let mut scores = vec![0f32; n];
                        let mut touched = Vec::new();
                        part.iter()
                            .map(|&doc| self.neighbours(doc, &mut scores, &mut touched))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for handle in handles {
                // A panicking worker is a bug; degrade to no related items.
                let part = handle.join().unwrap_or_default();
                results.extend(part);
            }
        });
        results.resize_with(docs.len(), Vec::new);
        results
    }

    fn neighbours(&self, doc: usize, scores: &mut [f32], touched: &mut Vec<u32>) -> Vec<u32> {
        let Some(vector) = self.vectors.get(doc) else {
            return Vec::new();
        };
        // (term, weight × idf, index in the term's postings).
        let mut query: Vec<(u32, f32, u32)> = vector
            .entries
            .iter()
            .zip(&vector.idf)
            .map(|(&(term, w, at), &idf)| (term, w * idf, at))
            .collect();
        query.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        query.truncate(self.config.query_terms);

        // Text similarity over the newest older documents of each query
        // term: both sides weighed by this document's idf (the archive as
        // it was when it was published), the older one normalised by its
        // own. An approximation of the cosine that counts each candidate's
        // shared query terms.
        for &(term, weight, at) in &query {
            let list = self
                .postings
                .get(term as usize)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for &(other, other_weight) in window(list, at, self.config.window) {
                if let Some(slot) = scores.get_mut(other as usize) {
                    if *slot == 0.0 {
                        touched.push(other);
                    }
                    *slot += weight * other_weight;
                }
            }
        }
        // Candidates that only share a topic still deserve a look.
        let topics = self
            .doc_topics
            .get(doc)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for &(topic, at) in topics {
            let list = self
                .topic_docs
                .get(topic as usize)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for &other in window(list, at, self.config.window) {
                if let Some(slot) = scores.get_mut(other as usize)
                    && *slot == 0.0
                {
                    touched.push(other);
                    // Mark as touched without adding text similarity.
                    *slot = f32::MIN_POSITIVE;
                }
            }
        }

        let url = self.url_ids.get(doc).copied();
        let mut ranked: Vec<(f32, u32, u32)> = Vec::with_capacity(touched.len());
        for &other in touched.iter() {
            let slot = scores.get_mut(other as usize);
            let text = slot.map(std::mem::take).unwrap_or_default();
            let other = other as usize;
            if other == doc || self.url_ids.get(other).copied() == url {
                continue;
            }
            let shared = shared_count(
                topics,
                self.doc_topics
                    .get(other)
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
            );
            let topic_score = if topics.is_empty() {
                0.0
            } else {
                shared as f32 / topics.len() as f32
            };
            let score = text + 0.35 * topic_score;
            if score >= self.config.min_score {
                ranked.push((
                    score,
                    self.place.get(other).copied().unwrap_or_default(),
                    other as u32,
                ));
            }
        }
        touched.clear();

        // Best first; ties to the newer (a larger place, unique, so the
        // order is total). Only the best k are sorted.
        let order =
            |a: &(f32, u32, u32), b: &(f32, u32, u32)| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1));
        if ranked.len() > self.config.k && self.config.k > 0 {
            ranked.select_nth_unstable_by(self.config.k - 1, order);
            ranked.truncate(self.config.k);
        }
        ranked.sort_unstable_by(order);
        // A new vector: collecting `ranked` into one would reuse its
        // allocation, and every list is kept until the last is chosen.
        let mut chosen = Vec::with_capacity(ranked.len().min(self.config.k));
        chosen.extend(
            ranked
                .iter()
                .take(self.config.k)
                .map(|&(_, _, other)| other),
        );
        chosen
    }
}

/// A memo's list (places from the oldest end) as article indices, when it
/// is plausible for the article at `rank`: at most `k` neighbours, each
/// older, each once, none on the article's own URL. A memo that passes is
/// still only as right as its key says: see [`Memo`].
fn plausible(
    places: &[u32],
    rank: usize,
    doc: usize,
    by_age: &[usize],
    url_ids: &[u32],
    k: usize,
) -> Option<Vec<u32>> {
    if places.len() > k {
        return None;
    }
    let own = url_ids.get(doc)?;
    let mut out: Vec<u32> = Vec::with_capacity(places.len());
    for &p in places {
        if p as usize >= rank {
            return None;
        }
        let other = *by_age.get(p as usize)?;
        if url_ids.get(other)? == own || out.contains(&(other as u32)) {
            return None;
        }
        out.push(other as u32);
    }
    Some(out)
}

/// Each list's memo key, oldest article first: a running SHA-256 over the
/// settings and, article by article from the oldest end, every field the
/// computation reads (id, URL, title, excerpt, date, topics). A list
/// depends on its article and the older ones alone, in this order, so the
/// key of the article at place `p` covers all it depends on.
fn memo_keys(articles: &[Article], by_age: &[usize], config: &RelatedConfig) -> Vec<MemoKey> {
    fn field(h: &mut Sha256, text: Option<&str>) {
        match text {
            Some(t) => {
                h.update([1u8]);
                h.update((t.len() as u64).to_le_bytes());
                h.update(t.as_bytes());
            }
            None => h.update([0u8]),
        }
    }
    let mut seed = Sha256::new();
    seed.update(MEMO_KIND.magic);
    for v in [
        config.k as u64,
        config.window as u64,
        config.query_terms as u64,
        u64::from(config.min_score.to_bits()),
    ] {
        seed.update(v.to_le_bytes());
    }
    let mut chain: MemoKey = seed.finalize().into();
    by_age
        .iter()
        .map(|&doc| {
            let mut h = Sha256::new();
            h.update(chain);
            if let Some(a) = articles.get(doc) {
                field(&mut h, Some(&a.id));
                field(&mut h, Some(&a.url));
                field(&mut h, Some(&a.title));
                field(&mut h, a.excerpt.as_deref());
                field(&mut h, a.published.as_deref());
                h.update((a.topics.len() as u64).to_le_bytes());
                for t in &a.topics {
                    field(&mut h, Some(t));
                }
            }
            chain = h.finalize().into();
            chain
        })
        .collect()
}

/// The key of a memo entry: see [`memo_keys`].
pub type MemoKey = [u8; 32];

/// The memo's file name in the cache directory.
pub const MEMO_FILE: &str = "related-memo.bin";
const MEMO_KIND: crate::memo::Kind = crate::memo::Kind {
    magic: b"article-cards related memo\n",
    version: 1,
    what: "related memo",
    temp_prefix: ".related-memo-",
};

/// The computed lists of the last run (`related-memo.bin` beside the
/// parse cache), each under its [`memo_keys`] key, so a rebuild computes
/// only the lists whose article or older articles changed.
///
/// The file is untrusted like the parse cache: read up to a cap, its
/// header (format, version, the bundler's build) and the checksum of its
/// body must match and every entry must be well formed, or it is not used
/// at all; an entry is used only when its key matches and its neighbours
/// are plausible ([`plausible`]), else the list is computed. Binary, not
/// JSON: an entry is a key and a few numbers.
///
/// Layout (integers little-endian): magic, version `u32`, build (32
/// bytes), entries `u64`, SHA-256 of the body (32 bytes); then per entry
/// its key (32 bytes), the count `u8` and that many places `u32`.
pub struct Memo {
    file: PathBuf,
    build: MemoKey,
    data: Vec<u8>,
    /// Key → the entry's places in `data`.
    index: HashMap<MemoKey, Range<usize>>,
}

impl Memo {
    /// Opens the memo in `dir` (which need not exist). Without a usable
    /// file it starts empty; a file that is there but damaged, forged or
    /// of another format is a warning. One made by another build is
    /// silently ignored (the parse cache already notes it).
    pub fn open(dir: &Path) -> (Option<Memo>, Vec<Diagnostic>) {
        let Some(build) = crate::cache::build_identity() else {
            return (None, Vec::new());
        };
        let mut memo = Memo {
            file: dir.join(MEMO_FILE),
            build,
            data: Vec::new(),
            index: HashMap::new(),
        };
        let diags = match memo.load() {
            Ok(()) | Err(None) => Vec::new(),
            Err(Some(why)) => vec![Diagnostic::warning(
                &memo.file.display().to_string(),
                format!(
                    "unusable related memo ({why}); ignored, every related list computed again"
                ),
            )],
        };
        (Some(memo), diags)
    }

    /// `Err(None)`: no file, or another build's; `Err(Some(why))`: unusable.
    fn load(&mut self) -> Result<(), Option<String>> {
        let crate::memo::Contents {
            data,
            body_start,
            entries,
        } = crate::memo::read(&self.file, &MEMO_KIND, &self.build)?;
        let short = || Some("damaged: cut short".to_owned());
        let body_len = data.len().saturating_sub(body_start);
        let mut index =
            HashMap::with_capacity(usize::try_from(entries).unwrap_or(0).min(body_len / 33));
        let mut at = body_start;
        while at < data.len() {
            let key: MemoKey = data
                .get(at..at + 32)
                .and_then(|k| k.try_into().ok())
                .ok_or_else(short)?;
            let count = usize::from(*data.get(at + 32).ok_or_else(short)?);
            if count > MAX_RELATED {
                return Err(Some("damaged: a list too long".to_owned()));
            }
            let places = at + 33..at + 33 + 4 * count;
            if places.end > data.len() {
                return Err(short());
            }
            at = places.end;
            if index.insert(key, places).is_some() {
                return Err(Some("damaged: a key twice".to_owned()));
            }
        }
        if index.len() as u64 != entries {
            return Err(Some("damaged: the entry count differs".to_owned()));
        }
        self.data = data;
        self.index = index;
        Ok(())
    }

    /// The places stored under `key`.
    fn get(&self, key: &MemoKey) -> Option<Vec<u32>> {
        let bytes = self.data.get(self.index.get(key)?.clone())?;
        Some(
            bytes
                .chunks_exact(4)
                .filter_map(|b| b.try_into().ok().map(u32::from_le_bytes))
                .collect(),
        )
    }

    /// Replaces the file with `entries` (this run's lists: those of
    /// articles no longer there are dropped). Returns a warning when it
    /// cannot be written.
    pub fn save(self, entries: &[(MemoKey, Vec<u32>)]) -> Vec<Diagnostic> {
        let mut body = Vec::with_capacity(entries.len() * 57);
        let mut seen = std::collections::HashSet::with_capacity(entries.len());
        let mut count: u64 = 0;
        for (key, places) in entries {
            let Ok(len) = u8::try_from(places.len()) else {
                continue;
            };
            if places.len() > MAX_RELATED || !seen.insert(key) {
                continue;
            }
            body.extend_from_slice(key);
            body.push(len);
            for p in places {
                body.extend_from_slice(&p.to_le_bytes());
            }
            count += 1;
        }
        let written = crate::memo::write(&self.file, &MEMO_KIND, &self.build, count, &body);
        match written {
            Ok(()) => Vec::new(),
            Err(e) => vec![Diagnostic::warning(
                &self.file.display().to_string(),
                format!("cannot write the related memo: {e}"),
            )],
        }
    }
}

/// Topics both documents have (each list sorted by topic id).
fn shared_count(a: &[(u32, u32)], b: &[(u32, u32)]) -> usize {
    a.iter()
        .filter(|(t, _)| b.binary_search_by_key(t, |&(u, _)| u).is_ok())
        .count()
}

/// Newest first (the order of the version 2 chains): published
/// descending, undated last, then by id.
fn newer_first(articles: &[Article], a: usize, b: usize) -> std::cmp::Ordering {
    let (Some(x), Some(y)) = (articles.get(a), articles.get(b)) else {
        return std::cmp::Ordering::Equal;
    };
    match (&x.published, &y.published) {
        (Some(p), Some(q)) => q.cmp(p),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
    .then_with(|| x.id.cmp(&y.id))
}

/// The related record of a bundled article (stored under its id): the
/// record is the article, with its provider and image.
pub fn record_of(article: &Article) -> RelatedRecord {
    RelatedRecord {
        title: article.title.clone(),
        url: article.url.clone(),
        published: article.published.clone(),
        kind: article.kind,
        provider: article.provider.clone(),
        image: article.image.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bundle::ArticleType;

    fn article(id: &str, title: &str, excerpt: &str, topics: &[&str], published: &str) -> Article {
        Article {
            id: id.into(),
            title: title.into(),
            excerpt: Some(excerpt.into()),
            url: format!("https://example.test/{id}"),
            published: Some(published.into()),
            updated: None,
            kind: ArticleType::Article,
            topics: topics.iter().map(|t| t.to_string()).collect(),
            provider: None,
            image: None,
            video: None,
            heat: None,
            quality: None,
            related: Vec::new(),
        }
    }

    fn fixture() -> Vec<Article> {
        vec![
            article(
                "mars1",
                "Rover finds ancient lake bed on Mars",
                "The rover's drill samples show clay layers.",
                &["Space"],
                "2026-05-01T00:00:00Z",
            ),
            article(
                "mars2",
                "Mars lake bed clay points to long-lived water",
                "Scientists read the rover drill samples.",
                &["Space"],
                "2026-04-01T00:00:00Z",
            ),
            article(
                "mars3",
                "Second rover heads for the Mars lake",
                "A new mission will drill the clay.",
                &["Space"],
                "2026-03-01T00:00:00Z",
            ),
            article(
                "bike1",
                "City adds protected bike lanes downtown",
                "Cyclists welcome the protected lanes.",
                &["Cities"],
                "2026-05-02T00:00:00Z",
            ),
            article(
                "bike2",
                "Protected bike lanes cut downtown crashes",
                "A year of data from the city's lanes.",
                &["Cities"],
                "2026-04-02T00:00:00Z",
            ),
            article(
                "font1",
                "Variable fonts make pages lighter",
                "One font file replaces six.",
                &["Web Performance"],
                "2026-04-03T00:00:00Z",
            ),
        ]
    }

    fn ids(items: &[String]) -> Vec<&str> {
        items.iter().map(String::as_str).collect()
    }

    #[test]
    fn obvious_neighbours_come_first() {
        let articles = fixture();
        let related = compute(&articles, &RelatedConfig::default());
        let mut mars: Vec<&str> = ids(&related[0])[..2].to_vec();
        mars.sort_unstable();
        assert_eq!(mars, ["mars2", "mars3"]);
        assert_eq!(ids(&related[3])[0], "bike2");
        assert_eq!(ids(&related[1])[0], "mars3");
        // Neighbours are older: the newer bike story is not bike2's, and
        // the oldest article has none.
        assert!(!ids(&related[4]).contains(&"bike1"));
        assert!(related[2].is_empty(), "{:?}", ids(&related[2]));
        // Nothing about fonts is related to anything else.
        assert!(related[5].is_empty(), "{:?}", ids(&related[5]));
        // No article is its own neighbour, and every neighbour is older.
        for (i, items) in related.iter().enumerate() {
            for id in ids(items) {
                let other = articles.iter().find(|a| a.id == id).unwrap();
                assert!(other.published < articles[i].published, "{id} for {i}");
            }
        }
        let record = record_of(&articles[1]);
        assert_eq!(record.url, "https://example.test/mars2");
        assert_eq!(record.title, articles[1].title);
    }

    #[test]
    fn deterministic_and_capped() {
        let mut many = Vec::new();
        for i in 0..50 {
            many.push(article(
                &format!("a{i:02}"),
                "Harbour ferry timetable changes",
                "Ferry news.",
                &["Cities"],
                "2026-01-01T00:00:00Z",
            ));
        }
        let config = RelatedConfig {
            k: 4,
            ..RelatedConfig::default()
        };
        let first = compute(&many, &config);
        let second = compute(&many, &config);
        assert_eq!(first, second);
        // Equal dates: newest order is by id, so a49 is the oldest and has
        // no older article to link to; all but the four oldest have four.
        assert!(first[..46].iter().all(|r| r.len() == 4));
        assert_eq!(first[47].len(), 2);
        assert!(first[49].is_empty());
        // Equal scores: ties go to the newer.
        assert_eq!(ids(&first[0]), ["a01", "a02", "a03", "a04"]);
    }

    /// The rule that keeps version 2 rebuilds small: an article newer
    /// than all others changes no other article's computed list, whatever
    /// it says and wherever it sits in the slice.
    #[test]
    fn a_newer_article_changes_no_older_list() {
        let mut articles = fixture();
        for i in 0..40 {
            articles.push(article(
                &format!("x{i:02}"),
                &format!("Harbour ferry {} timetable on Mars lanes", i % 7),
                if i % 3 == 0 {
                    "Rover drill clay."
                } else {
                    "Protected bike lanes."
                },
                &[["Space", "Cities", "Ferries"][i % 3]],
                &format!("2026-02-{:02}T00:00:00Z", 1 + i % 27),
            ));
        }
        let config = RelatedConfig::default();
        let before = compute(&articles, &config);
        let mut grown = articles.clone();
        grown.insert(
            3,
            article(
                "zz",
                "Mars rover drill finds clay near ferry lanes",
                "Harbour timetable and bike lanes too.",
                &["Space", "Cities", "Ferries"],
                "2026-06-01T00:00:00Z",
            ),
        );
        let after = compute(&grown, &config);
        let mut after_old = after.clone();
        let newest = after_old.remove(3);
        assert_eq!(before, after_old);
        // The newest article itself does get neighbours.
        assert_eq!(newest.len(), config.k);
        // An older article is another matter (documented): it may change
        // the lists of articles newer than it.
        let mut backdated = articles.clone();
        backdated.push(article(
            "zz",
            "Mars rover drill finds clay near ferry lanes",
            "Harbour timetable and bike lanes too.",
            &["Space", "Cities", "Ferries"],
            "2026-01-01T00:00:00Z",
        ));
        let changed = compute(&backdated, &config);
        assert_ne!(before[..], changed[..before.len()]);
    }

    #[test]
    fn modes() {
        let mut articles = fixture();
        articles[1].related = vec![articles[5].id.clone()];
        apply(&mut articles, RelatedMode::Auto, &RelatedConfig::default());
        assert_eq!(
            ids(&articles[1].related),
            ["font1"],
            "explicit lists are kept"
        );
        assert!(!articles[0].related.is_empty());
        apply(&mut articles, RelatedMode::Off, &RelatedConfig::default());
        assert!(articles.iter().all(|a| a.related.is_empty()));
    }

    #[test]
    fn stop_words_sorted_for_binary_search() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOP_WORDS);
    }
}
