//! `cargo xtask dist`: builds the release wasm and assembles `pkg/`.

pub fn main(_args: &[String]) -> Result<(), String> {
    Err("dist is not built yet".into())
}
