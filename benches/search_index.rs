//! Benchmark: the search stage alone (`render::search::build_index`) on
//! the specs of a whole corpus, parsed once beforehand. This is the work
//! the search index adds to a build (it runs beside page rendering, so the
//! wall time it adds to a build is at most this).
//!
//! Corpora live in `../shared/corpora/`; a missing one is skipped. Run
//! with `cargo bench --bench search_index`.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use specsite::build::read_specs;
use specsite::config::Overrides;
use specsite::render::search::build_index;

fn search_index(c: &mut Criterion) {
    let mut group = c.benchmark_group("search_index");
    group.sample_size(20);
    for name in ["rust-rfcs", "nova-specs"] {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/corpora")
            .join(name);
        if !root.is_dir() {
            eprintln!("skipping {name}: ../shared/corpora/{name} not found");
            continue;
        }
        let read = read_specs(&root, &Overrides::default(), &root).expect("corpus reads");
        let (scheme, releases) = (&read.config.metadata.status, &read.config.metadata.releases);
        group.bench_function(name, |b| {
            b.iter(|| build_index(&read.specs, scheme, releases).files.len())
        });
    }
    group.finish();
}

criterion_group!(benches, search_index);
criterion_main!(benches);
