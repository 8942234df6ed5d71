//! The link stage on the real corpora beside the checkout
//! (`../shared/corpora`, or `SPECSITE_CORPORA`): rust-rfcs and nova-specs.
//! Each test skips, with a message, when its corpus is absent. They print
//! the counts the closing note quotes (run with `--nocapture`).

mod common;

use std::collections::BTreeMap;

use common::corpus;

use specsite::build::{read_specs, SpecsRead};
use specsite::config::Overrides;
use specsite::link::{link, SpecGraph, Via};

/// The source line (1-based) and its text where an edge's reference is.
fn evidence(
    read: &SpecsRead,
    spec: usize,
    span: Option<specsite::source::Span>,
) -> (usize, String) {
    let Some(span) = span else {
        return (0, String::new());
    };
    let source = &read.specs[spec].source;
    let line = source.line_col(span.start).line;
    let text = source
        .text
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("");
    (line, text.trim().to_string())
}

/// Read and link a corpus, and print its summary.
fn read_and_link(name: &str) -> Option<(SpecsRead, SpecGraph)> {
    let root = corpus(name)?;
    let read = read_specs(&root, &Overrides::default(), &root).expect("read the corpus");
    let (graph, _) = link(&read.specs, &read.config);
    print_summary(name, &read, &graph);
    Some((read, graph))
}

