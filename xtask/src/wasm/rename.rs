//! Short import and export names for the shipped wasm and its glue.
//!
//! wasm-bindgen names every import the glue provides after the JS it wraps
//! plus a 16-digit hash (`__wbg_appendChild_dbf7ad2f48413560`), and the
//! module `./article_cards_bg.js`. Both are written twice, in the wasm's
//! import section and as keys of the imports object in the glue, and the
//! hashes do not compress: with a couple of hundred imports they were a
//! visible share of the wasm (docs/size.md)
//! and a fair part of the glue. Closure shims are exported under very
//! long names. [`shorten`] renames the imports in both files to `a`,
//! `b`, …, `Z`, `aa`, …, their module to `a`, and the exports the glue
//! reads (`wasm.<name>`) the same way.
//!
//! The glue is matched by whole identifier-like tokens, and each old import
//! name must occur in it exactly once (its key in the imports object): if a
//! later wasm-bindgen writes them differently, the build stops here rather
//! than shipping glue that no longer matches the wasm. Exports the glue
//! never reads as `wasm.<name>` keep their names.

use std::collections::HashMap;

use wasm_encoder::{EntityType, ExportSection, ImportSection, RawSection};
use wasmparser::{Parser, Payload};

use super::invalid;

/// The module the glue's own imports come from, renamed to [`SHORT_MODULE`].
pub fn glue_module(lib: &str) -> String {
    format!("./{lib}_bg.js")
}

pub const SHORT_MODULE: &str = "a";

/// What [`shorten`] renamed.
#[derive(Debug, PartialEq, Eq)]
pub struct Renamed {
    pub imports: usize,
    pub exports: usize,
}

/// Renames the imports of `module` in `wasm` and `js`, and the exports
/// the glue reads as `wasm.<name>` (see the module docs); returns the new
/// wasm and glue.
pub fn shorten(wasm: &[u8], js: &str, module: &str) -> Result<(Vec<u8>, String, Renamed), String> {
    let exports = export_names(wasm)?;
    let read = member_counts(js, &exports);
    let mut export_renames = HashMap::new();
    for name in &exports {
        if read.get(name.as_str()).is_some_and(|&n| n > 0) {
            let short = short_name(export_renames.len());
            export_renames.insert(name.clone(), short);
        }
    }
    let mut import_renames = HashMap::new();
    let wasm = rewrite(
        wasm,
        |m, name| {
            if m != module {
                return None;
            }
            let short = short_name(import_renames.len());
            import_renames.insert(name.to_owned(), short.clone());
            Some((SHORT_MODULE.to_owned(), short))
        },
        |name| export_renames.get(name).cloned(),
    )?;
    let quoted = format!("\"{module}\"");
    if js.matches(&quoted).count() != 1 {
        return Err(format!(
            "the glue does not name the module {quoted} exactly once; cannot shorten its imports"
        ));
    }
    let js = js.replacen(&quoted, &format!("\"{SHORT_MODULE}\""), 1);
    let js = rename_tokens(&js, &import_renames, &export_renames)?;
    let renamed = Renamed {
        imports: import_renames.len(),
        exports: export_renames.len(),
    };
    Ok((wasm, js, renamed))
}

/// The `n`th short identifier: `a`…`z`, `A`…`Z`, then two characters.
pub fn short_name(n: usize) -> String {
    const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const NEXT: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$";
    let mut out = String::new();
    let mut n = n;
    out.push(FIRST[n % FIRST.len()] as char);
    n /= FIRST.len();
    while n > 0 {
        n -= 1;
        out.push(NEXT[n % NEXT.len()] as char);
        n /= NEXT.len();
    }
    out
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// The identifier-like tokens of `js` (also inside strings and comments,
/// which is what the exactly-once check wants), with their byte ranges.
fn tokens(js: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = js.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() && !is_ident_byte(bytes[at]) {
            at += 1;
        }
        if at == bytes.len() {
            return None;
        }
        let start = at;
        while at < bytes.len() && is_ident_byte(bytes[at]) {
            at += 1;
        }
        Some((start, at))
    })
}

/// Whether the token at `start` is a member of the exports: `wasm.<token>`.
fn is_export_read(js: &str, start: usize) -> bool {
    const OBJECT: &str = "wasm.";
    start >= OBJECT.len()
        && js[..start].ends_with(OBJECT)
        && !js.as_bytes()[..start - OBJECT.len()]
            .last()
            .is_some_and(|&b| is_ident_byte(b) || b == b'.')
}

