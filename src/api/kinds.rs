//! The kinds registry: every resource podflow serves, with what discovery, routing, storage and
//! `kubectl` need to know of it (group, version, kind, plural, scope, short names, verbs,
//! categories, subresources, the etcd key prefix kube-apiserver uses).

/// One served resource (a group-version-resource with its kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceType {
    /// API group; "" for the core group.
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub list_kind: &'static str,
    /// The plural resource name used in URLs (`pods`).
    pub plural: &'static str,
    pub singular: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    pub verbs: &'static [&'static str],
    /// Subresources served under `<resource>/<sub>`.
    pub subresources: &'static [Subresource],
    /// The etcd key segment: `/registry/<storage>/<ns>/<name>` (`minions` for nodes); empty
    /// for kinds that are never stored (access reviews).
    pub storage: &'static str,
}

/// A subresource: its name and the kind it speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subresource {
    pub name: &'static str,
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub verbs: &'static [&'static str],
}

const ALL_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const NO_DELETECOLLECTION: &[&str] = &[
    "create", "delete", "get", "list", "patch", "update", "watch",
];
const READ_WRITE_STATUS: &[&str] = &["get", "patch", "update"];

pub const NAMESPACES: ResourceType = ResourceType {
    group: "",
    version: "v1",
    kind: "Namespace",
    list_kind: "NamespaceList",
    plural: "namespaces",
    singular: "namespace",
    namespaced: false,
    short_names: &["ns"],
    categories: &[],
    verbs: NO_DELETECOLLECTION,
    subresources: &[
        Subresource {
            name: "finalize",
            group: "",
            version: "v1",
            kind: "Namespace",
            verbs: &["update"],
        },
        Subresource {
            name: "status",
            group: "",
            version: "v1",
            kind: "Namespace",
            verbs: READ_WRITE_STATUS,
        },
    ],
    storage: "namespaces",
};

pub const NODES: ResourceType = ResourceType {
    group: "",
    version: "v1",
    kind: "Node",
    list_kind: "NodeList",
    plural: "nodes",
    singular: "node",
    namespaced: false,
    short_names: &["no"],
    categories: &[],
    verbs: ALL_VERBS,
    subresources: &[Subresource {
        name: "status",
        group: "",
        version: "v1",
        kind: "Node",
        verbs: READ_WRITE_STATUS,
    }],
    storage: "minions",
};

pub const PODS: ResourceType = ResourceType {
    group: "",
    version: "v1",
    kind: "Pod",
    list_kind: "PodList",
    plural: "pods",
    singular: "pod",
    namespaced: true,
    short_names: &["po"],
    categories: &["all"],
    verbs: ALL_VERBS,
    subresources: &[
        Subresource {
            name: "binding",
            group: "",
            version: "v1",
            kind: "Binding",
            verbs: &["create"],
        },
        Subresource {
            name: "eviction",
            group: "policy",
            version: "v1",
            kind: "Eviction",
            verbs: &["create"],
        },
        Subresource {
            name: "log",
            group: "",
            version: "v1",
            kind: "Pod",
            verbs: &["get"],
        },
        Subresource {
            name: "status",
            group: "",
            version: "v1",
            kind: "Pod",
            verbs: READ_WRITE_STATUS,
        },
    ],
    storage: "pods",
};

pub const EVENTS: ResourceType = ResourceType {
    group: "",
    version: "v1",
    kind: "Event",
    list_kind: "EventList",
    plural: "events",
    singular: "event",
    namespaced: true,
    short_names: &["ev"],
    categories: &[],
    verbs: ALL_VERBS,
    subresources: &[],
    storage: "events",
};

pub const SERVICE_ACCOUNTS: ResourceType = ResourceType {
    group: "",
    version: "v1",
    kind: "ServiceAccount",
    list_kind: "ServiceAccountList",
    plural: "serviceaccounts",
    singular: "serviceaccount",
    namespaced: true,
    short_names: &["sa"],
    categories: &[],
    verbs: ALL_VERBS,
    subresources: &[],
    storage: "serviceaccounts",
};

pub const CONFIG_MAPS: ResourceType = ResourceType {
    group: "",
    version: "v1",
    kind: "ConfigMap",
    list_kind: "ConfigMapList",
    plural: "configmaps",
    singular: "configmap",
    namespaced: true,
    short_names: &["cm"],
    categories: &[],
    verbs: ALL_VERBS,
    subresources: &[],
    storage: "configmaps",
};

