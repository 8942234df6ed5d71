//! The default theme and the template wrapper: sample contexts render, user
//! overrides replace templates and assets, and templates stay sandboxed.

use std::path::Path;

use specsite::diag::Severity;
use specsite::render::theme::Theme;

fn sample(name: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("themes/default/sample-context")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(path).expect("sample context is readable");
    serde_json::from_str(&text).expect("sample context is JSON")
}

fn default_theme() -> Theme {
    let (theme, diagnostics) = Theme::load(None, None, Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    theme
}

fn render(theme: &Theme, template: &str, context: &serde_json::Value) -> String {
    theme
        .render(template, context)
        .unwrap_or_else(|diagnostic| panic!("{template} failed: {diagnostic:?}"))
}

/// Every value of an `href="…"` or `src="…"` attribute.
fn link_targets(html: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for attribute in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            let after = &rest[start + attribute.len()..];
            let end = after.find('"').expect("attribute is closed");
            targets.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    targets
}

/// A site root in a temp dir with `templates/` and `static/` subdirectories.
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("templates")).expect("mkdir");
        std::fs::create_dir_all(dir.path().join("static")).expect("mkdir");
        Site { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.root().join(relative);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    fn load(&self) -> (Theme, Vec<specsite::diag::Diagnostic>) {
        Theme::load(
            Some(&self.root().join("templates")),
            Some(&self.root().join("static")),
            self.root(),
        )
    }
}

#[test]
fn spec_page_renders_its_sample_context() {
    let theme = default_theme();
    let html = render(&theme, "spec.html", &sample("spec"));
    assert!(html.starts_with("<!doctype html>"));
    for landmark in [
        "<header",
        "<nav",
        "<main id=\"main\"",
        "<footer",
        "class=\"skip-link\"",
    ] {
        assert!(html.contains(landmark), "missing {landmark}");
    }
    assert!(
        html.contains("style=\"--badge-color: #2563eb\""),
        "status colour"
    );
    assert!(html.contains(">Accepted</span>"));
    assert!(html.contains("Kilo</span>"), "milestone chip");
    assert!(html.contains("Jane Doe, Rahul Subramanian, Zoë Müller"));
    assert!(html.contains("<time datetime=\"2015-01-19\">"));
    assert!(html.contains("href=\"#data-model-impact\""), "toc entry");
    assert!(
        html.contains("<details class=\"toc toc-compact\">"),
        "phone toc"
    );
    assert!(html.contains("2 build problems"), "problems badge");
    assert!(
        html.contains("live-migration-with-attached-volumes.rst:214"),
        "origin"
    );
    assert!(
        html.contains("specs/kilo/approved (directory)"),
        "status origin"
    );
    assert!(
        html.contains("/edit/main/specs/kilo/approved/"),
        "edit link"
    );
    assert!(html.contains("<link rel=\"canonical\" href=\"https://example.org/"));
}

#[test]
fn spec_without_optional_values_renders() {
    let theme = default_theme();
    let mut context = sample("spec");
    let spec = &mut context["spec"];
    spec["status"] = serde_json::Value::Null;
    spec["milestone"] = serde_json::Value::Null;
    spec["authors"] = serde_json::json!([]);
    spec["created"] = serde_json::Value::Null;
    spec["updated"] = serde_json::Value::Null;
    spec["edit_url"] = serde_json::Value::Null;
    spec["source_url"] = serde_json::Value::Null;
    spec["toc"] = serde_json::json!([]);
    spec["fields"] = serde_json::json!([]);
    spec["problems"] = serde_json::json!(0);
    context["page"]["canonical_url"] = serde_json::json!("");
    let html = render(&theme, "spec.html", &context);
    assert!(html.contains("No status"));
    assert!(!html.contains("build problem"));
    assert!(!html.contains("Edit this spec"));
    assert!(!html.contains("class=\"toc"));
    assert!(!html.contains("rel=\"canonical\""));
}

#[test]
fn index_page_lists_both_groupings_with_counts() {
    let theme = default_theme();
    let context = sample("index");
    let html = render(&theme, "index.html", &context);
    assert!(html.contains("id=\"by-status\"") && html.contains("id=\"by-milestone\""));
    assert!(html.contains("id=\"status-implemented\""));
    assert!(html.contains("data-count>2</span>"), "implemented count");
    assert!(html.contains("Not set"), "milestone group without value");
    // Every spec appears once per grouping.
    let rows = html.matches("class=\"spec-row\"").count();
    let specs = context["site"]["spec_count"].as_u64().expect("count") as usize;
    assert_eq!(rows, 2 * specs);
    // The filter box is hidden until the script enables it.
    assert!(html.contains("<div class=\"filter\" data-filter hidden>"));
}

