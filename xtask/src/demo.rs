//! `cargo xtask demo`: bundles the example articles in `www/` and (once the
//! widget can be served) serves the demo page.

use crate::util::{cargo, root, run};

pub fn main(_args: &[String]) -> Result<(), String> {
    let www = root().join("www");
    run(
        "bundle the example articles",
        cargo()
            .args([
                "run",
                "--quiet",
                "--release",
                "--features",
                "cli",
                "--bin",
                "article-cards",
                "--",
            ])
            .args([
                "bundle".as_ref(),
                www.join("articles").as_os_str(),
                "--providers".as_ref(),
                www.join("providers").as_os_str(),
                "--out".as_ref(),
                www.join("bundle.json").as_os_str(),
            ]),
    )?;
    eprintln!("wrote {}", www.join("bundle.json").display());
    Ok(())
}
