//! Benchmark: parse and render every reStructuredText file of nova-specs
//! (about 8 MB) on one thread, as the site build does per spec: full
//! docutils stage with the Sphinx profile, then our HTML serializer with
//! highlighting. Criterion reports the throughput in MB/s.
//!
//! The corpus lives in `../shared/corpora/nova-specs` beside the checkout;
//! without it the bench is skipped. `cargo bench --bench rst_throughput`.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use specsite::markup::rst::{parse, RstOptions, Stage};
use specsite::render::html::{render, HtmlOptions};

fn rst_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rst") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn parse_and_render(c: &mut Criterion) {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/nova-specs");
    if !corpus.is_dir() {
        eprintln!("skipping: {} not found", corpus.display());
        return;
    }
    let texts: Vec<String> = rst_files(&corpus)
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let options = RstOptions {
        stage: Stage::Full,
        sphinx: true,
        any_header_block: true,
        ..Default::default()
    };
    let mut group = c.benchmark_group("rst");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("nova-specs parse+render, one thread", |b| {
        b.iter(|| {
            let mut html_bytes = 0;
            for text in &texts {
                let parsed = parse(text, &options);
                html_bytes += render(&parsed.doc, &HtmlOptions::default()).body.len();
            }
            html_bytes
        })
    });
    group.finish();
}

criterion_group!(benches, parse_and_render);
criterion_main!(benches);