#[test]
fn not_found_page_uses_the_absolute_base_path() {
    let theme = default_theme();
    let html = render(&theme, "404.html", &sample("404"));
    assert!(html.contains("Page not found"));
    assert!(html.contains("href=\"/kilo-specs/static/specsite.css?v="));
    assert!(html.contains("<a class=\"button\" href=\"/kilo-specs/\">"));
}

#[test]
fn internal_links_are_relative_to_root_except_on_the_404_page() {
    let theme = default_theme();
    for (template, name) in [("spec.html", "spec"), ("index.html", "index")] {
        let context = sample(name);
        let root = context["root"].as_str().expect("root");
        let html = render(&theme, template, &context);
        let targets = link_targets(&html);
        assert!(targets.len() > 5, "{template}: found links");
        for target in targets {
            assert!(
                !target.starts_with('/'),
                "{template}: absolute link {target}"
            );
            let external = target.starts_with("https://") || target.starts_with("http://");
            let in_page = target.starts_with('#');
            // Links inside the spec body come from the HTML serializer, which
            // makes them relative to the page; theme links go through root.
            let from_body = template == "spec.html" && target.starts_with("../juno/");
            assert!(
                external || in_page || from_body || target.starts_with(root),
                "{template}: link {target} does not start with root {root:?}"
            );
        }
    }
    let context = sample("404");
    let base_path = context["site"]["base_path"].as_str().expect("base_path");
    for target in link_targets(&render(&theme, "404.html", &context)) {
        assert!(
            target.starts_with(base_path) || target.starts_with('#'),
            "404: link {target}"
        );
    }
}

#[test]
fn body_is_trusted_html_but_titles_are_escaped() {
    let theme = default_theme();
    let mut context = sample("spec");
    context["spec"]["title"] = serde_json::json!("<script>alert(1)</script>");
    context["page"]["title"] = serde_json::json!("<script>alert(1)</script>");
    context["spec"]["authors"] = serde_json::json!(["<b>Mallory</b>"]);
    context["spec"]["body"] = serde_json::json!("<p class=\"marker\">kept <em>as is</em></p>");
    let html = render(&theme, "spec.html", &context);
    assert!(!html.contains("<script>alert"), "title must be escaped");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(!html.contains("<b>Mallory</b>"));
    assert!(html.contains("<p class=\"marker\">kept <em>as is</em></p>"));
}

#[test]
fn a_template_override_replaces_the_default() {
    let site = Site::new();
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block main %}<p>Custom: {{ page.title }}</p>{% endblock main %}",
    );
    let (theme, diagnostics) = site.load();
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let html = render(&theme, "404.html", &sample("404"));
    assert!(html.contains("<p>Custom: Page not found</p>"));
    assert!(
        html.contains("class=\"site-header\""),
        "still extends the default base"
    );
    // Templates not overridden keep the default.
    let spec = render(&theme, "spec.html", &sample("spec"));
    assert!(spec.contains("class=\"spec-header\""));
}

#[test]
fn overrides_may_add_partials_that_extend_each_other() {
    let site = Site::new();
    site.write(
        "templates/partials/hello.html",
        "Hello from {{ site.title }}",
    );
    site.write(
        "templates/index.html",
        "{% extends \"base.html\" %}{% block main %}{% include \"partials/hello.html\" %}{% endblock main %}",
    );
    let (theme, diagnostics) = site.load();
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let html = render(&theme, "index.html", &sample("index"));
    assert!(html.contains("Hello from Kilo Specs"));
}

#[test]
fn static_files_are_added_and_replace_defaults() {
    let site = Site::new();
    site.write("static/specsite.css", "body{color:red}");
    site.write("static/img/logo.svg", "<svg/>");
    let (theme, diagnostics) = site.load();
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let asset = |name: &str| {
        theme
            .assets()
            .iter()
            .find(|(path, _)| path == name)
            .map(|(_, bytes)| bytes.to_vec())
    };
    assert_eq!(asset("specsite.css"), Some(b"body{color:red}".to_vec()));
    assert_eq!(asset("img/logo.svg"), Some(b"<svg/>".to_vec()));
    assert!(asset("specsite.js").is_some(), "defaults stay");
    assert!(asset("favicon.svg").is_some(), "defaults stay");
}

