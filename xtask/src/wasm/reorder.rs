//! The order of the function bodies in the shipped wasm, chosen for
//! compression.
//!
//! Brotli and gzip find repeats best when similar code sits close together,
//! and wasm-opt leaves the functions in the order rustc and its own passes
//! happened to produce. [`reorder`] puts next to each function the one whose
//! body adds the least to a deflate stream of what comes before it
//! ([`compression_order`], greedy), then has wasm-opt move the bodies
//! (`--reorder-functions-by-name`, over names this module writes: the rank
//! of each function, zero-padded) and drop those names again. wasm-opt
//! renumbers every call, table entry and export, so the module is the same
//! program: only the layout of the code section changes. What it gains, and
//! the orders tried before it: docs/size.md.

use std::fs;
use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::DeflateEncoder;
use wasm_encoder::{NameMap, NameSection, Section};

use super::Code;
use crate::util::run;

/// How much of the code already placed a candidate is compared with.
const CONTEXT: usize = 1024;

/// Rewrites `wasm` (a file written by wasm-opt) in place with its function
/// bodies in [`compression_order`].
pub fn reorder(wasm: &Path) -> Result<(), String> {
    let bytes = fs::read(wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
    let code = Code::parse(&bytes)?;
    if code.has_names {
        return Err("the wasm to reorder already has a name section".into());
    }
    let started = std::time::Instant::now();
    let order = compression_order(&code.bodies);
    eprintln!(
        "\n==> order {} functions for compression ({:.1} s)",
        order.len(),
        started.elapsed().as_secs_f64()
    );
    let ranked = wasm.with_extension("ranked.wasm");
    let mut named = bytes.clone();
    named.extend(rank_names(code.imported, &order));
    fs::write(&ranked, named).map_err(|e| format!("cannot write {}: {e}", ranked.display()))?;
    let result = run(
        "move the function bodies into that order (wasm-opt)",
        super::optimize::command()
            .arg(&ranked)
            .args([
                "--reorder-functions-by-name",
                "--strip-debug",
                "--strip-producers",
                // Read by linkers only.
                "--strip-target-features",
                "-o",
            ])
            .arg(wasm),
    );
    let _ = fs::remove_file(&ranked);
    result?;
    let after = fs::read(wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
    let moved = Code::parse(&after)?;
    if moved.bodies.len() != code.bodies.len() || moved.imported != code.imported {
        return Err(format!(
            "reordering changed the module: {} functions ({} imported) became {} ({})",
            code.bodies.len(),
            code.imported,
            moved.bodies.len(),
            moved.imported
        ));
    }
    Ok(())
}

/// Bytes of `data` deflated (level 6), reusing `out` as the buffer.
fn deflated_len(data: &[u8], out: &mut Vec<u8>) -> usize {
    out.clear();
    let mut encoder = DeflateEncoder::new(std::mem::take(out), Compression::new(6));
    // Writing to a `Vec` cannot fail.
    let _ = encoder.write_all(data);
    *out = encoder.finish().unwrap_or_default();
    out.len()
}

/// A permutation of `0..bodies.len()`: the smallest body first (smaller
/// than starting from the largest, docs/size.md), then at each
/// step the remaining body that costs the least to deflate after the last
/// [`CONTEXT`] bytes placed, relative to its cost alone (ties: the lower
/// index). Deterministic; the candidates are scored on every core.
pub fn compression_order(bodies: &[&[u8]]) -> Vec<usize> {
    let mut scratch = Vec::new();
    let alone: Vec<u64> = bodies
        .iter()
        .map(|b| deflated_len(b, &mut scratch) as u64 + 1)
        .collect();
    let Some(first) = (0..bodies.len()).min_by_key(|&i| (bodies[i].len(), i)) else {
        return Vec::new();
    };
    let mut left: Vec<usize> = (0..bodies.len()).filter(|&i| i != first).collect();
    let mut order = vec![first];
    let mut placed = bodies[first].to_vec();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    while !left.is_empty() {
        let context = &placed[placed.len().saturating_sub(CONTEXT)..];
        let base = deflated_len(context, &mut scratch) as u64;
        let chunk = left.len().div_ceil(threads);
        let best = std::thread::scope(|s| {
            let workers: Vec<_> = left
                .chunks(chunk)
                .map(|candidates| {
                    let alone = &alone;
                    s.spawn(move || {
                        let mut joined = Vec::new();
                        let mut out = Vec::new();
                        let mut best: Option<(u64, u64, usize)> = None;
                        for (pos, &i) in candidates.iter().enumerate() {
                            joined.clear();
                            joined.extend_from_slice(context);
                            joined.extend_from_slice(bodies[i]);
                            let added =
                                (deflated_len(&joined, &mut out) as u64).saturating_sub(base);
                            // added / alone, compared without division.
                            let better = best.is_none_or(|(a, d, _)| added * d < a * alone[i]);
                            if better {
                                best = Some((added, alone[i], pos));
                            }
                        }
                        best
                    })
                })
                .collect();
            let mut best: Option<(u64, u64, usize)> = None;
            for (w, worker) in workers.into_iter().enumerate() {
                if let Ok(Some((a, d, pos))) = worker.join() {
                    let better = best.is_none_or(|(ba, bd, _)| a * bd < ba * d);
                    if better {
                        best = Some((a, d, w * chunk + pos));
                    }
                }
            }
            best.map_or(0, |(_, _, pos)| pos)
        });
        let next = left.remove(best);
        order.push(next);
        placed.extend_from_slice(bodies[next]);
    }
    order
}

/// A `name` custom section naming defined function `order[r]` by its rank
/// `r`, zero-padded so that names sort as ranks do.
fn rank_names(imported: u32, order: &[usize]) -> Vec<u8> {
    let mut ranks = vec![0; order.len()];
    for (rank, &function) in order.iter().enumerate() {
        if let Some(slot) = ranks.get_mut(function) {
            *slot = rank;
        }
    }
    let mut functions = NameMap::new();
    for (function, rank) in ranks.iter().enumerate() {
        functions.append(imported + function as u32, &format!("{rank:06}"));
    }
    let mut names = NameSection::new();
    names.functions(&functions);
    let mut section = Vec::new();
    names.append_to(&mut section);
    section
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_is_a_permutation_that_puts_look_alikes_together() {
        let a: Vec<u8> = (0..200u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut a2 = a.clone();
        a2[100] ^= 1;
        let b: Vec<u8> = (0..300u32).map(|i| (i * 13 % 241) as u8 ^ 0x55).collect();
        let mut b2 = b.clone();
        b2[7] ^= 1;
        let bodies: Vec<&[u8]> = vec![&a, &b, &a2, &b2];
        let order = compression_order(&bodies);
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(sorted, [0, 1, 2, 3]);
        // The smallest first, then its near copy, then the other pair.
        assert_eq!(order[..2], [0, 2]);
        assert_eq!(compression_order(&bodies), order, "deterministic");
        assert!(compression_order(&[]).is_empty());
    }

    #[test]
    fn rank_names_are_read_back_as_the_function_names() {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend(rank_names(3, &[2, 0, 1]));
        let code = Code::parse(&wasm).unwrap();
        assert!(code.bodies.is_empty(), "no code section");
        assert!(code.has_names);
        let names: Vec<(u32, &str)> = code.names.into_iter().collect();
        assert_eq!(names, [(3, "000001"), (4, "000002"), (5, "000000")]);
    }
}
