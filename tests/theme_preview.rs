//! Writes the sample pages of the default theme to a directory, to look at
//! them in a browser: `SPECSITE_THEME_PREVIEW=/tmp/preview cargo test --test
//! theme_preview -- --ignored`. Not part of the normal test run.

use std::path::Path;

use specsite::render::theme::Theme;

fn sample(name: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("themes/default/sample-context")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(path).expect("sample context is readable");
    serde_json::from_str(&text).expect("sample context is JSON")
}

/// Stand-in for the generated syntax-highlighting stylesheet.
const PREVIEW_HIGHLIGHT_CSS: &str = ".hl-keyword{color:#a626a4}.hl-name-function{color:#4078f2}\
.hl-string{color:#50a14f}.hl-comment{color:#6a737d;font-style:italic}\
@media (prefers-color-scheme:dark){:root:not([data-theme=light]) .hl-keyword{color:#c678dd}}\
[data-theme=dark] .hl-keyword{color:#c678dd}[data-theme=dark] .hl-string{color:#98c379}\
[data-theme=dark] .hl-name-function{color:#61afef}";

#[test]
#[ignore = "writes a preview site; run by hand"]
fn write_preview_site() {
    let Some(out) = std::env::var_os("SPECSITE_THEME_PREVIEW") else {
        return;
    };
    let out = Path::new(&out);
    let (theme, diagnostics) = Theme::load(None, None, Path::new("."));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    for (path, bytes) in theme.assets() {
        let target = out.join("static").join(path);
        std::fs::create_dir_all(target.parent().expect("has parent")).expect("mkdir");
        std::fs::write(target, bytes).expect("write asset");
    }
    std::fs::write(out.join("static/highlight.css"), PREVIEW_HIGHLIGHT_CSS).expect("write");
    for (template, name) in [
        ("spec.html", "spec"),
        ("index.html", "index"),
        ("404.html", "404"),
    ] {
        let mut context = sample(name);
        if name == "404" {
            // The 404 page links through the absolute base path; point it at
            // the preview directory so it can be looked at from disk.
            context["site"]["base_path"] = format!("file://{}/", out.display()).into();
        }
        let html = theme
            .render(template, &context)
            .unwrap_or_else(|d| panic!("{d:?}"));
        let page_path = context["page"]["path"].as_str().expect("page.path");
        let target = out.join(page_path);
        std::fs::create_dir_all(target.parent().expect("has parent")).expect("mkdir");
        std::fs::write(target, html).expect("write page");
    }
}
