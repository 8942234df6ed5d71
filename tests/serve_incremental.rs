//! Cached rebuilds give exactly what a full build gives, and only redo
//! what a change needs.

use std::path::Path;

use specsite::build::build_site;
use specsite::config::Overrides;
use specsite::serve::incremental::{Change, IncrementalBuilder};

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn spec(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\nstatus: draft\n---\n\n# {title}\n\n{body}\n\nSee [the other](b.md).\n")
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, title) in [("a", "Alpha"), ("b", "Beta"), ("c", "Gamma")] {
        write(
            dir.path(),
            &format!("specs/{name}.md"),
            &spec(title, "Body text."),
        );
    }
    dir
}

fn overrides() -> Overrides {
    Overrides {
        output_dir: None,
        base_url: Some("http://127.0.0.1:8000/".into()),
        cache_dir: None,
    }
}

/// The incremental tree must equal a clean build of the same files.
fn assert_same_as_full_build(root: &Path, tree: &specsite::output::OutputTree) {
    let full = build_site(root, &overrides(), root).expect("full build");
    let incremental: Vec<&str> = tree.paths().collect();
    let clean: Vec<&str> = full.tree.paths().collect();
    assert_eq!(incremental, clean);
    for (path, bytes) in full.tree.iter() {
        assert!(
            tree.get(path) == Some(bytes),
            "{path} differs from a full build"
        );
    }
}

#[test]
fn editing_one_spec_parses_and_renders_only_that_spec() {
    let dir = repo();
    let root = dir.path();
    let mut builder = IncrementalBuilder::new(root, overrides(), root);
    let first = builder.rebuild(&Change::Unknown).expect("first");
    assert!(!first.failed, "{:?}", first.problems);
    assert_eq!((first.stats.specs, first.stats.parsed), (3, 3));

    write(root, "specs/a.md", &spec("Alpha", "Edited body MARKER."));
    let canonical = std::fs::canonicalize(root).expect("canonical");
    let change = Change::Paths(vec![canonical.join("specs/a.md")]);
    let second = builder.rebuild(&change).expect("second");
    assert_eq!(second.stats.parsed, 1);
    assert_eq!(second.stats.rendered_pages, 1);
    let page = String::from_utf8_lossy(second.tree.get("specs/a.html").expect("page"));
    assert!(page.contains("MARKER"));
    assert_same_as_full_build(root, &second.tree);
}

#[test]
fn a_title_change_rerenders_every_page_and_matches_a_full_build() {
    let dir = repo();
    let root = dir.path();
    let canonical = std::fs::canonicalize(root).expect("canonical");
    let mut builder = IncrementalBuilder::new(root, overrides(), root);
    builder.rebuild(&Change::Unknown).expect("first");
    write(root, "specs/b.md", &spec("Beta renamed", "Body text."));
    let rebuilt = builder
        .rebuild(&Change::Paths(vec![canonical.join("specs/b.md")]))
        .expect("rebuild");
    assert_eq!(rebuilt.stats.parsed, 1);
    assert_eq!(
        rebuilt.stats.rendered_pages, 3,
        "the site fingerprint changed"
    );
    assert_same_as_full_build(root, &rebuilt.tree);
}

#[test]
fn deleting_and_adding_specs_and_config_changes_are_full_rebuilds() {
    let dir = repo();
    let root = dir.path();
    let canonical = std::fs::canonicalize(root).expect("canonical");
    let mut builder = IncrementalBuilder::new(root, overrides(), root);
    builder.rebuild(&Change::Unknown).expect("first");

    std::fs::remove_file(root.join("specs/c.md")).expect("rm");
    write(root, "specs/d/e.md", &spec("Delta", "New."));
    let rebuilt = builder
        .rebuild(&Change::Paths(vec![
            canonical.join("specs/c.md"),
            canonical.join("specs/d"),
        ]))
        .expect("rebuild");
    assert!(!rebuilt.tree.contains("specs/c.html"));
    assert!(rebuilt.tree.contains("specs/d/e.html"));
    assert_same_as_full_build(root, &rebuilt.tree);

    write(root, "specsite.toml", "title = \"Renamed site\"\n");
    let rebuilt = builder
        .rebuild(&Change::Paths(vec![canonical.join("specsite.toml")]))
        .expect("rebuild");
    assert_eq!(rebuilt.stats.parsed, 3, "a config change drops the caches");
    assert_same_as_full_build(root, &rebuilt.tree);
}

#[test]
fn a_broken_config_fails_with_file_and_line() {
    let dir = repo();
    let root = dir.path();
    let canonical = std::fs::canonicalize(root).expect("canonical");
    let mut builder = IncrementalBuilder::new(root, overrides(), root);
    builder.rebuild(&Change::Unknown).expect("first");
    write(root, "specsite.toml", "title = \"x\"\n\nnot_a_key = 1\n");
    let rebuilt = builder
        .rebuild(&Change::Paths(vec![canonical.join("specsite.toml")]))
        .expect("rebuild");
    assert!(rebuilt.failed);
    let problem = rebuilt
        .problems
        .iter()
        .find(|p| p.severity == "error")
        .expect("an error");
    assert_eq!(problem.file.as_deref(), Some("specsite.toml"));
    assert_eq!(problem.line, Some(3));
    assert!(problem.message.contains("not_a_key"), "{}", problem.message);
    assert!(problem.one_line().starts_with("specsite.toml:3:"));
}

#[test]
fn a_spec_saved_as_non_utf8_falls_back_to_a_full_load_and_recovers() {
    let dir = repo();
    let root = dir.path();
    let canonical = std::fs::canonicalize(root).expect("canonical");
    let change = Change::Paths(vec![canonical.join("specs/a.md")]);
    let mut builder = IncrementalBuilder::new(root, overrides(), root);
    builder.rebuild(&Change::Unknown).expect("first");
    std::fs::write(
        root.join("specs/a.md"),
        b"---\ntitle: A\n---\n\xff\xfe bad\n",
    )
    .expect("write");
    let broken = builder.rebuild(&change).expect("rebuild");
    assert!(broken.failed);
    assert!(
        broken
            .problems
            .iter()
            .any(|p| p.code == "load/not-utf8" && p.file.as_deref() == Some("specs/a.md")),
        "{:?}",
        broken.problems
    );
    write(root, "specs/a.md", &spec("Alpha", "Repaired."));
    let repaired = builder.rebuild(&change).expect("rebuild");
    assert!(!repaired.failed, "{:?}", repaired.problems);
    assert_same_as_full_build(root, &repaired.tree);
}
