//! `cargo xtask bench related`: times the related-article computation on
//! synthetic bundles of 1,000 / 10,000 / 100,000 articles. Prints figures;
//! asserts nothing about time.

use std::time::Instant;

use article_cards::related::{RelatedConfig, compute};
use bundle::{Article, ArticleType};

/// Deterministic xorshift generator.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Roughly Zipf-distributed word ranks over a 30,000-word vocabulary.
    fn word(&mut self) -> String {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        let rank = (30_000f64.powf(u) as u64).max(1);
        format!("w{rank}")
    }
}

fn synthetic(n: usize) -> Vec<Article> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    (0..n)
        .map(|i| {
            let title: Vec<String> = (0..8).map(|_| rng.word()).collect();
            let excerpt: Vec<String> = (0..30).map(|_| rng.word()).collect();
            Article {
                id: format!("{i:016x}"),
                title: title.join(" "),
                excerpt: Some(excerpt.join(" ")),
                url: format!("https://news{}.example/{i}", i % 50),
                published: Some(format!(
                    "20{:02}-{:02}-{:02}T00:00:00Z",
                    20 + rng.next() % 6,
                    1 + rng.next() % 12,
                    1 + rng.next() % 28
                )),
                updated: None,
                kind: ArticleType::Article,
                topics: vec![
                    format!("topic{}", rng.next() % 40),
                    format!("topic{}", rng.next() % 40),
                ],
                provider: Some(format!("news{}.example", i % 50)),
                image: None,
                video: None,
                heat: None,
                quality: None,
                related: Vec::new(),
            }
        })
        .collect()
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.replace([',', '_'], "").parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1_000, 10_000, 100_000]
    } else {
        sizes
    };
    let config = RelatedConfig::default();
    println!(
        "| articles | related pass | articles/s | mean related per article |\n|---:|---:|---:|---:|"
    );
    for n in sizes {
        let articles = synthetic(n);
        let started = Instant::now();
        let related = compute(&articles, &config);
        let seconds = started.elapsed().as_secs_f64();
        let total: usize = related.iter().map(Vec::len).sum();
        println!(
            "| {n} | {seconds:.2} s | {:.0} | {:.2} |",
            n as f64 / seconds,
            total as f64 / n as f64
        );
    }
}
