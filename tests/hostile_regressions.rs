//! Regression tests for the defects the hostile-input work (issue #8,
//! `badinputs.py`) and fuzzing found: each builds a small repository in a
//! temp dir through the real pipeline and checks what a user sees.

mod common;

use std::path::Path;

use common::write_tree;
use specsite::build::{build_site, SiteBuild};
use specsite::config::Overrides;
use specsite::diag::{Diagnostic, Severity};

fn build(root: &Path) -> SiteBuild {
    let root = std::fs::canonicalize(root).expect("canonical root");
    build_site(&root, &Overrides::default(), &root).expect("build runs")
}

fn with_code<'a>(build: &'a SiteBuild, code: &str) -> Vec<&'a Diagnostic> {
    build
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .collect()
}

fn page(build: &SiteBuild, path: &str) -> String {
    String::from_utf8_lossy(build.tree.get(path).expect("page exists")).into_owned()
}

/// A nested include resolves against the file that contains it (docutils'
/// rule), not against the spec that started the chain.
#[test]
fn nested_includes_resolve_against_the_including_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            ("specs/a.rst", "A\n=\n\n.. include:: parts/one.txt\n"),
            ("specs/parts/one.txt", "From one.\n\n.. include:: two.txt\n"),
            ("specs/parts/two.txt", "From two.\n"),
        ],
    );
    let build = build(dir.path());
    assert!(
        with_code(&build, "rst/directive-error").is_empty(),
        "{:?}",
        build.diagnostics
    );
    let html = page(&build, "specs/a.html");
    assert!(
        html.contains("From one.") && html.contains("From two."),
        "{html}"
    );
}

/// An include cycle is named as one, at the directive, instead of running
/// into the depth limit.
#[test]
fn include_cycles_are_reported_as_circular() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            ("specs/a.rst", "A\n=\n\n.. include:: cyc/b.txt\n"),
            ("specs/cyc/b.txt", ".. include:: c.txt\n"),
            ("specs/cyc/c.txt", ".. include:: b.txt\n"),
            ("specs/self.rst", "Self\n====\n\n.. include:: self.rst\n"),
        ],
    );
    let build = build(dir.path());
    let circular: Vec<&str> = build
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("circular inclusion"))
        .filter_map(|d| d.location.as_ref().map(|l| l.file.as_str()))
        .collect();
    assert_eq!(
        circular,
        ["specs/a.rst", "specs/self.rst"],
        "{:?}",
        build.diagnostics
    );
}

/// Including a directory or a named pipe says which it is (and never opens
/// the pipe, which would block the build forever).
#[cfg(unix)]
#[test]
fn including_a_directory_or_a_pipe_says_what_it_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            (
                "specs/a.rst",
                "A\n=\n\n.. include:: snip\n\n.. include:: pipe\n",
            ),
            ("specs/snip/x.txt", "x\n"),
        ],
    );
    let status = std::process::Command::new("mkfifo")
        .arg(dir.path().join("specs/pipe"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let build = build(dir.path());
    let messages: Vec<&str> = with_code(&build, "rst/directive-error")
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("is a directory"), "{messages:?}");
    assert!(messages[1].contains("not a regular file"), "{messages:?}");
}

/// `output_dir` in specsite.toml naming the repository, its sources or
/// `.git` is an error at that line, even when --out would override it.
#[test]
fn unsafe_output_dirs_in_the_config_are_errors_at_their_line() {
    for unsafe_dir in [".", "specs", ".git"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = format!("title = \"x\"\noutput_dir = \"{unsafe_dir}\"\n");
        write_tree(
            dir.path(),
            &[
                ("specsite.toml", config.as_str()),
                ("specs/0001-a.md", "# A\n"),
                (".git/HEAD", "ref: refs/heads/main\n"),
            ],
        );
        let build = build(dir.path());
        let refused = with_code(&build, "config/unsafe-output-dir");
        assert_eq!(refused.len(), 1, "{unsafe_dir}: {:?}", build.diagnostics);
        assert_eq!(refused[0].severity, Severity::Error);
        let span = refused[0].location.as_ref().map(|l| l.span.start);
        assert_eq!(
            span,
            config.find(&format!("\"{unsafe_dir}\"")),
            "{unsafe_dir}"
        );
        assert_ne!(build.config.output_dir, dir.path().join(unsafe_dir));
    }
}

