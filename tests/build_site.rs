//! Integration tests: build fixture repositories and inspect the site.

mod common;

use std::path::Path;

use common::{read_tree, write_tree, SMALL_REPO};
use specsite::build::build_site;
use specsite::config::Overrides;

fn build(root: &Path, base_url: Option<&str>) -> specsite::build::SiteBuild {
    let overrides = Overrides {
        output_dir: None,
        base_url: base_url.map(str::to_string),
        cache_dir: None,
    };
    build_site(root, &overrides, root).expect("build runs")
}

fn page(build: &specsite::build::SiteBuild, path: &str) -> String {
    String::from_utf8(
        build
            .tree
            .get(path)
            .unwrap_or_else(|| panic!("{path} missing"))
            .to_vec(),
    )
    .expect("utf-8")
}

#[test]
fn one_page_per_spec_and_no_page_for_templates_or_project_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), SMALL_REPO);
    let build = build(dir.path(), None);
    for path in [
        "proposals/0001-fast-reads.html",
        "text/0002-tracing.html",
        "specs/kilo/approved/quotas.html",
        "specs/kilo/implemented/flavors.html",
        "index.html",
        "404.html",
        ".nojekyll",
        "static/specsite.css",
        "static/highlight.css",
    ] {
        assert!(build.tree.contains(path), "{path} missing");
    }
    for path in [
        "specs/kilo-template.html",
        "0000-template.html",
        "README.html",
    ] {
        assert!(!build.tree.contains(path), "{path} should not be published");
    }
    assert_eq!(build.specs.len(), 4);
}

#[test]
fn spec_pages_show_title_metadata_and_body() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), SMALL_REPO);
    let build = build(dir.path(), None);
    let html = page(&build, "proposals/0001-fast-reads.html");
    assert!(html.contains("<title>Fast reads"), "title");
    assert!(html.contains("Ada Lovelace"), "authors");
    assert!(html.contains("2.1"), "milestone");
    assert!(html.contains("Accepted"), "status label");
    assert!(html.contains("Reads are"), "body text");
    // The link to the other spec's source became a link to its page.
    assert!(
        html.contains("href=\"../text/0002-tracing.html#design\""),
        "rewritten link"
    );
    // An RFC without a title heading is named after its file.
    let rfc = page(&build, "text/0002-tracing.html");
    assert!(
        rfc.contains("<title>Tracing"),
        "file-name title, number dropped"
    );
    let quotas = page(&build, "specs/kilo/approved/quotas.html");
    assert!(quotas.contains("Tenants need limits."));
    assert!(quotas.contains("Kilo"));
}

#[test]
fn home_page_groups_by_status_and_milestone() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), SMALL_REPO);
    let build = build(dir.path(), None);
    let home = page(&build, "index.html");
    for label in [
        "Accepted",
        "Implemented",
        "Unknown",
        "Kilo",
        "2.1",
        "Not set",
    ] {
        assert!(home.contains(label), "{label} missing from the home page");
    }
    // Lifecycle order: accepted before implemented before unknown.
    let accepted = home.find("Accepted").expect("accepted");
    let implemented = home.find("Implemented").expect("implemented");
    let unknown = home.find("Unknown").expect("unknown");
    assert!(accepted < implemented && implemented < unknown);
    for href in [
        "proposals/0001-fast-reads.html",
        "specs/kilo/approved/quotas.html",
    ] {
        assert!(
            home.contains(&format!("href=\"{href}\"")),
            "{href} not linked"
        );
    }
}

