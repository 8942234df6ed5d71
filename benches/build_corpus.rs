//! Benchmark: build a whole spec corpus in memory (everything `specsite
//! build` does except writing files).
//!
//! The corpora live in `../shared/corpora/` beside the checkout (not in the
//! repository); a corpus that is not there is skipped. Run with
//! `cargo bench --bench build_corpus`.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use specsite::build::build_site;
use specsite::config::Overrides;

fn corpus(name: &str) -> Option<std::path::PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpora")
        .join(name);
    path.is_dir().then_some(path)
}

fn build_corpora(c: &mut Criterion) {
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    for name in ["rust-rfcs", "nova-specs"] {
        let Some(root) = corpus(name) else {
            eprintln!("skipping {name}: ../shared/corpora/{name} not found");
            continue;
        };
        let out = std::env::temp_dir().join(format!("specsite-bench-{name}"));
        group.bench_function(name, |b| {
            b.iter(|| {
                let build = build_site(
                    &root,
                    &Overrides {
                        output_dir: Some(out.clone()),
                        base_url: None,
                        cache_dir: None,
                    },
                    &root,
                )
                .expect("corpus builds");
                assert!(!build.tree.is_empty());
                build.tree.len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, build_corpora);
criterion_main!(benches);
