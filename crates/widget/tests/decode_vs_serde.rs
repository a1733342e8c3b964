//! The widget's bundle reader (`widget::decode`, a hand-written reader over
//! its own JSON tree) against the schema's definition (serde's
//! `bundle::Bundle`), on every bundle the repository holds: the bundler's
//! fixture outputs, the e2e fixtures, the demo's committed bundles and the
//! hostile corpus. Two readers of one format drift apart silently; this
//! fails when they do.
//!
//! "Agree" means, with the decoder given no base URL (so relative URLs stay
//! as written):
//!
//! 1. **Whole bundle.** The decoder refuses a file only if serde refuses it
//!    too, or the file repeats a key in one object (the decoder refuses
//!    those on purpose, serde's maps keep the last), or its `version` is not
//!    `BUNDLE_VERSION` (serde's type reads any number; the decoder checks
//!    it first). A bundle the bundler wrote (every fixture but the hostile
//!    corpus and the demo's error states) is read by serde and decodes with
//!    no warning to exactly serde's reading: the bundler already writes
//!    what the widget keeps, so [`widget_cleaning`] changes nothing in it
//!    (no lone image side, no `type: "video"` without a video, ...).
//! 2. **Per item, on the JSON tree with `null` members removed** (the
//!    decoder reads `null` as absent everywhere; serde only for `Option`s):
//!    the decoder drops an article or provider as *malformed* exactly when
//!    serde refuses that item. The decoder also reads a bundle whose
//!    `generatedAt` or `providers` serde refuses (it warns and ignores them),
//!    so items are compared one by one, not only whole bundles.
//! 3. **Per field.** Each article and provider the decoder keeps equals
//!    serde's reading of the same item after [`widget_cleaning`], the list of
//!    what the decoder legitimately changes: text cleaned and cut, URLs
//!    checked (unsafe ones dropped, an image falling back to its variants),
//!    implausible or lone image sizes and unknown provider keys dropped,
//!    invalid videos removed (a video card left without one read as an
//!    article). Items it drops as unusable (no id, no title, unsafe
//!    url, repeated id) are the ones the cleaning drops.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use article_cards_widget::decode::{decode, is_hex_colour};
use article_cards_widget::model::LoadErrorKind;
use bundle::safe_url::check_url;
use bundle::text::{clean_text, truncate_chars};
use bundle::youtube;
use bundle::{
    Article, ArticleType, BUNDLE_VERSION, Bundle, Image, MAX_EXCERPT_CHARS, MAX_IMAGE_SIDE,
    MAX_RELATED, MAX_TITLE_CHARS, Provider, Providers, RelatedRecord, RelatedRecords,
    VARIANT_MIMES,
};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every committed bundle, and whether the bundler wrote it (so it must
/// decode unchanged, with no warning).
fn bundles() -> Vec<(PathBuf, bool)> {
    let mut out = Vec::new();
    let mut push_dir = |dir: &Path, clean: bool, only: Option<&str>| {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let file = match only {
                Some(name) => path.join(name),
                None => path.clone(),
            };
            if file.is_file() && file.extension().is_some_and(|e| e == "json") {
                out.push((file, clean));
            }
        }
    };
    push_dir(&root().join("tests/fixtures"), true, Some("expected.json"));
    push_dir(&root().join("tests/e2e/fixtures"), true, None);
    push_dir(
        &root().join("tests/e2e/fixtures/cached/site/news"),
        true,
        None,
    );
    push_dir(&root().join("www/demo"), true, None);
    push_dir(&root().join("www/demo/states"), false, None);
    push_dir(&root().join("tests/hostile/bundles"), false, None);
    out
}

#[test]
fn the_corpus_is_found() {
    let all = bundles();
    let clean = all.iter().filter(|(_, clean)| *clean).count();
    assert!(clean >= 30, "only {clean} bundler-written bundles found");
    assert!(all.len() - clean >= 50, "hostile bundles missing");
}

