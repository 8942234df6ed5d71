//! Convention detection: which metadata presets fit a repository, judged
//! from its shape and content, and the `specsite.toml` that `specsite
//! init` writes to say so.
//!
//! Runs on loaded sources (no parsing beyond what each check needs).
//! Detection only informs `init`: a build with no config reads every
//! source anyway, so a convention detection missed still works.

use std::path::Path;

use crate::config::Config;
use crate::extract::{bullet_header, pep_header, status_section};
use crate::load;
use crate::markup::{frontmatter, markdown};
use crate::model::StatusScheme;
use crate::preset::Preset;
use crate::source::{FileRole, Format, SourceFile};

/// One detected convention with the evidence for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    pub preset: Preset,
    /// How many specs show it.
    pub count: usize,
    /// One example path.
    pub example: String,
}

fn shows(preset: Preset, file: &SourceFile, root: &Path) -> bool {
    let path = file.rel_path.as_str();
    match preset {
        Preset::OpenStack => {
            let (status, release) = crate::extract::openstack::directory_metadata(path, &[]);
            status.is_some() || release.is_some()
        }
        Preset::Pep => pep_header::header_block(&file.text)
            .is_some_and(|fields| fields.iter().any(|f| f.name.eq_ignore_ascii_case("status"))),
        Preset::SwiftEvolution => {
            file.format == Format::Markdown
                && bullet_header::header_bullets(&file.text)
                    .iter()
                    .any(|b| b.key.eq_ignore_ascii_case("status"))
        }
        Preset::Kep => {
            let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
            root.join(dir).join("kep.yaml").is_file()
        }
        Preset::Ome => {
            file.format == Format::Markdown && file.text.contains("Status") && {
                let parsed = markdown::parse(&file.text);
                status_section::status_section(&parsed.doc).is_some_and(|(section, _)| {
                    !matches!(
                        status_section::classify(&parsed.doc, section, &StatusScheme::default()),
                        status_section::SectionStatus::Empty
                    )
                })
            }
        }
        Preset::FrontMatter => {
            file.format == Format::Markdown
                && frontmatter::split(&file.text)
                    .0
                    .is_some_and(|fm| fm.key_span("status").is_some())
        }
        Preset::RfcFolder => {
            path.split('/').rev().nth(1) == Some("text") && {
                let name = path.rsplit('/').next().unwrap_or("");
                name.split('-')
                    .next()
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            }
        }
    }
}

/// The conventions a repository uses, most specs first.
pub fn detect(config: &Config) -> Vec<Detection> {
    let sources = load::load(config);
    let specs: Vec<&SourceFile> = sources
        .files
        .iter()
        .filter(|f| f.role == FileRole::Spec)
        .map(|f| f.as_ref())
        .collect();
    let mut detections: Vec<Detection> = Preset::ALL
        .into_iter()
        .filter_map(|preset| {
            let matching: Vec<&&SourceFile> = specs
                .iter()
                .filter(|f| shows(preset, f, &config.root))
                .collect();
            matching.first().map(|first| Detection {
                preset,
                count: matching.len(),
                example: first.rel_path.clone(),
            })
        })
        .collect();
    detections.sort_by(|a, b| b.count.cmp(&a.count).then(a.preset.cmp(&b.preset)));
    detections
}

fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

/// The text of a `specsite.toml` stating what was detected.
pub fn init_config(config: &Config, detections: &[Detection], spec_count: usize) -> String {
    let mut out = String::new();
    out.push_str("# specsite configuration, written by `specsite init`.\n");
    out.push_str(
        "# Every key is optional; an unknown key is an error with a did-you-mean hint.\n\n",
    );
    out.push_str("# Site title, shown on every page.\n");
    out.push_str(&format!("title = {}\n\n", toml_string(&config.title)));
    out.push_str("# Absolute URL the site is published at (empty: relative links only).\n");
    out.push_str("base_url = \"\"\n\n");
    out.push_str("[metadata]\n");
    out.push_str(&format!(
        "# specsite found {spec_count} specs. Conventions detected:\n"
    ));
    if detections.is_empty() {
        out.push_str("#   none: statuses will show as unknown until the specs state them.\n");
    }
    for detection in detections {
        out.push_str(&format!(
            "#   {:<16} {} spec{}, e.g. {}\n#   {:<16} ({})\n",
            detection.preset.name(),
            detection.count,
            if detection.count == 1 { "" } else { "s" },
            detection.example,
            "",
            detection.preset.describe()
        ));
    }
    out.push_str("# Naming presets reads only their sources (front matter is always read);\n");
    out.push_str("# remove the line to try every source, first found wins.\n");
    let names: Vec<String> = detections
        .iter()
        .map(|d| toml_string(d.preset.name()))
        .collect();
    if names.is_empty() {
        out.push_str("# presets = [\"front-matter\"]\n");
    } else {
        out.push_str(&format!("presets = [{}]\n", names.join(", ")));
    }
    out.push_str(
        "# Release names beyond OpenStack's, in release order, so their milestones sort.\n",
    );
    out.push_str("# releases = [\"aurora\", \"borealis\"]\n");
    if detections.iter().any(|d| d.preset == Preset::RfcFolder) {
        out.push_str(
            "# RFCs under text/ state no status; a merged RFC is accepted. Uncomment to say so:\n",
        );
        out.push_str("# folder_status = { text = \"accepted\" }\n");
    }
    out.push_str("\n[status]\n");
    out.push_str("# Map words your specs use onto the lifecycle (draft, in-review, accepted,\n");
    out.push_str("# implemented, deferred, rejected, withdrawn, superseded, unknown):\n");
    out.push_str("# map = { \"wip\" = \"draft\", \"shipped\" = \"implemented\" }\n");
    out.push_str("# labels = { accepted = \"Approved\" }\n");
    out.push_str("# colors = { accepted = \"#0b5cad\" }\n");
    out.push_str("# order = [\"implemented\", \"accepted\", \"in-review\", \"draft\"]\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Overrides;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }

    #[test]
    fn detects_conventions_and_writes_a_config_that_loads_cleanly() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = std::fs::canonicalize(dir.path()).expect("canonical");
        write(&root, "specs/kilo/approved/a.rst", "A\n=\n");
        write(&root, "specs/kilo/implemented/b.rst", "B\n=\n");
        write(
            &root,
            "peps/pep-0001.rst",
            "PEP: 1\nTitle: X\nStatus: Final\n\nBody\n",
        );
        write(&root, "text/0001-x.md", "# X\n");
        write(
            &root,
            "evolution/0001-y.md",
            "# Y\n\n* Proposal: SE-1\n* Status: **Accepted**\n",
        );
        let config = Config::defaults(&root);
        let detections = detect(&config);
        let found: Vec<(Preset, usize)> = detections.iter().map(|d| (d.preset, d.count)).collect();
        assert_eq!(
            found,
            [
                (Preset::OpenStack, 2),
                (Preset::Pep, 1),
                (Preset::SwiftEvolution, 1),
                (Preset::RfcFolder, 1)
            ]
        );
        let text = init_config(&config, &detections, 5);
        assert!(text
            .contains("presets = [\"openstack\", \"pep\", \"swift-evolution\", \"rfc-folder\"]"));
        std::fs::write(root.join("specsite.toml"), &text).expect("write");
        let loaded = Config::load(&root, &Overrides::default(), &root);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        assert_eq!(loaded.config.metadata.presets.len(), 4);
    }
}