fn print_summary(name: &str, read: &SpecsRead, graph: &SpecGraph) {
    println!(
        "== {name}: {} specs, {} edges",
        read.specs.len(),
        graph.edges.len()
    );
    println!("edges by kind: {:?}", graph.count_by_kind());
    println!("resolved references by source: {:?}", graph.resolved_by_via);
    let mut by_via: BTreeMap<Via, usize> = BTreeMap::new();
    for edge in &graph.edges {
        for via in &edge.vias {
            *by_via.entry(*via).or_insert(0) += 1;
        }
    }
    println!("edges by source (an edge written two ways counts twice): {by_via:?}");
    let mut reasons: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for unresolved in &graph.unresolved {
        // Group by the reason's shape, not its names and numbers.
        let shape: String = unresolved
            .reason
            .split_whitespace()
            .map(|word| {
                if word.contains(['-', '/', '#', '`', '.'])
                    || word.chars().any(|c| c.is_ascii_digit())
                {
                    "…"
                } else {
                    word
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        reasons.entry(shape).or_default().push(format!(
            "{}: {} ({})",
            read.specs[unresolved.spec].source.rel_path, unresolved.text, unresolved.reason
        ));
    }
    println!(
        "own blueprint/tracking links (no edge): {}, of which would have named another spec: {}",
        graph.own_tracking_links, graph.own_tracking_elsewhere
    );
    println!(
        "unresolved spec-like references: {}",
        graph.unresolved.len()
    );
    for (shape, examples) in &reasons {
        println!("  {} × {shape}", examples.len());
        for example in examples.iter().take(3) {
            println!("      e.g. {example}");
        }
    }
}

#[test]
fn rust_rfcs_link_by_relative_path_and_pull_request_but_not_ietf_rfcs() {
    let Some((read, graph)) = read_and_link("rust-rfcs") else {
        return;
    };

    let relative = graph
        .edges
        .iter()
        .filter(|e| e.vias.contains(&Via::RelativeLink))
        .count();
    let pull_requests = graph
        .edges
        .iter()
        .filter(|e| e.vias.contains(&Via::PullRequest))
        .count();
    println!("edges from relative links: {relative}; from rust-lang/rfcs#N or pull URLs: {pull_requests}");
    assert!(relative >= 20, "relative links resolve: {relative}");
    assert!(
        pull_requests >= 20,
        "rust-lang/rfcs#N resolves: {pull_requests}"
    );

    // Relative links both beside (`0000-foo.md`) and climbing out and
    // back in (`../text/1234-x.md`) resolve.
    let written = |e: &specsite::link::Edge, prefix: &str| {
        let target = &read.specs[e.target].source.rel_path;
        let name = target.rsplit('/').next().unwrap_or(target);
        read.specs[e.source]
            .source
            .text
            .contains(&format!("({prefix}{name}"))
    };
    let climbing = graph
        .edges
        .iter()
        .filter(|e| e.vias.contains(&Via::RelativeLink) && written(e, "../text/"))
        .count();
    let beside = graph
        .edges
        .iter()
        .filter(|e| e.vias.contains(&Via::RelativeLink) && (written(e, "") || written(e, "./")))
        .count();
    // The corpus has no `../text/` link today; tests/graph_references.rs
    // covers that form on a fixture.
    println!("relative-link edges written `../text/NNNN-x.md`: {climbing}; `NNNN-x.md` or `./NNNN-x.md`: {beside}");
    assert!(beside >= 5, "{beside}");

    // IETF RFC mentions: counted in the text, and none is an edge.
    let ietf_hosts = ["tools.ietf.org", "datatracker.ietf.org", "rfc-editor.org"];
    let mut ietf_mentions = 0usize;
    for spec in &read.specs {
        let text = &spec.source.text;
        ietf_mentions += ietf_hosts
            .iter()
            .map(|h| text.matches(h).count())
            .sum::<usize>();
        ietf_mentions += text
            .match_indices("RFC ")
            .filter(|(at, _)| {
                text[at + 4..]
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_digit())
            })
            .count();
    }
    let ietf_edges: Vec<String> = graph
        .edges
        .iter()
        .zip(&graph.evidence)
        .filter_map(|(e, span)| {
            let (line, text) = evidence(&read, e.source, *span);
            let ietf = ietf_hosts.iter().any(|h| text.contains(h))
                && !e
                    .vias
                    .iter()
                    .any(|v| matches!(v, Via::RelativeLink | Via::PullRequest));
            ietf.then(|| format!("{}:{line}: {text}", read.specs[e.source].source.rel_path))
        })
        .collect();
    println!("IETF RFC mentions in the text (\"RFC N\" and IETF links): {ietf_mentions}; edges from them: {}", ietf_edges.len());
    assert!(ietf_mentions > 10, "the corpus mentions IETF RFCs");
    assert!(ietf_edges.is_empty(), "{ietf_edges:#?}");
    // No edge at all came from a bare "RFC N" mention: identifiers are not
    // a source in rust-rfcs unless configured.
    assert!(
        !graph
            .edges
            .iter()
            .any(|e| e.vias.contains(&Via::Identifier)),
        "no identifier edges"
    );
}

#[test]
fn nova_specs_edges_by_kind_and_source_with_no_own_blueprint_edges() {
    let Some((read, graph)) = read_and_link("nova-specs") else {
        return;
    };
    assert!(graph.edges.len() > 100, "nova-specs has edges");

    // No edge comes from the spec's header blueprint link.
    let mut from_header = Vec::new();
    for (edge, span) in graph.edges.iter().zip(&graph.evidence) {
        let (line, text) = evidence(&read, edge.source, *span);
        let header_end = read.specs[edge.source]
            .source
            .text
            .find("\nProblem description")
            .unwrap_or(0);
        let in_header = span.is_some_and(|s| s.start < header_end);
        if in_header && text.contains("blueprints.launchpad.net") {
            from_header.push(format!(
                "{}:{line}: {text}",
                read.specs[edge.source].source.rel_path
            ));
        }
    }
    assert!(from_header.is_empty(), "{from_header:#?}");

    // Layout cost (a figure for the closing note, printed, never asserted;
    // this is an unoptimised build unless run with --release).
    use specsite::render::graph::{neighbourhood_svg, Layered, Layout, Packed};
    let started = std::time::Instant::now();
    let pairs: Vec<(usize, usize)> = graph.edges.iter().map(|e| (e.source, e.target)).collect();
    let whole = Packed {
        inner: Layered { sweeps: 2 },
    }
    .layout(read.specs.len(), &pairs);
    let whole_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = std::time::Instant::now();
    let svgs = (0..read.specs.len())
        .filter_map(|i| neighbourhood_svg(&graph, &read.specs, i, "", &read.config.metadata.status))
        .count();
    println!(
        "layout: whole graph {whole_ms:.1} ms ({:.0}×{:.0} units); {svgs} neighbourhood SVGs {:.1} ms",
        whole.width,
        whole.height,
        started.elapsed().as_secs_f64() * 1000.0
    );

    // What `requires_sections = ["Dependencies"]` would make of it.
    let mut config = read.config.clone();
    config.references.requires_sections = vec!["dependencies".to_string()];
    let (with_requires, _) = link(&read.specs, &config);
    println!(
        "with requires_sections = [\"Dependencies\"]: edges by kind {:?}",
        with_requires.count_by_kind()
    );

    // A sample for checking by hand: every 27th edge.
    println!("sample edges (source → target, kind, line):");
    for (edge, span) in graph.edges.iter().zip(&graph.evidence).step_by(27).take(12) {
        let (line, text) = evidence(&read, edge.source, *span);
        println!(
            "  {} → {} “{}” [{}; {:?}]\n      line {line}: {text}",
            read.specs[edge.source].source.rel_path,
            read.specs[edge.target].source.rel_path,
            read.specs[edge.target].title,
            edge.kind.key(),
            edge.vias
        );
    }
}
