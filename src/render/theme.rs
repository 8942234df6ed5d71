//! (Stub: filled in by the theme work.)

use std::borrow::Cow;
use std::path::Path;

use crate::diag::Diagnostic;

pub struct Theme {
    assets: Vec<(String, Cow<'static, [u8]>)>,
}

impl Theme {
    pub fn load(
        _override_dir: Option<&Path>,
        _static_dir: Option<&Path>,
        _root: &Path,
    ) -> (Theme, Vec<Diagnostic>) {
        (Theme { assets: Vec::new() }, Vec::new())
    }

    pub fn render(
        &self,
        template: &str,
        context: &serde_json::Value,
    ) -> Result<String, Diagnostic> {
        Ok(format!("{template}\n{context}"))
    }

    pub fn assets(&self) -> &[(String, Cow<'static, [u8]>)] {
        &self.assets
    }
}
