//! The graph as SVG, laid out on the server: nodes from `layout`, role
//! assignments as edges from principals to their scopes (merged where a
//! "+N more" node stands for many), clusters' ownership of their identities
//! and node resource group. Every element names the clusters it belongs to
//! (`data-k`), so selecting a cluster highlights what it owns and what its
//! identities can reach without a round trip.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::layout::{COL_W, COL_X, Layout, ROW, lay_out};
use super::page::esc;
use super::view::{State, View};

#[derive(Default)]
struct Edge {
    count: usize,
    roles: BTreeSet<String>,
    clusters: BTreeSet<usize>,
}

/// (from node, to node, class) → the edge.
type Edges = BTreeMap<(usize, usize, &'static str), Edge>;

/// The SVG and how many assignments could not be drawn (scope not visible).
pub fn render(v: &View) -> (String, usize) {
    let l = lay_out(v);
    let mut edges = Edges::new();
    let mut marks: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); l.nodes.len()];
    let hidden = assignment_edges(v, &l, &mut edges);
    ownership(v, &l, &mut edges, &mut marks);
    // An assignment edge belongs to its principal's cluster, and so does the scope it reaches.
    for ((from, to, _), e) in edges.iter_mut() {
        e.clusters.extend(marks[*from].iter().copied());
        let add: Vec<usize> = e.clusters.iter().copied().collect();
        marks[*to].extend(add);
    }
    (svg(v, &l, &edges, &marks), hidden)
}

fn assignment_edges(v: &View, l: &Layout, edges: &mut Edges) -> usize {
    let mut hidden = 0;
    for a in &v.assignments {
        let (Some(&from), Some(to)) = (l.at.get(&a.principal), scope_node(l, &a.scope)) else {
            hidden += 1;
            continue;
        };
        let class = match a.state {
            State::Effective => "e-effective",
            State::Pending(_) => "e-pending",
            State::Deleted(_) => "e-deleted",
        };
        let e = edges.entry((from, to, class)).or_default();
        e.count += 1;
        if e.roles.len() < 6 {
            e.roles.insert(a.role.clone());
        }
    }
    hidden
}

/// The node drawn for a scope: itself, or its nearest drawn ancestor.
fn scope_node(l: &Layout, key: &str) -> Option<usize> {
    let mut k = key;
    loop {
        if let Some(&i) = l.at.get(k) {
            return Some(i);
        }
        let cut = k.rfind('/').filter(|&c| c > 0)?;
        k = &k[..cut];
    }
}

fn ownership(v: &View, l: &Layout, edges: &mut Edges, marks: &mut [BTreeSet<usize>]) {
    for (ci, c) in v.clusters.iter().enumerate() {
        let Some(&cn) = l.at.get(&c.key) else {
            continue;
        };
        marks[cn].insert(ci);
        let owned = c
            .principals
            .iter()
            .filter_map(|(oid, _)| l.at.get(oid))
            .chain(c.node_group.as_ref().and_then(|g| l.at.get(g)));
        for &pn in owned {
            marks[pn].insert(ci);
            let e = edges.entry((cn, pn, "e-owns")).or_default();
            e.count += 1;
            e.clusters.insert(ci);
        }
        // What lives in its node resource group is the cluster's too (no
        // edge each: the group's one says it).
        let inside = c.node_group.as_ref().and_then(|g| v.resources.get(g));
        for r in inside.into_iter().flatten() {
            if let Some(&n) = l.at.get(&r.key) {
                marks[n].insert(ci);
            }
        }
    }
}

fn k_attr(set: &BTreeSet<usize>) -> String {
    set.iter()
        .map(|c| format!("c{c}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn svg(v: &View, l: &Layout, edges: &Edges, marks: &[BTreeSet<usize>]) -> String {
    let width = COL_X[2] + COL_W[2] + 20;
    let mut s = String::with_capacity(256 * (l.nodes.len() + edges.len()));
    let _ = write!(
        s,
        "<svg id=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{}\" viewBox=\"0 0 {width} {}\">",
        l.height, l.height
    );
    for (x, t) in [
        (COL_X[0], "Scopes"),
        (COL_X[1], "Resources"),
        (COL_X[2], "Identities and principals"),
    ] {
        let _ = write!(s, "<text class=\"colhead\" x=\"{x}\" y=\"14\">{t}</text>");
    }
    s.push_str("<g class=\"edges\">");
    for ((from, to, class), e) in edges {
        edge(&mut s, l, (*from, *to, class), e);
    }
    s.push_str("</g><g class=\"nodes\">");
    let cluster_of: BTreeMap<usize, usize> = v
        .clusters
        .iter()
        .enumerate()
        .filter_map(|(ci, c)| Some((*l.at.get(&c.key)?, ci)))
        .collect();
    for (i, n) in l.nodes.iter().enumerate() {
        let (x, w) = (COL_X[n.col], COL_W[n.col]);
        let top = n.y - ROW / 2 + 3;
        let select = match cluster_of.get(&i) {
            Some(ci) => format!(" data-c=\"c{ci}\" tabindex=\"0\""),
            None => String::new(),
        };
        let _ = write!(
            s,
            "<g class=\"node {cls}\" id=\"{dom}\" data-k=\"{k}\"{select}><title>{title}</title>\
             <rect x=\"{x}\" y=\"{top}\" width=\"{w}\" height=\"{h}\" rx=\"5\"></rect>\
             <text x=\"{tx}\" y=\"{ty}\" class=\"label\">{label}</text>\
             <text x=\"{tx}\" y=\"{ky}\" class=\"kind\">{kind}</text></g>",
            cls = n.class,
            dom = n.dom,
            k = k_attr(&marks[i]),
            title = esc(&n.title),
            h = ROW - 6,
            tx = x + 8,
            ty = n.y - 1,
            ky = n.y + 9,
            label = esc(&n.label),
            kind = esc(&n.kind),
        );
    }
    s.push_str("</g></svg>");
    s
}

fn edge(s: &mut String, l: &Layout, (from, to, class): (usize, usize, &str), e: &Edge) {
    let (a, b) = (&l.nodes[from], &l.nodes[to]);
    // Ownership runs from a cluster to its identities (rightwards) or its
    // node resource group (leftwards); assignments from a principal to a scope.
    let (x1, x2) = if class == "e-owns" && b.col > a.col {
        (COL_X[a.col] + COL_W[a.col], COL_X[b.col])
    } else {
        (COL_X[a.col], COL_X[b.col] + COL_W[b.col])
    };
    let mid = (x1 + x2) / 2;
    let roles: Vec<&str> = e.roles.iter().map(String::as_str).collect();
    let title = match class {
        "e-owns" => "owned by the cluster".to_string(),
        _ => format!(
            "{} role assignment(s) ({}): {}",
            e.count,
            class.trim_start_matches("e-"),
            roles.join(", ")
        ),
    };
    let _ = write!(
        s,
        "<path class=\"edge {class}\" data-k=\"{k}\" d=\"M{x1} {y1} C{mid} {y1} {mid} {y2} {x2} {y2}\"><title>{t}</title></path>",
        k = k_attr(&e.clusters),
        y1 = a.y,
        y2 = b.y,
        t = esc(&title),
    );
}
