//! Temporary test binary: print the docutils pseudo-XML tree of an rST file.
//!
//! `rst-tree [--stage parse|full] [--sphinx] [FILE|-]` (stdin by default).
//! Used by shared/rst-conformance/check.py until `specsite rst-tree` exists.

use std::io::Read;

use specsite::markup::rst::{rst_tree, Stage};

fn main() {
    let mut stage = Stage::Parse;
    let mut sphinx = false;
    let mut path: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--stage" => {
                stage = match args.next().as_deref() {
                    Some("full") => Stage::Full,
                    _ => Stage::Parse,
                }
            }
            "--sphinx" => sphinx = true,
            "-" => path = None,
            other => path = Some(other.to_string()),
        }
    }
    let mut input = String::new();
    let result = match path {
        Some(path) => std::fs::read(&path).map(|bytes| {
            input = String::from_utf8_lossy(&bytes).into_owned();
        }),
        None => {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).map(|_| {
                input = String::from_utf8_lossy(&bytes).into_owned();
            })
        }
    };
    if let Err(error) = result {
        eprintln!("rst-tree: cannot read input: {error}");
        std::process::exit(2);
    }
    print!("{}", rst_tree(&input, stage, sphinx));
}
