//! Who a process set up by `aksemu env` or `aksemu exec` runs as: the
//! administrator (default), a host holding managed identities, a node of a
//! cluster, or a pod with workload identity.

use clap::Args;

#[derive(Args, Default)]
pub struct RunAs {
    /// Run as a host holding these user-assigned identities (resource id or
    /// clientId; repeat for several): the managed-identity endpoint answers
    /// instead of the administrator's secret.
    #[arg(long = "identity", value_name = "ID", conflicts_with_all = ["host", "node", "pod"])]
    pub identities: Vec<String>,
    /// Run on this ARM resource (a virtual machine scale set) as its host: its
    /// system-assigned identity is the default, its user-assigned ones by clientId.
    #[arg(long, value_name = "RESOURCE_ID", conflicts_with_all = ["node", "pod"])]
    pub host: Option<String>,
    /// Run on a node of this AKS cluster (name or resource id): the node pool's
    /// scale set is the host, holding the kubelet and add-on identities; the
    /// kubelet identity is the default.
    #[arg(long, value_name = "CLUSTER", conflicts_with = "pod")]
    pub node: Option<String>,
    /// Run as this pod (`<namespace>/<name>`) with workload identity: its
    /// injected environment and a token file the server keeps fresh while the
    /// pod exists.
    #[arg(long, value_name = "NS/NAME")]
    pub pod: Option<String>,
    /// With --pod: the cluster (name or uid) when several have such a pod.
    #[arg(long, value_name = "CLUSTER", requires = "pod")]
    pub cluster: Option<String>,
    /// With --pod: the container (default: the first with the injection).
    #[arg(long, value_name = "NAME", requires = "pod")]
    pub container: Option<String>,
    /// With --node: the node pool (default: the first System pool).
    #[arg(long, value_name = "NAME", requires = "node")]
    pub pool: Option<String>,
    /// With --identity, --host or --node: use the App Service protocol
    /// (IDENTITY_ENDPOINT and IDENTITY_HEADER) instead of IMDS.
    #[arg(long)]
    pub app_service: bool,
}

impl RunAs {
    /// Whether the process runs as a managed-identity host (not the
    /// administrator, not a pod).
    pub fn is_host(&self) -> bool {
        !self.identities.is_empty() || self.host.is_some() || self.node.is_some()
    }

    pub fn is_admin(&self) -> bool {
        !self.is_host() && self.pod.is_none()
    }
}
