//! Everything `dist` and `size` do to the widget's wasm after cargo and
//! wasm-bindgen built it, in the order `dist` applies them:
//!
//! 1. [`rename`]: short import and export names, in the wasm and its JS
//!    glue alike;
//! 2. [`optimize`]: wasm-opt with the shipped passes;
//! 3. [`reorder`]: the function bodies put in an order that compresses
//!    better.
//!
//! [`breakdown`] reads a module the other way round, for
//! `cargo xtask size --top`. Reading and writing the binary format is left
//! to `wasmparser` and `wasm-encoder`; they run at build time only, so they
//! cost the shipped wasm nothing. What each step saves is in docs/size.md.

pub mod breakdown;
pub mod optimize;
pub mod rename;
pub mod reorder;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};

use crate::util::root;

/// The files whose change must rebuild the shipped wasm although the wasm
/// cargo built did not change: this module's sources, `dist` (which runs
/// the steps) and the lockfile that pins wasm-opt.
pub fn sources() -> Vec<PathBuf> {
    let root = root();
    let dir = root.join("xtask/src/wasm");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "rs"))
                .collect()
        })
        .unwrap_or_default();
    // The directory itself: a source deleted or added makes it newer.
    files.push(dir);
    files.push(root.join("xtask/src/dist.rs"));
    files.push(root.join("xtask/js/package-lock.json"));
    files.sort();
    files
}

/// Renames the glue's imports and exports in wasm-bindgen's output, in
/// place (see [`rename`]).
pub fn shorten_names(wasm_path: &Path, js_path: &Path, lib: &str) -> Result<(), String> {
    eprintln!("\n==> shorten the import names of the wasm and its glue");
    let wasm = read(wasm_path)?;
    let js = std::fs::read_to_string(js_path)
        .map_err(|e| format!("cannot read {}: {e}", js_path.display()))?;
    let (wasm, js, renamed) = rename::shorten(&wasm, &js, &rename::glue_module(lib))?;
    write(wasm_path, &wasm)?;
    write(js_path, js.as_bytes())?;
    eprintln!(
        "    {} imports and {} exports renamed",
        renamed.imports, renamed.exports
    );
    Ok(())
}

/// wasm-bindgen's output `input` optimised and reordered into `output`:
/// the wasm that ships.
pub fn finish(input: &Path, output: &Path) -> Result<(), String> {
    optimize::wasm_opt(input, output, false)?;
    reorder::reorder(output)
}

/// What [`breakdown`] and [`reorder`] read of a module.
#[derive(Debug, Default)]
pub struct Code<'a> {
    /// Imported functions; defined functions are numbered after them.
    pub imported: u32,
    /// The function bodies (locals and code, without their length prefix).
    pub bodies: Vec<&'a [u8]>,
    /// Function names from the `name` section, by function index.
    pub names: BTreeMap<u32, &'a str>,
    /// Whether the module has a `name` section.
    pub has_names: bool,
    /// Bytes of the data section (strings, the stylesheet, tables).
    pub data: usize,
}

impl<'a> Code<'a> {
    pub fn parse(wasm: &'a [u8]) -> Result<Self, String> {
        let mut code = Code::default();
        for payload in Parser::new(0).parse_all(wasm) {
            match payload.map_err(invalid)? {
                Payload::ImportSection(section) => {
                    for import in section.into_imports() {
                        if matches!(import.map_err(invalid)?.ty, TypeRef::Func(_)) {
                            code.imported += 1;
                        }
                    }
                }
                Payload::CodeSectionEntry(body) => code.bodies.push(body.as_bytes()),
                Payload::DataSection(section) => code.data = section.range().len(),
                Payload::CustomSection(custom) => {
                    if let KnownCustom::Name(names) = custom.as_known() {
                        code.has_names = true;
                        for name in names {
                            if let Name::Function(map) = name.map_err(invalid)? {
                                for naming in map {
                                    let naming = naming.map_err(invalid)?;
                                    code.names.insert(naming.index, naming.name);
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(code)
    }
}

/// A wasmparser error as this crate reports errors.
pub(crate) fn invalid(e: wasmparser::BinaryReaderError) -> String {
    format!("invalid wasm: {e}")
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 19: editing the function-order code (then `layout.rs`) left
    /// `pkg/dist` "up to date", because `dist` compared against its own
    /// source only. Every source of this module must count.
    #[test]
    fn finding_19_tooling_edits_make_dist_stale() {
        let sources = sources();
        let dir = root().join("xtask/src/wasm");
        for name in [
            "mod.rs",
            "rename.rs",
            "optimize.rs",
            "reorder.rs",
            "breakdown.rs",
        ] {
            let file = dir.join(name);
            assert!(file.is_file(), "{} exists", file.display());
            assert!(sources.contains(&file), "{name} is an input of dist");
        }
        assert!(sources.contains(&root().join("xtask/src/dist.rs")));
    }
}
