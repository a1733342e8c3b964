//! `cargo xtask size --top [N]`: where the widget's wasm bytes are. Reads a
//! copy of the shipped wasm optimised the same way but with its function
//! names kept (`wasm-opt -g`), and lists the largest function bodies and
//! the code per crate and widget module.

use std::collections::BTreeMap;

use super::Code;

/// One function body: its size in bytes and its (demangled) name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub size: usize,
    pub name: String,
}

/// What a module holds, for the report.
#[derive(Debug, Default)]
pub struct Module {
    pub functions: Vec<Function>,
    /// Bytes of the data section (strings, the stylesheet, tables).
    pub data: usize,
}

/// Reads function sizes (with their length prefix) and names out of a
/// wasm binary.
pub fn parse(wasm: &[u8]) -> Result<Module, String> {
    let mut code = Code::parse(wasm)?;
    let functions = code
        .bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let index = code.imported + i as u32;
            let name = code
                .names
                .remove(&index)
                .map_or_else(|| format!("function #{index}"), str::to_owned);
            Function {
                size: leb128_len(body.len()) + body.len(),
                name,
            }
        })
        .collect();
    Ok(Module {
        functions,
        data: code.data,
    })
}

/// Bytes of `n` as unsigned LEB128, as the code section writes a body's
/// length.
fn leb128_len(n: usize) -> usize {
    let bits = usize::BITS - n.leading_zeros();
    bits.div_ceil(7).max(1) as usize
}

/// The report of `cargo xtask size --top n`: wasm-bindgen's output
/// optimised as shipped but with its names kept, read back.
pub fn top(n: usize) -> Result<String, String> {
    let named = crate::dist::target_dir().join("size-names.wasm");
    super::optimize::wasm_opt(&crate::dist::bindgen_wasm(), &named, true)?;
    let bytes =
        std::fs::read(&named).map_err(|e| format!("cannot read {}: {e}", named.display()))?;
    Ok(report(&parse(&bytes)?, n))
}