#[test]
fn default_assets_are_small_and_self_contained() {
    let theme = default_theme();
    let asset = |name: &str| {
        theme
            .assets()
            .iter()
            .find(|(path, _)| path == name)
            .map(|(_, bytes)| String::from_utf8(bytes.to_vec()).expect("utf-8"))
            .expect("asset exists")
    };
    let css = asset("specsite.css");
    let js = asset("specsite.js");
    assert!(css.len() < 30 * 1024, "CSS is {} bytes", css.len());
    assert!(js.len() < 8 * 1024, "JS is {} bytes", js.len());
    for text in [&css, &js] {
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "no network"
        );
        assert!(!text.contains("@import") && !text.contains("@font-face"));
    }
    assert!(css.contains("prefers-color-scheme: dark"));
    assert!(css.contains("[data-theme=\"dark\"]"));
    assert!(css.contains("@media print"));
}

#[cfg(unix)]
#[test]
fn a_symlinked_override_pointing_outside_root_is_refused() {
    let outside = tempfile::tempdir().expect("tempdir");
    let secret = outside.path().join("secret.html");
    std::fs::write(&secret, "TOP SECRET {{ page.title }}").expect("write");
    std::fs::write(outside.path().join("leak.css"), "SECRET CSS").expect("write");
    let site = Site::new();
    std::os::unix::fs::symlink(&secret, site.root().join("templates/404.html")).expect("symlink");
    std::os::unix::fs::symlink(outside.path(), site.root().join("static/linked")).expect("symlink");
    let (theme, diagnostics) = site.load();

    let refused: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.code == "theme/outside-root")
        .collect();
    assert_eq!(refused.len(), 2, "{diagnostics:?}");
    assert!(refused.iter().all(|d| d.severity == Severity::Warning));
    let files: Vec<_> = refused
        .iter()
        .filter_map(|d| d.location.as_ref().map(|l| l.file.as_str()))
        .collect();
    assert!(files.contains(&"templates/404.html"), "{files:?}");
    assert!(files.contains(&"static/linked"), "{files:?}");

    let html = render(&theme, "404.html", &sample("404"));
    assert!(!html.contains("TOP SECRET"));
    assert!(
        html.contains("There is no page at this address"),
        "default kept"
    );
    assert!(theme
        .assets()
        .iter()
        .all(|(_, bytes)| bytes.as_ref() != b"SECRET CSS"));
}

#[cfg(unix)]
#[test]
fn a_symlink_staying_inside_root_is_followed() {
    let site = Site::new();
    site.write("shared/footer.html", "shared footer");
    std::os::unix::fs::symlink(
        site.root().join("shared/footer.html"),
        site.root().join("templates/footer.html"),
    )
    .expect("symlink");
    let (theme, diagnostics) = site.load();
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(theme.has_template("footer.html"));
}

#[test]
fn templates_cannot_read_the_environment() {
    let site = Site::new();
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}\n{% block main %}\n{{ get_env(name=\"HOME\") }}\n{% endblock main %}",
    );
    let (theme, diagnostics) = site.load();
    let diagnostic = diagnostics
        .iter()
        .find(|d| d.message.contains("get_env"))
        .unwrap_or_else(|| panic!("no diagnostic about get_env: {diagnostics:?}"));
    assert_eq!(diagnostic.severity, Severity::Error);
    let location = diagnostic.location.as_ref().expect("located");
    assert_eq!(location.file, "templates/404.html");
    assert_eq!(
        location.span.start,
        "{% extends \"base.html\" %}\n{% block main %}\n{{ ".len()
    );
    assert!(
        diagnostic
            .label
            .as_deref()
            .unwrap_or_default()
            .contains("line 3"),
        "{diagnostic:?}"
    );
    // The broken override is not used; the default 404 page still renders.
    let html = render(&theme, "404.html", &sample("404"));
    assert!(html.contains("There is no page at this address"));
}

#[test]
fn file_reading_functions_are_not_registered() {
    for call in [
        "read_file(path=\"/etc/passwd\")",
        "now()",
        "load_data(path=\"x\")",
    ] {
        let site = Site::new();
        site.write("templates/probe.html", &format!("{{{{ {call} }}}}"));
        let (theme, diagnostics) = site.load();
        assert!(
            diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error && d.message.contains("Unknown function")),
            "{call}: {diagnostics:?}"
        );
        assert!(!theme.has_template("probe.html"), "{call}");
    }
}

