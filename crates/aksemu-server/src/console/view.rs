//! What the signed-in principal may see of the cloud, read the way ARM reads
//! for it: a resource only where it holds the resource type's read action, a
//! role assignment only where it may read role assignments, subscriptions
//! where it holds any role (as ARM lists them).

use std::collections::{BTreeMap, HashMap};

use aksemu_arm::Cloud;
use aksemu_arm::collections::{RESOURCES, ROLE_ASSIGNMENTS, SUBSCRIPTIONS};
use aksemu_arm::endpoint::RG_READ;
use aksemu_core::{ArmError, Principal, ResourceId};
use aksemu_store::store_err;

use super::names::Names;
use serde_json::Value;

const RG_TYPE: &str = "Microsoft.Resources/resourceGroups";
const IDENTITY_TYPE: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";
pub const CLUSTER_TYPE: &str = "Microsoft.ContainerService/managedClusters";
const ASSIGNMENT_READ: &str = "Microsoft.Authorization/roleAssignments/read";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalKind {
    System,
    Kubelet,
    Addon,
    UserAssigned,
    Application,
    User,
}

impl PrincipalKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::System => "system-assigned",
            Self::Kubelet => "kubelet",
            Self::Addon => "add-on",
            Self::UserAssigned => "user-assigned",
            Self::Application => "service principal",
            Self::User => "user",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PrincipalNode {
    pub object_id: String,
    pub name: String,
    pub kind: PrincipalKind,
    /// The cluster (key) whose identity this is.
    pub cluster: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Effective,
    /// Grants from this time (unix seconds): propagation.
    Pending(i64),
    /// Deleted; still grants until this time.
    Deleted(i64),
}

#[derive(Debug, Clone)]
pub struct AssignmentEdge {
    pub principal: String,
    /// Normalised key of the scope.
    pub scope: String,
    pub scope_id: String,
    pub role: String,
    pub state: State,
}

#[derive(Debug, Clone)]
pub struct ResourceNode {
    pub key: String,
    pub id: String,
    pub name: String,
    pub rtype: String,
}

#[derive(Debug, Clone)]
pub struct ClusterIdentities {
    pub key: String,
    pub name: String,
    pub node_group: Option<String>,
    /// The identities' object ids and what each is to the cluster.
    pub principals: Vec<(String, PrincipalKind)>,
}

#[derive(Default)]
pub struct View {
    /// Subscription key → its id.
    pub subscriptions: BTreeMap<String, String>,
    /// Resource group key → (id, name), in key order.
    pub groups: BTreeMap<String, (String, String)>,
    /// Resources other than identities, by resource group key.
    pub resources: BTreeMap<String, Vec<ResourceNode>>,
    pub principals: Vec<PrincipalNode>,
    pub assignments: Vec<AssignmentEdge>,
    pub clusters: Vec<ClusterIdentities>,
}

/// Everything `who` may read, as of the cloud clock.
pub async fn gather(cloud: &Cloud, who: &Principal) -> Result<View, ArmError> {
    let mut v = View::default();
    subscriptions(cloud, who, &mut v).await?;
    let mut identities: HashMap<String, (String, String)> = HashMap::new();
    for r in readable(cloud, who).await? {
        place(&mut v, &mut identities, &r.id, &r.rtype, &r.body);
    }
    groups_of_readable_resources(&mut v);
    let names = Names::try_load(cloud).await?;
    v.assignments = visible_assignments(cloud, who).await?;
    principals(&mut v, who, &identities, &names);
    Ok(v)
}

/// A resource (resource groups included) the principal may read.
pub struct Readable {
    pub id: ResourceId,
    pub rtype: String,
    pub body: Value,
}

/// Every resource `who` may read: where it holds the type's read action from
/// the catalogue, as ARM's own lists; a type nobody registered is not shown.
pub async fn readable(cloud: &Cloud, who: &Principal) -> Result<Vec<Readable>, ArmError> {
    let docs = cloud.store().list(RESOURCES, "").await.map_err(store_err)?;
    Ok(docs
        .into_iter()
        .filter_map(|d| {
            let id = ResourceId::parse(&d.id).ok()?;
            let rtype = d.body["type"].as_str().unwrap_or_default().to_string();
            let action = if rtype.eq_ignore_ascii_case(RG_TYPE) {
                Some(RG_READ)
            } else {
                cloud
                    .registry()
                    .catalogue()
                    .type_named(&rtype)
                    .map(|r| r.read)
            };
            action
                .is_some_and(|a| cloud.rbac.allows(who, a, &id))
                .then_some(Readable {
                    id,
                    rtype,
                    body: d.body,
                })
        })
        .collect())
}

