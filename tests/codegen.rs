//! The generated JSON Schema and TypeScript declarations are committed; this
//! fails when they no longer match `src/bundle.rs`. `cargo xtask codegen`
//! (or `UPDATE_EXPECT=1 cargo test --features schema --test codegen`)
//! rewrites them.
#![cfg(feature = "schema")]
// Test helpers fail loudly; the crate's no-panic lints are for the widget.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;

fn ensure_file_contents(relative: &str, expected: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    if actual.replace("\r\n", "\n") == expected {
        return;
    }
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, expected).unwrap();
        eprintln!("updated {relative}");
        return;
    }
    panic!("{relative} is stale: run `cargo xtask codegen` and commit the result");
}

#[test]
fn json_schema_is_fresh() {
    ensure_file_contents(
        article_cards::schema::JSON_SCHEMA_PATH,
        &article_cards::schema::json_schema(),
    );
}

#[test]
fn typescript_is_fresh() {
    ensure_file_contents(
        article_cards::schema::TYPESCRIPT_PATH,
        &article_cards::schema::typescript(),
    );
}

#[test]
fn typescript_declares_every_bundle_type() {
    let ts = article_cards::schema::typescript();
    for name in [
        "Bundle",
        "Article",
        "Provider",
        "Image",
        "Video",
        "RelatedItem",
        "ArticleType",
        "VideoProvider",
    ] {
        assert!(
            ts.contains(&format!("export interface {name} "))
                || ts.contains(&format!("export type {name} ")),
            "{name} missing from\n{ts}"
        );
    }
    assert!(ts.contains("  articles: Article[];"), "{ts}");
    assert!(
        ts.contains("  providers?: Record<string, Provider>;"),
        "{ts}"
    );
}