#[test]
fn a_syntax_error_points_at_the_template_line() {
    let site = Site::new();
    site.write("templates/index.html", "line one\nline two {% if %}\n");
    let (theme, diagnostics) = site.load();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic.severity, Severity::Error);
    assert_eq!(diagnostic.code, "theme/template-invalid");
    let location = diagnostic.location.as_ref().expect("located");
    assert_eq!(location.file, "templates/index.html");
    assert!(location.span.start >= "line one\n".len(), "{location:?}");
    assert!(diagnostic
        .label
        .as_deref()
        .unwrap_or_default()
        .contains("line 2"));
    // It says what to do: fix the override or fall back to the default.
    let help = diagnostic.help.as_deref().unwrap_or_default();
    assert!(help.starts_with("fix the template"), "{help}");
    // The default index still renders.
    assert!(render(&theme, "index.html", &sample("index")).contains("id=\"by-status\""));
}

#[test]
fn an_undefined_variable_is_a_render_diagnostic() {
    let site = Site::new();
    site.write("templates/404.html", "ok\n{{ page.no_such_field }}\n");
    let (theme, diagnostics) = site.load();
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let diagnostic = theme
        .render("404.html", &sample("404"))
        .expect_err("strict undefined");
    assert_eq!(diagnostic.code, "theme/template-render");
    let location = diagnostic.location.as_ref().expect("located");
    assert_eq!(location.file, "templates/404.html");
    assert!(location.span.start >= 3, "{location:?}");
    assert!(
        diagnostic
            .label
            .as_deref()
            .unwrap_or_default()
            .contains("line 2"),
        "{diagnostic:?}"
    );
}

#[test]
fn rendering_an_unknown_template_or_a_non_object_context_fails_cleanly() {
    let theme = default_theme();
    assert!(theme.render("nope.html", &sample("404")).is_err());
    assert!(theme
        .render("404.html", &serde_json::json!([1, 2]))
        .is_err());
}

#[test]
fn a_missing_override_directory_is_not_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (theme, diagnostics) = Theme::load(
        Some(&dir.path().join("templates")),
        Some(&dir.path().join("static")),
        dir.path(),
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(theme.has_template("spec.html"));
}

#[test]
fn a_render_error_in_an_included_template_points_at_that_template() {
    let site = Site::new();
    site.write(
        "templates/partials/bad.html",
        "fine\n\n{{ undefined_thing }}",
    );
    site.write(
        "templates/index.html",
        "{% extends \"base.html\" %}{% block main %}{% include \"partials/bad.html\" %}{% endblock main %}",
    );
    let (theme, diagnostics) = site.load();
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let diagnostic = theme
        .render("index.html", &sample("index"))
        .expect_err("undefined variable");
    let location = diagnostic.location.as_ref().expect("located");
    assert_eq!(
        location.file, "templates/partials/bad.html",
        "{diagnostic:?}"
    );
    assert!(
        diagnostic
            .label
            .as_deref()
            .unwrap_or_default()
            .contains("line 3"),
        "{diagnostic:?}"
    );
}

#[test]
fn deeply_nested_templates_are_diagnosed_without_overflowing_the_stack() {
    let site = Site::new();
    let depth = 20_000;
    let template = format!(
        "{}x{}",
        "{% if true %}".repeat(depth),
        "{% endif %}".repeat(depth)
    );
    site.write("templates/deep.html", &template);
    site.write(
        "templates/deep-expr.html",
        &format!("{{{{ {}1{} }}}}", "(".repeat(depth), ")".repeat(depth)),
    );
    let (theme, diagnostics) = site.load();
    for name in ["deep.html", "deep-expr.html"] {
        let refused = diagnostics.iter().any(|d| {
            d.location
                .as_ref()
                .is_some_and(|l| l.file == format!("templates/{name}"))
        });
        assert!(refused, "{name}: {diagnostics:?}");
        assert!(!theme.has_template(name), "{name}");
    }
}

#[test]
fn a_theme_can_be_shared_across_render_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Theme>();
    let theme = default_theme();
    let context = sample("spec");
    let pages: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| render(&theme, "spec.html", &context)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert_eq!(pages[0], pages[1]);
}

#[test]
fn a_template_that_is_not_utf8_is_reported_and_skipped() {
    let site = Site::new();
    std::fs::write(
        site.root().join("templates/404.html"),
        b"caf\xe9 {{ page.title }}",
    )
    .expect("write");
    let (theme, diagnostics) = site.load();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0].code, "theme/not-utf8");
    assert_eq!(
        diagnostics[0].location.as_ref().map(|l| l.file.as_str()),
        Some("templates/404.html")
    );
    assert!(render(&theme, "404.html", &sample("404")).contains("There is no page"));
}