/// How often the glue reads each of `names` as `wasm.<name>`.
fn member_counts<'n>(js: &str, names: &'n [String]) -> HashMap<&'n str, usize> {
    let mut counts: HashMap<&str, usize> = names.iter().map(|n| (n.as_str(), 0)).collect();
    for (start, end) in tokens(js) {
        if let Some(n) = counts.get_mut(&js[start..end])
            && is_export_read(js, start)
        {
            *n += 1;
        }
    }
    counts
}

/// Replaces the import names (whole tokens; each must occur once) and the
/// export reads (`wasm.<name>`) of `js`.
fn rename_tokens(
    js: &str,
    imports: &HashMap<String, String>,
    exports: &HashMap<String, String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(js.len());
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut copied = 0;
    for (start, end) in tokens(js) {
        let token = &js[start..end];
        let new = match exports.get(token) {
            Some(new) if is_export_read(js, start) => new,
            _ => match imports.get(token) {
                Some(new) => {
                    *seen.entry(token).or_default() += 1;
                    new
                }
                None => continue,
            },
        };
        out.push_str(&js[copied..start]);
        out.push_str(new);
        copied = end;
    }
    out.push_str(&js[copied..]);
    let mut wrong: Vec<String> = imports
        .keys()
        .filter_map(|name| {
            let n = seen.get(name.as_str()).copied().unwrap_or(0);
            (n != 1).then(|| format!("`{name}` ({n} times)"))
        })
        .collect();
    if !wrong.is_empty() {
        wrong.sort();
        return Err(format!(
            "the glue should name each import once; cannot shorten: {}",
            wrong.join(", ")
        ));
    }
    Ok(out)
}

/// The names of the wasm's exports.
fn export_names(wasm: &[u8]) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    rewrite(
        wasm,
        |_, _| None,
        |name| {
            names.push(name.to_owned());
            None
        },
    )?;
    Ok(names)
}

