//! Computed related articles: for articles without an explicit `related`
//! list, the bundler picks up to K neighbours from the same bundle, ranked by
//! shared topics and TF-IDF cosine similarity of title and excerpt terms,
//! ties broken by recency then id. Deterministic, and bounded: candidates
//! come from per-term "champion lists" (the best-weighted documents of each
//! term) and per-topic recency lists, so the work per article is capped and
//! the whole pass is linear in the number of articles.

use std::collections::HashMap;

use bundle::{Article, RelatedRecord};

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
    /// Documents kept per term's champion list.
    pub champions: usize,
    /// Terms per document used to look for candidates (highest weight first).
    pub query_terms: usize,
    /// Minimum combined score for a neighbour to count as related.
    pub min_score: f32,
}

impl Default for RelatedConfig {
    fn default() -> Self {
        RelatedConfig {
            k: 6,
            champions: 96,
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

/// Lowercased word tokens of at least two characters, minus stop words,
/// with a light plural fold (`cities` → `city`, `maps` → `map`).
fn terms(text: &str, out: &mut Vec<String>) {
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.chars().count() < 2 {
            continue;
        }
        let mut word = word.to_lowercase();
        if STOP_WORDS.binary_search(&word.as_str()).is_ok() {
            continue;
        }
        if word.len() > 4 && word.ends_with("ies") {
            word.truncate(word.len() - 3);
            word.push('y');
        } else if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") {
            word.pop();
        }
        out.push(word);
    }
}

/// A document's weighted terms, L2-normalised, sorted by term id.
struct DocVector {
    entries: Vec<(u32, f32)>,
}

/// Fills in `related` (record ids) for every article according to `mode`.
pub fn apply(articles: &mut [Article], mode: RelatedMode, config: &RelatedConfig) {
    match mode {
        RelatedMode::Off => articles.iter_mut().for_each(|a| a.related.clear()),
        RelatedMode::Explicit => {}
        RelatedMode::Auto => {
            let computed = compute(articles, config);
            for (article, neighbours) in articles.iter_mut().zip(computed) {
                if article.related.is_empty() {
                    article.related = neighbours;
                }
            }
        }
    }
}

/// The ids of each article's related articles (explicit lists are ignored
/// here); each id is also the id of the neighbour's record.
pub fn compute(articles: &[Article], config: &RelatedConfig) -> Vec<Vec<String>> {
    let n = articles.len();
    if n < 2 || config.k == 0 {
        return vec![Vec::new(); n];
    }

    // 1. Vocabulary and raw term frequencies (title terms count double).
    let mut vocabulary: HashMap<String, u32> = HashMap::new();
    let mut raw: Vec<Vec<(u32, f32)>> = Vec::with_capacity(n);
    let mut scratch = Vec::new();
    for article in articles {
        let mut counts: HashMap<u32, f32> = HashMap::new();
        for (text, weight) in [
            (Some(article.title.as_str()), 2.0),
            (article.excerpt.as_deref(), 1.0),
        ] {
            scratch.clear();
            terms(text.unwrap_or_default(), &mut scratch);
            for term in scratch.drain(..) {
                let next = vocabulary.len() as u32;
                let id = *vocabulary.entry(term).or_insert(next);
                *counts.entry(id).or_insert(0.0) += weight;
            }
        }
        let mut entries: Vec<(u32, f32)> = counts.into_iter().collect();
        entries.sort_unstable_by_key(|&(id, _)| id);
        raw.push(entries);
    }

    // 2. TF-IDF with sublinear tf, normalised.
    let mut df = vec![0u32; vocabulary.len()];
    for doc in &raw {
        for &(id, _) in doc {
            if let Some(slot) = df.get_mut(id as usize) {
                *slot += 1;
            }
        }
    }
    let idf: Vec<f32> = df
        .iter()
        .map(|&d| ((n as f32 + 1.0) / (d as f32 + 1.0)).ln() + 1.0)
        .collect();
    let vectors: Vec<DocVector> = raw
        .into_iter()
        .map(|doc| {
            let mut entries: Vec<(u32, f32)> = doc
                .into_iter()
                .map(|(id, tf)| {
                    (
                        id,
                        (1.0 + tf.ln()) * idf.get(id as usize).copied().unwrap_or(1.0),
                    )
                })
                .collect();
            let norm = entries.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
            if norm > 0.0 {
                entries.iter_mut().for_each(|(_, w)| *w /= norm);
            }
            DocVector { entries }
        })
        .collect();

    // Recency rank: 0 = newest. Articles arrive newest first from the
    // bundler, but do not rely on it.
    let mut by_recency: Vec<usize> = (0..n).collect();
    by_recency.sort_by(|&a, &b| newer_first(articles, a, b));
    let mut recency = vec![0u32; n];
    for (rank, &doc) in by_recency.iter().enumerate() {
        if let Some(slot) = recency.get_mut(doc) {
            *slot = rank as u32;
        }
    }

    // 3. Champion lists: per term, the documents where it weighs most.
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); vocabulary.len()];
    for (doc, vector) in vectors.iter().enumerate() {
        for &(id, w) in &vector.entries {
            if let Some(list) = postings.get_mut(id as usize) {
                list.push((doc as u32, w));
            }
        }
    }
    for list in &mut postings {
        if list.len() > config.champions {
            list.sort_by(|a, b| {
                b.1.total_cmp(&a.1)
                    .then(recency_of(&recency, a.0).cmp(&recency_of(&recency, b.0)))
            });
            list.truncate(config.champions);
        }
    }

    // Topics: lowercased ids, and per topic the newest documents.
    let mut topic_ids: HashMap<String, u32> = HashMap::new();
    let doc_topics: Vec<Vec<u32>> = articles
        .iter()
        .map(|a| {
            let mut ids: Vec<u32> = a
                .topics
                .iter()
                .map(|t| {
                    let next = topic_ids.len() as u32;
                    *topic_ids.entry(t.to_lowercase()).or_insert(next)
                })
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        })
        .collect();
    let mut topic_recent: Vec<Vec<u32>> = vec![Vec::new(); topic_ids.len()];
    for &doc in &by_recency {
        for &t in doc_topics.get(doc).map(Vec::as_slice).unwrap_or_default() {
            if let Some(list) = topic_recent.get_mut(t as usize)
                && list.len() < config.champions
            {
                list.push(doc as u32);
            }
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

    let ctx = Context {
        articles,
        url_ids: &url_ids,
        vectors: &vectors,
        postings: &postings,
        doc_topics: &doc_topics,
        topic_recent: &topic_recent,
        recency: &recency,
        config,
    };

    // 4. Score candidates per document, in parallel over contiguous chunks.
    let threads = std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .clamp(1, 8);
    let chunk = n.div_ceil(threads);
    let mut results: Vec<Vec<String>> = Vec::with_capacity(n);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .step_by(chunk.max(1))
            .map(|start| {
                let ctx = &ctx;
                scope.spawn(move || {
                    let mut scores = vec![0f32; n];
                    let mut touched = Vec::new();
                    (start..(start + chunk).min(n))
                        .map(|doc| ctx.neighbours(doc, &mut scores, &mut touched))
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
    results.resize_with(n, Vec::new);
    results
}

struct Context<'a> {
    articles: &'a [Article],
    /// Per article, the index of the first article with its URL.
    url_ids: &'a [u32],
    vectors: &'a [DocVector],
    postings: &'a [Vec<(u32, f32)>],
    doc_topics: &'a [Vec<u32>],
    topic_recent: &'a [Vec<u32>],
    recency: &'a [u32],
    config: &'a RelatedConfig,
}

impl Context<'_> {
    fn neighbours(&self, doc: usize, scores: &mut [f32], touched: &mut Vec<u32>) -> Vec<String> {
        let Some(vector) = self.vectors.get(doc) else {
            return Vec::new();
        };
        let mut query: Vec<(u32, f32)> = vector.entries.clone();
        query.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        query.truncate(self.config.query_terms);

        // Text similarity over champion lists (an approximation of the full
        // cosine that is exact for every candidate's strongest terms).
        for &(term, weight) in &query {
            for &(other, other_weight) in self
                .postings
                .get(term as usize)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
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
        for &topic in topics {
            for &other in self
                .topic_recent
                .get(topic as usize)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
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
                    self.recency.get(other).copied().unwrap_or(u32::MAX),
                    other as u32,
                ));
            }
        }
        touched.clear();

        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        ranked
            .into_iter()
            .take(self.config.k)
            .filter_map(|(_, _, other)| self.articles.get(other as usize).map(|a| a.id.clone()))
            .collect()
    }
}

fn shared_count(a: &[u32], b: &[u32]) -> usize {
    a.iter().filter(|t| b.binary_search(t).is_ok()).count()
}

fn recency_of(recency: &[u32], doc: u32) -> u32 {
    recency.get(doc as usize).copied().unwrap_or(u32::MAX)
}

/// Newest first; undated last; then by id for a total order.
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
        assert_eq!(ids(&related[0])[..2], ["mars2", "mars3"]);
        assert_eq!(ids(&related[3])[0], "bike2");
        assert_eq!(ids(&related[4])[0], "bike1");
        // Nothing about fonts is related to anything else.
        assert!(related[5].is_empty(), "{:?}", ids(&related[5]));
        // No article is its own neighbour.
        for (i, items) in related.iter().enumerate() {
            assert!(!ids(items).contains(&articles[i].id.as_str()));
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
        assert!(first.iter().all(|r| r.len() == 4));
        // Equal scores and dates: ties broken by id.
        assert_eq!(ids(&first[0]), ["a01", "a02", "a03", "a04"]);
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
