//! Where each node of the graph goes: scopes (subscriptions, resource groups)
//! on the left, the resources of each group beside it, principals on the
//! right grouped by the cluster they belong to. Large groups are cut to a few
//! nodes and a "+N more" node that stands for the rest (their edges merge into
//! it), so a subscription with thousands of identities stays readable.

use std::collections::HashMap;

use super::view::{CLUSTER_TYPE, PrincipalKind, View};

pub const ROW: i64 = 28;
pub const COL_X: [i64; 3] = [20, 360, 780];
pub const COL_W: [i64; 3] = [280, 300, 320];
/// Resources drawn per resource group (clusters first), then "+N more".
const RESOURCES_SHOWN: usize = 6;
/// Principals drawn per group, then "+N more".
const PRINCIPALS_SHOWN: usize = 12;

#[derive(Debug, Clone)]
pub struct Placed {
    /// The node's element id (`n-…`).
    pub dom: String,
    pub col: usize,
    pub y: i64,
    pub label: String,
    /// Shown under the label: what the node is.
    pub kind: String,
    /// CSS class of its kind.
    pub class: &'static str,
    /// The full resource id or object id (tooltip).
    pub title: String,
}

/// Nodes in drawing order, and where every scope key and principal object
/// id is drawn (itself, or the "+N more" node that stands for it).
#[derive(Default)]
pub struct Layout {
    pub nodes: Vec<Placed>,
    pub at: HashMap<String, usize>,
    pub height: i64,
}

impl Layout {
    fn push(&mut self, keys: &[&str], p: Placed) -> usize {
        let i = self.nodes.len();
        for k in keys {
            self.at.insert(k.to_string(), i);
        }
        self.nodes.push(p);
        i
    }
}

fn placed(col: usize, y: i64, label: &str, kind: &str, class: &'static str, title: &str) -> Placed {
    Placed {
        dom: String::new(),
        col,
        y,
        label: label.to_string(),
        kind: kind.to_string(),
        class,
        title: title.to_string(),
    }
}

pub fn lay_out(v: &View) -> Layout {
    let mut l = Layout::default();
    let left = scopes(v, &mut l);
    let right = principals(v, &mut l);
    for (i, n) in l.nodes.iter_mut().enumerate() {
        n.dom = format!("n{i}");
    }
    l.height = left.max(right) + ROW;
    l
}

/// Columns 1 and 2; returns the height used. A cluster's node resource
/// group comes right after the group of the cluster, so what a cluster owns
/// sits together.
fn scopes(v: &View, l: &mut Layout) -> i64 {
    let mut y = ROW;
    let node_groups: HashMap<&str, &str> = v
        .clusters
        .iter()
        .filter_map(|c| Some((c.node_group.as_deref()?, c.name.as_str())))
        .collect();
    let mut owned_by: HashMap<&str, Vec<&str>> = HashMap::new();
    for c in &v.clusters {
        let rg = c.key.split("/providers/").next().unwrap_or_default();
        if let Some(ng) = c.node_group.as_deref() {
            owned_by.entry(rg).or_default().push(ng);
        }
    }
    for (sub_key, sub_id) in &v.subscriptions {
        let label = sub_id.rsplit('/').next().unwrap_or(sub_id);
        l.push(
            &[sub_key],
            placed(0, y, label, "subscription", "k-sub", sub_id),
        );
        let top = resources(v, l, sub_key, y);
        y += ROW * top.max(1);
        let prefix = format!("{sub_key}/resourcegroups/");
        let groups = v.groups.range(prefix.clone()..);
        let groups = groups.take_while(|(k, _)| k.starts_with(&prefix));
        // A node resource group is drawn right after its cluster's group
        // (every cluster in the view is drawn with its group).
        for (rg_key, _) in groups.filter(|(k, _)| !node_groups.contains_key(k.as_str())) {
            y = group_row(v, l, rg_key, &node_groups, y);
            for ng in owned_by.get(rg_key.as_str()).into_iter().flatten() {
                if v.groups.contains_key(*ng) {
                    y = group_row(v, l, ng, &node_groups, y);
                }
            }
        }
        y += ROW / 2;
    }
    y
}

