//! Metadata source: a sidecar file beside the spec — `kep.yaml` for
//! Kubernetes-style KEPs (`keps/<sig>/<n>-<name>/README.md`), or a name
//! set in `[metadata] sidecars`.
//!
//! The only source that reads another file, so it checks containment
//! itself: the sidecar must resolve (after symlinks) inside the repository
//! root and be small; anything else is a diagnostic and is not read.

use std::path::Path;

use super::frontmatter::{scalar_text, string_list};
use super::{FileContext, Found, FoundStatus, Located};
use crate::diag::Diagnostic;
use crate::model::{Field, Origin};
use crate::source::Span;

/// Sidecars larger than this are not read.
const MAX_SIDECAR_BYTES: u64 = 256 * 1024;

/// Keys listed in a spec's header as fields, in this order.
const FIELD_KEYS: &[&str] = &[
    "kep-number",
    "stage",
    "owning-sig",
    "participating-sigs",
    "reviewers",
    "approvers",
    "see-also",
    "replaces",
    "superseded-by",
];

/// Read `<spec dir>/<name>` if it exists inside `root`.
fn read_sidecar(
    root: &Path,
    rel_dir: &str,
    name: &str,
) -> Result<Option<(String, String)>, String> {
    let rel_path = if rel_dir.is_empty() {
        name.to_string()
    } else {
        format!("{rel_dir}/{name}")
    };
    let path = root.join(&rel_path);
    let Ok(canonical) = std::fs::canonicalize(&path) else {
        return Ok(None);
    };
    let root = std::fs::canonicalize(root).map_err(|e| e.to_string())?;
    if !canonical.starts_with(&root) {
        return Err(format!(
            "{rel_path} resolves outside the repository; it is not read"
        ));
    }
    let metadata = std::fs::metadata(&canonical).map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Ok(None);
    }
    if metadata.len() > MAX_SIDECAR_BYTES {
        return Err(format!(
            "{rel_path} is larger than {MAX_SIDECAR_BYTES} bytes; it is not read"
        ));
    }
    let text = std::fs::read_to_string(&canonical).map_err(|e| format!("{rel_path}: {e}"))?;
    Ok(Some((rel_path, text)))
}

/// 1-based line of the top-level `key:` in YAML text.
fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|index| index + 1)
}

/// Values of a parsed sidecar.
pub fn from_values(text: &str, rel_path: &str, values: &serde_json::Value) -> Found {
    let mut found = Found::default();
    let Some(map) = values.as_object() else {
        return found;
    };
    let origin = |key: &str| Origin::file(rel_path, key_line(text, key), "sidecar");
    let located = |key: &str, text: String| Located {
        origin: origin(key),
        text,
        span: None,
    };
    for (key, value) in map {
        match key.as_str() {
            "title" => found.title = scalar_text(value).map(|t| located(key, t)),
            "status" => {
                found.status = scalar_text(value).map(|t| FoundStatus {
                    value: located(key, t),
                    key: None,
                })
            }
            "latest-milestone" => found.milestone = scalar_text(value).map(|t| located(key, t)),
            "authors" | "author" => found.authors = Some((string_list(value), origin(key))),
            "creation-date" | "created" => {
                found.created = scalar_text(value).map(|t| located(key, t))
            }
            "last-updated" | "updated" => {
                found.updated = scalar_text(value).map(|t| located(key, t))
            }
            _ => {}
        }
    }
    for key in FIELD_KEYS {
        let Some(value) = map.get(*key) else {
            continue;
        };
        let text = match value {
            serde_json::Value::Array(_) => string_list(value).join(", "),
            other => scalar_text(other).unwrap_or_default(),
        };
        if !text.is_empty() {
            found.fields.push(Field {
                name: key.to_string(),
                value: text,
                origin: origin(key),
            });
        }
    }
    found
}

