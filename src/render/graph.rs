//! Graph layout and SVG, run at build time.
//!
//! Layout sits behind the [`Layout`] trait (DESIGN.md §6) so another
//! algorithm can replace it; the one here is a small layered (Sugiyama-like)
//! layout: cycles broken by DFS order, longest-path layers, a few barycenter
//! sweeps to reduce crossings, and fixed spacing. It is linear-ish in the
//! graph size, so every spec's neighbourhood SVG and the whole-corpus
//! positions in `api/graph.json` cost little. No recursion anywhere.

use std::fmt::Write as _;

use crate::link::{EdgeKind, SpecGraph};
use crate::model::{Spec, StatusScheme};

/// Node size and spacing of a layout, in SVG user units.
pub const NODE_WIDTH: f64 = 190.0;
pub const NODE_HEIGHT: f64 = 40.0;
const GAP_X: f64 = 24.0;
const GAP_Y: f64 = 56.0;

/// Positions (top-left corners) of nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct Positions {
    pub xy: Vec<(f64, f64)>,
    pub width: f64,
    pub height: f64,
}

/// A graph layout: `count` nodes, directed edges by index.
pub trait Layout {
    fn layout(&self, count: usize, edges: &[(usize, usize)]) -> Positions;
}

/// The layered layout described in the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Layered {
    /// Barycenter sweeps (each down and up).
    pub sweeps: usize,
}

impl Layout for Layered {
    fn layout(&self, count: usize, edges: &[(usize, usize)]) -> Positions {
        let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); count];
        for &(a, b) in edges {
            if a < count && b < count && a != b {
                out_edges[a].push(b);
            }
        }
        // Break cycles: drop edges to nodes still on the DFS stack.
        let mut state = vec![0u8; count]; // 0 new, 1 on stack, 2 done
        let mut acyclic: Vec<Vec<usize>> = vec![Vec::new(); count];
        for root in 0..count {
            if state[root] != 0 {
                continue;
            }
            state[root] = 1;
            let mut work = vec![(root, 0usize)];
            while let Some(&mut (node, ref mut position)) = work.last_mut() {
                if let Some(&child) = out_edges[node].get(*position) {
                    *position += 1;
                    match state[child] {
                        0 => {
                            acyclic[node].push(child);
                            state[child] = 1;
                            work.push((child, 0));
                        }
                        2 => acyclic[node].push(child),
                        _ => {}
                    }
                } else {
                    state[node] = 2;
                    work.pop();
                }
            }
        }
        // Longest-path layers in topological order (Kahn).
        let mut indegree = vec![0usize; count];
        for targets in &acyclic {
            for &t in targets {
                indegree[t] += 1;
            }
        }
        let mut queue: Vec<usize> = (0..count).filter(|&n| indegree[n] == 0).collect();
        let mut layer = vec![0usize; count];
        let mut head = 0;
        while let Some(&node) = queue.get(head) {
            head += 1;
            for &t in &acyclic[node] {
                layer[t] = layer[t].max(layer[node] + 1);
                indegree[t] -= 1;
                if indegree[t] == 0 {
                    queue.push(t);
                }
            }
        }
        let layers = layer.iter().copied().max().map_or(0, |m| m + 1);
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
        for node in 0..count {
            rows[layer[node]].push(node);
        }
        // Barycenter ordering against the neighbouring row.
        let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); count];
        for (a, targets) in acyclic.iter().enumerate() {
            for &b in targets {
                neighbours[a].push(b);
                neighbours[b].push(a);
            }
        }
        let mut position = vec![0.0f64; count];
        let set_positions = |rows: &Vec<Vec<usize>>, position: &mut Vec<f64>| {
            for row in rows {
                for (i, &n) in row.iter().enumerate() {
                    position[n] = i as f64;
                }
            }
        };
        set_positions(&rows, &mut position);
        for sweep in 0..self.sweeps.max(1) * 2 {
            let order: Vec<usize> = if sweep % 2 == 0 {
                (1..layers).collect()
            } else {
                (0..layers.saturating_sub(1)).rev().collect()
            };
            for r in order {
                let fixed = if sweep % 2 == 0 { r - 1 } else { r + 1 };
                let mut keyed: Vec<(f64, usize)> = rows[r]
                    .iter()
                    .map(|&n| {
                        let around: Vec<f64> = neighbours[n]
                            .iter()
                            .filter(|&&m| layer[m] == fixed)
                            .map(|&m| position[m])
                            .collect();
                        let key = if around.is_empty() {
                            position[n]
                        } else {
                            around.iter().sum::<f64>() / around.len() as f64
                        };
                        (key, n)
                    })
                    .collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                rows[r] = keyed.into_iter().map(|(_, n)| n).collect();
                for (i, &n) in rows[r].iter().enumerate() {
                    position[n] = i as f64;
                }
            }
        }
        let widest = rows.iter().map(Vec::len).max().unwrap_or(0) as f64;
        let width = (widest * (NODE_WIDTH + GAP_X) - GAP_X).max(NODE_WIDTH);
        let mut xy = vec![(0.0, 0.0); count];
        for (r, row) in rows.iter().enumerate() {
            let row_width = row.len() as f64 * (NODE_WIDTH + GAP_X) - GAP_X;
            let offset = (width - row_width) / 2.0;
            for (i, &n) in row.iter().enumerate() {
                xy[n] = (
                    offset + i as f64 * (NODE_WIDTH + GAP_X),
                    r as f64 * (NODE_HEIGHT + GAP_Y),
                );
            }
        }
        let height = (layers as f64 * (NODE_HEIGHT + GAP_Y) - GAP_Y).max(NODE_HEIGHT);
        Positions { xy, width, height }
    }
}