/// One resource group and its resources from `y`; returns the next free y.
fn group_row(
    v: &View,
    l: &mut Layout,
    rg_key: &str,
    node_groups: &HashMap<&str, &str>,
    y: i64,
) -> i64 {
    let Some((rg_id, name)) = v.groups.get(rg_key) else {
        return y;
    };
    let (kind, class) = match node_groups.get(rg_key) {
        Some(c) => (format!("node resource group of {c}"), "k-nrg"),
        None => ("resource group".to_string(), "k-rg"),
    };
    l.push(&[rg_key], placed(0, y, name, &kind, class, rg_id));
    let rows = resources(v, l, rg_key, y);
    y + ROW * rows.max(1)
}

/// The resources of one group (clusters first), from `y`; returns the rows used.
fn resources(v: &View, l: &mut Layout, group: &str, y: i64) -> i64 {
    let Some(list) = v.resources.get(group) else {
        return 0;
    };
    let mut sorted: Vec<_> = list.iter().collect();
    let is_cluster = |t: &str| t.eq_ignore_ascii_case(CLUSTER_TYPE);
    sorted.sort_by_key(|r| (!is_cluster(&r.rtype), r.name.clone()));
    let shown = sorted.len().min(RESOURCES_SHOWN);
    for (i, r) in sorted.iter().take(shown).enumerate() {
        let class = if is_cluster(&r.rtype) {
            "k-cluster"
        } else {
            "k-res"
        };
        let kind = r.rtype.split_once('/').map_or(r.rtype.as_str(), |x| x.1);
        let p = placed(1, y + ROW * i as i64, &r.name, kind, class, &r.id);
        l.push(&[&r.key], p);
    }
    if sorted.len() > shown {
        let rest = &sorted[shown..];
        let keys: Vec<&str> = rest.iter().map(|r| r.key.as_str()).collect();
        let label = format!("+{} more resources", rest.len());
        let p = placed(
            1,
            y + ROW * shown as i64,
            &label,
            "aggregated",
            "k-more",
            "",
        );
        l.push(&keys, p);
        return shown as i64 + 1;
    }
    shown as i64
}

/// Column 3; returns the height used.
fn principals(v: &View, l: &mut Layout) -> i64 {
    let mut y = ROW;
    let names: HashMap<&str, &str> = v
        .clusters
        .iter()
        .map(|c| (c.key.as_str(), c.name.as_str()))
        .collect();
    let mut start = 0;
    while start < v.principals.len() {
        let group = group_of(&v.principals[start]);
        let end = v.principals[start..]
            .iter()
            .position(|p| group_of(p) != group)
            .map_or(v.principals.len(), |n| start + n);
        let members = &v.principals[start..end];
        let shown = members.len().min(PRINCIPALS_SHOWN);
        for p in &members[..shown] {
            let kind = match &p.cluster {
                Some(c) => format!(
                    "{} identity of {}",
                    p.kind.label(),
                    names.get(c.as_str()).unwrap_or(&"")
                ),
                None => p.kind.label().to_string(),
            };
            let n = placed(2, y, &p.name, &kind, class_of(p.kind), &p.object_id);
            l.push(&[&p.object_id], n);
            y += ROW;
        }
        if members.len() > shown {
            let rest = &members[shown..];
            let keys: Vec<&str> = rest.iter().map(|p| p.object_id.as_str()).collect();
            let label = format!("+{} more {}", rest.len(), plural(rest[0].kind));
            l.push(&keys, placed(2, y, &label, "aggregated", "k-more", ""));
            y += ROW;
        }
        y += ROW / 2;
        start = end;
    }
    y
}

fn group_of(p: &super::view::PrincipalNode) -> (Option<&str>, Option<PrincipalKind>) {
    match &p.cluster {
        Some(c) => (Some(c.as_str()), None),
        None => (None, Some(p.kind)),
    }
}

fn class_of(k: PrincipalKind) -> &'static str {
    match k {
        PrincipalKind::System => "k-system",
        PrincipalKind::Kubelet => "k-kubelet",
        PrincipalKind::Addon => "k-addon",
        PrincipalKind::UserAssigned => "k-uami",
        PrincipalKind::Application => "k-app",
        PrincipalKind::User => "k-user",
    }
}

fn plural(k: PrincipalKind) -> &'static str {
    match k {
        PrincipalKind::User => "users",
        PrincipalKind::Application => "service principals",
        _ => "identities",
    }
}
