//! Helpers shared by the integration tests: fixture repositories in temp dirs.

#![allow(dead_code)]

pub mod browser;
pub mod serve;

use std::collections::BTreeMap;
use std::path::Path;

/// A real spec repository beside the checkout (`../shared/corpora/NAME`,
/// or under `SPECSITE_CORPORA`); `None`, with a SKIP message, when absent,
/// so `cargo test` passes without it.
pub fn corpus(name: &str) -> Option<std::path::PathBuf> {
    let base = std::env::var_os("SPECSITE_CORPORA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora"));
    let root = base.join(name);
    if root.is_dir() {
        Some(root)
    } else {
        eprintln!("SKIP: corpus {} not found", root.display());
        None
    }
}

/// Write `files` (relative path → contents) under `root`.
pub fn write_tree(root: &Path, files: &[(&str, &str)]) {
    for (path, contents) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("file has a parent")).expect("create dirs");
        std::fs::write(path, contents).expect("write fixture file");
    }
}

/// Every file under `dir` as relative path → bytes.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).expect("read dir") {
            let entry = entry.expect("dir entry");
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .expect("below dir")
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(rel, std::fs::read(&path).expect("read file"));
            }
        }
    }
    files
}

/// A small repository in both formats and several conventions.
pub const SMALL_REPO: &[(&str, &str)] = &[
    (
        "proposals/0001-fast-reads.md",
        "---\ntitle: Fast reads\nstatus: accepted\nmilestone: \"2.1\"\nauthors: [Ada Lovelace, Alan Turing]\ncreated: 2025-01-05\n---\n\n# Fast reads\n\n## Motivation\n\nReads are **slow**. See [the tracing RFC](../text/0002-tracing.md#design).\n\n```rust\nfn main() { println!(\"hi\"); }\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    ),
    (
        "text/0002-tracing.md",
        "- Feature Name: tracing\n\n# Summary\n\nTrace requests.\n\n# Design\n\nSpans everywhere.\n",
    ),
    (
        "specs/kilo/approved/quotas.rst",
        "======\nQuotas\n======\n\nProblem description\n===================\n\nTenants need limits.\n",
    ),
    (
        "specs/kilo/implemented/flavors.rst",
        "=======\nFlavors\n=======\n\nDone.\n",
    ),
    ("specs/kilo-template.rst", "========\nTemplate\n========\n"),
    ("0000-template.md", "# Title of the proposal\n"),
    ("README.md", "# This repository\n"),
];

/// Run `specsite -q check ROOT --format json EXTRA…`: the exit code and the
/// JSON document it printed (the api/lint.json schema).
pub fn check_json(root: &Path, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_specsite"))
        .args(["-q", "check", "--format", "json"])
        .args(extra)
        .arg(root)
        .output()
        .expect("run specsite check");
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "stdout is not JSON ({error}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code(), report)
}
