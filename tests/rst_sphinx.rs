//! The Sphinx profile's directive forms (shared/rst-conformance/SPHINX.md),
//! checked against the exact pseudo-XML given there, plus the plain-docutils
//! behaviour of the same input without the profile.

use specsite::markup::rst::{rst_tree, Stage};

fn sphinx(input: &str) -> String {
    rst_tree(input, Stage::Parse, true)
}

fn body(tree: &str) -> String {
    // Drop the `<document ...>` line and one level of indentation.
    tree.lines()
        .skip(1)
        .map(|l| l.strip_prefix("    ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn code_block_with_caption_is_wrapped() {
    let tree = sphinx(
        ".. code-block:: python\n   :linenos:\n   :caption: Example\n   :name: ex-1\n\n   def f():\n       return 1\n",
    );
    assert_eq!(
        body(&tree),
        "<container classes=\"literal-block-wrapper\" ids=\"ex-1\" literal_block=\"1\" names=\"ex-1\">
    <caption>
        Example
    <literal_block language=\"python\" linenos=\"1\" xml:space=\"preserve\">
        def f():
            return 1"
    );
}

#[test]
fn highlight_sets_the_default_language() {
    let tree = sphinx(".. highlight:: console\n\n.. code-block::\n\n   $ ls\n\n::\n\n   plain\n");
    assert_eq!(
        body(&tree),
        "<highlightlang lang=\"console\">
<literal_block language=\"console\" xml:space=\"preserve\">
    $ ls
<literal_block xml:space=\"preserve\">
    plain"
    );
}

#[test]
fn toctree_entries() {
    let tree = sphinx(
        ".. toctree::\n   :maxdepth: 1\n   :caption: Specs\n   :glob:\n   :numbered:\n\n   specs/2025.1/*\n   Template <template>\n",
    );
    assert_eq!(
        body(&tree),
        "<compound classes=\"toctree-wrapper\">
    <toctree caption=\"Specs\" glob=\"1\" maxdepth=\"1\" numbered=\"999\">
        <toctree_entry target=\"specs/2025.1/*\">
        <toctree_entry target=\"template\" title=\"Template\">"
    );
}

#[test]
fn versionadded_and_desc() {
    let tree = sphinx(
        ".. versionadded:: 2025.1 First line.\n\n   More text.\n\n.. py:function:: spawn(context, instance)\n                 spawn(context)\n   :noindex:\n\n   Spawn an instance.\n",
    );
    assert_eq!(
        body(&tree),
        "<versionmodified type=\"versionadded\" version=\"2025.1\">
    <paragraph>
        First line.
    <paragraph>
        More text.
<desc domain=\"py\" objtype=\"function\">
    <desc_signature>
        spawn(context, instance)
    <desc_signature>
        spawn(context)
    <desc_content>
        <paragraph>
            Spawn an instance."
    );
}

#[test]
fn diagram_and_index() {
    let tree = sphinx(
        ".. seqdiag::\n   :alt: sequence\n\n   seqdiag { A -> B; }\n\n.. index:: pair: compute; API\n",
    );
    assert_eq!(
        body(&tree),
        "<diagram alt=\"sequence\" kind=\"seqdiag\" xml:space=\"preserve\">
    seqdiag { A -> B; }
<index entry=\"pair: compute; API\">"
    );
}

#[test]
fn hlist_splits_items_over_columns() {
    let tree = sphinx(".. hlist::\n   :columns: 2\n\n   * a\n   * b\n   * c\n");
    let columns = tree.matches("<hlistcol>").count();
    assert_eq!(columns, 2);
    let first = tree.find("<hlistcol>").unwrap_or(0);
    let second = tree.rfind("<hlistcol>").unwrap_or(0);
    assert_eq!(tree[first..second].matches("<list_item>").count(), 2);
    assert_eq!(tree[second..].matches("<list_item>").count(), 1);
}

#[test]
fn without_the_profile_sphinx_directives_are_unknown() {
    let tree = rst_tree(".. toctree::\n\n   a\n", Stage::Parse, false);
    assert!(tree.contains("<system_message level=\"3\""), "{tree}");
    assert!(!tree.contains("<toctree"));
}

#[test]
fn pep_header_becomes_an_rfc2822_field_list() {
    let tree = sphinx("PEP: 8\nTitle: Style Guide\n\nText.\n");
    assert!(tree.contains("<field_list classes=\"rfc2822\">"), "{tree}");
    assert_eq!(tree.matches("<field>").count(), 2);
}
