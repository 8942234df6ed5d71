//! The link stage on small nova-like and configured fixtures: a spec's own
//! blueprint link is never an edge, other projects' blueprints are not
//! ours, `[references]` decides which sections give `requires` edges, and
//! `[lints]` sets each rule's level.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use specsite::build::read_specs;
use specsite::config::Overrides;
use specsite::diag::Severity;
use specsite::link::link;

fn bp(name: &str) -> String {
    format!("https://blueprints.launchpad.net/nova/+spec/{name}")
}

fn spec(title: &str, header: &str, body: &str) -> String {
    let bar = "=".repeat(title.len());
    format!(
        "{bar}\n{title}\n{bar}\n\n{header}\n\nProblem description\n===================\n\n{body}\n\nDependencies\n============\n\nNone\n"
    )
}

/// (source, kind, target) of every edge.
fn edges(
    root: &Path,
) -> (
    BTreeSet<(String, String, String)>,
    Vec<specsite::diag::Diagnostic>,
) {
    let read = read_specs(root, &Overrides::default(), root).expect("read specs");
    let (graph, diagnostics) = link(&read.specs, &read.config);
    let path = |i: usize| read.specs[i].source.rel_path.clone();
    let found = graph
        .edges
        .iter()
        .map(|e| (path(e.source), e.kind.key().to_string(), path(e.target)))
        .collect();
    (found, diagnostics)
}

fn edge(source: &str, kind: &str, target: &str) -> (String, String, String) {
    (source.into(), kind.into(), target.into())
}

#[test]
fn own_blueprint_links_are_never_edges() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("nova-specs");
    let filters = spec(
        "Isolate scheduler DB filters",
        // The blueprint name differs from the file name, and another spec
        // has that name: still this spec's own tracking link.
        &bp("isolate-scheduler-db"),
        &format!(
            "Like {} and the cinder work in https://blueprints.launchpad.net/cinder/+spec/vhost-user.",
            bp("vhost-user")
        ),
    );
    let vhost = spec(
        "libvirt vhost-user VIF",
        // Underscores in the file name, hyphens in the blueprint.
        &bp("libvirt-vif-vhost-user"),
        "Nothing else.",
    );
    // No header link: the first blueprint link in the body is its own.
    let late = spec(
        "Late blueprint",
        "Some words.",
        &format!(
            "Tracked in {}; builds on {}.",
            bp("late-bp"),
            bp("isolate-scheduler-db")
        ),
    );
    common::write_tree(
        &root,
        &[
            (
                "specs/kilo/approved/isolate-scheduler-db-filters.rst",
                &filters,
            ),
            (
                "specs/juno/implemented/isolate-scheduler-db.rst",
                &spec(
                    "Isolate scheduler DB",
                    &bp("isolate-scheduler-db"),
                    "Aggregates.",
                ),
            ),
            ("specs/kilo/implemented/libvirt_vif_vhostuser.rst", &vhost),
            (
                "specs/kilo/approved/vhost-user.rst",
                &spec("Vhost user", &bp("vhost-user"), "Sockets."),
            ),
            ("specs/kilo/approved/late.rst", &late),
        ],
    );
    let (found, _) = edges(&root);
    let want: BTreeSet<_> = [
        edge(
            "specs/kilo/approved/isolate-scheduler-db-filters.rst",
            "references",
            "specs/kilo/approved/vhost-user.rst",
        ),
        edge(
            "specs/kilo/approved/late.rst",
            "references",
            "specs/juno/implemented/isolate-scheduler-db.rst",
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(found, want);
}

#[test]
fn configured_sections_identifiers_and_lint_levels() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let config = r#"
[references]
requires_sections = ["Dependencies"]
identifiers = ["Proposal {number}", "acme/rfcs#{number}"]
urls = ["https://example.org/p/{number}", "https://tracker.example.org/{name}"]

[lints]
dangling-reference = "allow"
requires-cycle = "error"
"#;
    common::write_tree(
        root,
        &[
            ("specsite.toml", config),
            (
                "text/0001-alpha.md",
                "# Alpha\n\nSee acme/rfcs#2, [gamma](../text/0003-gamma.md) and [missing](0009-missing.md).\n\n## Dependencies\n\n- [beta](0002-beta.md)\n",
            ),
            (
                "text/0002-beta.md",
                "# Beta\n\n## Dependencies\n\nNeeds [alpha](0001-alpha.md) and <https://example.org/p/3>.\n",
            ),
            ("text/0003-gamma.md", "# Gamma\n\nHello.\n"),
        ],
    );
    let (found, diagnostics) = edges(root);
    let want: BTreeSet<_> = [
        edge("text/0001-alpha.md", "requires", "text/0002-beta.md"),
        edge("text/0001-alpha.md", "references", "text/0003-gamma.md"),
        edge("text/0002-beta.md", "requires", "text/0001-alpha.md"),
        edge("text/0002-beta.md", "requires", "text/0003-gamma.md"),
    ]
    .into_iter()
    .collect();
    assert_eq!(found, want);
    let link_diagnostics: Vec<(&str, Severity)> = diagnostics
        .iter()
        .filter(|d| d.code.starts_with("link/"))
        .map(|d| (d.code.as_str(), d.severity))
        .collect();
    assert_eq!(link_diagnostics, [("link/requires-cycle", Severity::Error)]);
}

