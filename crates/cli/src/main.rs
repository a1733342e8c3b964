//! The `article-cards` command: parses arguments and hands over to the library.

fn main() -> std::process::ExitCode {
    article_cards::main()
}
