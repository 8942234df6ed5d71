//! The dependency graph of content-example/, checked against the answer key
//! in content-example/EXPECTED.md (its JSON copy): every edge with its kind
//! and no others, the dangling references and the requires cycle.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use specsite::build::read_specs;
use specsite::config::Overrides;
use specsite::link::link;

fn example_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example")
}

fn expected() -> serde_json::Value {
    let text = std::fs::read_to_string(example_root().join("EXPECTED.md")).expect("EXPECTED.md");
    let start = text.find("```json\n").expect("json block") + "```json\n".len();
    let end = start + text[start..].find("\n```").expect("end of json block");
    serde_json::from_str(&text[start..end]).expect("EXPECTED.md JSON parses")
}

#[test]
fn edges_are_exactly_the_expected_ones() {
    let root = example_root();
    let read = read_specs(&root, &Overrides::default(), &root).expect("read specs");
    let (graph, _) = link(&read.specs, &read.config);
    let path = |i: usize| read.specs[i].source.rel_path.clone();
    let found: BTreeSet<(String, String, String)> = graph
        .edges
        .iter()
        .map(|e| (path(e.source), e.kind.key().to_string(), path(e.target)))
        .collect();
    let mut want = BTreeSet::new();
    for spec in expected()["specs"].as_array().expect("specs") {
        for edge in spec["edges"].as_array().expect("edges") {
            want.insert((
                spec["path"].as_str().expect("path").to_string(),
                edge["kind"].as_str().expect("kind").to_string(),
                edge["target"].as_str().expect("target").to_string(),
            ));
        }
    }
    let missing: Vec<_> = want.difference(&found).collect();
    let extra: Vec<_> = found.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
    assert_eq!(graph.edges.len(), 29);
}

#[test]
fn link_warnings_are_the_dangling_references_and_the_cycle() {
    let root = example_root();
    let read = read_specs(&root, &Overrides::default(), &root).expect("read specs");
    let (_, diagnostics) = link(&read.specs, &read.config);
    let sources: std::collections::HashMap<&str, &specsite::source::SourceFile> = read
        .sources
        .files
        .iter()
        .map(|f| (f.rel_path.as_str(), f.as_ref()))
        .collect();
    let found: Vec<(String, String, Option<usize>)> = diagnostics
        .iter()
        .map(|d| {
            let location = d.location.as_ref().expect("located");
            let line = sources
                .get(location.file.as_str())
                .filter(|_| !location.span.is_empty())
                .map(|f| f.line_col(location.span.start).line);
            (d.code.clone(), location.file.clone(), line)
        })
        .collect();
    let mut want = Vec::new();
    for warning in expected()["warnings"].as_array().expect("warnings") {
        let code = warning["code"].as_str().expect("code");
        if code == "status-not-set" {
            continue;
        }
        want.push((
            format!("link/{code}"),
            warning["path"].as_str().expect("path").to_string(),
            warning["line"].as_u64().map(|l| l as usize),
        ));
    }
    assert_eq!(found, want);
    let cycle = diagnostics
        .iter()
        .find(|d| d.code == "link/requires-cycle")
        .expect("cycle");
    for member in expected()["cycle"].as_array().expect("cycle") {
        assert!(cycle.message.contains(member.as_str().expect("path")));
    }
}