#[test]
fn decoder_and_serde_agree_on_every_committed_bundle() {
    let mut failures = Vec::new();
    for (path, clean) in bundles() {
        let bytes = std::fs::read(&path).unwrap();
        if let Err(why) = agree(&bytes, clean) {
            failures.push(format!(
                "{}: {why}",
                path.strip_prefix(root()).unwrap().display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Checks that the rules fail: each case below is a disagreement a drifted
/// decoder would show.
#[test]
fn a_disagreement_is_caught() {
    let good = br#"{"version":1,"generatedAt":"2024-01-01T00:00:00Z","articles":[
        {"id":"a","title":"A","url":"https://x.example/a"}]}"#;
    agree(good, true).unwrap();
    // serde refuses the article (`heat` is not a number), so the decoder
    // must drop it as malformed; claiming it was kept is caught.
    let (bundle, _) = decode(good, None).unwrap();
    let tree: Value = serde_json::from_slice(
        br#"{"version":1,"generatedAt":"","articles":[{"id":"a","title":"A","url":"https://x.example/a","heat":"hot"}]}"#,
    )
    .unwrap();
    assert!(compare_items(&tree, &bundle, &[]).is_err());
    // A field the decoder would read differently from serde is caught.
    let mut changed = bundle.clone();
    changed.articles[0].title = "B".into();
    let tree: Value = serde_json::from_slice(good).unwrap();
    assert!(compare_items(&tree, &changed, &[]).is_err());
    assert!(compare_items(&tree, &bundle, &[]).is_ok());
}

/// Rule 1's "unchanged": what the bundler once wrote and the widget then
/// cleaned silently (a lone image side, a video card without a video) is
/// fine in a hand-written bundle and caught in a bundler one.
#[test]
fn a_bundler_bundle_the_widget_cleans_is_caught() {
    let lone_side = br#"{"version":1,"generatedAt":"2024-01-01T00:00:00Z","articles":[
        {"id":"a","title":"A","url":"https://x.example/a",
         "image":{"src":"https://x.example/a.jpg","height":10}}]}"#;
    let video_without_video = br#"{"version":1,"generatedAt":"2024-01-01T00:00:00Z","articles":[
        {"id":"a","title":"A","url":"https://x.example/a","type":"video"}]}"#;
    for bytes in [&lone_side[..], &video_without_video[..]] {
        agree(bytes, false).unwrap();
        let why = agree(bytes, true).unwrap_err();
        assert!(why.contains("changed a bundler bundle"), "{why}");
    }
}