pub const LEASES: ResourceType = ResourceType {
    group: "coordination.k8s.io",
    version: "v1",
    kind: "Lease",
    list_kind: "LeaseList",
    plural: "leases",
    singular: "lease",
    namespaced: true,
    short_names: &[],
    categories: &[],
    verbs: ALL_VERBS,
    subresources: &[],
    storage: "leases",
};

pub const DEPLOYMENTS: ResourceType = ResourceType {
    group: "apps",
    version: "v1",
    kind: "Deployment",
    list_kind: "DeploymentList",
    plural: "deployments",
    singular: "deployment",
    namespaced: true,
    short_names: &["deploy"],
    categories: &["all"],
    verbs: ALL_VERBS,
    subresources: &[
        Subresource {
            name: "scale",
            group: "autoscaling",
            version: "v1",
            kind: "Scale",
            verbs: READ_WRITE_STATUS,
        },
        Subresource {
            name: "status",
            group: "apps",
            version: "v1",
            kind: "Deployment",
            verbs: READ_WRITE_STATUS,
        },
    ],
    storage: "deployments",
};

pub const REPLICA_SETS: ResourceType = ResourceType {
    group: "apps",
    version: "v1",
    kind: "ReplicaSet",
    list_kind: "ReplicaSetList",
    plural: "replicasets",
    singular: "replicaset",
    namespaced: true,
    short_names: &["rs"],
    categories: &["all"],
    verbs: ALL_VERBS,
    subresources: &[
        Subresource {
            name: "scale",
            group: "autoscaling",
            version: "v1",
            kind: "Scale",
            verbs: READ_WRITE_STATUS,
        },
        Subresource {
            name: "status",
            group: "apps",
            version: "v1",
            kind: "ReplicaSet",
            verbs: READ_WRITE_STATUS,
        },
    ],
    storage: "replicasets",
};

pub const LIMIT_RANGES: ResourceType = ResourceType {
    group: "",
    version: "v1",
    kind: "LimitRange",
    list_kind: "LimitRangeList",
    plural: "limitranges",
    singular: "limitrange",
    namespaced: true,
    short_names: &["limits"],
    categories: &[],
    verbs: ALL_VERBS,
    subresources: &[],
    storage: "limitranges",
};

pub const RESOURCE_QUOTAS: ResourceType = ResourceType {
    group: "",
    version: "v1",
    kind: "ResourceQuota",
    list_kind: "ResourceQuotaList",
    plural: "resourcequotas",
    singular: "resourcequota",
    namespaced: true,
    short_names: &["quota"],
    categories: &[],
    verbs: ALL_VERBS,
    subresources: &[Subresource {
        name: "status",
        group: "",
        version: "v1",
        kind: "ResourceQuota",
        verbs: READ_WRITE_STATUS,
    }],
    storage: "resourcequotas",
};

const RBAC: &str = "rbac.authorization.k8s.io";

pub const ROLES: ResourceType = ResourceType {
    group: RBAC,
    version: "v1",
    kind: "Role",
    list_kind: "RoleList",
    plural: "roles",
    singular: "role",
    namespaced: true,
    short_names: &[],
    categories: &[],
    verbs: ALL_VERBS,
    subresources: &[],
    storage: "roles",
};

pub const ROLE_BINDINGS: ResourceType = ResourceType {
    group: RBAC,
    version: "v1",
    kind: "RoleBinding",
    list_kind: "RoleBindingList",
    plural: "rolebindings",
    singular: "rolebinding",
    namespaced: true,
    short_names: &[],
    categories: &[],
    verbs: ALL_VERBS,
    subresources: &[],
    storage: "rolebindings",
};

pub const CLUSTER_ROLES: ResourceType = ResourceType {
    group: RBAC,
    version: "v1",
    kind: "ClusterRole",
    list_kind: "ClusterRoleList",
    plural: "clusterroles",
    singular: "clusterrole",
    namespaced: false,
    short_names: &[],
    categories: &[],
    verbs: ALL_VERBS,
    subresources: &[],
    storage: "clusterroles",
};

pub const CLUSTER_ROLE_BINDINGS: ResourceType = ResourceType {
    group: RBAC,
    version: "v1",
    kind: "ClusterRoleBinding",
    list_kind: "ClusterRoleBindingList",
    plural: "clusterrolebindings",
    singular: "clusterrolebinding",
    namespaced: false,
    short_names: &[],
    categories: &[],
    verbs: ALL_VERBS,
    subresources: &[],
    storage: "clusterrolebindings",
};

const AUTHORIZATION: &str = "authorization.k8s.io";
const CREATE_ONLY: &[&str] = &["create"];