/// Front matter opened but never closed, whose first line is metadata, is
/// an error (the metadata is lost); a YAML tag asking for an application
/// object (`!!python/...`) is an error at its line.
#[test]
fn lost_or_foreign_front_matter_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            ("specs/a.md", "---\ntitle: \"x\"\nstatus: Draft\n\n# body\n"),
            ("specs/b.md", "---\n\nJust a rule, then prose.\n"),
            (
                "specs/c.md",
                "---\nstatus: Draft\ntitle: !!python/object/apply:os.system [\"id\"]\n---\n\n# C\n",
            ),
        ],
    );
    let build = build(dir.path());
    let unterminated: Vec<(Severity, &str)> = with_code(&build, "frontmatter/unterminated")
        .iter()
        .map(|d| {
            (
                d.severity,
                d.location.as_ref().map_or("", |l| l.file.as_str()),
            )
        })
        .collect();
    assert_eq!(
        unterminated,
        [
            (Severity::Error, "specs/a.md"),
            (Severity::Warning, "specs/b.md")
        ]
    );
    let tags = with_code(&build, "frontmatter/invalid");
    assert_eq!(tags.len(), 1, "{:?}", build.diagnostics);
    assert!(
        tags[0].message.contains("!!python/object/apply"),
        "{}",
        tags[0].message
    );
    let c = build.sources.get("specs/c.md").expect("loaded");
    let line = tags[0]
        .location
        .as_ref()
        .map(|l| c.line_col(l.span.start).line);
    assert_eq!(line, Some(3));
}

/// A file that is not UTF-8 gets a diagnostic at the line and column of
/// its first bad byte.
#[test]
fn not_utf8_points_at_the_bad_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("specs/0001-ok.md", "# OK\n")]);
    std::fs::write(
        dir.path().join("specs/0002-bad.md"),
        b"# Bad\n\nline three \xff\xfe here\n",
    )
    .expect("write");
    let root = std::fs::canonicalize(dir.path()).expect("canonical");
    let build = build_site(&root, &Overrides::default(), &root).expect("build runs");
    let mut texts = specsite::report::SourceTexts::default();
    for (path, text) in &build.sources.undecodable {
        texts.add(path, text);
    }
    let short = specsite::report::render_short(
        &with_code(&build, "load/not-utf8")
            .into_iter()
            .cloned()
            .collect::<Vec<_>>(),
        &texts,
    );
    assert!(
        short.starts_with("specs/0002-bad.md:3:12: error[load/not-utf8]"),
        "{short}"
    );
}

/// Links with script-capable schemes and raw HTML the sanitiser strips are
/// named in warnings at their place; nothing executable reaches the page.
#[test]
fn unsafe_urls_and_stripped_raw_html_are_warned_about() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            (
                "specs/a.md",
                "# A\n\n[x](JavaScript:alert(1))\n\n<img src=x onerror=\"alert(2)\">\n\n<b>fine</b>\n",
            ),
            (
                "specs/b.rst",
                "B\n=\n\n.. raw:: html\n\n   <script>alert(3)</script>\n\n`y <vbscript:msgbox(4)>`_\n",
            ),
        ],
    );
    let build = build(dir.path());
    let unsafe_urls: Vec<&str> = with_code(&build, "render/unsafe-url")
        .iter()
        .filter_map(|d| d.location.as_ref().map(|l| l.file.as_str()))
        .collect();
    assert!(
        unsafe_urls.contains(&"specs/a.md") && unsafe_urls.contains(&"specs/b.rst"),
        "{unsafe_urls:?}"
    );
    let raw: Vec<String> = with_code(&build, "render/raw-html-removed")
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(raw.len(), 2, "{raw:?}");
    assert!(
        raw.iter().any(|m| m.contains("onerror")) && raw.iter().any(|m| m.contains("<script>"))
    );
    for page_path in ["specs/a.html", "specs/b.html"] {
        let html = page(&build, page_path);
        assert!(
            !html.contains("alert("),
            "{page_path} kept a script: {html}"
        );
        assert!(
            !html.to_ascii_lowercase().contains("javascript:"),
            "{page_path}"
        );
    }
}

/// Titles with markup reach the graph page's inline JSON with no raw `<`.
#[test]
fn titles_with_markup_stay_inert_in_the_graph_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[(
            "specs/a.md",
            "---\ntitle: \"</script><img src=x onerror=alert(1)>\"\n---\n\n# x\n",
        )],
    );
    let build = build(dir.path());
    let graph = page(&build, "graph.html");
    let start = graph.find("data-graph=\"").expect("inline graph data");
    let data = &graph[start + "data-graph=\"".len()..];
    let end = data.find('"').expect("closed");
    assert!(!graph.contains("<script type=\"application/json\""));
    assert!(!data[..end].contains("<img"), "{}", &data[..end]);
    assert!(data[..end].contains("\\u003cimg"), "{}", &data[..end]);
}

