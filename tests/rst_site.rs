//! reStructuredText specs through the whole site build: fixtures modelled on
//! real OpenStack specs, asserting the structure of the rendered HTML.

mod common;

use common::write_tree;
use specsite::build::build_site;
use specsite::config::Overrides;

const SPEC: &str = r#"..
 This work is licensed under a Creative Commons Attribution 3.0 Unported
 License.

==========================
Per-tenant bandwidth caps
==========================

:Status: Approved
:Author: Grace Hopper

https://blueprints.launchpad.net/nova/+spec/bandwidth-caps

Problem description
===================

Tenants saturate links [#measured]_ and the scheduler cannot tell [1]_.

Proposed change
===============

+------------+-----------+----------+
| Flavor     | Limit     | Burst    |
+============+===========+==========+
| m1.small   | 100 Mbit  | 2x       |
+------------+-----------+          |
| m1.large   | 1 Gbit    |          |
+------------+-----------+----------+
| both columns spanned   | none     |
+------------------------+----------+

Data model impact
-----------------

:Table: ``instance_bandwidth``
:Columns: ``limit``, ``burst``

.. code-block:: python

   def cap(instance, limit):
       return Limit(instance.uuid, limit)

.. note:: Existing instances keep no cap until resized.

References
==========

.. [#measured] Measured on the 2024 gate.
.. [1] https://example.org/gate-report
"#;

fn built_page() -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[("specs/2025.1/approved/bandwidth-caps.rst", SPEC)],
    );
    let build = build_site(dir.path(), &Overrides::default(), dir.path()).expect("builds");
    let errors: Vec<_> = build
        .diagnostics
        .iter()
        .filter(|d| d.severity == specsite::diag::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let page = build
        .tree
        .get("specs/2025.1/approved/bandwidth-caps.html")
        .expect("page");
    String::from_utf8(page.to_vec()).expect("utf-8")
}

#[test]
fn title_comes_from_the_promoted_document_title() {
    let html = built_page();
    assert!(html.contains("<title>Per-tenant bandwidth caps"), "title");
    // The title is the page's <h1>, not repeated in the body.
    assert_eq!(html.matches("Per-tenant bandwidth caps</h1>").count(), 1);
}

#[test]
fn grid_table_spans_become_rowspan_and_colspan() {
    let html = built_page();
    assert!(html.contains("<thead>"), "header row");
    assert!(
        html.contains("rowspan=\"2\""),
        "Burst cell spans two rows: {html}"
    );
    assert!(html.contains("colspan=\"2\""), "last row spans two columns");
    assert!(html.contains("m1.large"));
}

#[test]
fn footnotes_link_both_ways() {
    let html = built_page();
    // Auto-numbered and numbered footnote references link to their notes…
    let refs = html.matches("class=\"footnote-reference").count();
    assert!(refs >= 2, "two footnote references, found {refs}");
    assert!(
        html.contains("href=\"#measured\"") || html.contains("href=\"#footnote-1\""),
        "link to the labelled note"
    );
    // …and each note links back.
    assert!(html.contains("Measured on the 2024 gate."));
    assert!(
        html.contains("backrefs") || html.contains("footnote-reference-1"),
        "back-references"
    );
}

#[test]
fn code_blocks_are_highlighted_and_admonitions_labelled() {
    let html = built_page();
    assert!(html.contains("class=\"code python"), "language class");
    assert!(html.contains("hl-"), "highlighting spans");
    assert!(html.contains("admonition note"), "note admonition");
    assert!(html.contains("Existing instances keep no cap"));
}

#[test]
fn field_lists_render_as_definition_lists() {
    let html = built_page();
    assert!(html.contains("field-list"), "field list class");
    assert!(html.contains("instance_bandwidth"));
}