async fn subscriptions(cloud: &Cloud, who: &Principal, v: &mut View) -> Result<(), ArmError> {
    let mut ids = vec![cloud.subscription_id.clone()];
    let others = cloud
        .store()
        .list(SUBSCRIPTIONS, "")
        .await
        .map_err(store_err)?;
    ids.extend(others.into_iter().filter_map(|d| {
        d.body["subscriptionId"]
            .as_str()
            .map(str::to_string)
            .or(Some(d.id))
    }));
    for s in ids {
        let id = ResourceId::subscription(&s);
        if cloud.rbac.has_access_around(who, &id) {
            v.subscriptions
                .insert(id.key().to_string(), id.as_str().to_string());
        }
    }
    Ok(())
}

/// Files one readable resource into the view.
fn place(
    v: &mut View,
    identities: &mut HashMap<String, (String, String)>,
    id: &ResourceId,
    t: &str,
    body: &Value,
) {
    let name = body["name"].as_str().unwrap_or_default().to_string();
    // Resources outside any group are filed under their subscription.
    let group = match (id.subscription_id(), id.resource_group_name()) {
        (Some(s), Some(g)) => ResourceId::resource_group(s, g).key().to_string(),
        (Some(s), None) => ResourceId::subscription(s).key().to_string(),
        _ => String::new(),
    };
    if t.eq_ignore_ascii_case(RG_TYPE) {
        v.groups
            .insert(id.key().to_string(), (id.as_str().to_string(), name));
        return;
    }
    if t.eq_ignore_ascii_case(IDENTITY_TYPE) {
        if let Some(oid) = body["properties"]["principalId"].as_str() {
            identities.insert(oid.to_lowercase(), (name, id.as_str().to_string()));
        }
        return;
    }
    if t.eq_ignore_ascii_case(CLUSTER_TYPE) {
        v.clusters.push(cluster_identities(id, &name, body));
    }
    v.resources.entry(group).or_default().push(ResourceNode {
        key: id.key().to_string(),
        id: id.as_str().to_string(),
        name,
        rtype: t.to_string(),
    });
}

/// A group the principal may not read but holds resources it may: drawn
/// by the name those resources' ids carry (as ARM's resource list shows them).
fn groups_of_readable_resources(v: &mut View) {
    for (key, list) in &v.resources {
        if v.groups.contains_key(key) || !key.contains("/resourcegroups/") {
            continue;
        }
        let Some(id) = list.first().and_then(|r| ResourceId::parse(&r.id).ok()) else {
            continue;
        };
        if let (Some(s), Some(g)) = (id.subscription_id(), id.resource_group_name()) {
            let rg = ResourceId::resource_group(s, g);
            let entry = (rg.as_str().to_string(), g.to_string());
            v.groups.insert(key.clone(), entry);
        }
    }
}

/// The identities a cluster document names, and its node resource group.
fn cluster_identities(id: &ResourceId, name: &str, body: &Value) -> ClusterIdentities {
    let props = &body["properties"];
    let mut principals = Vec::new();
    let mut push = |oid: Option<&str>, kind| {
        if let Some(o) = oid.filter(|o| !o.is_empty()) {
            principals.push((o.to_lowercase(), kind));
        }
    };
    push(
        body["identity"]["principalId"].as_str(),
        PrincipalKind::System,
    );
    let uas = body["identity"]["userAssignedIdentities"].as_object();
    for (_, ua) in uas.into_iter().flatten() {
        push(ua["principalId"].as_str(), PrincipalKind::UserAssigned);
    }
    let kubelet = &props["identityProfile"]["kubeletidentity"];
    push(kubelet["objectId"].as_str(), PrincipalKind::Kubelet);
    for (_, addon) in props["addonProfiles"].as_object().into_iter().flatten() {
        push(addon["identity"]["objectId"].as_str(), PrincipalKind::Addon);
    }
    let node_group = match (id.subscription_id(), props["nodeResourceGroup"].as_str()) {
        (Some(s), Some(g)) => Some(ResourceId::resource_group(s, g).key().to_string()),
        _ => None,
    };
    ClusterIdentities {
        key: id.key().to_string(),
        name: name.to_string(),
        node_group,
        principals,
    }
}

