//! The generated JSON Schema and TypeScript declarations are committed, and
//! so are the generated regions of `pkg/` that list the widget's options;
//! this fails when they no longer match `crates/bundle/src/lib.rs` and the options
//! table in `crates/widget/src/options.rs`. `cargo xtask codegen`
//! (or `UPDATE_EXPECT=1 cargo test --features schema --test codegen`)
//! rewrites them.
#![cfg(feature = "schema")]
// Test helpers fail loudly; the crate's no-panic lints are for the widget.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;

fn ensure_file_contents(relative: &str, expected: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
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
        article_cards_widget::schema::JSON_SCHEMA_PATH,
        &article_cards_widget::schema::json_schema(),
    );
}

#[test]
fn v2_json_schemas_are_fresh() {
    ensure_file_contents(
        article_cards_widget::schema::MANIFEST_SCHEMA_PATH,
        &article_cards_widget::schema::manifest_schema(),
    );
    ensure_file_contents(
        article_cards_widget::schema::PAGE_SCHEMA_PATH,
        &article_cards_widget::schema::page_schema(),
    );
}

#[test]
fn typescript_is_fresh() {
    ensure_file_contents(
        article_cards_widget::schema::TYPESCRIPT_PATH,
        &article_cards_widget::schema::typescript(),
    );
}

#[test]
fn typescript_declares_every_bundle_type() {
    let ts = article_cards_widget::schema::typescript();
    for name in [
        "Bundle",
        "Article",
        "Provider",
        "Image",
        "Video",
        "RelatedRecord",
        "Manifest",
        "Chain",
        "TopicChain",
        "Page",
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

/// `element.js`'s attribute list, `index.d.ts`'s option types and the
/// README's options table, from the widget's options table.
#[test]
fn option_regions_are_fresh() {
    for region in article_cards_widget::schema::OPTION_REGIONS {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(region.path);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\r\n", "\n");
        let spliced = article_cards_widget::schema::splice(&text, region.begin, &(region.body)())
            .unwrap_or_else(|| panic!("{}: the generated-region markers are missing", region.path));
        ensure_file_contents(region.path, &spliced);
    }
}

#[test]
fn splice_replaces_only_the_region() {
    let text = "a\n// BEGIN x\nold\nlines\n// END generated\nb\n";
    let out = article_cards_widget::schema::splice(text, "BEGIN x", "new\n").unwrap();
    assert_eq!(out, "a\n// BEGIN x\nnew\n// END generated\nb\n");
    let empty = "// BEGIN x\n// END generated\n";
    assert_eq!(
        article_cards_widget::schema::splice(empty, "BEGIN x", "n\n").unwrap(),
        "// BEGIN x\nn\n// END generated\n"
    );
    assert!(article_cards_widget::schema::splice("no markers", "BEGIN x", "").is_none());
}

#[test]
fn element_attributes_are_the_options() {
    let js = article_cards_widget::schema::element_attributes();
    for (key, _) in article_cards_widget::options::RawOptions::KEYS {
        let attribute = key.replace('_', "-");
        if article_cards_widget::options::OPTION_TABLE
            .iter()
            .any(|row| row.key == *key)
        {
            assert!(
                js.contains(&format!("\"{attribute}\"")),
                "{attribute} missing:\n{js}"
            );
        }
    }
}

/// `element.js`'s and `embed.js`'s parts and option keys, from the widget's
/// lists.
#[test]
fn part_regions_are_fresh() {
    for region in article_cards_widget::schema::PART_REGIONS {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(region.path);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\r\n", "\n");
        let spliced = article_cards_widget::schema::splice(&text, region.begin, &(region.body)())
            .unwrap_or_else(|| panic!("{}: the generated-region markers are missing", region.path));
        ensure_file_contents(region.path, &spliced);
    }
}

#[test]
fn custom_elements_manifest_is_fresh() {
    ensure_file_contents(
        article_cards_widget::schema::CUSTOM_ELEMENTS_PATH,
        &article_cards_widget::schema::custom_elements(),
    );
}

/// Every `part="…"` in the components is in `schema::PARTS` and the other
/// way round, so `exportparts` forwards them all.
#[test]
fn parts_are_the_ones_the_markup_names() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/components");
    let mut named = Vec::new();
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for rest in text.split("part=\"").skip(1) {
                    let name: String = rest.chars().take_while(|c| *c != '"').collect();
                    named.push(name);
                }
            }
        }
    }
    named.sort();
    named.dedup();
    let mut listed: Vec<String> = article_cards_widget::schema::PARTS
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect();
    listed.sort();
    assert_eq!(
        named, listed,
        "schema::PARTS differs from the parts in src/components"
    );
}

/// The events in the manifest are the ones `src/root.rs` dispatches.
#[test]
fn events_are_the_ones_the_root_dispatches() {
    let root =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/root.rs")).unwrap();
    let dispatched: Vec<&str> = root
        .split("\"article-cards:")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    let listed: Vec<&str> = article_cards_widget::schema::EVENTS
        .iter()
        .map(|(name, _, _)| name.trim_start_matches("article-cards:"))
        .collect();
    assert_eq!(dispatched, listed);
}