/// `bundle::fields` lists exactly the members serde writes for each type
/// (every optional member set, so that none is skipped).
#[test]
fn field_names_are_serdes() {
    use bundle::{ImageVariant, Video, VideoProvider, fields};
    let image = Image {
        src: "a.jpg".into(),
        width: Some(1),
        height: Some(1),
        cached: true,
        variants: vec![ImageVariant {
            src: "a.webp".into(),
            width: 1,
            height: 1,
            mime: "image/webp".into(),
        }],
        placeholder: Some("#000000".into()),
        original: Some("https://x.example/a.jpg".into()),
    };
    let mut providers = Providers::default();
    let provider = Provider {
        name: "P".into(),
        domain: Some("p.example".into()),
        logo: Some(image.clone()),
    };
    providers.insert("p".into(), provider.clone());
    let related = RelatedRecord {
        title: "R".into(),
        url: "https://x.example/r".into(),
        published: Some("2024-01-01T00:00:00Z".into()),
        kind: ArticleType::Article,
        provider: Some("p".into()),
        image: Some(image.clone()),
    };
    let mut records = RelatedRecords::default();
    records.insert("r".into(), related.clone());
    let video = Video {
        provider: VideoProvider::Youtube,
        id: "abcdefghijk".into(),
    };
    let article = Article {
        id: "a".into(),
        title: "A".into(),
        excerpt: Some("e".into()),
        url: "https://x.example/a".into(),
        published: Some("2024-01-01T00:00:00Z".into()),
        updated: Some("2024-01-02T00:00:00Z".into()),
        kind: ArticleType::Video,
        topics: vec!["t".into()],
        provider: Some("p".into()),
        image: Some(image.clone()),
        video: Some(video.clone()),
        heat: Some(1),
        quality: Some(1),
        related: vec!["r".into()],
    };
    let bundle = Bundle {
        version: BUNDLE_VERSION,
        generated_at: "2024-01-01T00:00:00Z".into(),
        providers,
        related: records,
        articles: vec![article.clone()],
    };
    fn keys(value: impl serde::Serialize) -> Vec<String> {
        let Value::Object(members) = serde_json::to_value(value).unwrap() else {
            panic!("not an object");
        };
        let mut keys: Vec<String> = members.keys().cloned().collect();
        keys.sort();
        keys
    }
    fn sorted(names: &[&str]) -> Vec<String> {
        let mut names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        names.sort();
        names
    }
    assert_eq!(keys(&bundle), sorted(&fields::bundle::ALL), "Bundle");
    assert_eq!(keys(&provider), sorted(&fields::provider::ALL), "Provider");
    assert_eq!(keys(&image), sorted(&fields::image::ALL), "Image");
    assert_eq!(
        keys(&image.variants[0]),
        sorted(&fields::variant::ALL),
        "ImageVariant"
    );
    assert_eq!(keys(&video), sorted(&fields::video::ALL), "Video");
    assert_eq!(keys(&article), sorted(&fields::article::ALL), "Article");
    assert_eq!(
        keys(&related),
        sorted(&fields::related::ALL),
        "RelatedRecord"
    );
}

/// The decoder names members only through `bundle::fields`, and reads every
/// one of them.
#[test]
fn the_decoder_spells_no_member_name() {
    use bundle::fields;
    let source = std::fs::read_to_string(root().join("crates/widget/src/decode.rs")).unwrap();
    let code = source.split("#[cfg(test)]").next().unwrap();
    for method in [
        ".get(\"",
        ".req(\"",
        ".str(\"",
        ".string(\"",
        ".whole(\"",
        ".list(\"",
        ".present(\"",
        ".fail(\"",
        "&mut f, \"",
    ] {
        assert!(
            !code.contains(method),
            "decode.rs names a member with a literal: `{method}`"
        );
    }
    let lists: [(&str, &[&str]); 7] = [
        ("bundle", &fields::bundle::ALL),
        ("provider", &fields::provider::ALL),
        ("image", &fields::image::ALL),
        ("variant", &fields::variant::ALL),
        ("video", &fields::video::ALL),
        ("article", &fields::article::ALL),
        ("related", &fields::related::ALL),
    ];
    for (module, names) in lists {
        for name in names {
            let mut constant = String::new();
            for c in name.chars() {
                if c.is_ascii_uppercase() {
                    constant.push('_');
                }
                constant.push(c.to_ascii_uppercase());
            }
            let path = format!("fields::{module}::{constant}");
            // `type` is read once for articles and related items alike.
            let read = code.contains(&path)
                || (module == "related"
                    && constant == "TYPE"
                    && code.contains("fields::article::TYPE"));
            assert!(read, "decode.rs never reads `{path}`");
        }
    }
}

fn agree(bytes: &[u8], clean: bool) -> Result<(), String> {
    let by_serde = serde_json::from_slice::<Bundle>(strip_bom(bytes));
    let by_widget = decode(bytes, None);
    let (bundle, warnings) = match (by_widget, &by_serde) {
        (Ok(decoded), _) => decoded,
        (Err(_), Err(_)) => return Ok(()),
        (Err(e), Ok(_)) if e.message.contains("repeat") => return Ok(()),
        (Err(e), Ok(b)) if matches!(e.kind, LoadErrorKind::WrongVersion(_)) => {
            return if b.version == BUNDLE_VERSION {
                Err(format!("version {} refused: {e:?}", b.version))
            } else {
                Ok(())
            };
        }
        (Err(e), Ok(_)) => return Err(format!("serde reads it, the decoder refuses: {e:?}")),
    };
    if clean {
        let wanted = by_serde.map_err(|e| format!("serde refuses a bundler bundle: {e}"))?;
        if !warnings.is_empty() {
            return Err(format!("warnings on a bundler bundle: {warnings:?}"));
        }
        unchanged(&bundle, &wanted)?;
    }
    // The decoder accepted it, so it is JSON, and the only tree-level
    // difference left is a repeated key, which the decoder refuses.
    let tree: Value = serde_json::from_slice(strip_bom(bytes))
        .map_err(|e| format!("the decoder reads what serde_json cannot parse: {e}"))?;
    compare_items(&tree, &bundle, &warnings)
}