/// `article_cards_widget[0123456789abcdef]::x` → `article_cards_widget::x`:
/// rustc's crate disambiguators make names long and differ between builds.
pub fn tidy(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        match after.get(1..18) {
            Some(hash)
                if hash.ends_with(']') && hash[..16].bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                rest = &after[18..];
            }
            _ => {
                out.push('[');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a function is counted under: the project module it comes from
/// (`article_cards_widget::components::carousel`, found anywhere in the
/// name, so Yew's code instantiated for a component counts as that
/// component's), else its crate and first module (`yew::virtual_dom`).
pub fn group(tidy_name: &str) -> String {
    if let Some(at) = tidy_name.find("article_cards_") {
        let path: Vec<&str> = tidy_name[at..]
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .next()
            .unwrap_or_default()
            .split("::")
            .collect();
        // The module: `article_cards_bundle::safe_url`,
        // `article_cards_widget::decode`, `…::components::carousel`.
        let depth = match path.get(1) {
            Some(&"components") => 3,
            _ => 2,
        };
        return path[..depth.min(path.len())].join("::");
    }
    let start = tidy_name.trim_start_matches('<');
    let path: Vec<&str> = start
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .next()
        .unwrap_or_default()
        .split("::")
        .take(2)
        .collect();
    if path.first().is_some_and(|p| !p.is_empty()) {
        path.join("::")
    } else {
        "(other)".into()
    }
}

/// The report: the `top` largest functions, then code per group.
pub fn report(module: &Module, top: usize) -> String {
    let mut out = String::new();
    let code: usize = module.functions.iter().map(|f| f.size).sum();
    out.push_str(&format!(
        "code {} bytes in {} functions; data {} bytes (raw, after wasm-opt; \
         brotli is about a third)\n\nlargest functions:\n",
        code,
        module.functions.len(),
        module.data
    ));
    let mut sorted: Vec<&Function> = module.functions.iter().collect();
    sorted.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.name.cmp(&b.name)));
    for f in sorted.iter().take(top) {
        let name = tidy(&f.name);
        let shown: String = name.chars().take(150).collect();
        out.push_str(&format!("{:>8}  {shown}\n", f.size));
    }
    let mut groups: BTreeMap<String, usize> = BTreeMap::new();
    for f in &module.functions {
        *groups.entry(group(&tidy(&f.name))).or_default() += f.size;
    }
    let mut groups: Vec<(String, usize)> = groups.into_iter().collect();
    groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.push_str("\ncode by module:\n");
    for (name, size) in groups.iter().take(top) {
        out.push_str(&format!("{size:>8}  {name}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with one imported function, two bodies (3 and 5 bytes
    /// with their length prefix), names for the import and the second
    /// body, and a 4-byte data section.
    fn sample() -> Vec<u8> {
        let mut w = b"\0asm\x01\0\0\0".to_vec();
        let section = |w: &mut Vec<u8>, id: u8, body: &[u8]| {
            w.push(id);
            w.push(body.len() as u8);
            w.extend_from_slice(body);
        };
        // type 0: `() -> ()`
        section(&mut w, 1, &[1, 0x60, 0, 0]);
        // import "m" "f" (func type 0)
        section(&mut w, 2, &[1, 1, b'm', 1, b'f', 0, 0]);
        // two functions of type 0
        section(&mut w, 3, &[2, 0, 0]);
        // code: bodies of 2 and 4 bytes
        section(&mut w, 10, &[2, 2, 0, 0x0b, 4, 0, 1, 1, 0x0b]);
        // one passive segment of one byte
        section(&mut w, 11, &[1, 1, 1, 0x2a]);
        let mut names = vec![4, b'n', b'a', b'm', b'e'];
        let functions = [
            2, 0, 3, b'i', b'm', b'p', 2, 6, b'b', b'[', b'x', b']', b':', b':',
        ];
        names.push(1);
        names.push(functions.len() as u8);
        names.extend_from_slice(&functions);
        section(&mut w, 0, &names);
        w
    }

    #[test]
    fn sizes_and_names() {
        let m = parse(&sample()).unwrap();
        assert_eq!(m.data, 4);
        assert_eq!(
            m.functions,
            vec![
                Function {
                    size: 3,
                    name: "function #1".into()
                },
                Function {
                    size: 5,
                    name: "b[x]::".into()
                },
            ]
        );
        assert!(parse(b"not wasm").is_err());
        let mut cut = sample();
        cut.truncate(20);
        assert!(
            parse(&cut).is_err(),
            "a truncated module is an error, not a panic"
        );
    }

    #[test]
    fn lengths_of_length_prefixes() {
        assert_eq!(leb128_len(0), 1);
        assert_eq!(leb128_len(127), 1);
        assert_eq!(leb128_len(128), 2);
        assert_eq!(leb128_len(16_383), 2);
        assert_eq!(leb128_len(16_384), 3);
    }

    #[test]
    fn names_are_tidied_and_grouped() {
        let long = "<yew[68592494a9cd108b]::html::component::lifecycle::CompStateInner<\
                    article_cards_widget[334d0dbd72511cf5]::components::view::View> as \
                    yew[68592494a9cd108b]::html::component::lifecycle::Stateful>::view";
        let t = tidy(long);
        assert!(t.starts_with("<yew::html::component"), "{t}");
        assert!(!t.contains("[68592494a9cd108b]"));
        assert_eq!(group(&t), "article_cards_widget::components::view");
        assert_eq!(
            group("article_cards_widget::root::start_load::{closure#0}"),
            "article_cards_widget::root"
        );
        assert_eq!(
            group("article_cards_bundle::safe_url::check_url"),
            "article_cards_bundle::safe_url"
        );
        assert_eq!(
            group("<yew::virtual_dom::vnode::VNode as X>::reconcile"),
            "yew::virtual_dom"
        );
        assert_eq!(
            group("dlmalloc::dlmalloc::Dlmalloc::malloc"),
            "dlmalloc::dlmalloc"
        );
        assert_eq!(tidy("a[b]c"), "a[b]c", "brackets that are no hash stay");
    }
}
