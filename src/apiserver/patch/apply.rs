//! Server-side apply (`PATCH` with `application/apply-patch+yaml`, `kubectl apply
//! --server-side`): merges a manager's applied configuration into the live object as
//! kube-apiserver does (structured-merge-diff's `Updater.Apply` inside the field manager's
//! wrappers), reports conflicts with other managers, prunes what the manager stopped applying,
//! and records its ownership in `metadata.managedFields`.
//!
//! Owns the merge and prune of applied configurations, conflicts and their messages, and
//! kubectl's client-side-apply upgrade (the `last-applied-configuration` annotation). Field sets,
//! typed walks and the managedFields encoding come from `apiserver::managed_fields`.

use crate::apiserver::managed_fields::{
    self as mf, Atom, FieldSet, LAST_APPLIED_ANNOTATION, ListKind, ManagedEntry, ManagerId,
    Managers, PathElement, Ty,
};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use thiserror::Error;

/// Total size limit of an object's annotations; a last-applied annotation that would exceed
/// it is dropped rather than stored.
const MAX_ANNOTATIONS_BYTES: usize = 256 * 1024;

/// Why an apply was refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ApplyError {
    /// Fields another manager owns would change (409 Conflict, unless forced).
    #[error("{}", conflict_message(.0))]
    Conflicts(Vec<Conflict>),
    /// The request itself is wrong (400 BadRequest): another kind or version, managedFields
    /// set, items of associative lists without keys or with duplicate keys.
    #[error("{0}")]
    Invalid(String),
}

/// One field whose value the apply would change while another manager owns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    pub manager: String,
    /// `.spec.replicas`, `.spec.template.spec.containers[name="nginx"].image`
    pub field: String,
    /// The apiVersion of the owner's entry (`apps/v1`).
    pub api_version: String,
    /// `Update` or `Apply`: only Update owners are named with their apiVersion.
    pub operation: String,
    /// The owner's subresource (`status`), empty for the main resource.
    pub subresource: String,
}

impl Conflict {
    fn owner(&self) -> ManagerId {
        if self.operation == mf::OPERATION_APPLY {
            ManagerId {
                subresource: self.subresource.clone(),
                ..ManagerId::apply(&self.manager)
            }
        } else {
            ManagerId::update(&self.manager, &self.api_version, &self.subresource)
        }
    }
}

/// kube-apiserver's message for apply conflicts, e.g. `Apply failed with 1 conflict: conflict
/// with "kubectl-client-side-apply" using apps/v1: .spec.replicas`; several are grouped by
/// manager: `Apply failed with 2 conflicts: conflicts with "m" using apps/v1:\n- .spec.replicas\n- …`.
pub fn conflict_message(conflicts: &[Conflict]) -> String {
    if let [only] = conflicts {
        return format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            only.owner().describe(),
            only.field
        );
    }
    let mut groups: BTreeMap<String, (String, Vec<&str>)> = BTreeMap::new();
    for conflict in conflicts {
        let owner = conflict.owner();
        groups
            .entry(owner.identifier())
            .or_insert_with(|| (owner.describe(), Vec::new()))
            .1
            .push(&conflict.field);
    }
    let lines: Vec<String> = groups
        .values()
        .flat_map(|(owner, fields)| {
            std::iter::once(format!("conflicts with {owner}:"))
                .chain(fields.iter().map(|f| format!("- {f}")))
        })
        .collect();
    format!(
        "Apply failed with {} conflicts: {}",
        conflicts.len(),
        lines.join("\n")
    )
}

/// The `details.causes` of the conflict Status, one per field.
pub fn conflict_causes(conflicts: &[Conflict]) -> Vec<Value> {
    conflicts
        .iter()
        .map(|c| {
            json!({
                "reason": "FieldManagerConflict",
                "message": format!("conflict with {}", c.owner().describe()),
                "field": c.field,
            })
        })
        .collect()
}

/// The whole Status kube-apiserver answers a conflicting apply with (409, reason Conflict).
pub fn conflict_status(conflicts: &[Conflict]) -> Value {
    json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": conflict_message(conflicts), "reason": "Conflict",
        "details": {"causes": conflict_causes(conflicts)}, "code": 409
    })
}

/// A conflicting field before it is named for the client.
struct Owned {
    owner: ManagerId,
    api_version: String,
    path: Vec<PathElement>,
}

/// Flattens conflict sets into fields, grouped by owner in identifier order.
fn owned_fields(conflicts: Vec<(ManagerId, ManagedEntry)>) -> Vec<Owned> {
    let mut conflicts = conflicts;
    conflicts.sort_by_cached_key(|(id, _)| id.identifier());
    conflicts
        .into_iter()
        .flat_map(|(owner, entry)| {
            entry.set.paths().into_iter().map(move |path| Owned {
                owner: owner.clone(),
                api_version: entry.api_version.clone(),
                path,
            })
        })
        .collect()
}