/// Found by the span property: a tab-indented last line is parsed
/// tab-expanded, and its block quote's span ran past the end of the file.
#[test]
fn spans_of_tab_expanded_lines_stay_inside_the_source() {
    for text in ["\t<", "a\n\n\tb", "x\n\n  \t- item\n\t\t:field: v"] {
        for stage in [
            specsite::markup::rst::Stage::Parse,
            specsite::markup::rst::Stage::Full,
        ] {
            let options = specsite::markup::rst::RstOptions {
                stage,
                ..Default::default()
            };
            let parsed = specsite::markup::rst::parse(text, &options);
            let doc = &parsed.doc;
            for node in doc.descendants(doc.root()) {
                let span = doc.span(node);
                assert!(
                    span.start <= span.end && span.end <= text.len(),
                    "{text:?}: {span:?}"
                );
            }
        }
    }
}

/// Front matter errors point at the offending line: a tab-indented key (the
/// YAML parser named the scalar before it), a list instead of a mapping
/// (the opening `---` was cited).
#[test]
fn front_matter_errors_cite_the_offending_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            (
                "specs/tab.md",
                "---\ntitle: x\n\tstatus: Draft\n---\n\n# T\n",
            ),
            ("specs/list.md", "---\n- a\n- b\n---\n\n# T\n"),
        ],
    );
    let build = build(dir.path());
    for (file, code, line) in [
        ("specs/tab.md", "frontmatter/invalid", 3),
        ("specs/list.md", "frontmatter/not-a-mapping", 2),
    ] {
        let source = build.sources.get(file).expect("loaded");
        let lines: Vec<usize> = with_code(&build, code)
            .iter()
            .filter_map(|d| d.location.as_ref())
            .filter(|l| l.file == file)
            .map(|l| source.line_col(l.span.start).line)
            .collect();
        assert_eq!(lines, [line], "{file}: {:?}", build.diagnostics);
    }
}

/// badinputs' duplicate-id-metadata: two specs claiming one explicit id
/// are both told, at the line of their `id`.
#[test]
fn two_specs_with_one_explicit_id_are_errors_at_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            (
                "specs/0001-one.md",
                "---\ntitle: One\nid: 42\n---\n\n# One\n",
            ),
            (
                "specs/0002-two.md",
                "---\ntitle: Two\nid: 42\n---\n\n# Two\n",
            ),
            (
                "specs/0003-three.md",
                "---\ntitle: Three\nid: 43\n---\n\n# Three\n",
            ),
        ],
    );
    let build = build(dir.path());
    let found = with_code(&build, "meta/duplicate-id");
    let mut files: Vec<&str> = found
        .iter()
        .filter_map(|d| d.location.as_ref().map(|l| l.file.as_str()))
        .collect();
    files.sort_unstable();
    assert_eq!(files, ["specs/0001-one.md", "specs/0002-two.md"]);
    assert!(found.iter().all(|d| d.severity == Severity::Error));
    assert!(found[0].message.contains("`42`"), "{}", found[0].message);
}

/// badinputs' slug-collision-case-punct: one number, names equal once case
/// and punctuation are folded. A number alone may repeat (rust-rfcs).
#[test]
fn specs_whose_names_differ_only_by_case_or_punctuation_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            ("text/0042-Foo-Bar.md", "# A\n"),
            ("text/0042-foo_bar.md", "# B\n"),
            ("text/0042-other-name.md", "# C\n"),
            ("text/0043-foo-bar.md", "# D\n"),
        ],
    );
    let build = build(dir.path());
    let found = with_code(&build, "load/duplicate-spec-name");
    let mut files: Vec<&str> = found
        .iter()
        .filter_map(|d| d.location.as_ref().map(|l| l.file.as_str()))
        .collect();
    files.sort_unstable();
    assert_eq!(files, ["text/0042-Foo-Bar.md", "text/0042-foo_bar.md"]);
    assert!(build.has_errors(false));
}

/// The opening tags of `html` (from `<` + letter to the next `>`), as an
/// HTML scanner that ignores quoting would read them.
fn opening_tags(html: &str) -> Vec<&str> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        if !after.starts_with(|c: char| c.is_ascii_alphabetic()) {
            rest = after;
            continue;
        }
        let end = after.find(['<', '>']).unwrap_or(after.len());
        tags.push(&after[..end]);
        rest = &after[end..];
    }
    tags
}