/// Reviews are never stored: a create asks a question and the reply carries the answer.
pub const SELF_SUBJECT_ACCESS_REVIEWS: ResourceType = ResourceType {
    group: AUTHORIZATION,
    version: "v1",
    kind: "SelfSubjectAccessReview",
    list_kind: "SelfSubjectAccessReviewList",
    plural: "selfsubjectaccessreviews",
    singular: "selfsubjectaccessreview",
    namespaced: false,
    short_names: &[],
    categories: &[],
    verbs: CREATE_ONLY,
    subresources: &[],
    storage: "",
};

pub const SELF_SUBJECT_RULES_REVIEWS: ResourceType = ResourceType {
    group: AUTHORIZATION,
    version: "v1",
    kind: "SelfSubjectRulesReview",
    list_kind: "SelfSubjectRulesReviewList",
    plural: "selfsubjectrulesreviews",
    singular: "selfsubjectrulesreview",
    namespaced: false,
    short_names: &[],
    categories: &[],
    verbs: CREATE_ONLY,
    subresources: &[],
    storage: "",
};

pub const SUBJECT_ACCESS_REVIEWS: ResourceType = ResourceType {
    group: AUTHORIZATION,
    version: "v1",
    kind: "SubjectAccessReview",
    list_kind: "SubjectAccessReviewList",
    plural: "subjectaccessreviews",
    singular: "subjectaccessreview",
    namespaced: false,
    short_names: &[],
    categories: &[],
    verbs: CREATE_ONLY,
    subresources: &[],
    storage: "",
};

pub const LOCAL_SUBJECT_ACCESS_REVIEWS: ResourceType = ResourceType {
    group: AUTHORIZATION,
    version: "v1",
    kind: "LocalSubjectAccessReview",
    list_kind: "LocalSubjectAccessReviewList",
    plural: "localsubjectaccessreviews",
    singular: "localsubjectaccessreview",
    namespaced: true,
    short_names: &[],
    categories: &[],
    verbs: CREATE_ONLY,
    subresources: &[],
    storage: "",
};

/// Every served resource, in discovery order.
pub const ALL: &[ResourceType] = &[
    CONFIG_MAPS,
    EVENTS,
    LIMIT_RANGES,
    NAMESPACES,
    NODES,
    PODS,
    RESOURCE_QUOTAS,
    SERVICE_ACCOUNTS,
    DEPLOYMENTS,
    REPLICA_SETS,
    LEASES,
    CLUSTER_ROLE_BINDINGS,
    CLUSTER_ROLES,
    ROLE_BINDINGS,
    ROLES,
    LOCAL_SUBJECT_ACCESS_REVIEWS,
    SELF_SUBJECT_ACCESS_REVIEWS,
    SELF_SUBJECT_RULES_REVIEWS,
    SUBJECT_ACCESS_REVIEWS,
];

/// The API groups served, in discovery order, with their one version each.
pub const GROUPS: &[(&str, &str)] = &[
    ("", "v1"),
    ("apps", "v1"),
    ("authorization.k8s.io", "v1"),
    ("coordination.k8s.io", "v1"),
    ("rbac.authorization.k8s.io", "v1"),
];

impl ResourceType {
    /// `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    pub fn subresource(&self, name: &str) -> Option<&'static Subresource> {
        self.subresources.iter().find(|s| s.name == name)
    }

    /// The etcd key of one object (`/registry/pods/default/web`, `/registry/minions/node-1`).
    pub fn key(&self, namespace: Option<&str>, name: &str) -> String {
        match namespace {
            Some(ns) if self.namespaced => format!("/registry/{}/{ns}/{name}", self.storage),
            _ => format!("/registry/{}/{name}", self.storage),
        }
    }

    /// The etcd prefix of a list: all namespaces, or one.
    pub fn prefix(&self, namespace: Option<&str>) -> String {
        match namespace {
            Some(ns) if self.namespaced => format!("/registry/{}/{ns}/", self.storage),
            _ => format!("/registry/{}/", self.storage),
        }
    }
}

/// The resource served at `group`/`version` under this plural name.
pub fn by_resource(group: &str, version: &str, plural: &str) -> Option<&'static ResourceType> {
    ALL.iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// The resource of a kind (`apiVersion` + `kind` of a body).
pub fn by_kind(group: &str, version: &str, kind: &str) -> Option<&'static ResourceType> {
    ALL.iter()
        .find(|r| r.group == group && r.version == version && r.kind == kind)
}

/// Splits an `apiVersion` into group and version (`apps/v1` → (`apps`, `v1`); `v1` → (``, `v1`)).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}