/// The role assignments `who` may see (where it may read role assignments,
/// and those inherited from above such a scope), with their state now.
pub async fn visible_assignments(
    cloud: &Cloud,
    who: &Principal,
) -> Result<Vec<AssignmentEdge>, ArmError> {
    let mut out = Vec::new();
    let now = cloud.clock.now().unix_timestamp();
    let docs = cloud
        .store()
        .list(ROLE_ASSIGNMENTS, "")
        .await
        .map_err(store_err)?;
    let reading = reading_scopes(cloud, who);
    for d in docs {
        let Some(a) = cloud.rbac.evaluated(&d) else {
            continue;
        };
        // Where it may read assignments, and those inherited from above
        // (`az role assignment list --include-inherited`).
        let inherited = reading.iter().any(|r| within(r, a.scope.key()));
        if !inherited && !cloud.rbac.allows(who, ASSIGNMENT_READ, &a.scope) {
            continue;
        }
        let state = match a.window {
            Some((from, _)) if from > now => State::Pending(from),
            Some((_, until)) if until != i64::MAX => State::Deleted(until),
            _ => State::Effective,
        };
        out.push(AssignmentEdge {
            principal: a.principal_id.to_lowercase(),
            scope: a.scope.key().to_string(),
            scope_id: a.scope.as_str().to_string(),
            role: cloud.rbac.role_name(&a.role_definition_id),
            state,
        });
    }
    Ok(out)
}

/// The scopes (keys) of the caller's own assignments at which it may read
/// role assignments.
fn reading_scopes(cloud: &Cloud, who: &Principal) -> Vec<String> {
    let mine: Vec<aksemu_authz::Assignment> = {
        let index = cloud.rbac.index();
        std::iter::once(&who.object_id)
            .chain(&who.groups)
            .flat_map(|id| index.of(id))
            .collect()
    };
    mine.into_iter()
        .filter(|a| cloud.rbac.allows(who, ASSIGNMENT_READ, &a.scope))
        .map(|a| a.scope.key().to_string())
        .collect()
}

/// Whether scope key `inner` is `outer` or below it.
fn within(inner: &str, outer: &str) -> bool {
    outer == "/"
        || inner == outer
        || (inner.starts_with(outer) && inner.as_bytes().get(outer.len()) == Some(&b'/'))
}

/// The principals to draw: the clusters' identities, the identities the
/// caller may read, whoever holds an assignment it may see, and itself.
fn principals(
    v: &mut View,
    who: &Principal,
    identities: &HashMap<String, (String, String)>,
    names: &Names,
) {
    let mut out: BTreeMap<String, PrincipalNode> = BTreeMap::new();
    for c in &v.clusters {
        for (oid, kind) in &c.principals {
            let kind = *kind;
            let name = identities
                .get(oid)
                .map(|(n, _)| n.clone())
                .unwrap_or_else(|| format!("{} ({})", c.name, kind.label()));
            out.insert(oid.clone(), node(oid, name, kind, Some(c.key.clone())));
        }
    }
    let mut add = |oid: &str| {
        if out.contains_key(oid) {
            return;
        }
        let name = names.name(oid).to_string();
        let n = match (identities.get(oid), names.kind(oid)) {
            (Some((name, _)), _) => node(oid, name.clone(), PrincipalKind::UserAssigned, None),
            (None, Some(aksemu_core::PrincipalKind::User)) => {
                node(oid, name, PrincipalKind::User, None)
            }
            (None, _) => node(oid, name, PrincipalKind::Application, None),
        };
        out.insert(oid.to_string(), n);
    };
    for oid in identities.keys() {
        add(oid);
    }
    for a in &v.assignments {
        add(&a.principal);
    }
    add(&who.object_id.to_lowercase());
    let mut list: Vec<PrincipalNode> = out.into_values().collect();
    list.sort_by(|a, b| {
        (a.cluster.is_none(), &a.cluster, a.kind, &a.name).cmp(&(
            b.cluster.is_none(),
            &b.cluster,
            b.kind,
            &b.name,
        ))
    });
    v.principals = list;
}

fn node(oid: &str, name: String, kind: PrincipalKind, cluster: Option<String>) -> PrincipalNode {
    PrincipalNode {
        object_id: oid.to_string(),
        name,
        kind,
        cluster,
    }
}
