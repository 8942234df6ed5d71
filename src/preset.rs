//! Metadata conventions: which sources of status, milestone, authors and
//! dates a repository uses, and in which order they are tried.
//!
//! Part of the configuration stage. With no config every source is on and
//! tried in [`MetadataSource::DEFAULT_ORDER`]: the sources never contradict
//! each other on real repositories, so "try them all, first found wins" is
//! what makes specsite work with zero setup. A preset named in
//! `specsite.toml` narrows the sources to one convention's; `sources`
//! states the order outright. [`crate::detect`] finds the presets that fit
//! a repository, for `specsite init`.

use std::collections::BTreeMap;

use crate::model::{StatusKey, StatusScheme};

/// One place metadata can come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetadataSource {
    /// YAML `---` / TOML `+++` block at the top of a Markdown file.
    FrontMatter,
    /// An RST bibliographic field list (`:Status: Accepted`) or docinfo.
    RstFields,
    /// A PEP-style RFC 2822 header block (`Status: Final`).
    PepHeader,
    /// A Swift-Evolution-style bullet header (`* Status: **Implemented (Swift 5.9)**`).
    BulletHeader,
    /// A `Status` section holding one status phrase (the OME template).
    StatusSection,
    /// A `Milestones` section ("Target Milestone for completion: Liberty-1")
    /// and `Primary assignee:` for authors (the OpenStack templates).
    MilestonesSection,
    /// A sidecar file beside the spec (`kep.yaml`).
    Sidecar,
    /// `specs/<release>/<state>/…` and `specs/<state>/…`; configured folder statuses.
    Directory,
    /// Index pages whose headings label a toctree of specs.
    IndexPages,
    /// Created / updated dates from one `git log` pass.
    Git,
}

impl MetadataSource {
    /// Every source, in the default order (most specific first).
    pub const DEFAULT_ORDER: [MetadataSource; 10] = [
        MetadataSource::FrontMatter,
        MetadataSource::Sidecar,
        MetadataSource::PepHeader,
        MetadataSource::RstFields,
        MetadataSource::BulletHeader,
        MetadataSource::StatusSection,
        MetadataSource::MilestonesSection,
        MetadataSource::Directory,
        MetadataSource::IndexPages,
        MetadataSource::Git,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MetadataSource::FrontMatter => "front-matter",
            MetadataSource::RstFields => "rst-fields",
            MetadataSource::PepHeader => "pep-header",
            MetadataSource::BulletHeader => "bullet-header",
            MetadataSource::StatusSection => "status-section",
            MetadataSource::MilestonesSection => "milestones-section",
            MetadataSource::Sidecar => "sidecar",
            MetadataSource::Directory => "directory",
            MetadataSource::IndexPages => "index-pages",
            MetadataSource::Git => "git",
        }
    }

    pub fn from_name(name: &str) -> Option<MetadataSource> {
        Self::DEFAULT_ORDER.into_iter().find(|s| s.name() == name)
    }

    pub fn names() -> Vec<&'static str> {
        Self::DEFAULT_ORDER.iter().map(|s| s.name()).collect()
    }
}

/// A named convention: the sources one community's repositories use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Preset {
    OpenStack,
    Pep,
    SwiftEvolution,
    Kep,
    Ome,
    FrontMatter,
    RfcFolder,
}