#[test]
fn bad_references_and_lints_tables_are_reported_at_their_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "[references]\nsection = []\nurls = [\"https://x.org/{nmae}\"]\nidentifiers = [\"PEP{number}\"]\n\n[lints]\nrequires-cycel = \"error\"\ndangling-reference = \"eror\"\n";
    std::fs::write(dir.path().join("specsite.toml"), text).expect("write");
    let loaded = specsite::config::Config::load(dir.path(), &Overrides::default(), dir.path());
    let lines = specsite::source::LineIndex::new(text);
    let found: Vec<(usize, String)> = loaded
        .diagnostics
        .iter()
        .map(|d| {
            let span = d.location.as_ref().expect("located").span;
            (
                lines.line_col(text, span.start).line,
                format!("{} {}", d.message, d.help.clone().unwrap_or_default()),
            )
        })
        .collect();
    let expect = [
        (2, "did you mean `sections`?"),
        (3, "did you mean {name}?"),
        (4, "`PEP {number}`"),
        (7, "did you mean `requires-cycle`?"),
        (8, "did you mean \"error\"?"),
    ];
    assert_eq!(found.len(), expect.len(), "{found:#?}");
    for ((line, text), (want_line, want_text)) in found.iter().zip(expect) {
        assert_eq!(*line, want_line, "{text}");
        assert!(text.contains(want_text), "line {line}: {text}");
    }
}

#[test]
fn spec_names_in_a_dependencies_section_are_references() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("nova-specs");
    let with_dependencies = |title: &str, dependencies: &str| {
        let bar = "=".repeat(title.len());
        format!(
            "{bar}\n{title}\n{bar}\n\nProblem description\n===================\n\nText.\n\nDependencies\n============\n\n{dependencies}\n"
        )
    };
    common::write_tree(
        &root,
        &[
            (
                "specs/newton/approved/resource-providers.rst",
                &with_dependencies(
                    "Resource providers",
                    // A compound name is a spec's name; `quotas`, a one-word
                    // stem, is an ordinary word and names nothing.
                    "* The `resource-classes` blueprint, and quotas.",
                ),
            ),
            (
                "specs/mitaka/implemented/resource-classes.rst",
                &with_dependencies("Resource classes", "None"),
            ),
            (
                "specs/mitaka/implemented/quotas.rst",
                &with_dependencies("Quota classes", "None"),
            ),
        ],
    );
    let (found, _) = edges(&root);
    let want: BTreeSet<_> = [edge(
        "specs/newton/approved/resource-providers.rst",
        "references",
        "specs/mitaka/implemented/resource-classes.rst",
    )]
    .into_iter()
    .collect();
    assert_eq!(found, want);
}
