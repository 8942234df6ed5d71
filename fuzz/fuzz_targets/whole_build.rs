//! Fuzz a whole build: the input becomes a small repository (a few spec
//! files, maybe a `specsite.toml` and a template override), which goes
//! through the real pipeline (config, load, parse, extract, link, render)
//! and is written atomically into a temporary directory. Nothing may panic,
//! and every diagnostic must point inside the file it names.
//!
//! Input shape: files separated by NUL bytes; in each, the first line is
//! the file's path (reduced to a safe relative path, so the fuzzer cannot
//! reach outside the temporary root) and the rest its contents.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use specsite::build::build_site;
use specsite::config::Overrides;
use specsite::output::write_atomically;

/// At most this many files per repository: enough for references,
/// includes and a config, few enough to keep each run fast.
const MAX_FILES: usize = 6;

/// A relative path made of safe segments, or `None` when nothing is left.
fn confined_path(name: &str) -> Option<String> {
    let segments: Vec<String> = name
        .split('/')
        .map(|segment| {
            segment
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .take(40)
                .collect::<String>()
        })
        .filter(|segment| !segment.is_empty() && segment.chars().any(|c| c != '.'))
        .take(4)
        .collect();
    (!segments.is_empty()).then(|| segments.join("/"))
}

fn write_repository(root: &Path, data: &[u8]) {
    for (number, chunk) in data.split(|&b| b == 0).take(MAX_FILES).enumerate() {
        let text = String::from_utf8_lossy(chunk);
        let (name, contents) = text.split_once('\n').unwrap_or((&text, ""));
        let rel_path = confined_path(name).unwrap_or_else(|| format!("specs/{number:04}-fuzz.md"));
        let path = root.join(&rel_path);
        if let Some(parent) = path.parent() {
            if std::fs::create_dir_all(parent).is_err() {
                continue;
            }
        }
        // A name that is already a directory (or under a file) is skipped.
        let _ = std::fs::write(&path, contents.as_bytes());
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(temp) = tempfile::tempdir() else {
        return;
    };
    let root = temp.path().join("repo");
    if std::fs::create_dir(&root).is_err() {
        return;
    }
    write_repository(&root, data);
    let output = temp.path().join("site");
    let overrides = Overrides {
        output_dir: Some(output.clone()),
        base_url: None,
        cache_dir: None,
    };
    let Ok(build) = build_site(&root, &overrides, temp.path()) else {
        return;
    };
    for diagnostic in &build.diagnostics {
        let Some(location) = &diagnostic.location else {
            continue;
        };
        if let Some(source) = build.sources.get(&location.file) {
            assert!(
                location.span.end <= source.text.len(),
                "diagnostic span outside its file: {diagnostic:?}"
            );
        }
    }
    // Refusing to write (an unsafe page path, a full disk) is an error value,
    // not a panic; either outcome is fine here.
    let _ = write_atomically(&build.tree, &build.config.root, &output);
});