pub fn read(context: &FileContext<'_>) -> Found {
    let Some(root) = context.root else {
        return Found::default();
    };
    let rel_dir = context
        .source
        .rel_path
        .rsplit_once('/')
        .map_or("", |(dir, _)| dir);
    for name in &context.metadata.sidecars {
        match read_sidecar(root, rel_dir, name) {
            Ok(None) => continue,
            Ok(Some((rel_path, text))) => {
                return match serde_saphyr::from_str::<serde_json::Value>(&text) {
                    Ok(values) => from_values(&text, &rel_path, &values),
                    Err(error) => {
                        let mut found = Found::default();
                        found.diagnostics.push(
                            Diagnostic::warning(
                                "meta/bad-sidecar",
                                format!("{rel_path} is not valid YAML: {}", error.without_snippet()),
                            )
                            .at(context.source.rel_path.clone(), Span::default())
                            .with_help("fix the file; until then the spec's metadata comes from other sources"),
                        );
                        found
                    }
                };
            }
            Err(message) => {
                let mut found = Found::default();
                found.diagnostics.push(
                    Diagnostic::warning("meta/bad-sidecar", message)
                        .at(context.source.rel_path.clone(), Span::default())
                        .with_help("make the sidecar a readable regular file inside the repository; until then the spec's metadata comes from other sources"),
                );
                return found;
            }
        }
    }
    Found::default()
}

#[cfg(test)]
mod tests {
    use crate::markup::Parsed;
    use crate::model::StatusKey;
    use crate::preset::MetadataConfig;
    use crate::source::{FileRole, Format, SourceFile};
    use std::sync::Arc;

    const KEP: &str = "title: Online scrubber\nkep-number: 1234\nauthors:\n  - \"@iokafor\"\n  - \"@tbrandt\"\nstatus: implementable\ncreation-date: 2024-10-02\nreplaces:\n  - \"/keps/sig-storage/0987-offline-fsck\"\nstage: beta\nlatest-milestone: \"v2.3\"\n";

    #[test]
    fn kep_yaml_beside_the_readme_gives_the_metadata() {
        let dir = tempfile::tempdir().expect("tempdir");
        let kep_dir = dir.path().join("keps/sig-storage/1234-online-scrubber");
        std::fs::create_dir_all(&kep_dir).expect("mkdir");
        std::fs::write(kep_dir.join("kep.yaml"), KEP).expect("write");
        let rel = "keps/sig-storage/1234-online-scrubber/README.md";
        let source = Arc::new(SourceFile::new(
            rel.into(),
            dir.path().join(rel),
            Format::Markdown,
            FileRole::Spec,
            "# KEP-1234: Online scrubber\n".into(),
        ));
        let parsed = crate::markup::markdown::parse(&source.text);
        let (spec, diagnostics) = crate::extract::extract_with(
            source,
            parsed,
            "x.html".into(),
            Some(dir.path()),
            &MetadataConfig::default(),
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(spec.title, "Online scrubber");
        assert!(
            spec.title_node.is_some(),
            "'KEP-1234: Online scrubber' heading is the title"
        );
        let status = spec.status.expect("status");
        assert_eq!(
            (status.key, status.raw.as_str()),
            (StatusKey::Accepted, "implementable")
        );
        assert_eq!(
            status.origin.path,
            "keps/sig-storage/1234-online-scrubber/kep.yaml"
        );
        assert_eq!(status.origin.line, Some(6));
        assert_eq!(spec.milestone.expect("milestone").label, "v2.3");
        assert_eq!(spec.authors, ["@iokafor", "@tbrandt"]);
        assert_eq!(spec.created.as_deref(), Some("2024-10-02"));
        assert!(spec
            .fields
            .iter()
            .any(|f| f.name == "stage" && f.value == "beta"));
    }

    #[test]
    fn no_root_no_sidecar_and_invalid_yaml_is_a_warning() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("kep.yaml"), "status: [unclosed\n").expect("write");
        let source = Arc::new(SourceFile::new(
            "README.md".into(),
            dir.path().join("README.md"),
            Format::Markdown,
            FileRole::Spec,
            String::new(),
        ));
        let metadata = MetadataConfig::default();
        let (spec, diagnostics) = crate::extract::extract_with(
            source.clone(),
            Parsed::default(),
            "x.html".into(),
            None,
            &metadata,
        );
        assert!(spec.status.is_none() && diagnostics.is_empty());
        let (_, diagnostics) = crate::extract::extract_with(
            source,
            Parsed::default(),
            "x.html".into(),
            Some(dir.path()),
            &metadata,
        );
        assert_eq!(diagnostics[0].code, "meta/bad-sidecar");
    }
}
