//! docutils' `transforms.parts` and `references.TargetNotes`: the
//! transforms behind the `contents`, `sectnum` and `target-notes`
//! directives, which the parser leaves as `<pending>` nodes.

use super::Context;

/// `target-notes` (540).
pub(crate) fn target_notes(cx: &mut Context<'_>) {
    let _ = cx;
}

/// `sectnum` (710).
pub(crate) fn sectnum(cx: &mut Context<'_>) {
    let _ = cx;
}

/// `contents` (720).
pub(crate) fn contents(cx: &mut Context<'_>) {
    let _ = cx;
}