/// The whole-repository layout: each connected component laid out by
/// `inner`, biggest first, packed left to right on shelves no wider than
/// about √n nodes (a wider component gets a shelf of its own), and the
/// specs with no edge in a grid after them. One layered layout of 800
/// specs is a single row 800 nodes wide, unreadable at any zoom; packed,
/// the page opens on a roughly square picture.
#[derive(Clone, Copy, Debug, Default)]
pub struct Packed<L> {
    pub inner: L,
}

/// Connected components (ignoring direction) by union-find, each listed in
/// index order; components in order of their smallest index.
fn components(count: usize, edges: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..count).collect();
    let find = |parent: &mut Vec<usize>, mut node: usize| {
        while parent[node] != node {
            parent[node] = parent[parent[node]];
            node = parent[node];
        }
        node
    };
    for &(a, b) in edges {
        if a < count && b < count {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
    }
    let mut by_root: Vec<Vec<usize>> = vec![Vec::new(); count];
    for node in 0..count {
        let root = find(&mut parent, node);
        by_root[root].push(node);
    }
    by_root.into_iter().filter(|c| !c.is_empty()).collect()
}

impl<L: Layout> Layout for Packed<L> {
    fn layout(&self, count: usize, edges: &[(usize, usize)]) -> Positions {
        let step_x = NODE_WIDTH + GAP_X;
        let step_y = NODE_HEIGHT + GAP_Y;
        let max_width = ((count as f64).sqrt().ceil().max(4.0)) * step_x;
        let mut groups = components(count, edges);
        // Biggest components first; ties in index order (stable sort).
        groups.sort_by_key(|group| std::cmp::Reverse(group.len()));
        let mut local = vec![0usize; count];
        let mut xy = vec![(0.0, 0.0); count];
        let (mut x, mut y, mut shelf_height, mut width) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        let mut singles = Vec::new();
        for group in &groups {
            if group.len() == 1 {
                singles.extend(group.iter().copied());
                continue;
            }
            for (i, &node) in group.iter().enumerate() {
                local[node] = i;
            }
            let member = |node: usize| group.binary_search(&node).is_ok();
            let inner_edges: Vec<(usize, usize)> = edges
                .iter()
                .filter(|(a, b)| *a < count && *b < count && member(*a) && member(*b))
                .map(|&(a, b)| (local[a], local[b]))
                .collect();
            let placed = self.inner.layout(group.len(), &inner_edges);
            if x > 0.0 && x + placed.width > max_width {
                x = 0.0;
                y += shelf_height + step_y;
                shelf_height = 0.0;
            }
            for (i, &node) in group.iter().enumerate() {
                let (px, py) = placed.xy.get(i).copied().unwrap_or_default();
                xy[node] = (x + px, y + py);
            }
            x += placed.width + step_x;
            width = width.max(x - step_x);
            shelf_height = shelf_height.max(placed.height);
        }
        if !singles.is_empty() {
            if x > 0.0 {
                y += shelf_height + step_y;
            }
            let per_row = ((max_width / step_x).floor() as usize).max(1);
            for (i, &node) in singles.iter().enumerate() {
                xy[node] = (
                    (i % per_row) as f64 * step_x,
                    y + (i / per_row) as f64 * step_y,
                );
            }
            let rows = singles.len().div_ceil(per_row);
            width = width.max(singles.len().min(per_row) as f64 * step_x - GAP_X);
            shelf_height = rows as f64 * step_y - GAP_Y;
        }
        Positions {
            xy,
            width: width.max(NODE_WIDTH),
            height: (y + shelf_height).max(NODE_HEIGHT),
        }
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A title cut to fit a node.
fn short(title: &str, max: usize) -> String {
    if title.chars().count() <= max {
        return title.to_string();
    }
    let mut cut: String = title.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The most specs a neighbourhood graph shows; a hub keeps its nearest.
const MAX_NEIGHBOURHOOD: usize = 40;

/// The 1–2 hop neighbourhood of `center` as an inline SVG whose nodes link
/// to their pages (`root` leads back to the site root). `None` when the
/// spec has no edges.
pub fn neighbourhood_svg(
    graph: &SpecGraph,
    specs: &[Spec],
    center: usize,
    root: &str,
    scheme: &StatusScheme,
) -> Option<String> {
    let mut members = graph.neighbourhood(center, 1);
    if members.len() <= 1 {
        return None;
    }
    if members.len() < MAX_NEIGHBOURHOOD / 2 {
        members = graph.neighbourhood(center, 2);
    }
    members.truncate(MAX_NEIGHBOURHOOD);
    let local = |spec: usize| members.iter().position(|m| *m == spec);
    let mut edges = Vec::new();
    let mut kinds = Vec::new();
    for edge in &graph.edges {
        if let (Some(a), Some(b)) = (local(edge.source), local(edge.target)) {
            edges.push((a, b));
            kinds.push(edge.kind);
        }
    }
    let positions = Layered { sweeps: 2 }.layout(members.len(), &edges);
    let pad = 8.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="spec-graph" xmlns="http://www.w3.org/2000/svg" viewBox="{} {} {} {}" width="{}" role="group" aria-label="Specs related to this one">"#,
        -pad,
        -pad,
        positions.width + 2.0 * pad,
        positions.height + 2.0 * pad,
        positions.width + 2.0 * pad
    );
    svg.push_str(r#"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="currentColor"/></marker></defs>"#);
    for ((a, b), kind) in edges.iter().zip(&kinds) {
        let (Some(&(ax, ay)), Some(&(bx, by))) = (positions.xy.get(*a), positions.xy.get(*b))
        else {
            continue;
        };
        let (x1, x2) = (ax + NODE_WIDTH / 2.0, bx + NODE_WIDTH / 2.0);
        let (y1, y2) = if by > ay {
            (ay + NODE_HEIGHT, by)
        } else if by < ay {
            (ay, by + NODE_HEIGHT)
        } else {
            (ay + NODE_HEIGHT / 2.0, by + NODE_HEIGHT / 2.0)
        };
        let _ = write!(
            svg,
            r#"<line class="edge edge-{}" x1="{x1:.0}" y1="{y1:.0}" x2="{x2:.0}" y2="{y2:.0}" marker-end="url(#arrow)"><title>{}</title></line>"#,
            kind.key(),
            kind.key()
        );
    }
    for (local_index, &spec_index) in members.iter().enumerate() {
        let (Some(spec), Some(&(x, y))) = (specs.get(spec_index), positions.xy.get(local_index))
        else {
            continue;
        };
        let status = spec.status_key();
        let class = if spec_index == center {
            "node node-center"
        } else {
            "node"
        };
        let _ = write!(
            svg,
            r##"<a href="{}{}" class="{class}"><title>{} ({})</title><rect x="{x:.0}" y="{y:.0}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="6" fill="{}"/><text x="{:.0}" y="{:.0}" text-anchor="middle" fill="#fff">{}</text></a>"##,
            escape(root),
            escape(&spec.page_path),
            escape(&spec.title),
            escape(&scheme.label(status)),
            escape(&scheme.color(status)),
            x + NODE_WIDTH / 2.0,
            y + NODE_HEIGHT / 2.0 + 5.0,
            escape(&short(&spec.title, 26)),
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// The kinds in legend order with their labels.
pub fn edge_kinds() -> Vec<(EdgeKind, &'static str)> {
    EdgeKind::ALL
        .iter()
        .map(|k| {
            let label = match k {
                EdgeKind::Requires => "requires",
                EdgeKind::Replaces => "replaces",
                EdgeKind::SupersededBy => "superseded by",
                EdgeKind::References => "references",
            };
            (*k, label)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_gets_one_layer_per_step_and_a_cycle_still_lays_out() {
        let chain = Layered { sweeps: 2 }.layout(3, &[(0, 1), (1, 2)]);
        assert!(chain.xy[0].1 < chain.xy[1].1 && chain.xy[1].1 < chain.xy[2].1);
        let cycle = Layered { sweeps: 2 }.layout(2, &[(0, 1), (1, 0)]);
        assert_ne!(cycle.xy[0].1, cycle.xy[1].1);
    }

    #[test]
    fn siblings_share_a_row_without_overlapping() {
        let packed = Packed {
            inner: Layered { sweeps: 2 },
        }
        .layout(100, &[(0, 1), (1, 2), (50, 51)]);
        assert!(
            packed.width < 12.0 * (NODE_WIDTH + GAP_X),
            "{}",
            packed.width
        );
        assert!(
            packed.height < 15.0 * (NODE_HEIGHT + GAP_Y),
            "{}",
            packed.height
        );
        let mut corners: Vec<(i64, i64)> = packed
            .xy
            .iter()
            .map(|&(x, y)| (x as i64, y as i64))
            .collect();
        corners.sort();
        corners.dedup();
        assert_eq!(corners.len(), 100, "no two specs on one spot");
        let fan = Layered { sweeps: 2 }.layout(3, &[(0, 1), (0, 2)]);
        assert_eq!(fan.xy[1].1, fan.xy[2].1);
        assert!((fan.xy[1].0 - fan.xy[2].0).abs() >= NODE_WIDTH);
    }

    #[test]
    fn titles_are_cut_and_escaped() {
        assert_eq!(short("abcdef", 4), "abc…");
        assert_eq!(escape("<a&\"b\">"), "&lt;a&amp;&quot;b&quot;&gt;");
    }
}
