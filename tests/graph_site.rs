//! The built content-example site shows the graph: relation lists, the
//! superseded banner, the neighbourhood SVG and api/graph.json.

use std::path::Path;

use specsite::build::build_site;
use specsite::config::Overrides;

fn page(tree: &specsite::output::OutputTree, path: &str) -> String {
    String::from_utf8(tree.get(path).unwrap_or_else(|| panic!("{path}")).to_vec()).expect("utf-8")
}

#[test]
fn pages_show_relations_banner_and_graph() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
    let site = build_site(&root, &Overrides::default(), &root).expect("build");
    let old = page(&site.tree, "peps/spec-0007.html");
    assert!(old.contains("This spec has been superseded by <a href=\"../peps/spec-0012.html\">"));
    let new = page(&site.tree, "peps/spec-0012.html");
    assert!(!new.contains("banner-superseded"));
    for heading in [
        "<h3>Depends on</h3>",
        "<h3>Supersedes</h3>",
        "<h3>Referenced by</h3>",
    ] {
        assert!(new.contains(heading), "{heading}");
    }
    assert!(new.contains("<svg class=\"spec-graph\""));
    assert!(new.contains("href=\"../peps/spec-0005.html\""));
    let base = page(&site.tree, "rfcs/0001-request-signing-v2.html");
    assert!(base.contains("<h3>Required by</h3>"));

    let api: serde_json::Value =
        serde_json::from_slice(site.tree.get("api/graph.json").expect("graph.json")).expect("json");
    let nodes = api["nodes"].as_array().expect("nodes");
    let edges = api["edges"].as_array().expect("edges");
    assert_eq!(nodes.len(), 29);
    assert_eq!(edges.len(), 29);
    let path_of =
        |i: &serde_json::Value| nodes[i.as_u64().expect("index") as usize]["path"].clone();
    assert!(edges.iter().any(|e| e["kind"] == "superseded-by"
        && path_of(&e["source"]) == "peps/spec-0007.rst"
        && path_of(&e["target"]) == "peps/spec-0012.rst"));
    let graph_page = page(&site.tree, "graph.html");
    assert!(graph_page.contains("id=\"graph-data\""));
    assert!(!graph_page.contains("</script></script>"));
    let lint_codes: Vec<&str> = site
        .diagnostics
        .iter()
        .filter(|d| d.code.starts_with("link/"))
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(
        lint_codes,
        [
            "link/dangling-reference",
            "link/dangling-reference",
            "link/requires-cycle"
        ]
    );
}

#[test]
fn links_without_text_show_the_target_spec_title() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
    let site = build_site(&root, &Overrides::default(), &root).expect("build");
    let lifecycle = page(
        &site.tree,
        "specs/borealis/approved/lifecycle-policies.html",
    );
    assert!(
        lifecycle.contains("href=\"../../../specs/borealis/implemented/object-lock.html\"><span class=\"doc\">Object Lock and Legal Hold</span></a>"),
        "a :doc: without a title shows the spec's title"
    );
    // An explicit title is kept.
    let lock = page(&site.tree, "specs/borealis/implemented/object-lock.html");
    assert!(lock.contains("the Aurora object lock spec"));

    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        ("text/0001-alpha.md", "# Alpha & co\n\nBody.\n"),
        (
            "text/0002-beta.md",
            "# Beta\n\nSee <0001-alpha.md>, [0001-alpha.md](0001-alpha.md), [](0001-alpha.md#body) and [the first](0001-alpha.md).\n",
        ),
    ];
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    let site = build_site(dir.path(), &Overrides::default(), dir.path()).expect("build");
    let beta = page(&site.tree, "text/0002-beta.html");
    assert_eq!(
        beta.matches(">Alpha &amp; co</a>").count(),
        3,
        "bare links show the title: {beta}"
    );
    assert!(beta.contains(">the first</a>"));
}