/// Copies `wasm` with its import and export sections rewritten:
/// `import(module, name)` gives an import's new module and name,
/// `export(name)` an export's new name, `None` keeps them. The other
/// sections are copied byte for byte.
fn rewrite(
    wasm: &[u8],
    mut import: impl FnMut(&str, &str) -> Option<(String, String)>,
    mut export: impl FnMut(&str) -> Option<String>,
) -> Result<Vec<u8>, String> {
    if wasm.get(..8) != Some(b"\0asm\x01\0\0\0") {
        return Err("not a wasm binary (version 1)".into());
    }
    let mut out = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(invalid)? {
            Payload::ImportSection(section) => {
                let mut new = ImportSection::new();
                for entry in section.into_imports() {
                    let entry = entry.map_err(invalid)?;
                    let (module, name) = import(entry.module, entry.name)
                        .unwrap_or_else(|| (entry.module.to_owned(), entry.name.to_owned()));
                    let ty = EntityType::try_from(entry.ty)
                        .map_err(|e| format!("cannot copy import `{}`: {e:?}", entry.name))?;
                    new.import(&module, &name, ty);
                }
                out.section(&new);
            }
            Payload::ExportSection(section) => {
                let mut new = ExportSection::new();
                for entry in section {
                    let entry = entry.map_err(invalid)?;
                    let name = export(entry.name).unwrap_or_else(|| entry.name.to_owned());
                    new.export(&name, entry.kind.into(), entry.index);
                }
                out.section(&new);
            }
            payload => {
                if let Some((id, range)) = payload.as_section() {
                    let data = wasm
                        .get(range)
                        .ok_or("a section reaches past the end of the wasm")?;
                    out.section(&RawSection { id, data });
                }
            }
        }
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push_u32(out: &mut Vec<u8>, n: u32) {
        wasm_encoder::Encode::encode(&n, out);
    }

    fn push_name(out: &mut Vec<u8>, name: &str) {
        wasm_encoder::Encode::encode(name, out);
    }

    /// A wasm with the given function imports (all of type 0), function
    /// exports (of import 0) and one custom section after them.
    fn module_with(imports: &[(&str, &str)], exports: &[&str]) -> Vec<u8> {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        // type section: one `() -> ()`
        wasm.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        let mut body = Vec::new();
        push_u32(&mut body, imports.len() as u32);
        for (m, n) in imports {
            push_name(&mut body, m);
            push_name(&mut body, n);
            body.extend_from_slice(&[0, 0]);
        }
        wasm.push(2);
        push_u32(&mut wasm, body.len() as u32);
        wasm.extend_from_slice(&body);
        let mut body = Vec::new();
        push_u32(&mut body, exports.len() as u32);
        for n in exports {
            push_name(&mut body, n);
            body.extend_from_slice(&[0, 0]);
        }
        wasm.push(7);
        push_u32(&mut wasm, body.len() as u32);
        wasm.extend_from_slice(&body);
        wasm.extend_from_slice(&[0, 4, 1, b'x', 7, 7]);
        wasm
    }

    #[test]
    fn short_names_are_distinct_identifiers() {
        let names: Vec<String> = (0..5000).map(short_name).collect();
        assert_eq!(names[0], "a");
        assert_eq!(names[51], "Z");
        assert_eq!(names[52], "aa");
        let unique: std::collections::HashSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        for name in &names {
            assert!(name.as_bytes()[0].is_ascii_alphabetic(), "{name}");
            assert!(name.bytes().all(is_ident_byte), "{name}");
        }
    }

    #[test]
    fn renames_in_the_wasm_and_the_glue_alike() {
        let wasm = module_with(
            &[
                ("./lib_bg.js", "__wbg_append_0123456789abcdef"),
                ("other", "keep"),
                ("./lib_bg.js", "__wbindgen_throw"),
            ],
            &["mount", "long_closure_name", "unread"],
        );
        let js = "let wasm;const i={__proto__:null,__wbg_append_0123456789abcdef:function(a,b){a.append(b)},\
                  __wbindgen_throw:function(){throw 1}};\nreturn {\"./lib_bg.js\":i};\
                  export function mount(e){return wasm.mount(e)}\
                  function long_closure_name(a){wasm.long_closure_name(a);x.wasm.unread()}";
        let (new_wasm, new_js, n) = shorten(&wasm, js, "./lib_bg.js").unwrap();
        assert_eq!(
            n,
            Renamed {
                imports: 2,
                exports: 2
            }
        );
        assert_eq!(
            new_js,
            "let wasm;const i={__proto__:null,a:function(a,b){a.append(b)},\
             b:function(){throw 1}};\nreturn {\"a\":i};\
             export function mount(e){return wasm.a(e)}\
             function long_closure_name(a){wasm.b(a);x.wasm.unread()}",
            "only `wasm.<export>` reads are renamed, not other tokens of the same name"
        );
        assert_eq!(
            new_wasm,
            module_with(
                &[("a", "a"), ("other", "keep"), ("a", "b")],
                &["a", "b", "unread"]
            ),
            "the other sections are copied unchanged"
        );
    }

    #[test]
    fn refuses_glue_that_does_not_name_each_import_once() {
        let wasm = module_with(
            &[("./lib_bg.js", "__wbg_x_1"), ("./lib_bg.js", "__wbg_y_2")],
            &[],
        );
        let twice = "{__wbg_x_1:f,__wbg_x_1:g,__wbg_y_2:h} \"./lib_bg.js\"";
        let err = shorten(&wasm, twice, "./lib_bg.js").unwrap_err();
        assert!(err.contains("`__wbg_x_1` (2 times)"), "{err}");
        let missing = "{__wbg_x_1:f} \"./lib_bg.js\"";
        let err = shorten(&wasm, missing, "./lib_bg.js").unwrap_err();
        assert!(err.contains("`__wbg_y_2` (0 times)"), "{err}");
        // A longer token that merely contains a name does not count.
        let inside = "{__wbg_x_1:f,__wbg_y_2:h,__wbg_x_1_more:g} \"./lib_bg.js\"";
        assert!(shorten(&wasm, inside, "./lib_bg.js").is_ok());
        let no_module = "{__wbg_x_1:f,__wbg_y_2:h}";
        assert!(shorten(&wasm, no_module, "./lib_bg.js").is_err());
    }

    #[test]
    fn refuses_what_is_not_wasm() {
        assert!(shorten(b"not wasm", "", "m").is_err());
        let mut truncated = module_with(&[("m", "n")], &[]);
        truncated.truncate(truncated.len() - 10);
        assert!(shorten(&truncated, "\"m\" n", "m").is_err());
    }
}