#[test]
fn links_are_relative_and_the_404_page_uses_the_base_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), SMALL_REPO);
    let build = build(dir.path(), Some("https://owner.github.io/repo/"));
    let spec = page(&build, "specs/kilo/approved/quotas.html");
    assert!(
        spec.contains("href=\"../../../static/specsite.css?v="),
        "assets via root prefix"
    );
    assert!(
        spec.contains("https://owner.github.io/repo/specs/kilo/approved/quotas.html"),
        "canonical URL"
    );
    let not_found = page(&build, "404.html");
    assert!(
        not_found.contains("/repo/"),
        "404 links through the base path"
    );
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), SMALL_REPO);
    let first = build(dir.path(), None);
    let second = build(dir.path(), None);
    assert_eq!(first.tree, second.tree);
}

#[test]
fn written_site_matches_the_tree_and_can_be_rebuilt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    write_tree(&root, SMALL_REPO);
    let out = dir.path().join("site");
    let build = build(&root, None);
    specsite::output::write_atomically(&build.tree, &root, &out).expect("write");
    let written = read_tree(&out);
    for (path, contents) in build.tree.iter() {
        assert_eq!(
            written.get(path).map(Vec::as_slice),
            Some(contents),
            "{path}"
        );
    }
    specsite::output::write_atomically(&build.tree, &root, &out).expect("rewrite");
    assert_eq!(read_tree(&out), written);
}

#[test]
fn raw_html_is_sanitised_by_default_and_escaped_on_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = "# Raw\n\n<details><summary>More</summary>kept</details>\n\n<script>alert('pwned')</script>\n\n<a href=\"javascript:alert(2)\" onclick=\"steal()\">click</a>\n";
    write_tree(dir.path(), &[("raw.md", spec)]);
    let html = page(&build(dir.path(), None), "raw.html");
    assert!(
        html.contains("<details>") && html.contains("kept"),
        "safe HTML kept"
    );
    for dangerous in [
        "alert('pwned')",
        "javascript:alert(2)",
        "onclick",
        "steal()",
    ] {
        assert!(!html.contains(dangerous), "{dangerous} survived sanitising");
    }
    write_tree(
        dir.path(),
        &[("specsite.toml", "[markup]\nraw_html = \"escape\"\n")],
    );
    let html = page(&build(dir.path(), None), "raw.html");
    assert!(
        html.contains("&lt;script&gt;"),
        "escaped raw HTML is shown as text"
    );
    assert!(!html.contains("<script>alert"), "and never runs");
}

#[test]
fn repository_templates_and_static_files_override_the_theme() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), SMALL_REPO);
    write_tree(
        dir.path(),
        &[
            (
                "templates/404.html",
                "<!doctype html><title>Lost</title><p>Custom 404 for {{ site.title }}</p>",
            ),
            (
                "static/logo.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            ),
        ],
    );
    let build = build(dir.path(), None);
    let not_found = page(&build, "404.html");
    assert!(not_found.contains("Custom 404 for"), "{not_found}");
    assert!(build.tree.contains("static/logo.svg"));
    // Overrides are not specs, and the default templates still render the rest.
    assert!(!build.tree.contains("templates/404.html"));
    assert!(page(&build, "index.html").contains("Fast reads"));
}

#[test]
fn pep_style_header_blocks_with_any_first_key_are_read_as_headers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = "Spec: 12\nTitle: Async SDK\nAuthor: Ada Lovelace <ada@example.org>,\n        Alan Turing <alan@example.org>\nStatus: Final\n\nAbstract\n========\n\nText.\n";
    let not_a_header = "Note: this is prose.\n\nMore prose.\n";
    write_tree(
        dir.path(),
        &[
            ("peps/spec-0012.rst", spec),
            ("notes/prose.rst", not_a_header),
        ],
    );
    let build = build(dir.path(), None);
    assert!(build.diagnostics.is_empty(), "{:?}", build.diagnostics);
    let html = page(&build, "peps/spec-0012.html");
    assert!(html.contains("Alan Turing"), "folded header line kept");
    assert!(html.contains("Final"));
    let prose = page(&build, "notes/prose.html");
    assert!(
        prose.contains("Note: this is prose."),
        "a single colon line stays a paragraph"
    );
}