fn to_conflicts(owned: &[Owned]) -> Vec<Conflict> {
    owned
        .iter()
        .map(|o| Conflict {
            manager: o.owner.manager.clone(),
            field: mf::path_string(&o.path),
            api_version: o.api_version.clone(),
            operation: o.owner.operation.clone(),
            subresource: o.owner.subresource.clone(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Merge and removal (structured-merge-diff's `Merge` and `RemoveItems`).

/// Merges `rhs` (the applied configuration) into `lhs` (live): leaves and atomic values from
/// `rhs` win, maps and structs merge key by key, associative lists item by item.
fn merge(lhs: Option<&Value>, rhs: Option<&Value>, ty: Ty<'_>) -> Option<Value> {
    let leaf = || rhs.or(lhs).cloned();
    let both_empty = mf::empty_or_null(lhs) && mf::empty_or_null(rhs);
    match ty.atom(&[lhs, rhs]) {
        Atom::Scalar
        | Atom::List {
            kind: ListKind::Atomic,
            ..
        }
        | Atom::Map { atomic: true, .. } => leaf(),
        _ if both_empty => leaf(),
        Atom::List { elem, kind } => {
            match (
                mf::index_items(&kind, elem, mf::list_items(lhs)),
                mf::index_items(&kind, elem, mf::list_items(rhs)),
            ) {
                (Ok(left), Ok(right)) => merge_list(&left, &right, elem),
                // A live list whose items cannot be keyed (duplicates) is replaced as a whole.
                _ => leaf(),
            }
        }
        atom @ Atom::Map { .. } => {
            let left = lhs.and_then(Value::as_object);
            let right = rhs.and_then(Value::as_object);
            let mut out = Map::new();
            for key in left
                .iter()
                .flat_map(|m| m.keys())
                .chain(right.iter().flat_map(|m| m.keys()))
            {
                if out.contains_key(key) {
                    continue;
                }
                let merged = merge(
                    left.and_then(|m| m.get(key)),
                    right.and_then(|m| m.get(key)),
                    atom.field(key),
                );
                if let Some(merged) = merged {
                    out.insert(key.clone(), merged);
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
    }
}

/// Merges associative list items, keeping live items in place and placing applied ones in the
/// applied order around the items both share (structured-merge-diff's `visitListItems`).
fn merge_list(
    left: &[(PathElement, &Value)],
    right: &[(PathElement, &Value)],
    elem: Ty<'_>,
) -> Option<Value> {
    let left_items: BTreeMap<&PathElement, &Value> = left.iter().map(|(pe, v)| (pe, *v)).collect();
    let right_items: BTreeMap<&PathElement, &Value> =
        right.iter().map(|(pe, v)| (pe, *v)).collect();
    let mut shared = right
        .iter()
        .map(|(pe, _)| pe)
        .filter(|pe| left_items.contains_key(pe));
    let mut next_shared = shared.next();
    let mut out = Vec::new();
    let (mut li, mut ri) = (0, 0);
    while li < left.len() || ri < right.len() {
        if li < left.len() && ri < right.len() {
            let pe = &left[li].0;
            if *pe == right[ri].0 {
                out.extend(merge(Some(left[li].1), Some(right[ri].1), elem));
                li += 1;
                ri += 1;
                next_shared = shared.next();
                continue;
            }
            if right_items.contains_key(pe) && next_shared.is_some_and(|n| n != pe) {
                // Shared, but not the next one the applied order wants: placed later.
                li += 1;
                continue;
            }
        }
        if li < left.len() && !right_items.contains_key(&left[li].0) {
            out.extend(merge(Some(left[li].1), None, elem));
            li += 1;
            continue;
        }
        if ri < right.len() {
            let pe = &right[ri].0;
            out.extend(merge(left_items.get(pe).copied(), Some(right[ri].1), elem));
            ri += 1;
            if next_shared == Some(pe) {
                next_shared = shared.next();
            }
            continue;
        }
        // Unreachable with well-formed inputs; guarantees progress regardless.
        li += 1;
    }
    (!out.is_empty()).then_some(Value::Array(out))
}

/// `value` without the fields and items in `remove`. Containers left empty become null, as in
/// structured-merge-diff (nulls are dropped before the object is stored).
fn remove_items(value: &Value, remove: &FieldSet, ty: Ty<'_>) -> Value {
    match ty.atom(&[Some(value)]) {
        Atom::Scalar => value.clone(),
        Atom::List { elem, kind } => {
            let Some(items) = value.as_array().filter(|items| !items.is_empty()) else {
                return Value::Null;
            };
            if matches!(kind, ListKind::Atomic) {
                return Value::Null;
            }
            // Unkeyable live lists are left alone: they are owned as a whole.
            let Ok(indexed) = mf::index_items(&kind, elem, items) else {
                return value.clone();
            };
            let kept: Vec<Value> = indexed
                .into_iter()
                .filter(|(pe, _)| !remove.has(std::slice::from_ref(pe)))
                .map(
                    |(pe, item)| match remove.with_prefix(&pe).filter(|sub| !sub.is_empty()) {
                        Some(sub) => remove_items(item, sub, elem),
                        None => item.clone(),
                    },
                )
                .collect();
            if kept.is_empty() {
                Value::Null
            } else {
                Value::Array(kept)
            }
        }
        atom @ Atom::Map { .. } => {
            let Some(map) = value.as_object().filter(|map| !map.is_empty()) else {
                return Value::Null;
            };
            if matches!(atom, Atom::Map { atomic: true, .. }) {
                return Value::Null;
            }
            let mut kept = Map::new();
            for (key, child) in map {
                let pe = PathElement::Field(key.clone());
                if remove.has(std::slice::from_ref(&pe)) {
                    continue;
                }
                let child = match remove.with_prefix(&pe).filter(|sub| !sub.is_empty()) {
                    Some(sub) => remove_items(child, sub, atom.field(key)),
                    None => child.clone(),
                };
                kept.insert(key.clone(), child);
            }
            if kept.is_empty() {
                Value::Null
            } else {
                Value::Object(kept)
            }
        }
    }
}

/// Removes what `manager` applied last time but not this time, unless someone else (another
/// manager, or this apply) owns it (structured-merge-diff's `prune`, `addBackOwnedItems`,
/// `addBackDanglingItems`).
fn prune(merged: Value, managers: &Managers, last_set: Option<&FieldSet>, root: Ty<'_>) -> Value {
    let Some(last_set) = last_set.filter(|s| !s.is_empty()) else {
        return merged;
    };
    let named = |set: &FieldSet| mf::ensure_named_fields_are_members(set, root);
    let last = named(last_set);
    let pruned = remove_items(&merged, &last, root);

    let managed = managers
        .values()
        .fold(FieldSet::new(), |all, entry| all.union(&entry.set));
    let merged_set = named(&mf::to_field_set(&merged, root));
    let pruned_set = named(&mf::to_field_set(&pruned, root));
    let pruned = remove_items(
        &merged,
        &merged_set.difference(&pruned_set.union(&named(&managed))),
        root,
    );

    let pruned_set = named(&mf::to_field_set(&pruned, root));
    remove_items(
        &merged,
        &merged_set.difference(&pruned_set).intersection(&last),
        root,
    )
}

/// Drops null fields and items, as storing the object through Go types does.
fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => {
            items.retain(|v| !v.is_null());
            items.iter_mut().for_each(strip_nulls);
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// The apply.

struct ApplyRequest<'a, 's> {
    root: Ty<'s>,
    applied: &'a Value,
    applied_set: FieldSet,
    live: &'a Value,
    id: &'a ManagerId,
    version: &'a str,
    ignored: &'a FieldSet,
}

impl ApplyRequest<'_, '_> {
    /// One run of structured-merge-diff's `Updater.Apply` with the field manager's meta
    /// stripping. `Ok((None, _))` means the object is unchanged.
    #[allow(clippy::type_complexity)]
    fn run(
        &self,
        mut managers: Managers,
        force: bool,
    ) -> Result<(Option<Value>, Managers), Vec<(ManagerId, ManagedEntry)>> {
        let merged = merge(Some(self.live), Some(self.applied), self.root)
            .unwrap_or_else(|| Value::Object(Map::new()));
        let last_set = managers.get(self.id).map(|entry| entry.set.clone());
        let time = managers.get(self.id).and_then(|entry| entry.time.clone());
        let entry = ManagedEntry {
            set: self.applied_set.clone(),
            api_version: self.version.to_string(),
            applied: true,
            time,
        };
        managers.insert(self.id.clone(), entry);
        let mut new = prune(merged, &managers, last_set.as_ref(), self.root);
        // The strategy keeps what this request may not change (status through the main
        // resource), whatever the configuration said.
        if let Value::Object(object) = &mut new {
            for reset in self.ignored.paths() {
                let [PathElement::Field(name)] = reset.as_slice() else {
                    continue;
                };
                match self.live.get(name) {
                    Some(kept) => object.insert(name.clone(), kept.clone()),
                    None => object.remove(name),
                };
            }
        }
        mf::update_managers(
            self.live,
            &new,
            &mut managers,
            self.id,
            force,
            self.ignored,
            self.root,
        )?;
        mf::strip_meta(&mut managers, self.id);
        strip_nulls(&mut new);
        // Nulls a stored object kept (`creationTimestamp: null`) do not make an apply a change.
        let mut live = self.live.clone();
        strip_nulls(&mut live);
        let changed = !mf::values_equal(&live, &new);
        Ok((changed.then_some(new), managers))
    }
}

/// The fields kubectl's client-side apply recorded in the `last-applied-configuration`
/// annotation that still hold their applied value: conflicts on those are not reported when
/// `kubectl` takes an object over with server-side apply (the field manager's
/// `lastAppliedManager`).
fn allowed_by_last_applied(live: &Value, version: &str, root: Ty<'_>) -> Option<FieldSet> {
    let text = live
        .pointer("/metadata/annotations")?
        .get(LAST_APPLIED_ANNOTATION)?
        .as_str()
        .filter(|s| !s.is_empty())?;
    let last_applied: Value = serde_json::from_str(text).ok()?;
    if last_applied.get("apiVersion").and_then(Value::as_str) != Some(version)
        || !mf::validate(&last_applied, root).is_empty()
    {
        return None;
    }
    let comparison = mf::compare(&last_applied, live, root);
    Some(
        mf::to_field_set(&last_applied, root)
            .difference(&comparison.modified)
            .difference(&comparison.added)
            .difference(&comparison.removed),
    )
}

/// Keeps kubectl's `last-applied-configuration` annotation in step when `kubectl` applies
/// server-side to an object that has one, so a later client-side apply still works (the field
/// manager's `lastAppliedUpdater`).
fn sync_last_applied(object: &mut Value, applied: &Value) {
    let has_annotation = object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(LAST_APPLIED_ANNOTATION))
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty());
    if !has_annotation {
        return;
    }
    let mut config = applied.clone();
    if let Some(Value::Object(annotations)) = config.pointer_mut("/metadata/annotations") {
        annotations.remove(LAST_APPLIED_ANNOTATION);
    }
    let mut text = mf::go_json(&config);
    text.push('\n');
    let Some(Value::Object(annotations)) = object.pointer_mut("/metadata/annotations") else {
        return;
    };
    annotations.insert(LAST_APPLIED_ANNOTATION.to_string(), Value::String(text));
    let size: usize = annotations
        .iter()
        .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
        .sum();
    if size > MAX_ANNOTATIONS_BYTES {
        annotations.remove(LAST_APPLIED_ANNOTATION);
    }
}

fn group_version_kind(object: &Value) -> (String, String) {
    let text = |key: &str| {
        object
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (text("apiVersion"), text("kind"))
}

/// How Go prints a GroupVersionKind: `apps/v1, Kind=Deployment`, `/v1, Kind=Pod`.
fn gvk_string(api_version: &str, kind: &str) -> String {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    format!("{group}/{version}, Kind={kind}")
}

/// Whether `applied` names the kind the endpoint serves: one of the schema's
/// group-version-kinds, else the live object's (unknown: accepted).
fn is_expected_kind(applied: &(String, String), live: Option<&Value>, schema: &Value) -> bool {
    if let Some(gvks) = schema
        .get("x-kubernetes-group-version-kind")
        .and_then(Value::as_array)
    {
        return gvks.iter().any(|gvk| {
            let text = |key: &str| gvk.get(key).and_then(Value::as_str).unwrap_or("");
            let api_version = match text("group") {
                "" => text("version").to_string(),
                group => format!("{group}/{}", text("version")),
            };
            applied.0 == api_version && applied.1 == text("kind")
        });
    }
    match live.map(group_version_kind) {
        Some(live) if !live.0.is_empty() && !live.1.is_empty() => live == *applied,
        _ => true,
    }
}

/// Server-side apply of `applied` (the user's config, already parsed from YAML to JSON) by
/// `manager` onto `live` (None → create). Returns the new object with `metadata.managedFields`
/// updated (operation "Apply"), or the conflicts. `schema` is the kind's OpenAPI definition
/// (`Schema::for_kind`), or `Value::Null` to deduce types from the values.
///
/// The result is `live` itself (with its managedFields) when the apply changes nothing; its
/// `status` is always live's, as the strategy would keep it. Callers default and validate the
/// result as for any write.
pub fn server_side_apply(
    live: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
    time: &str,
    schema: &Value,
) -> Result<Value, ApplyError> {
    if manager.is_empty() {
        return Err(ApplyError::Invalid(
            "PATCH requests must include fieldManager for server-side apply".to_string(),
        ));
    }
    if !applied.is_object() {
        return Err(ApplyError::Invalid(
            "error decoding YAML: the applied configuration must be an object".to_string(),
        ));
    }
    let gvk = group_version_kind(applied);
    if !is_expected_kind(&gvk, live, schema) {
        return Err(ApplyError::Invalid(format!(
            "invalid object type: {}",
            gvk_string(&gvk.0, &gvk.1)
        )));
    }
    if applied
        .pointer("/metadata/managedFields")
        .is_some_and(Value::is_array)
    {
        return Err(ApplyError::Invalid(
            "metadata.managedFields must be nil".to_string(),
        ));
    }
    let (api_version, kind) = gvk;
    let root = Ty::root(schema);
    let errors = mf::validate(applied, root);
    if !errors.is_empty() {
        let text = |pointer: &str| {
            applied
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        return Err(ApplyError::Invalid(format!(
            "failed to create typed patch object ({}/{}; {}): {}",
            text("/metadata/namespace"),
            text("/metadata/name"),
            gvk_string(&api_version, &kind),
            mf::join_errors(&errors)
        )));
    }
    let managers = match live {
        Some(live) => mf::decode_managed_fields(live.pointer("/metadata/managedFields"))
            .map_err(|e| ApplyError::Invalid(format!("failed to decode managed fields: {e}")))?,
        None => Managers::new(),
    };
    let live_object = live.map_or_else(|| Value::Object(Map::new()), mf::without_managed_fields);
    let id = ManagerId::apply(manager);
    let ignored = mf::reset_fields(root, "");
    let request = ApplyRequest {
        root,
        applied,
        applied_set: mf::to_field_set(applied, root).recursive_difference(&ignored),
        live: &live_object,
        id: &id,
        version: &api_version,
        ignored: &ignored,
    };

    let (changed, mut managers) = match request.run(managers.clone(), force) {
        Ok(outcome) => outcome,
        Err(conflicts) => {
            let owned = owned_fields(conflicts);
            // kubectl taking over from its own client-side apply: fields the annotation shows it
            // applied are not conflicts.
            let allowed = (manager == "kubectl")
                .then(|| allowed_by_last_applied(&live_object, &api_version, root))
                .flatten();
            let Some(allowed) = allowed else {
                return Err(ApplyError::Conflicts(to_conflicts(&owned)));
            };
            let remaining: Vec<Owned> = owned
                .into_iter()
                .filter(|o| !allowed.has(&o.path))
                .collect();
            if !remaining.is_empty() {
                return Err(ApplyError::Conflicts(to_conflicts(&remaining)));
            }
            request
                .run(managers, true)
                .map_err(|c| ApplyError::Conflicts(to_conflicts(&owned_fields(c))))?
        }
    };
    let mut object = match changed {
        Some(new) => {
            if let Some(entry) = managers.get_mut(&id) {
                entry.time = Some(time.to_string());
            }
            new
        }
        None => {
            // A first apply that changes nothing still gets a time (kube-apiserver leaves it
            // out: kubernetes/kubernetes#127938).
            if let Some(entry) = managers.get_mut(&id).filter(|entry| entry.time.is_none()) {
                entry.time = Some(time.to_string());
            }
            live_object.clone()
        }
    };
    if manager == "kubectl" {
        sync_last_applied(&mut object, applied);
    }
    mf::set_managed_fields(&mut object, &managers);
    Ok(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::schema::Schema;

    const T0: &str = "2026-11-23T00:43:19Z";
    const T1: &str = "2026-11-23T00:50:00Z";
    const T2: &str = "2026-11-23T01:00:00Z";

    fn deployment_schema() -> &'static Value {
        Schema::get()
            .for_kind("apps", "v1", "Deployment")
            .map(|(_, d)| d)
            .expect("schema")
    }

    fn config(image: &str) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "nginx", "image": image}]}
                }
            }
        })
    }

    fn apply(
        live: Option<&Value>,
        applied: &Value,
        manager: &str,
        force: bool,
        time: &str,
    ) -> Result<Value, ApplyError> {
        server_side_apply(live, applied, manager, force, time, deployment_schema())
    }

    fn entry<'a>(object: &'a Value, manager: &str) -> Option<&'a Value> {
        object
            .pointer("/metadata/managedFields")?
            .as_array()?
            .iter()
            .find(|e| e["manager"] == manager)
    }

    fn fields<'a>(object: &'a Value, manager: &str) -> &'a Value {
        &entry(object, manager).expect("manager entry")["fieldsV1"]
    }

    #[test]
    fn apply_creates_the_object_and_records_the_applier() {
        let created = apply(None, &config("nginx:1.27"), "kubectl", false, T0).expect("created");
        assert_eq!(
            created["spec"]["template"]["spec"]["containers"][0]["image"],
            "nginx:1.27"
        );
        let list = created["metadata"]["managedFields"]
            .as_array()
            .expect("managedFields");
        assert_eq!(list.len(), 1);
        assert_eq!(
            list[0],
            json!({
                "manager": "kubectl", "operation": "Apply", "apiVersion": "apps/v1", "time": T0, "fieldsType": "FieldsV1",
                "fieldsV1": {
                    "f:metadata": {"f:labels": {"f:app": {}}},
                    "f:spec": {
                        "f:replicas": {}, "f:selector": {},
                        "f:template": {
                            "f:metadata": {"f:labels": {"f:app": {}}},
                            "f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {".": {}, "f:image": {}, "f:name": {}}}}
                        }
                    }
                }
            })
        );
        assert!(created.get("status").is_none());
    }

    #[test]
    fn reapplying_the_same_config_changes_nothing() {
        let created = apply(None, &config("nginx:1.27"), "kubectl", false, T0).expect("created");
        let again =
            apply(Some(&created), &config("nginx:1.27"), "kubectl", false, T1).expect("applied");
        assert_eq!(again, created);
    }

    #[test]
    fn changing_the_image_updates_the_value_and_the_time() {
        let created = apply(None, &config("nginx:1.27"), "kubectl", false, T0).expect("created");
        let updated =
            apply(Some(&created), &config("nginx:1.28"), "kubectl", false, T1).expect("applied");
        assert_eq!(
            updated["spec"]["template"]["spec"]["containers"][0]["image"],
            "nginx:1.28"
        );
        assert_eq!(entry(&updated, "kubectl").expect("entry")["time"], T1);
        assert_eq!(fields(&updated, "kubectl"), fields(&created, "kubectl"));
    }

    #[test]
    fn a_field_only_this_manager_applied_disappears_when_dropped() {
        let mut first = config("nginx:1.27");
        first["metadata"]["labels"]["tier"] = json!("front");
        first["spec"]["template"]["spec"]["containers"][0]["args"] = json!(["-g", "daemon off;"]);
        let created = apply(None, &first, "kubectl", false, T0).expect("created");
        assert_eq!(created["metadata"]["labels"]["tier"], "front");
        let second = config("nginx:1.27");
        let applied = apply(Some(&created), &second, "kubectl", false, T1).expect("applied");
        assert!(applied["metadata"]["labels"].get("tier").is_none());
        assert!(
            applied["spec"]["template"]["spec"]["containers"][0]
                .get("args")
                .is_none()
        );
        assert!(
            fields(&applied, "kubectl")["f:metadata"]["f:labels"]
                .get("f:tier")
                .is_none()
        );
        // Dropping replicas removes it too (defaulting would then put 1 back).
        let mut third = config("nginx:1.27");
        third["spec"]
            .as_object_mut()
            .expect("spec")
            .remove("replicas");
        let applied = apply(Some(&applied), &third, "kubectl", false, T2).expect("applied");
        assert!(applied["spec"].get("replicas").is_none());
    }

    #[test]
    fn a_dropped_field_another_manager_owns_stays() {
        let created = apply(None, &config("nginx:1.27"), "kubectl", false, T0).expect("created");
        // Another applier applies the same label: both own it, no conflict.
        let other = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}}});
        let shared = apply(Some(&created), &other, "team-b", false, T1).expect("shared");
        assert_eq!(
            fields(&shared, "team-b"),
            &json!({"f:metadata": {"f:labels": {"f:app": {}}}})
        );
        assert_eq!(entry(&shared, "team-b").expect("entry")["time"], T1);
        let mut without = config("nginx:1.27");
        without["metadata"]
            .as_object_mut()
            .expect("metadata")
            .remove("labels");
        let applied = apply(Some(&shared), &without, "kubectl", false, T2).expect("applied");
        assert_eq!(applied["metadata"]["labels"]["app"], "web");
        assert!(
            fields(&applied, "kubectl")["f:metadata"]
                .get("f:labels")
                .is_none()
        );
    }

    fn client_side_applied() -> Value {
        let mut live = config("nginx:1.27");
        crate::apiserver::managed_fields::record_update(
            None,
            &mut live,
            "kubectl-client-side-apply",
            "apps/v1",
            None,
            T0,
            deployment_schema(),
        );
        live
    }

    #[test]
    fn changing_a_field_another_manager_owns_conflicts_unless_forced() {
        let live = client_side_applied();
        let mut scaled = config("nginx:1.27");
        scaled["spec"]["replicas"] = json!(5);
        let error = apply(Some(&live), &scaled, "kubectl", false, T1).expect_err("conflict");
        let ApplyError::Conflicts(conflicts) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(
            conflicts,
            &vec![Conflict {
                manager: "kubectl-client-side-apply".into(),
                field: ".spec.replicas".into(),
                api_version: "apps/v1".into(),
                operation: "Update".into(),
                subresource: String::new(),
            }]
        );
        assert_eq!(
            error.to_string(),
            "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas"
        );
        assert_eq!(
            conflict_causes(conflicts),
            vec![
                json!({"reason": "FieldManagerConflict", "message": "conflict with \"kubectl-client-side-apply\" using apps/v1", "field": ".spec.replicas"})
            ]
        );
        assert_eq!(conflict_status(conflicts)["code"], 409);

        let forced = apply(Some(&live), &scaled, "kubectl", true, T1).expect("forced");
        assert_eq!(forced["spec"]["replicas"], 5);
        assert!(
            fields(&forced, "kubectl-client-side-apply")["f:spec"]
                .get("f:replicas")
                .is_none()
        );
        assert_eq!(
            fields(&forced, "kubectl")["f:spec"]["f:replicas"],
            json!({})
        );
        let order: Vec<&str> = forced["metadata"]["managedFields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["manager"].as_str())
            .collect();
        assert_eq!(
            order,
            ["kubectl", "kubectl-client-side-apply"],
            "Apply entries sort first"
        );
    }

    #[test]
    fn same_values_are_shared_not_conflicting() {
        let live = client_side_applied();
        let applied =
            apply(Some(&live), &config("nginx:1.27"), "kubectl", false, T1).expect("no conflict");
        assert_eq!(applied["spec"], live["spec"]);
        assert_eq!(
            fields(&applied, "kubectl")["f:spec"]["f:replicas"],
            json!({})
        );
        assert_eq!(
            fields(&applied, "kubectl-client-side-apply")["f:spec"]["f:replicas"],
            json!({})
        );
    }

    #[test]
    fn several_conflicts_are_grouped_by_manager() {
        let live = client_side_applied();
        let mut changed = config("nginx:1.28");
        changed["spec"]["replicas"] = json!(5);
        let Err(ApplyError::Conflicts(conflicts)) = apply(Some(&live), &changed, "ci", false, T1)
        else {
            panic!("expected conflicts")
        };
        assert_eq!(
            conflict_message(&conflicts),
            "Apply failed with 2 conflicts: conflicts with \"kubectl-client-side-apply\" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name=\"nginx\"].image"
        );
    }

    #[test]
    fn kubectl_takes_over_fields_its_client_side_apply_recorded() {
        let mut live = config("nginx:1.27");
        live["metadata"]["annotations"] =
            json!({LAST_APPLIED_ANNOTATION: mf::go_json(&config("nginx:1.27")) + "\n"});
        crate::apiserver::managed_fields::record_update(
            None,
            &mut live,
            "kubectl-client-side-apply",
            "apps/v1",
            None,
            T0,
            deployment_schema(),
        );
        let mut scaled = config("nginx:1.27");
        scaled["spec"]["replicas"] = json!(5);
        let applied =
            apply(Some(&live), &scaled, "kubectl", false, T1).expect("no conflict for kubectl");
        assert_eq!(applied["spec"]["replicas"], 5);
        let annotation = applied["metadata"]["annotations"][LAST_APPLIED_ANNOTATION]
            .as_str()
            .expect("annotation");
        assert_eq!(annotation, mf::go_json(&scaled) + "\n");
        // Another manager name gets the conflict.
        assert!(matches!(
            apply(Some(&live), &scaled, "helm", false, T1),
            Err(ApplyError::Conflicts(_))
        ));
    }

    #[test]
    fn lists_merge_by_their_semantics() {
        let created = apply(None, &config("nginx:1.27"), "kubectl", false, T0).expect("created");
        // A sidecar applied by another manager joins the keyed list; kubectl's container stays.
        let sidecar = json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"template": {"spec": {"containers": [{"name": "proxy", "image": "envoy", "ports": [{"containerPort": 9901}]}]}}}
        });
        let both = apply(Some(&created), &sidecar, "mesh", false, T1).expect("sidecar");
        let containers = both["spec"]["template"]["spec"]["containers"]
            .as_array()
            .expect("containers");
        let names: Vec<&str> = containers
            .iter()
            .filter_map(|c| c["name"].as_str())
            .collect();
        assert_eq!(names, ["nginx", "proxy"]);
        assert!(fields(&both, "mesh")["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"proxy\"}"]["f:ports"]
            .get("k:{\"containerPort\":9901,\"protocol\":\"TCP\"}")
            .is_some());
        // Re-applying kubectl's config (which never had the sidecar) keeps it: not kubectl's.
        let again =
            apply(Some(&both), &config("nginx:1.28"), "kubectl", false, T2).expect("applied");
        assert_eq!(
            again["spec"]["template"]["spec"]["containers"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );

        // Sets are unions, atomic lists are replaced.
        let pod_schema = Schema::get()
            .for_kind("", "v1", "Pod")
            .map(|(_, d)| d)
            .expect("pod");
        let pod = |finalizers: Value, args: Value| {
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "finalizers": finalizers},
                   "spec": {"containers": [{"name": "c", "image": "i", "args": args}]}})
        };
        let live = server_side_apply(
            None,
            &pod(json!(["a"]), json!(["x", "y"])),
            "one",
            false,
            T0,
            pod_schema,
        )
        .expect("pod");
        let merged = server_side_apply(
            Some(&live),
            &pod(json!(["b"]), json!(["z"])),
            "two",
            true,
            T1,
            pod_schema,
        )
        .expect("merged");
        assert_eq!(merged["metadata"]["finalizers"], json!(["a", "b"]));
        assert_eq!(merged["spec"]["containers"][0]["args"], json!(["z"]));
        assert_eq!(
            fields(&merged, "two")["f:metadata"]["f:finalizers"],
            json!({"v:\"b\"": {}})
        );
    }

    #[test]
    fn applied_items_follow_the_applied_order_around_live_ones() {
        let item = |name: &str| json!({"name": name, "image": name});
        let live = [item("a"), item("b"), item("c")];
        let applied = [item("c"), item("a")];
        let list = ["spec", "template", "spec", "containers"]
            .iter()
            .fold(Ty::root(deployment_schema()), |ty, name| {
                ty.atom(&[]).field(name)
            });
        let merged = merge(Some(&json!(live)), Some(&json!(applied)), list).expect("merged");
        let names: Vec<&str> = merged
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["name"].as_str())
            .collect();
        // As structured-merge-diff orders them: live-only items stay, shared ones take the
        // applied order.
        assert_eq!(names, ["b", "c", "a"]);
    }

    #[test]
    fn unknown_kinds_are_applied_with_deduced_types() {
        let live = server_side_apply(None, &json!({"apiVersion": "x/v1", "kind": "Thing", "metadata": {"name": "t"}, "spec": {"a": 1, "list": [1, 2]}}), "one", false, T0, &Value::Null)
            .expect("created");
        // Deduced maps own their keys, so `spec` itself is owned too.
        assert_eq!(
            fields(&live, "one"),
            &json!({"f:spec": {".": {}, "f:a": {}, "f:list": {}}})
        );
        let next = server_side_apply(Some(&live), &json!({"apiVersion": "x/v1", "kind": "Thing", "metadata": {"name": "t"}, "spec": {"b": 2}}), "one", false, T1, &Value::Null)
            .expect("applied");
        assert_eq!(next["spec"], json!({"b": 2}));
    }

    #[test]
    fn requests_that_cannot_be_applied_are_invalid() {
        let mut pod = config("nginx:1.27");
        pod["kind"] = json!("Pod");
        pod["apiVersion"] = json!("v1");
        assert_eq!(
            apply(None, &pod, "kubectl", false, T0),
            Err(ApplyError::Invalid(
                "invalid object type: /v1, Kind=Pod".into()
            ))
        );
        let mut with_fields = config("nginx:1.27");
        with_fields["metadata"]["managedFields"] = json!([]);
        assert_eq!(
            apply(None, &with_fields, "kubectl", false, T0),
            Err(ApplyError::Invalid(
                "metadata.managedFields must be nil".into()
            ))
        );
        let mut duplicated = config("nginx:1.27");
        duplicated["spec"]["template"]["spec"]["containers"] =
            json!([{"name": "a", "image": "x"}, {"name": "a", "image": "y"}]);
        assert_eq!(
            apply(None, &duplicated, "kubectl", false, T0),
            Err(ApplyError::Invalid(
                "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name=\"a\"]".into()
            ))
        );
        let mut keyless = config("nginx:1.27");
        keyless["spec"]["template"]["spec"]["containers"] = json!([{"image": "x"}]);
        let Err(ApplyError::Invalid(message)) = apply(None, &keyless, "kubectl", false, T0) else {
            panic!("invalid")
        };
        assert!(message.ends_with(".spec.template.spec.containers: element 0: associative list with keys has an element that omits key field \"name\" (and doesn't have default value)"), "{message}");
    }

    #[test]
    fn status_in_an_applied_config_is_neither_stored_nor_owned() {
        let mut with_status = config("nginx:1.27");
        with_status["status"] = json!({"replicas": 7});
        let created = apply(None, &with_status, "kubectl", false, T0).expect("created");
        assert!(created.get("status").is_none());
        assert!(fields(&created, "kubectl").get("f:status").is_none());
    }
}
