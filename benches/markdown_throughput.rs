//! How fast Markdown parsing is: parses every `.md` file under a directory
//! (default: `../shared/corpora/rust-rfcs/text`) a few times, with
//! pulldown-cmark alone and with our tree building, and prints MB/s.
//!
//! `cargo bench --bench markdown_throughput -- [DIR] [ROUNDS]`

use std::time::Instant;

use pulldown_cmark::{Options, Parser};
use specsite::markup::markdown::parse;

fn main() {
    // `cargo bench` passes `--bench`; only positional arguments are ours.
    let mut args = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"));
    let dir = args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/corpora/rust-rfcs/text"
        )
        .to_string()
    });
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(10);
    let mut texts = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(&dir)];
    while let Some(path) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    texts.push(text);
                }
            }
        }
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    if bytes == 0 {
        eprintln!("no Markdown files under {dir}");
        return;
    }
    let megabytes = bytes as f64 / 1e6;
    println!(
        "{} files, {megabytes:.2} MB, best of {rounds} rounds, one thread",
        texts.len()
    );

    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_MATH;
    let best_pulldown = best_of(rounds, || {
        let mut events = 0usize;
        for text in &texts {
            events += Parser::new_ext(text, options).into_offset_iter().count();
        }
        events
    });
    let best_tree = best_of(rounds, || {
        let mut nodes = 0usize;
        for text in &texts {
            nodes += parse(text).doc.len();
        }
        nodes
    });
    println!(
        "pulldown-cmark events only: {:.3} s = {:.0} MB/s",
        best_pulldown,
        megabytes / best_pulldown
    );
    println!(
        "markdown::parse (tree):     {:.3} s = {:.0} MB/s",
        best_tree,
        megabytes / best_tree
    );
}

fn best_of(rounds: usize, mut work: impl FnMut() -> usize) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..rounds.max(1) {
        let start = Instant::now();
        std::hint::black_box(work());
        best = best.min(start.elapsed().as_secs_f64());
    }
    best
}
