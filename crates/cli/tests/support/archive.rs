// Each test binary that includes this file uses part of it.
#![allow(dead_code)]

//! Reading a version 2 archive on disk in tests: its files, its manifest,
//! its pages and the chains it names.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use bundle::v2::{Chain, Manifest, Page};

/// Every file under `dir`, relative, `/`-separated, with its bytes.
pub fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let path = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap();
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_str().unwrap())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    out
}

pub fn manifest(dir: &Path) -> Manifest {
    serde_json::from_slice(&fs::read(dir.join("index.json")).unwrap()).unwrap()
}

pub fn page(dir: &Path, path: &str) -> Page {
    serde_json::from_slice(&fs::read(dir.join(path)).unwrap()).unwrap()
}

/// Every chain of a manifest with a label.
pub fn chains(m: &Manifest) -> Vec<(String, &Chain)> {
    let mut out = vec![("all".to_owned(), &m.all)];
    for t in &m.topics {
        out.push((format!("topic {}", t.name), &t.chain));
    }
    for (k, c) in m.provider_chains.iter() {
        out.push((format!("provider {k}"), c));
    }
    for (k, c) in [("article", &m.types.article), ("video", &m.types.video)] {
        if let Some(c) = c {
            out.push((format!("type {k}"), c));
        }
    }
    out
}

/// A chain's pages, newest first, by following `prev` from its entry.
pub fn walk(dir: &Path, chain: &Chain) -> Vec<(String, Page)> {
    let mut out = Vec::new();
    let mut next = chain.pages.first().cloned();
    while let Some(path) = next {
        assert!(bundle::v2::is_shard_path(&path), "{path}");
        let p = page(dir, &path);
        next = p.prev.clone();
        out.push((path, p));
        assert!(out.len() <= 100_000, "a prev cycle");
    }
    out
}
