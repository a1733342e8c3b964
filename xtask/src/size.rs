//! `cargo xtask size`: size report and budget of the shipped widget.

pub fn main(_args: &[String]) -> Result<(), String> {
    Err("size is not built yet".into())
}
