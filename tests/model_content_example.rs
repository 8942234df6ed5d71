//! The spec model on content-example/, checked against the answer key in
//! content-example/EXPECTED.md (its JSON copy): status, raw status,
//! milestone, release and title of every spec, the status counts, and the
//! "status not set" warning for template text left in a Status section.

use std::path::{Path, PathBuf};

use specsite::build::read_specs;
use specsite::config::Overrides;
use specsite::source::Format;

fn example_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example")
}

fn expected() -> serde_json::Value {
    let text = std::fs::read_to_string(example_root().join("EXPECTED.md")).expect("EXPECTED.md");
    let start = text.find("```json\n").expect("json block") + "```json\n".len();
    let end = start + text[start..].find("\n```").expect("end of json block");
    serde_json::from_str(&text[start..end]).expect("EXPECTED.md JSON parses")
}

/// Whether the RST parser on this branch builds real trees (titles of RST
/// documents come from their headings only then).
fn rst_parser_present() -> bool {
    let parsed = specsite::markup::rst::parse("Title\n=====\n\nText.\n", &Default::default());
    specsite::extract::document_title(&parsed.doc).is_some()
}

#[test]
fn every_spec_has_the_expected_status_milestone_release_and_title() {
    let root = example_root();
    let read = read_specs(&root, &Overrides::default(), &root).expect("read specs");
    let expected = expected();
    let specs = expected["specs"].as_array().expect("specs");
    assert_eq!(read.specs.len(), specs.len(), "spec count");
    let check_rst_titles = rst_parser_present();
    for want in specs {
        let path = want["path"].as_str().expect("path");
        let spec = read
            .specs
            .iter()
            .find(|s| s.source.rel_path == path)
            .unwrap_or_else(|| panic!("{path} is not a spec"));
        assert_eq!(
            spec.status_key().key(),
            want["status"].as_str().expect("status"),
            "{path}: status"
        );
        let raw = spec
            .status
            .as_ref()
            .map(|s| s.raw.as_str())
            .filter(|r| !r.is_empty());
        assert_eq!(raw, want["raw_status"].as_str(), "{path}: raw status");
        assert_eq!(
            spec.milestone.as_ref().map(|m| m.label.as_str()),
            want["milestone"].as_str(),
            "{path}: milestone"
        );
        assert_eq!(
            spec.release.as_ref().map(|m| m.raw.to_lowercase()),
            want["release"].as_str().map(str::to_string),
            "{path}: release"
        );
        let title_from_heading = spec.format() == Format::Rst
            && spec
                .origins
                .title
                .as_ref()
                .is_none_or(|o| o.source != "header");
        if check_rst_titles || !title_from_heading {
            assert_eq!(
                spec.title,
                want["title"].as_str().expect("title"),
                "{path}: title"
            );
        }
    }
}

#[test]
fn origins_say_where_each_value_came_from() {
    let root = example_root();
    let read = read_specs(&root, &Overrides::default(), &root).expect("read specs");
    let origin = |path: &str| {
        let spec = read
            .specs
            .iter()
            .find(|s| s.source.rel_path == path)
            .expect("spec");
        let status = spec.status.as_ref().map(|s| s.origin.to_string());
        let milestone = spec.milestone.as_ref().map(|m| m.origin.to_string());
        (status, milestone)
    };
    assert_eq!(
        origin("specs/aurora/implemented/erasure-coding.rst")
            .0
            .as_deref(),
        Some("specs/aurora/implemented (directory)")
    );
    let (status, milestone) = origin("peps/spec-0012.rst");
    assert_eq!(status.as_deref(), Some("peps/spec-0012.rst:5 (header)"));
    assert_eq!(milestone.as_deref(), Some("peps/spec-0012.rst:8 (header)"));
    let (status, _) = origin("keps/sig-storage/0987-offline-fsck/README.md");
    assert_eq!(
        status.as_deref(),
        Some("keps/sig-storage/0987-offline-fsck/kep.yaml:6 (sidecar)")
    );
    let (status, _) = origin("proposals/0003-quota-enforcement.md");
    assert_eq!(
        status.as_deref(),
        Some("proposals/0003-quota-enforcement.md:93 (Status section)")
    );
    let (status, milestone) = origin("evolution/0003-conditional-writes.md");
    assert_eq!(
        status.as_deref(),
        Some("evolution/0003-conditional-writes.md:6 (header)")
    );
    assert_eq!(milestone, status);
    let (status, milestone) = origin("designs/small-object-packing.rst");
    assert_eq!(
        status.as_deref(),
        Some("designs/small-object-packing.rst:5 (field list)")
    );
    assert_eq!(
        milestone.as_deref(),
        Some("designs/small-object-packing.rst:6 (field list)")
    );
    let (_, milestone) = origin("specs/abandoned/fuse-gateway.rst");
    assert_eq!(
        milestone.as_deref(),
        Some("specs/abandoned/fuse-gateway.rst:95 (Milestones section)")
    );
}

#[test]
fn template_text_in_a_status_section_is_the_one_metadata_warning() {
    let root = example_root();
    let read = read_specs(&root, &Overrides::default(), &root).expect("read specs");
    let meta: Vec<_> = read
        .diagnostics
        .iter()
        .filter(|d| d.code.starts_with("meta/"))
        .collect();
    assert_eq!(meta.len(), 1, "{meta:?}");
    assert_eq!(meta[0].code, "meta/status-not-set");
    let location = meta[0].location.as_ref().expect("location");
    assert_eq!(location.file, "proposals/0006-rebalance-throttling.md");
    let text = std::fs::read_to_string(root.join(&location.file)).expect("read");
    let line = text[..location.span.start].matches('\n').count() + 1;
    assert_eq!(line, 63);
}

#[test]
fn status_counts_match_the_summary() {
    let root = example_root();
    let read = read_specs(&root, &Overrides::default(), &root).expect("read specs");
    let count = |key: &str| {
        read.specs
            .iter()
            .filter(|s| s.status_key().key() == key)
            .count()
    };
    let expected = [
        ("draft", 2),
        ("in-review", 3),
        ("accepted", 8),
        ("implemented", 9),
        ("deferred", 2),
        ("rejected", 1),
        ("withdrawn", 1),
        ("superseded", 2),
        ("unknown", 1),
    ];
    for (key, n) in expected {
        assert_eq!(count(key), n, "{key}");
    }
}