/// Rule 1 for a bundle the bundler wrote: the decoder keeps it as serde
/// reads it, so [`widget_cleaning`] has nothing left to do.
fn unchanged(widget: &Bundle, serde: &Bundle) -> Result<(), String> {
    if widget == serde {
        return Ok(());
    }
    if widget.providers != serde.providers {
        return Err(format!(
            "the decoder changed a bundler bundle's providers:\n widget: {:?}\n serde:  {:?}",
            widget.providers, serde.providers
        ));
    }
    if widget.related != serde.related {
        return Err(format!(
            "the decoder changed a bundler bundle's related records:\n widget: {:?}\n serde:  {:?}",
            widget.related, serde.related
        ));
    }
    let changed = widget
        .articles
        .iter()
        .zip(&serde.articles)
        .find(|(w, s)| w != s);
    match changed {
        Some((w, s)) => Err(format!(
            "the decoder changed a bundler bundle's article `{}`:\n widget: {w:?}\n serde:  {s:?}",
            s.id
        )),
        None => Err(format!(
            "the decoder changed a bundler bundle: {} articles kept of {}, generatedAt {:?} read as {:?}",
            widget.articles.len(),
            serde.articles.len(),
            serde.generated_at,
            widget.generated_at
        )),
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Rules 2 and 3 on one decoded bundle.
fn compare_items(tree: &Value, bundle: &Bundle, warnings: &[String]) -> Result<(), String> {
    // Providers: serde's reading of each, cleaned, is the decoder's.
    let mut providers = Providers::default();
    if let Some(Value::Object(members)) = tree.get("providers") {
        for (key, raw) in members {
            let malformed = warnings
                .iter()
                .any(|w| w.starts_with(&format!("provider `{key}` dropped: it is malformed")));
            match serde_json::from_value::<Provider>(without_nulls(raw)) {
                Err(e) if !malformed => {
                    return Err(format!(
                        "provider `{key}`: serde refuses it ({e}), the decoder does not"
                    ));
                }
                Ok(_) if malformed => {
                    return Err(format!(
                        "provider `{key}`: the decoder finds it malformed, serde reads it"
                    ));
                }
                Err(_) => {}
                Ok(p) => {
                    if let Some(p) = clean_provider(p) {
                        providers.insert(key.clone(), p);
                    }
                }
            }
        }
    }
    if providers != bundle.providers {
        return Err(format!(
            "providers differ:\n widget:  {:?}\n cleaned: {providers:?}",
            bundle.providers
        ));
    }

    // Related records, like providers; then references to them.
    let mut records = RelatedRecords::default();
    if let Some(Value::Object(members)) = tree.get("related") {
        for (key, raw) in members {
            let malformed = warnings.iter().any(|w| {
                w.starts_with(&format!("related record `{key}` dropped: it is malformed"))
            });
            match serde_json::from_value::<RelatedRecord>(without_nulls(raw)) {
                Err(e) if !malformed => {
                    return Err(format!(
                        "related record `{key}`: serde refuses it ({e}), the decoder does not"
                    ));
                }
                Ok(_) if malformed => {
                    return Err(format!(
                        "related record `{key}`: the decoder finds it malformed, serde reads it"
                    ));
                }
                Err(_) => {}
                Ok(r) => {
                    if let Some(r) = clean_record(r, &providers) {
                        records.insert(key.clone(), r);
                    }
                }
            }
        }
    }
    if records != bundle.related {
        return Err(format!(
            "related records differ:\n widget:  {:?}\n cleaned: {records:?}",
            bundle.related
        ));
    }

    // Articles, in order; repeated ids after cleaning keep the first.
    let items = tree
        .get("articles")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut expected: Vec<Article> = Vec::new();
    for (i, raw) in items.iter().enumerate() {
        let prefix = format!("article #{} dropped: it is malformed", i + 1);
        let malformed = warnings.iter().any(|w| w.starts_with(&prefix));
        match serde_json::from_value::<Article>(without_nulls(raw)) {
            Err(e) if !malformed => {
                return Err(format!(
                    "article #{}: serde refuses it ({e}), the decoder does not",
                    i + 1
                ));
            }
            Ok(_) if malformed => {
                return Err(format!(
                    "article #{}: the decoder finds it malformed, serde reads it",
                    i + 1
                ));
            }
            Err(_) => {}
            Ok(a) => {
                if let Some(a) = clean_article(a, &providers, &records)
                    && !expected.iter().any(|e| e.id == a.id)
                {
                    expected.push(a);
                }
            }
        }
    }
    if expected.len() != bundle.articles.len() {
        return Err(format!(
            "{} articles kept, {} expected after cleaning",
            bundle.articles.len(),
            expected.len()
        ));
    }
    for (widget, cleaned) in bundle.articles.iter().zip(&expected) {
        if widget != cleaned {
            return Err(format!(
                "article `{}` differs:\n widget:  {widget:?}\n cleaned: {cleaned:?}",
                widget.id
            ));
        }
    }
    Ok(())
}

/// The decoder reads a `null` member as an absent one.
fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

// ---------------------------------------------------------------------------
// widget_cleaning: what the decoder may change in a well-formed item, and
// nothing else. `None`: the decoder drops the item as unusable.

fn text(raw: &str, max: usize) -> String {
    truncate_chars(&clean_text(raw), max).0
}

fn excerpt(raw: Option<String>) -> Option<String> {
    raw.map(|e| text(&e, MAX_EXCERPT_CHARS))
        .filter(|e| !e.is_empty())
}

fn plausible(side: Option<u32>) -> Option<u32> {
    side.filter(|s| *s > 0 && *s < MAX_IMAGE_SIDE)
}

fn known(key: Option<String>, providers: &Providers) -> Option<String> {
    key.filter(|k| providers.get(k).is_some())
}

fn clean_provider(p: Provider) -> Option<Provider> {
    let name = clean_text(&p.name);
    (!name.is_empty()).then(|| Provider {
        name,
        domain: p.domain,
        logo: p.logo.and_then(clean_image),
    })
}

fn clean_image(image: Image) -> Option<Image> {
    let variants: Vec<_> = image
        .variants
        .into_iter()
        .filter_map(|mut v| {
            v.src = check_url(&v.src).ok()?;
            let usable = plausible(Some(v.width)).is_some()
                && plausible(Some(v.height)).is_some()
                && VARIANT_MIMES.contains(&v.mime.as_str());
            usable.then_some(v)
        })
        .collect();
    let src = match check_url(&image.src) {
        Ok(src) => src,
        Err(_) => variants
            .iter()
            .filter(|v| v.mime != "image/webp")
            .max_by_key(|v| v.width)?
            .src
            .clone(),
    };
    let (width, height) = match (plausible(image.width), plausible(image.height)) {
        (Some(w), Some(h)) => (Some(w), Some(h)),
        _ => (None, None),
    };
    Some(Image {
        src,
        width,
        height,
        cached: image.cached,
        variants,
        placeholder: image.placeholder.filter(|p| is_hex_colour(p)),
        original: image.original.and_then(|o| check_url(&o).ok()),
    })
}

fn clean_article(a: Article, providers: &Providers, records: &RelatedRecords) -> Option<Article> {
    let id = clean_text(&a.id);
    let title = text(&a.title, MAX_TITLE_CHARS);
    if id.is_empty() || title.is_empty() {
        return None;
    }
    let url = check_url(&a.url).ok()?;
    let video = a.video.filter(|v| youtube::is_valid_id(&v.id));
    let kind = match a.kind {
        ArticleType::Video if video.is_none() => ArticleType::Article,
        kind => kind,
    };
    Some(Article {
        id,
        title,
        excerpt: excerpt(a.excerpt),
        url,
        published: a.published,
        updated: a.updated,
        kind,
        topics: a
            .topics
            .iter()
            .map(|t| clean_text(t))
            .filter(|t| !t.is_empty())
            .collect(),
        provider: known(a.provider, providers),
        image: a.image.and_then(clean_image),
        video,
        heat: a.heat,
        quality: a.quality,
        related: {
            // References to records kept, each once, up to the cap.
            let mut ids: Vec<String> = Vec::new();
            for id in a.related {
                if records.get(&id).is_some() && !ids.contains(&id) && ids.len() < MAX_RELATED {
                    ids.push(id);
                }
            }
            ids
        },
    })
}

fn clean_record(r: RelatedRecord, providers: &Providers) -> Option<RelatedRecord> {
    let title = text(&r.title, MAX_TITLE_CHARS);
    if title.is_empty() {
        return None;
    }
    Some(RelatedRecord {
        title,
        url: check_url(&r.url).ok()?,
        published: r.published,
        kind: r.kind,
        provider: known(r.provider, providers),
        image: r.image.and_then(clean_image),
    })
}

// ---------------------------------------------------------------------------
// Version 2: the manifest and page shards (`bundle::v2`), read by
// `decode/v2.rs` and `shards.rs` through `bundle::v2::fields`.

/// The members serde writes for each v2 type are the `v2::fields` lists.
#[test]
fn v2_field_names_are_serdes() {
    use bundle::v2::{Chain, Page, TopicChain, TypeChains, fields};
    let chain = Chain {
        count: 1,
        pages: vec!["shards/a.json".into()],
    };
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let sorted = |names: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    };
    let page = Page {
        version: 2,
        articles: vec![],
        related: RelatedRecords::default(),
        prev: Some("shards/b.json".into()),
    };
    let topic = TopicChain {
        name: "Privacy".into(),
        chain: chain.clone(),
    };
    let types = TypeChains {
        article: Some(chain.clone()),
        video: Some(chain.clone()),
    };
    assert_eq!(
        keys(&serde_json::to_value(&page).unwrap()),
        sorted(&fields::page::ALL)
    );
    assert_eq!(
        keys(&serde_json::to_value(&chain).unwrap()),
        sorted(&fields::chain::ALL)
    );
    assert_eq!(
        keys(&serde_json::to_value(&topic).unwrap()),
        sorted(&fields::topic::ALL)
    );
    assert_eq!(
        keys(&serde_json::to_value(&types).unwrap()),
        sorted(&fields::types::ALL)
    );
}

/// The v2 reader names members only through `bundle::v2::fields` (or the
/// v1 names they share, read by the v1 code), and reads every member it
/// needs: all but a manifest's and a chain's `count` of articles in the
/// archive, which the widget has no use for beyond picking the smallest
/// chain (read) and the manifest's total (not read).
#[test]
fn the_v2_decoder_spells_no_member_name() {
    use bundle::v2::fields;
    let mut code = String::new();
    for file in [
        "crates/widget/src/decode/v2.rs",
        "crates/widget/src/shards.rs",
    ] {
        let source = std::fs::read_to_string(root().join(file)).unwrap();
        code.push_str(source.split("#[cfg(test)]").next().unwrap());
    }
    for literal in [".get(\"", ".str(\"", ".list(\""] {
        assert!(
            !code.contains(literal),
            "the v2 reader names a member with a literal: `{literal}`"
        );
    }
    // Read by the v1 code the page and manifest share with a bundle.
    assert_eq!(fields::page::RELATED, bundle::fields::bundle::RELATED);
    assert_eq!(fields::page::VERSION, bundle::fields::bundle::VERSION);
    assert_eq!(fields::manifest::VERSION, bundle::fields::bundle::VERSION);
    let read: [(&str, &[&str]); 5] = [
        (
            "manifest",
            &[
                "GENERATED_AT",
                "PAGE_SIZE",
                "PROVIDERS",
                "ALL",
                "TOPICS",
                "PROVIDER_CHAINS",
                "TYPES",
            ],
        ),
        ("chain", &["COUNT", "PAGES"]),
        ("topic", &["NAME", "CHAIN"]),
        ("types", &["ARTICLE", "VIDEO"]),
        ("page", &["VERSION", "ARTICLES", "PREV"]),
    ];
    for (module, constants) in read {
        for constant in constants {
            let path = format!("fields::{module}::{constant}");
            assert!(code.contains(&path), "the v2 reader never reads `{path}`");
        }
    }
}

/// A page and a manifest that serde writes from the `bundle::v2` types
/// are read by the widget as serde reads them.
#[test]
fn decoder_and_serde_agree_on_v2_files() {
    use article_cards_widget::decode::{Decoded, decode_any, decode_page};
    use article_cards_widget::options::Options;
    use bundle::v2::{Chain, Manifest, Page, TopicChain, TypeChains};

    let mut providers = Providers::default();
    providers.insert(
        "hg".into(),
        Provider {
            name: "Harbour Gazette".into(),
            domain: Some("harbourgazette.example".into()),
            logo: None,
        },
    );
    let mut related = RelatedRecords::default();
    related.insert(
        "r1".into(),
        RelatedRecord {
            title: "A related story".into(),
            url: "https://news.example/r1".into(),
            published: Some("2026-01-01T00:00:00Z".into()),
            kind: ArticleType::Article,
            provider: Some("hg".into()),
            image: None,
        },
    );
    let article = |id: &str| Article {
        id: id.into(),
        title: format!("Story {id}"),
        excerpt: Some("An excerpt.".into()),
        url: format!("https://news.example/{id}"),
        published: Some("2026-01-02T00:00:00Z".into()),
        updated: None,
        kind: ArticleType::Article,
        topics: vec!["Privacy".into()],
        provider: Some("hg".into()),
        image: None,
        video: None,
        heat: Some(3),
        quality: None,
        related: vec!["r1".into()],
    };
    let page = Page {
        version: 2,
        articles: vec![article("a2"), article("a1")],
        related,
        prev: Some("shards/0123456789abcdef01234567.json".into()),
    };
    let bytes = serde_json::to_vec(&page).unwrap();
    let (read, warnings) = decode_page(&bytes, None, false, &providers).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(read, serde_json::from_slice::<Page>(&bytes).unwrap());

    let chain = |name: &str| Chain {
        count: 2,
        pages: vec![format!("shards/{name}.json")],
    };
    let manifest = Manifest {
        version: 2,
        generated_at: "2026-01-03T00:00:00Z".into(),
        page_size: 24,
        count: 2,
        providers: providers.clone(),
        all: chain("all"),
        topics: vec![TopicChain {
            name: "Privacy".into(),
            chain: chain("privacy"),
        }],
        provider_chains: Default::default(),
        types: TypeChains {
            article: Some(chain("article")),
            video: None,
        },
    };
    let bytes = serde_json::to_vec(&manifest).unwrap();
    let by_serde = serde_json::from_slice::<Manifest>(&bytes).unwrap();
    let options = Options::with_src("index.json");
    let (decoded, warnings) = decode_any(&bytes, None, &options).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let Decoded::Manifest { bundle, first } = decoded else {
        panic!("a manifest read as a bundle");
    };
    assert_eq!(first, by_serde.all.pages);
    assert_eq!(bundle.providers, by_serde.providers);
    assert_eq!(bundle.generated_at, by_serde.generated_at);
}