impl Preset {
    pub const ALL: [Preset; 7] = [
        Preset::OpenStack,
        Preset::Pep,
        Preset::SwiftEvolution,
        Preset::Kep,
        Preset::Ome,
        Preset::FrontMatter,
        Preset::RfcFolder,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Preset::OpenStack => "openstack",
            Preset::Pep => "pep",
            Preset::SwiftEvolution => "swift-evolution",
            Preset::Kep => "kep",
            Preset::Ome => "ome",
            Preset::FrontMatter => "front-matter",
            Preset::RfcFolder => "rfc-folder",
        }
    }

    pub fn from_name(name: &str) -> Option<Preset> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|p| p.name()).collect()
    }

    /// What the preset means, for `specsite init`'s comments.
    pub fn describe(self) -> &'static str {
        match self {
            Preset::OpenStack => "OpenStack specs: status from specs/<release>/<approved|implemented|…>/ directories and index pages, milestone from the release directory or a Milestones section",
            Preset::Pep => "PEP-style RFC 2822 header blocks (Status:, Author:, Created:, *-Version:)",
            Preset::SwiftEvolution => "Swift-Evolution bullet headers (* Status: **Implemented (Swift 5.9)**)",
            Preset::Kep => "KEP directories with a kep.yaml sidecar (status, latest-milestone, authors)",
            Preset::Ome => "OME-style Markdown proposals with a Status section holding one status phrase",
            Preset::FrontMatter => "YAML or TOML front matter (status:, milestone:, authors:)",
            Preset::RfcFolder => "an RFC folder (text/NNNN-name.md) with no status in the files",
        }
    }

    /// The sources the convention uses (front matter is always read).
    pub fn sources(self) -> &'static [MetadataSource] {
        use MetadataSource as S;
        match self {
            Preset::OpenStack => &[
                S::RstFields,
                S::MilestonesSection,
                S::Directory,
                S::IndexPages,
                S::Git,
            ],
            Preset::Pep => &[S::PepHeader, S::RstFields, S::Git],
            Preset::SwiftEvolution => &[S::BulletHeader, S::Git],
            Preset::Kep => &[S::Sidecar, S::Git],
            Preset::Ome => &[S::StatusSection, S::Git],
            Preset::FrontMatter => &[S::Git],
            Preset::RfcFolder => &[S::BulletHeader, S::Directory, S::Git],
        }
    }
}

/// The metadata part of the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetadataConfig {
    /// Presets named in the config (empty: every source, auto-detected).
    pub presets: Vec<Preset>,
    /// Sources in the order they are tried; the first that gives a value wins.
    pub sources: Vec<MetadataSource>,
    /// Sidecar file names read beside a spec.
    pub sidecars: Vec<String>,
    /// Release names beyond OpenStack's, in release order.
    pub releases: Vec<String>,
    /// Directory (relative to the root) → status of specs under it that
    /// state none (`text = "accepted"`: merged RFCs).
    pub folder_status: BTreeMap<String, StatusKey>,
    pub status: StatusScheme,
}

impl Default for MetadataConfig {
    fn default() -> Self {
        MetadataConfig {
            presets: Vec::new(),
            sources: MetadataSource::DEFAULT_ORDER.to_vec(),
            sidecars: vec!["kep.yaml".to_string()],
            releases: Vec::new(),
            folder_status: BTreeMap::new(),
            status: StatusScheme::default(),
        }
    }
}

impl MetadataConfig {
    pub fn uses(&self, source: MetadataSource) -> bool {
        self.sources.contains(&source)
    }

    /// The sources of a set of presets, in default order, front matter first.
    pub fn sources_of(presets: &[Preset]) -> Vec<MetadataSource> {
        MetadataSource::DEFAULT_ORDER
            .into_iter()
            .filter(|source| {
                *source == MetadataSource::FrontMatter
                    || presets.iter().any(|p| p.sources().contains(source))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for preset in Preset::ALL {
            assert_eq!(Preset::from_name(preset.name()), Some(preset));
        }
        for source in MetadataSource::DEFAULT_ORDER {
            assert_eq!(MetadataSource::from_name(source.name()), Some(source));
        }
        assert_eq!(Preset::from_name("openstak"), None);
    }

    #[test]
    fn presets_narrow_the_sources_and_keep_front_matter() {
        let sources = MetadataConfig::sources_of(&[Preset::Pep]);
        assert_eq!(
            sources,
            [
                MetadataSource::FrontMatter,
                MetadataSource::PepHeader,
                MetadataSource::RstFields,
                MetadataSource::Git
            ]
        );
        let openstack = MetadataConfig::sources_of(&[Preset::OpenStack]);
        assert!(openstack.contains(&MetadataSource::Directory));
        assert!(!openstack.contains(&MetadataSource::BulletHeader));
    }
}