/// badinputs' rst-title-html: a title holding `<img … onerror=…>` is
/// repeated in attributes (`og:title`, the index row's `data-search`, the
/// graph's `data-graph`). Quoted and escaped it was inert, but a value in an
/// unquoted attribute of a pull request's template would have become a
/// handler; now no tag on any page carries the handler's `onerror=`.
#[test]
fn handler_text_in_a_title_never_forms_a_handler_in_a_tag() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[(
            "specs/0001-title.rst",
            "==============================================================\n\
             <img src=x onerror=alert('x')> </title><script>alert(1)</script>\n\
             ==============================================================\n\n\
             :Status: Draft\n\nbody\n",
        )],
    );
    let build = build(dir.path());
    for path in ["index.html", "graph.html", "specs/0001-title.html"] {
        let html = page(&build, path);
        assert!(html.contains("onerror"), "{path}: the title is shown");
        for tag in opening_tags(&html) {
            assert!(!tag.contains("onerror="), "{path}: <{tag}>");
            assert!(!tag.contains("<script"), "{path}: <{tag}>");
        }
    }
    let spec = page(&build, "specs/0001-title.html");
    assert!(
        spec.contains("onerror&#61;alert(&#39;x&#39;)"),
        "the og:title keeps the title, its handler disarmed"
    );
}

/// badinputs' ref-self-and-cycles: a spec whose References section links its
/// own file was silently dropped from the graph; it is a slip (a copied
/// link, another spec meant), so it is warned at the link. A link to a part
/// of the page (`own.md#section`) and a Swift-Evolution style header link
/// to the proposal's own file stay quiet.
#[test]
fn a_link_to_the_spec_itself_is_warned_at_the_link() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            (
                "specs/0001-self.md",
                "# Self\n\n* Proposal: [SE-0001](0001-self.md)\n\n## Motivation\n\nSee [below](0001-self.md#references).\n\n## References\n\n- [me](0001-self.md)\n- [other](0002-other.md)\n",
            ),
            ("specs/0002-other.md", "# Other\n\nx\n"),
        ],
    );
    let build = build(dir.path());
    let warned = with_code(&build, "link/self-reference");
    assert_eq!(warned.len(), 1, "{:?}", build.diagnostics);
    let warning = warned[0];
    assert_eq!(warning.severity, Severity::Warning);
    assert!(warning.message.contains("itself"), "{}", warning.message);
    let location = warning.location.as_ref().expect("located");
    assert_eq!(location.file, "specs/0001-self.md");
    let source = "# Self\n\n* Proposal: [SE-0001](0001-self.md)\n\n## Motivation\n\nSee [below](0001-self.md#references).\n\n## References\n\n- [me](0001-self.md)\n";
    let link_at = source.rfind("[me]").expect("link");
    assert!(
        location.span.start >= link_at,
        "points at the second link, not the #references one: {location:?}"
    );
    assert!(warning.help.is_some());
}

/// badinputs' hostile-file-names: a spec named `back\slash.md` (legal on
/// Linux) gave a page path the output writer refuses, so the whole build
/// failed with "this is a bug in specsite". Such a file (or a theme static
/// file, or a linked asset) is now skipped with a warning naming it, and
/// the rest of the site is written.
#[test]
fn a_backslash_in_a_file_name_skips_that_file_not_the_site() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    write_tree(
        &root,
        &[
            ("specs/0001-back\\slash.md", "# Backslash\n\nx\n"),
            ("specs/0002-fine.md", "# Fine\n\n![figure](img%5Cdot.png)\n"),
            ("specs/img\\dot.png", "not really a png"),
            ("static/odd\\name.css", "p {}\n"),
        ],
    );
    let build = build(&root);
    let skipped = with_code(&build, "load/bad-path");
    assert_eq!(skipped.len(), 1, "{:?}", build.diagnostics);
    assert!(
        skipped[0].message.contains("backslash"),
        "{}",
        skipped[0].message
    );
    assert_eq!(
        with_code(&build, "theme/bad-name").len(),
        1,
        "{:?}",
        build.diagnostics
    );
    assert!(build.tree.get("specs/0002-fine.html").is_some());
    let out = dir.path().join("site");
    specsite::output::write_atomically(&build.tree, &build.config.root, &out)
        .expect("the site is written");
    assert!(out.join("specs/0002-fine.html").is_file());
}
