// Test helpers may panic: a panic is a test failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The real-world corpus (not in the repository): set
//! `ARTICLE_CARDS_CORPUS` (CI: `../shared/corpus`) to run these.

use std::path::{Path, PathBuf};

use article_cards::{BundleOptions, Severity, bundle_paths};
use bundle::safe_url::is_absolute_http;
use bundle::{ArticleType, Bundle};

#[path = "support/repo.rs"]
mod repo;

/// The corpus folder. A relative `ARTICLE_CARDS_CORPUS` is read from the
/// repository root, where CI and `cargo xtask test` set it, not from this
/// crate's folder, where cargo runs the test.
fn corpus() -> Option<PathBuf> {
    match std::env::var_os("ARTICLE_CARDS_CORPUS") {
        Some(dir) if !dir.is_empty() => {
            Some(Path::new(repo::ROOT).join(dir).join("smartable-power-apps"))
        }
        _ => {
            println!("skipped: ARTICLE_CARDS_CORPUS not set");
            None
        }
    }
}

fn check_articles(bundle: &Bundle) {
    assert!(!bundle.articles.is_empty());
    for a in &bundle.articles {
        assert!(!a.title.is_empty(), "{a:?}");
        assert!(is_absolute_http(&a.url), "{a:?}");
        assert!(a.published.is_some(), "{a:?}");
        assert_eq!(a.id.len(), 16);
    }
    // Newest first.
    let dates: Vec<_> = bundle
        .articles
        .iter()
        .map(|a| a.published.clone())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    // Round trip.
    let json = serde_json::to_vec(bundle).unwrap();
    let back: Bundle = serde_json::from_slice(&json).unwrap();
    assert_eq!(&back, bundle);
}

#[test]
fn corpus_news_bundles_cleanly() {
    let Some(root) = corpus() else {
        return;
    };
    let news = root.join("_news");
    let opts = BundleOptions {
        providers_dir: Some(root.join("_data/organizations")),
        asset_base: Some("https://smartableai.github.io/microsoft-power-apps".to_owned()),
        ..BundleOptions::default()
    };
    let (bundle, diags, stats) = bundle_paths(std::slice::from_ref(&news), &opts);
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(stats.files, 128);
    check_articles(&bundle);

    // Every published `type: video` file with featuredContent has its id.
    let mut videos = 0;
    for entry in std::fs::read_dir(&news).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        if text.contains("type: video")
            && text.contains("featuredContent:")
            && !text.contains("published: false")
        {
            videos += 1;
        }
    }
    let bundled_videos: Vec<_> = bundle
        .articles
        .iter()
        .filter(|a| a.kind == ArticleType::Video)
        .collect();
    assert!(videos > 0);
    assert_eq!(bundled_videos.len(), videos);
    for a in bundled_videos {
        let v = a.video.as_ref().unwrap();
        assert!(bundle::youtube::is_valid_id(&v.id), "{a:?}");
    }
    // Providers resolve, with logos.
    for a in &bundle.articles {
        let key = a.provider.as_ref().unwrap();
        assert!(bundle.providers.get(key).unwrap().logo.is_some(), "{key}");
    }
    println!(
        "corpus: {} articles from {} files ({} skipped, {} merged, {} warnings)",
        stats.articles, stats.files, stats.skipped, stats.merged, stats.warnings
    );
}

#[test]
fn corpus_feed_page_bundles_cleanly() {
    let Some(root) = corpus() else {
        return;
    };
    let page = root.join("api/news/index.json");
    let (bundle, diags, stats) = bundle_paths(&[page], &BundleOptions::default());
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(stats.files, 1);
    check_articles(&bundle);
    for a in &bundle.articles {
        assert!(a.published.as_deref().unwrap().ends_with('Z'));
    }
}
