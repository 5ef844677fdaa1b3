//! Strategic merge patch (`application/strategic-merge-patch+json`): the server half of
//! `k8s.io/apimachinery/pkg/util/strategicpatch` (`StrategicMergeMapPatch` → `mergeMap`,
//! `mergeSlice`, `mergePatchIntoOriginal`, `normalizeElementOrder`), ported rule by rule.
//!
//! It owns the merge itself and the errors kube-apiserver answers when a patch is malformed.
//! It reads patch metadata (`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`) from
//! the embedded OpenAPI schemas in [`crate::api::schema`] and calls nothing else; the caller
//! decodes the body, picks the schema of the kind and turns a [`PatchError`] into a `Status`.
//!
//! Where upstream leans on Go's typed decoding afterwards (directive keys left in new content
//! are dropped as unknown fields, `null` becomes a zero value), this port removes them here,
//! so no directive ever reaches the stored object.

use crate::api::schema::Schema;
use serde_json::{Map, Value};

const DIRECTIVE_MARKER: &str = "$patch";
const DELETE_DIRECTIVE: &str = "delete";
const REPLACE_DIRECTIVE: &str = "replace";
const MERGE_DIRECTIVE: &str = "merge";
const RETAIN_KEYS_STRATEGY: &str = "retainKeys";
const RETAIN_KEYS_DIRECTIVE: &str = "$retainKeys";
const DELETE_FROM_PRIMITIVE_LIST_PREFIX: &str = "$deleteFromPrimitiveList";
const SET_ELEMENT_ORDER_PREFIX: &str = "$setElementOrder";

const PATCH_STRATEGY: &str = "x-kubernetes-patch-strategy";
const PATCH_MERGE_KEY: &str = "x-kubernetes-patch-merge-key";

/// Deepest object/array nesting accepted, in the original or the patch. serde_json's parser
/// stops at 128 too, so anything that arrived as JSON fits; deeper values built in code are
/// refused rather than risking the stack.
pub const MAX_DEPTH: usize = 128;

/// Why a strategic merge patch could not be applied. The messages are upstream's, word for word
/// (Go's `%v` rendering of maps included), because kubectl prints them to the user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatchError {
    #[error("invalid JSON document")]
    BadJsonDoc,
    #[error("lists of lists are not supported")]
    NoListOfLists,
    #[error("invalid patch format of primitive list")]
    BadPatchFormatForPrimitiveList,
    #[error("invalid patch format of retainKeys")]
    BadPatchFormatForRetainKeys,
    #[error("invalid patch format of setElementOrder list")]
    BadPatchFormatForSetElementOrderList,
    #[error("map: {map} does not contain declared merge key: {key}")]
    NoMergeKey { map: String, key: String },
    #[error("expected a {expected}, but received a {actual}")]
    BadArgType {
        expected: &'static str,
        actual: &'static str,
    },
    #[error("unknown patch type: {directive} in map: {map}")]
    BadPatchType { directive: String, map: String },
    #[error("The order in patch list:\n{patch}\n doesn't match $setElementOrder list:\n{order}\n")]
    SetElementOrderMismatch { patch: String, order: String },
    #[error("merging lists cannot yet be specified in the patch")]
    MergeDirectiveInList,
    #[error("cannot merge lists without merge key for {field}")]
    NoMergeKeyForList { field: String },
    #[error("list element types are not identical: {lists}")]
    ElementTypesDiffer { lists: String },
    #[error("no elements in any of the given slices")]
    NoElements,
    #[error("value for key {index} is not a map.")]
    NotAMap { index: usize },
    #[error("unexpected patch strategy: {strategies}")]
    UnexpectedStrategy { strategies: String },
    #[error("the patch or the object is nested deeper than {max} levels")]
    TooDeep { max: usize },
}

impl PatchError {
    /// The HTTP code kube-apiserver answers with (`interpretStrategicMergePatchError`):
    /// 400 BadRequest for malformed directives, 422 for lists of lists, and 500 with an empty
    /// reason for everything else (kubectl then prints `Error from server: <message>`).
    pub fn http_status(&self) -> u16 {
        match self {
            PatchError::BadJsonDoc
            | PatchError::BadPatchFormatForPrimitiveList
            | PatchError::BadPatchFormatForRetainKeys
            | PatchError::BadPatchFormatForSetElementOrderList
            | PatchError::TooDeep { .. } => 400,
            PatchError::NoListOfLists => 422,
            _ => 500,
        }
    }
}

/// Applies a strategic merge patch to `original`, guided by `schema` (the resolved definition of
/// the object's kind, e.g. `Schema::get().for_kind("", "v1", "Pod").1`). With `Value::Null` or a
/// schema without properties every field is unknown: maps merge as in a JSON merge patch
/// (RFC 7386), lists are replaced, directives are still honoured and stripped.
pub fn strategic_merge_patch(
    original: &Value,
    patch: &Value,
    schema: &Value,
) -> Result<Value, PatchError> {
    check_depth(original)?;
    check_depth(patch)?;
    // Go unmarshals both into a map: `null` leaves it empty, anything else but an object fails.
    let as_map = |v: &Value| match v {
        Value::Object(m) => Ok(m.clone()),
        Value::Null => Ok(Map::new()),
        _ => Err(PatchError::BadJsonDoc),
    };
    let (original, patch) = (as_map(original)?, as_map(patch)?);
    let node = schema.is_object().then_some(schema);
    let merger = Merger {
        schema: Schema::get(),
    };
    merger.merge_map(original, patch, node).map(Value::Object)
}

/// Go's dynamic types as `reflect.TypeOf` sees decoded JSON: apimachinery decodes numbers that
/// parse as int64 to `int64` and the rest to `float64`, and the two never compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GoType {
    Nil,
    Bool,
    Int,
    Float,
    String,
    Map,
    Slice,
}

fn go_type(v: &Value) -> GoType {
    match v {
        Value::Null => GoType::Nil,
        Value::Bool(_) => GoType::Bool,
        Value::Number(n) if n.is_i64() => GoType::Int,
        Value::Number(_) => GoType::Float,
        Value::String(_) => GoType::String,
        Value::Object(_) => GoType::Map,
        Value::Array(_) => GoType::Slice,
    }
}

/// `reflect.TypeOf(v)` printed with `%s`.
fn go_type_name(v: &Value) -> &'static str {
    match go_type(v) {
        GoType::Nil => "%!s(<nil>)",
        GoType::Bool => "bool",
        GoType::Int => "int64",
        GoType::Float => "float64",
        GoType::String => "string",
        GoType::Map => MAP_TYPE,
        GoType::Slice => SLICE_TYPE,
    }
}

const MAP_TYPE: &str = "map[string]interface {}";
const SLICE_TYPE: &str = "[]interface {}";

fn bad_arg_type(expected: &'static str, actual: &Value) -> PatchError {
    PatchError::BadArgType {
        expected,
        actual: go_type_name(actual),
    }
}

fn no_merge_key(map: &Map<String, Value>, key: &str) -> PatchError {
    PatchError::NoMergeKey {
        map: go_fmt_map(map),
        key: key.to_string(),
    }
}

/// Go's `==` on two decoded JSON values (maps and lists, which would panic in Go, compare deep).
fn go_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            (None, None) => x.as_f64() == y.as_f64(),
            _ => false,
        },
        _ => a == b,
    }
}

/// Rejects values nested deeper than [`MAX_DEPTH`] without recursing, so that every later
/// recursion over them is bounded.
fn check_depth(v: &Value) -> Result<(), PatchError> {
    let mut stack = vec![(v, 1usize)];
    while let Some((v, depth)) = stack.pop() {
        if (v.is_object() || v.is_array()) && depth > MAX_DEPTH {
            return Err(PatchError::TooDeep { max: MAX_DEPTH });
        }
        match v {
            Value::Object(m) => stack.extend(m.values().map(|c| (c, depth + 1))),
            Value::Array(a) => stack.extend(a.iter().map(|c| (c, depth + 1))),
            _ => {}
        }
    }
    Ok(())
}

/// Patch metadata of one field: its strategy (retainKeys split off, as upstream does), its merge
/// key (empty when none) and its resolved schema.
#[derive(Debug, Clone, Copy, Default)]
struct FieldMeta<'s> {
    strategy: &'s str,
    merge_key: &'s str,
    schema: Option<&'s Value>,
}

struct Merger<'s> {
    schema: &'s Schema,
}

impl<'s> Merger<'s> {
    /// Looks up `key` in the object schema `node`. Fields the schema does not declare have no
    /// metadata (plain merge); entries of a map type take the schema of its values.
    fn field(&self, node: Option<&'s Value>, key: &str) -> Result<FieldMeta<'s>, PatchError> {
        let Some(node) = node else {
            return Ok(FieldMeta::default());
        };
        let Some(raw) = self.schema.property_raw(node, key) else {
            return Ok(FieldMeta {
                schema: self.schema.additional_properties(node),
                ..FieldMeta::default()
            });
        };
        let strategies: Vec<&'s str> = raw
            .get(PATCH_STRATEGY)
            .and_then(Value::as_str)
            .map(|s| s.split(',').collect())
            .unwrap_or_default();
        Ok(FieldMeta {
            strategy: extract_retain_keys_patch_strategy(&strategies)?,
            merge_key: raw
                .get(PATCH_MERGE_KEY)
                .and_then(Value::as_str)
                .unwrap_or(""),
            schema: Some(self.schema.resolve(raw)),
        })
    }

    fn items(&self, list: Option<&'s Value>) -> Option<&'s Value> {
        list.and_then(|l| self.schema.items(l))
    }

    /// `mergeMap`: merges `patch` into `original`, directives first.
    fn merge_map(
        &self,
        mut original: Map<String, Value>,
        mut patch: Map<String, Value>,
        node: Option<&'s Value>,
    ) -> Result<Map<String, Value>, PatchError> {
        if let Some(directive) = patch.get(DIRECTIVE_MARKER) {
            return match directive.as_str() {
                Some(REPLACE_DIRECTIVE) => {
                    patch.remove(DIRECTIVE_MARKER);
                    Ok(materialize_map(patch))
                }
                Some(DELETE_DIRECTIVE) => Ok(Map::new()),
                _ => Err(PatchError::BadPatchType {
                    directive: go_fmt_s(directive),
                    map: go_fmt_map(&patch),
                }),
            };
        }

        apply_retain_keys_directive(&mut original, &mut patch)?;
        self.merge_patch_into_original(&mut original, &mut patch, node)?;

        // Go walks the rest in random map order; deletions from primitive lists go last, as
        // they do whenever kubectl sends them (next to a `$setElementOrder`, handled above).
        let (deletions, fields): (Vec<_>, Vec<_>) = patch
            .into_iter()
            .partition(|(k, _)| k.starts_with(DELETE_FROM_PRIMITIVE_LIST_PREFIX));
        for (key, patch_v) in fields.into_iter().chain(deletions) {
            let (key, is_delete_list) = if key.starts_with(DELETE_FROM_PRIMITIVE_LIST_PREFIX) {
                let field = extract_key(
                    &key,
                    DELETE_FROM_PRIMITIVE_LIST_PREFIX,
                    PatchError::BadPatchFormatForPrimitiveList,
                )?;
                (field.to_string(), true)
            } else {
                (key, false)
            };

            if patch_v.is_null() {
                original.remove(&key);
                continue;
            }
            let Some(original_v) = original.remove(&key) else {
                if !is_delete_list && let Some(v) = materialize(patch_v) {
                    original.insert(key, v);
                }
                continue;
            };
            if go_type(&original_v) != go_type(&patch_v) {
                let kept = if is_delete_list {
                    Some(original_v)
                } else {
                    materialize(patch_v)
                };
                if let Some(v) = kept {
                    original.insert(key, v);
                }
                continue;
            }
            let merged = match (original_v, patch_v) {
                (Value::Object(o), Value::Object(p)) => {
                    let meta = self.field(node, &key)?;
                    if meta.strategy == REPLACE_DIRECTIVE {
                        Value::Object(materialize_map(p))
                    } else {
                        Value::Object(self.merge_map(o, p, meta.schema)?)
                    }
                }
                (Value::Array(o), Value::Array(p)) => {
                    let meta = self.field(node, &key)?;
                    let elem = self.items(meta.schema);
                    let (merged, _) =
                        self.merge_slice_handler(&key, o, p, meta, elem, is_delete_list)?;
                    Value::Array(merged)
                }
                (_, scalar) => scalar,
            };
            original.insert(key, merged);
        }
        Ok(original)
    }

    /// `mergePatchIntoOriginal`: each `$setElementOrder/<field>` merges its list (if the patch
    /// has one) and then fixes the final order.
    fn merge_patch_into_original(
        &self,
        original: &mut Map<String, Value>,
        patch: &mut Map<String, Value>,
        node: Option<&'s Value>,
    ) -> Result<(), PatchError> {
        let order_keys: Vec<String> = patch
            .keys()
            .filter(|k| k.starts_with(SET_ELEMENT_ORDER_PREFIX))
            .cloned()
            .collect();
        for order_key in order_keys {
            let Some(order_v) = patch.remove(&order_key) else {
                continue;
            };
            let Value::Array(order) = order_v else {
                return Err(bad_arg_type(SLICE_TYPE, &order_v));
            };
            let field = extract_key(
                &order_key,
                SET_ELEMENT_ORDER_PREFIX,
                PatchError::BadPatchFormatForSetElementOrderList,
            )?
            .to_string();

            let original_list = match original.get(&field) {
                None => None,
                Some(Value::Array(a)) => Some(a.clone()),
                Some(other) => return Err(bad_arg_type(SLICE_TYPE, other)),
            };
            let patch_list = match patch.get(&field) {
                None => None,
                Some(Value::Array(a)) => Some(a.clone()),
                Some(other) => return Err(bad_arg_type(SLICE_TYPE, other)),
            };
            let meta = self.field(node, &field)?;
            let merge_key = meta.merge_key;
            validate_patch_with_set_order_list(
                patch_list.as_deref().unwrap_or_default(),
                &order,
                merge_key,
            )?;

            // `server_order` is the original list as Go sees it afterwards: merging may have
            // shifted and overwritten its backing array (see `merge_map_list`).
            let (merged, server_order, patch_list) = match (original_list, patch_list) {
                (Some(o), None) => (o.clone(), o, Vec::new()),
                (None, Some(p)) => (materialize_list(p.clone()), Vec::new(), p),
                (Some(o), Some(p)) => {
                    let elem = self.items(meta.schema);
                    let (merged, server_order) =
                        self.merge_slice_handler(&field, o, p.clone(), meta, elem, false)?;
                    (merged, server_order, p)
                }
                (None, None) => continue,
            };

            let kind = match slice_element_type(&[&server_order, &patch_list]) {
                Ok(kind) => kind,
                // Two empty lists: upstream fails ("no elements in any of the given slices"),
                // but only reaches this with `[]` stored, which Go's converter never produces.
                Err(PatchError::NoElements) => {
                    original.insert(field.clone(), Value::Array(merged));
                    patch.remove(&field);
                    continue;
                }
                Err(e) => return Err(e),
            };
            let ordered = if merge_key.is_empty() {
                if kind == GoType::Map {
                    // Upstream panics hashing maps here (a list of maps without a merge key);
                    // keep the merged list as it is.
                    merged
                } else {
                    let (patch_items, server_only) = partition_primitives(merged, &order);
                    normalize_element_order(
                        patch_items,
                        server_only,
                        &order,
                        &server_order,
                        merge_key,
                        kind,
                    )?
                }
            } else {
                let (patch_items, server_only) = partition_maps(merged, &order, merge_key)?;
                normalize_element_order(
                    patch_items,
                    server_only,
                    &order,
                    &server_order,
                    merge_key,
                    kind,
                )?
            };
            original.insert(field.clone(), Value::Array(ordered));
            patch.remove(&field);
        }
        Ok(())
    }

    /// `mergeSliceHandler`: merge lists (and deletion lists, whatever the strategy) are merged,
    /// every other list is replaced. Also returns the original as Go's aliasing leaves it.
    fn merge_slice_handler(
        &self,
        field: &str,
        original: Vec<Value>,
        patch: Vec<Value>,
        meta: FieldMeta<'s>,
        elem: Option<&'s Value>,
        is_delete_list: bool,
    ) -> Result<(Vec<Value>, Vec<Value>), PatchError> {
        if meta.strategy == MERGE_DIRECTIVE || is_delete_list {
            self.merge_slice(field, original, patch, elem, meta.merge_key, is_delete_list)
        } else {
            Ok((materialize_list(patch), original))
        }
    }

    /// `mergeSlice`.
    fn merge_slice(
        &self,
        field: &str,
        original: Vec<Value>,
        patch: Vec<Value>,
        elem: Option<&'s Value>,
        merge_key: &str,
        is_delete_list: bool,
    ) -> Result<(Vec<Value>, Vec<Value>), PatchError> {
        if original.is_empty() && patch.is_empty() {
            return Ok((original.clone(), original));
        }
        let kind = slice_element_type(&[&original, &patch])?;
        if kind == GoType::Map {
            if merge_key.is_empty() {
                return Err(PatchError::NoMergeKeyForList {
                    field: field.to_string(),
                });
            }
            return self.merge_map_list(original, patch, elem, merge_key);
        }
        if is_delete_list {
            let kept = original
                .iter()
                .filter(|v| !patch.iter().any(|d| go_eq(v, d)))
                .cloned()
                .collect();
            return Ok((kept, original));
        }
        let mut both = original.clone();
        both.extend(patch.iter().cloned());
        let merged = deduplicate_scalars(both);
        let (patch_items, server_only) = partition_primitives(merged, &patch);
        let result =
            normalize_element_order(patch_items, server_only, &patch, &original, "", kind)?;
        Ok((result, original))
    }

    /// The list-of-maps half of `mergeSlice` (`mergeSliceWithSpecialElements`, then
    /// `mergeSliceWithoutSpecialElements`, then the ordering).
    ///
    /// Go deletes with `append(s[:k], s[k+1:]...)` and appends new elements into the freed
    /// capacity, both inside the array the caller still holds as "the original list";
    /// `$setElementOrder` later orders server-only elements by that mutated array, and
    /// upstream's own tests depend on it. `backing` replays it, taking the capacity to be the
    /// length, as `runtime.DefaultUnstructuredConverter` builds lists.
    fn merge_map_list(
        &self,
        original: Vec<Value>,
        patch: Vec<Value>,
        elem: Option<&'s Value>,
        merge_key: &str,
    ) -> Result<(Vec<Value>, Vec<Value>), PatchError> {
        let capacity = original.len();
        let mut backing = original.clone();
        let mut live = original;
        let mut without_special = Vec::with_capacity(patch.len());
        let mut replace = false;
        for v in patch {
            let Value::Object(m) = &v else {
                return Err(bad_arg_type(MAP_TYPE, &v));
            };
            match m.get(DIRECTIVE_MARKER) {
                None => without_special.push(v),
                Some(d) if d == DELETE_DIRECTIVE => {
                    let Some(key) = m.get(merge_key) else {
                        return Err(no_merge_key(m, merge_key));
                    };
                    while let Some(k) = find_map_in_slice(&live, merge_key, key)? {
                        let len = live.len();
                        backing[k..len].rotate_left(1);
                        backing[len - 1] = live[len - 1].clone();
                        live.remove(k);
                    }
                }
                Some(d) if d == REPLACE_DIRECTIVE => replace = true,
                Some(d) if d == MERGE_DIRECTIVE => return Err(PatchError::MergeDirectiveInList),
                Some(d) => {
                    return Err(PatchError::BadPatchType {
                        directive: go_fmt_s(d),
                        map: go_fmt_map(m),
                    });
                }
            }
        }

        // After `$patch: replace` the list is the patch's other elements; Go's slice no longer
        // points at the original array.
        let (mut merged, patch, server_order, mut on_backing) = if replace {
            let order = without_special.clone();
            (materialize_list(without_special), Vec::new(), order, false)
        } else {
            let order = live.clone();
            (live, without_special, order, true)
        };

        for v in &patch {
            let Value::Object(m) = v else {
                return Err(bad_arg_type(MAP_TYPE, v));
            };
            let Some(key) = m.get(merge_key) else {
                return Err(no_merge_key(m, merge_key));
            };
            match find_map_in_slice(&merged, merge_key, key)? {
                Some(i) => {
                    let Value::Object(target) = std::mem::take(&mut merged[i]) else {
                        return Err(PatchError::NotAMap { index: i });
                    };
                    merged[i] = Value::Object(self.merge_map(target, m.clone(), elem)?);
                }
                None => {
                    if on_backing {
                        match backing.get_mut(merged.len()) {
                            Some(slot) if merged.len() < capacity => *slot = v.clone(),
                            _ => on_backing = false,
                        }
                    }
                    merged.push(Value::Object(materialize_map(m.clone())));
                }
            }
        }

        let (patch_items, server_only) = partition_maps(merged, &patch, merge_key)?;
        let result = normalize_element_order(
            patch_items,
            server_only,
            &patch,
            &server_order,
            merge_key,
            GoType::Map,
        )?;
        Ok((result, backing))
    }
}

/// `extractRetainKeysPatchStrategy`: `retainKeys` may come with one other strategy.
fn extract_retain_keys_patch_strategy<'a>(strategies: &[&'a str]) -> Result<&'a str, PatchError> {
    match strategies {
        [] => Ok(""),
        [one] if *one == RETAIN_KEYS_STRATEGY => Ok(""),
        [one] => Ok(one),
        [a, b] if *a == RETAIN_KEYS_STRATEGY => Ok(b),
        [a, b] if *b == RETAIN_KEYS_STRATEGY => Ok(a),
        _ => Err(PatchError::UnexpectedStrategy {
            strategies: format!("[{}]", strategies.join(" ")),
        }),
    }
}

/// `extractKey`: `$setElementOrder/containers` → `containers`.
fn extract_key<'k>(key: &'k str, prefix: &str, error: PatchError) -> Result<&'k str, PatchError> {
    match key.split_once('/') {
        Some((head, field)) if head == prefix => Ok(field),
        _ => Err(error),
    }
}

/// `applyRetainKeysDirective`: drops the original's keys that `$retainKeys` does not list, after
/// checking that the patch itself only sets listed keys.
fn apply_retain_keys_directive(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
) -> Result<(), PatchError> {
    let Some(retain) = patch.remove(RETAIN_KEYS_DIRECTIVE) else {
        return Ok(());
    };
    let Value::Array(retain) = retain else {
        return Err(PatchError::BadPatchFormatForRetainKeys);
    };
    let kept = |k: &str| retain.iter().any(|r| r.as_str() == Some(k));
    let unlisted = patch.iter().any(|(k, v)| {
        !v.is_null()
            && !k.starts_with(DELETE_FROM_PRIMITIVE_LIST_PREFIX)
            && !k.starts_with(SET_ELEMENT_ORDER_PREFIX)
            && !kept(k)
    });
    if unlisted {
        return Err(PatchError::BadPatchFormatForRetainKeys);
    }
    original.retain(|k, _| kept(k));
    Ok(())
}

/// `validatePatchWithSetOrderList`: the patch's elements (deletions aside) must appear in the
/// `$setElementOrder` list, in the same relative order.
fn validate_patch_with_set_order_list(
    patch_list: &[Value],
    order: &[Value],
    merge_key: &str,
) -> Result<(), PatchError> {
    if order.is_empty() || patch_list.is_empty() {
        return Ok(());
    }
    let non_delete = if merge_key.is_empty() {
        patch_list.to_vec()
    } else {
        extract_to_delete_items(patch_list.to_vec())?.0
    };
    let (mut p, mut o) = (0, 0);
    while p < non_delete.len() && o < order.len() {
        if contains_directive_marker(&non_delete[p]) {
            p += 1;
            continue;
        }
        if merge_key_value_equal(&non_delete[p], &order[o], merge_key)? {
            p += 1;
        }
        o += 1;
    }
    if p < non_delete.len() && o >= order.len() {
        return Err(PatchError::SetElementOrderMismatch {
            patch: go_fmt_list(patch_list),
            order: go_fmt_list(order),
        });
    }
    Ok(())
}

fn contains_directive_marker(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| m.contains_key(DIRECTIVE_MARKER))
}

fn merge_key_value_equal(left: &Value, right: &Value, merge_key: &str) -> Result<bool, PatchError> {
    if merge_key.is_empty() {
        return Ok(go_eq(left, right));
    }
    let Value::Object(l) = left else {
        return Err(bad_arg_type(MAP_TYPE, left));
    };
    let Value::Object(r) = right else {
        return Err(bad_arg_type(MAP_TYPE, right));
    };
    let lk = l.get(merge_key).ok_or_else(|| no_merge_key(l, merge_key))?;
    let rk = r.get(merge_key).ok_or_else(|| no_merge_key(r, merge_key))?;
    Ok(go_eq(lk, rk))
}

/// `extractToDeleteItems`: splits off the `$patch: delete` elements.
fn extract_to_delete_items(list: Vec<Value>) -> Result<(Vec<Value>, Vec<Value>), PatchError> {
    let mut keep = Vec::with_capacity(list.len());
    let mut delete = Vec::new();
    for v in list {
        let Value::Object(m) = &v else {
            return Err(bad_arg_type(MAP_TYPE, &v));
        };
        if m.get(DIRECTIVE_MARKER).and_then(Value::as_str) == Some(DELETE_DIRECTIVE) {
            delete.push(v);
        } else {
            keep.push(v);
        }
    }
    Ok((keep, delete))
}

/// `findMapInSliceBasedOnKeyValue`: the first element whose merge key equals `value`.
fn find_map_in_slice(
    list: &[Value],
    key: &str,
    value: &Value,
) -> Result<Option<usize>, PatchError> {
    for (i, v) in list.iter().enumerate() {
        let Value::Object(m) = v else {
            return Err(PatchError::NotAMap { index: i });
        };
        if m.get(key).is_some_and(|k| go_eq(k, value)) {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// `sliceElementType`: every element of all lists must have the same Go type, not a list.
fn slice_element_type(lists: &[&[Value]]) -> Result<GoType, PatchError> {
    let differ = || {
        let rendered: Vec<String> = lists.iter().map(|l| go_fmt_list(l)).collect();
        PatchError::ElementTypesDiffer {
            lists: format!("[{}]", rendered.join(" ")),
        }
    };
    let mut seen: Option<GoType> = None;
    for v in lists.iter().flat_map(|l| l.iter()) {
        let t = go_type(v);
        match seen {
            None if t == GoType::Slice => return Err(PatchError::NoListOfLists),
            None => seen = Some(t),
            Some(prev) if prev != t => return Err(differ()),
            Some(_) => {}
        }
    }
    match seen {
        // Go calls `Kind()` on the nil type of a `null` element and panics.
        Some(GoType::Nil) => Err(differ()),
        Some(t) => Ok(t),
        None => Err(PatchError::NoElements),
    }
}

/// `deduplicateScalars`, including its habit of moving the last element into each hole (the
/// order is fixed up by the normalisation that follows).
fn deduplicate_scalars(mut s: Vec<Value>) -> Vec<Value> {
    let mut i = 0;
    while i + 1 < s.len() {
        let mut j = i + 1;
        while j < s.len() {
            if go_eq(&s[i], &s[j]) {
                let last = s.len() - 1;
                s.swap(j, last);
                s.truncate(last);
            } else {
                j += 1;
            }
        }
        i += 1;
    }
    s
}

/// `partitionPrimitivesByPresentInList`.
fn partition_primitives(list: Vec<Value>, by: &[Value]) -> (Vec<Value>, Vec<Value>) {
    list.into_iter()
        .partition(|v| by.iter().any(|b| go_eq(v, b)))
}

/// `partitionMapsByPresentInList`: elements whose merge key appears in `by`, and the others.
fn partition_maps(
    list: Vec<Value>,
    by: &[Value],
    merge_key: &str,
) -> Result<(Vec<Value>, Vec<Value>), PatchError> {
    let mut present = Vec::with_capacity(list.len());
    let mut server_only = Vec::new();
    for v in list {
        let Value::Object(m) = &v else {
            return Err(bad_arg_type(MAP_TYPE, &v));
        };
        let key = m.get(merge_key).ok_or_else(|| no_merge_key(m, merge_key))?;
        if find_map_in_slice(by, merge_key, key)?.is_some() {
            present.push(v);
        } else {
            server_only.push(v);
        }
    }
    Ok((present, server_only))
}

/// `normalizeElementOrder`: patch elements sorted by the patch order, server-only elements by
/// the server order, then interleaved by their places in the server list.
fn normalize_element_order(
    patch: Vec<Value>,
    server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    merge_key: &str,
    kind: GoType,
) -> Result<Vec<Value>, PatchError> {
    let patch = normalize_slice_order(patch, patch_order, merge_key, kind)?;
    let server_only = normalize_slice_order(server_only, server_order, merge_key, kind)?;
    Ok(merge_sorted_slice(
        server_only,
        patch,
        server_order,
        merge_key,
        kind,
    ))
}

/// `normalizeSliceOrder`: a stable sort by position in `order`, with upstream's comparison
/// (elements missing from `order` compare as "less"), hence Go's own stable sort below.
fn normalize_slice_order(
    to_sort: Vec<Value>,
    order: &[Value],
    merge_key: &str,
    kind: GoType,
) -> Result<Vec<Value>, PatchError> {
    let (to_sort, to_delete) = if kind == GoType::Map {
        for v in to_sort.iter().chain(order) {
            let Value::Object(m) = v else {
                return Err(bad_arg_type(MAP_TYPE, v));
            };
            if !m.contains_key(merge_key) {
                return Err(no_merge_key(m, merge_key));
            }
        }
        extract_to_delete_items(to_sort)?
    } else {
        (to_sort, Vec::new())
    };
    // An element's place in `order` never changes while sorting: look it up once.
    let mut keyed: Vec<(Option<usize>, Value)> = to_sort
        .into_iter()
        .map(|v| (index(order, &v, merge_key, kind), v))
        .collect();
    go_stable_sort(&mut keyed, |(a, _), (b, _)| match (a, b) {
        (Some(i), Some(j)) => i < j,
        _ => true,
    });
    let mut sorted: Vec<Value> = keyed.into_iter().map(|(_, v)| v).collect();
    sorted.extend(to_delete);
    Ok(sorted)
}

/// `mergeSortedSlice`: interleaves two sorted, disjoint lists; an element of `left` goes first
/// only when both are in `server_order` and it comes earlier there.
fn merge_sorted_slice(
    left: Vec<Value>,
    right: Vec<Value>,
    server_order: &[Value],
    merge_key: &str,
    kind: GoType,
) -> Vec<Value> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let place = |v: Value| (index(server_order, &v, merge_key, kind), v);
    let mut left = left.into_iter().map(place).peekable();
    let mut right = right.into_iter().map(place).peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some((l, _)), Some((r, _))) => matches!((l, r), (Some(i), Some(j)) if i < j),
        };
        let next = if take_left { left.next() } else { right.next() };
        out.extend(next.map(|(_, v)| v));
    }
    out
}

/// `index`: the first position of `item` in `list`, by merge key for maps (a missing key
/// matches a missing key, as Go's nil does).
fn index(list: &[Value], item: &Value, merge_key: &str, kind: GoType) -> Option<usize> {
    if kind == GoType::Map {
        let wanted = merge_key_of(item, merge_key);
        list.iter()
            .position(|v| match (wanted, merge_key_of(v, merge_key)) {
                (None, None) => true,
                (Some(a), Some(b)) => go_eq(a, b),
                _ => false,
            })
    } else {
        list.iter().position(|v| go_eq(item, v))
    }
}

/// `m[mergeKey]` in Go: absent, `null` and "not a map" all read as nil.
fn merge_key_of<'v>(v: &'v Value, merge_key: &str) -> Option<&'v Value> {
    v.as_object()
        .and_then(|m| m.get(merge_key))
        .filter(|k| !k.is_null())
}

/// Go's `sort.SliceStable` (insertion sort on blocks of 20, then `symMerge`), step for step:
/// with upstream's comparison, which is not a strict order, any other stable sort could
/// produce a different list.
fn go_stable_sort<T>(data: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let less = |d: &[T], i: usize, j: usize| less(&d[i], &d[j]);
    let n = data.len();
    let mut block = 20;
    let (mut a, mut b) = (0, block);
    while b <= n {
        insertion_sort(data, a, b, &less);
        a = b;
        b += block;
    }
    insertion_sort(data, a, n, &less);
    while block < n {
        let (mut a, mut b) = (0, 2 * block);
        while b <= n {
            sym_merge(data, a, a + block, b, &less);
            a = b;
            b += 2 * block;
        }
        let m = a + block;
        if m < n {
            sym_merge(data, a, m, n, &less);
        }
        block *= 2;
    }
}

type Less<'a, T> = dyn Fn(&[T], usize, usize) -> bool + 'a;

fn insertion_sort<T>(data: &mut [T], a: usize, b: usize, less: &Less<T>) {
    for i in a + 1..b {
        let mut j = i;
        while j > a && less(data, j, j - 1) {
            data.swap(j, j - 1);
            j -= 1;
        }
    }
}

fn sym_merge<T>(data: &mut [T], a: usize, m: usize, b: usize, less: &Less<T>) {
    if m - a == 1 {
        let (mut i, mut j) = (m, b);
        while i < j {
            let h = (i + j) / 2;
            if less(data, h, a) {
                i = h + 1;
            } else {
                j = h;
            }
        }
        for k in a..i.saturating_sub(1) {
            data.swap(k, k + 1);
        }
        return;
    }
    if b - m == 1 {
        let (mut i, mut j) = (a, m);
        while i < j {
            let h = (i + j) / 2;
            if !less(data, m, h) {
                i = h + 1;
            } else {
                j = h;
            }
        }
        let mut k = m;
        while k > i {
            data.swap(k, k - 1);
            k -= 1;
        }
        return;
    }
    let mid = (a + b) / 2;
    let n = mid + m;
    let (mut start, mut r) = if m > mid { (n - b, mid) } else { (a, m) };
    let p = n - 1;
    while start < r {
        let c = (start + r) / 2;
        if !less(data, p - c, c) {
            start = c + 1;
        } else {
            r = c;
        }
    }
    let end = n - start;
    if start < m && m < end {
        data[start..end].rotate_left(m - start);
    }
    if a < start && start < mid {
        sym_merge(data, a, start, mid, less);
    }
    if mid < end && end < b {
        sym_merge(data, mid, end, b, less);
    }
}

fn is_directive_key(key: &str) -> bool {
    key == DIRECTIVE_MARKER
        || key == RETAIN_KEYS_DIRECTIVE
        || key.starts_with(SET_ELEMENT_ORDER_PREFIX)
        || key.starts_with(DELETE_FROM_PRIMITIVE_LIST_PREFIX)
}

/// Patch content that lands where the original had nothing to merge with: upstream's
/// `removeDirectives` plus `discardNullValuesFromPatch`, with the other directive keys dropped
/// too (Go's typed decoding drops them). `None` means "leave the field out": a map carrying
/// `$patch: delete` (or an unknown `$patch`).
fn materialize(v: Value) -> Option<Value> {
    match v {
        Value::Object(mut m) => {
            match m.get(DIRECTIVE_MARKER).map(Value::as_str) {
                None => {}
                Some(Some(REPLACE_DIRECTIVE)) => {
                    m.remove(DIRECTIVE_MARKER);
                }
                Some(_) => return None,
            }
            Some(Value::Object(materialize_map(m)))
        }
        Value::Array(list) => Some(Value::Array(materialize_list(list))),
        scalar => Some(scalar),
    }
}

fn materialize_map(m: Map<String, Value>) -> Map<String, Value> {
    m.into_iter()
        .filter(|(k, v)| !v.is_null() && !is_directive_key(k))
        .filter_map(|(k, v)| materialize(v).map(|v| (k, v)))
        .collect()
}

/// List elements carrying `$patch` are markers (`replace`, `delete`), never content.
fn materialize_list(list: Vec<Value>) -> Vec<Value> {
    list.into_iter()
        .filter(|v| !contains_directive_marker(v))
        .filter_map(materialize)
        .collect()
}

/// Go's `%v` of a decoded JSON value: `map[k:v ...]` with sorted keys, `[a b]`, `<nil>`.
fn go_fmt(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match n.as_i64() {
            Some(i) => out.push_str(&i.to_string()),
            None => out.push_str(&go_float(n.as_f64().unwrap_or(f64::NAN))),
        },
        Value::String(s) => out.push_str(s),
        Value::Array(list) => {
            out.push('[');
            for (i, item) in list.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                go_fmt(item, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push_str("map[");
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                go_fmt(&m[k.as_str()], out);
            }
            out.push(']');
        }
    }
}

fn go_fmt_map(m: &Map<String, Value>) -> String {
    let mut out = String::new();
    go_fmt(&Value::Object(m.clone()), &mut out);
    out
}

fn go_fmt_list(list: &[Value]) -> String {
    let mut out = String::new();
    go_fmt(&Value::Array(list.to_vec()), &mut out);
    out
}

/// Go's `%s` of an interface value: strings as they are, anything else `%!s(type=value)`.
fn go_fmt_s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "%!s(<nil>)".to_string(),
        other => {
            let mut out = format!("%!s({}=", go_type_name(other));
            go_fmt(other, &mut out);
            out.push(')');
            out
        }
    }
}

/// Go's `%v` of a float64 (`%g` with the shortest digits, exponent form below 1e-4 or from
/// 1e6 up: `1.5`, `1e+06`, `1e-05`).
fn go_float(f: f64) -> String {
    if !f.is_finite() {
        return if f.is_nan() {
            "NaN".to_string()
        } else if f > 0.0 {
            "+Inf".to_string()
        } else {
            "-Inf".to_string()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // Rust's `{:e}` gives the shortest round-trip digits, e.g. "-1.2345e6".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        let exp_sign = if exp < 0 { '-' } else { '+' };
        return format!(
            "{sign}{first}{dot}{rest}e{exp_sign}{:02}",
            exp.unsigned_abs()
        );
    }
    // Decimal point after `exp + 1` digits.
    let point = exp + 1;
    let body = if point <= 0 {
        format!("0.{}{}", "0".repeat(point.unsigned_abs() as usize), digits)
    } else {
        let point = point as usize;
        if digits.len() <= point {
            format!("{digits}{}", "0".repeat(point - digits.len()))
        } else {
            format!("{}.{}", &digits[..point], &digits[point..])
        }
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kind(group: &str, version: &str, kind: &str) -> &'static Value {
        Schema::get()
            .for_kind(group, version, kind)
            .map(|(_, def)| def)
            .unwrap_or_else(|| panic!("no schema for {kind}"))
    }

    fn pod() -> &'static Value {
        kind("", "v1", "Pod")
    }

    fn deployment() -> &'static Value {
        kind("apps", "v1", "Deployment")
    }

    fn node() -> &'static Value {
        kind("", "v1", "Node")
    }

    /// `spec.containers` of a pod: the list upstream's `mergingList` tests stand for.
    fn containers(list: Value) -> Value {
        json!({ "spec": { "containers": list } })
    }

    fn container_patch(order: Option<Value>, list: Option<Value>) -> Value {
        let mut spec = Map::new();
        if let Some(order) = order {
            spec.insert("$setElementOrder/containers".into(), order);
        }
        if let Some(list) = list {
            spec.insert("containers".into(), list);
        }
        json!({ "spec": spec })
    }

    fn finalizers(list: Value) -> Value {
        json!({ "metadata": { "finalizers": list } })
    }

    struct Case {
        name: &'static str,
        schema: &'static Value,
        original: Value,
        patch: Value,
        want: Value,
    }

    fn run(cases: Vec<Case>) {
        for c in cases {
            let got = strategic_merge_patch(&c.original, &c.patch, c.schema)
                .unwrap_or_else(|e| panic!("{}: unexpected error: {e}", c.name));
            assert_eq!(
                got,
                c.want,
                "{}\n got: {}\nwant: {}",
                c.name,
                serde_json::to_string(&got).unwrap_or_default(),
                serde_json::to_string(&c.want).unwrap_or_default()
            );
        }
    }

    #[test]
    fn merges_lists_by_their_merge_key() {
        run(vec![
            Case {
                name: "containers merge by name, others kept",
                schema: pod(),
                original: containers(json!([
                    {"name": "nginx", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent"},
                    {"name": "sidecar", "image": "busybox"}
                ])),
                patch: containers(json!([{"name": "nginx", "image": "nginx:1.28"}])),
                want: containers(json!([
                    {"name": "nginx", "image": "nginx:1.28", "imagePullPolicy": "IfNotPresent"},
                    {"name": "sidecar", "image": "busybox"}
                ])),
            },
            Case {
                // Without `$setElementOrder`, `mergeSortedSlice` puts patch elements the server
                // does not know before the server's: `kubectl patch` adds a container first.
                name: "new container goes first when no order is given",
                schema: pod(),
                original: containers(json!([{"name": "nginx", "image": "nginx"}])),
                patch: containers(json!([{"name": "log-tailer", "image": "tailer"}])),
                want: containers(json!([
                    {"name": "log-tailer", "image": "tailer"},
                    {"name": "nginx", "image": "nginx"}
                ])),
            },
            Case {
                name: "new container appended when $setElementOrder says so (kubectl apply)",
                schema: pod(),
                original: containers(json!([{"name": "nginx", "image": "nginx"}])),
                patch: container_patch(
                    Some(json!([{"name": "nginx"}, {"name": "log-tailer"}])),
                    Some(json!([{"name": "log-tailer", "image": "tailer"}])),
                ),
                want: containers(json!([
                    {"name": "nginx", "image": "nginx"},
                    {"name": "log-tailer", "image": "tailer"}
                ])),
            },
            Case {
                name: "env by name",
                schema: pod(),
                original: containers(json!([{"name": "app", "env": [
                    {"name": "A", "value": "1"}, {"name": "B", "value": "2"}
                ]}])),
                patch: containers(json!([{"name": "app", "env": [
                    {"name": "B", "value": "3"}, {"name": "C", "value": "4"}
                ]}])),
                want: containers(json!([{"name": "app", "env": [
                    {"name": "A", "value": "1"}, {"name": "B", "value": "3"}, {"name": "C", "value": "4"}
                ]}])),
            },
            Case {
                name: "ports by containerPort",
                schema: pod(),
                original: containers(json!([{"name": "app", "ports": [
                    {"containerPort": 80, "name": "http"}, {"containerPort": 443}
                ]}])),
                patch: containers(json!([{"name": "app", "ports": [
                    {"containerPort": 80, "protocol": "TCP"}
                ]}])),
                want: containers(json!([{"name": "app", "ports": [
                    {"containerPort": 80, "name": "http", "protocol": "TCP"}, {"containerPort": 443}
                ]}])),
            },
            Case {
                name: "volumeMounts by mountPath",
                schema: pod(),
                original: containers(json!([{"name": "app", "volumeMounts": [
                    {"mountPath": "/data", "name": "data"}, {"mountPath": "/etc/cfg", "name": "cfg"}
                ]}])),
                patch: containers(json!([{"name": "app", "volumeMounts": [
                    {"mountPath": "/etc/cfg", "readOnly": true}
                ]}])),
                want: containers(json!([{"name": "app", "volumeMounts": [
                    {"mountPath": "/data", "name": "data"},
                    {"mountPath": "/etc/cfg", "name": "cfg", "readOnly": true}
                ]}])),
            },
            Case {
                name: "ownerReferences by uid",
                schema: pod(),
                original: json!({"metadata": {"ownerReferences": [
                    {"uid": "u1", "kind": "ReplicaSet", "name": "web-1"}
                ]}}),
                patch: json!({"metadata": {"ownerReferences": [
                    {"uid": "u1", "controller": true}, {"uid": "u2", "kind": "Job", "name": "j"}
                ]}}),
                want: json!({"metadata": {"ownerReferences": [
                    {"uid": "u1", "kind": "ReplicaSet", "name": "web-1", "controller": true},
                    {"uid": "u2", "kind": "Job", "name": "j"}
                ]}}),
            },
            Case {
                name: "node status conditions by type",
                schema: node(),
                original: json!({"status": {"conditions": [
                    {"type": "MemoryPressure", "status": "False"},
                    {"type": "Ready", "status": "True", "reason": "KubeletReady"}
                ]}}),
                patch: json!({"status": {"conditions": [
                    {"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown"}
                ]}}),
                want: json!({"status": {"conditions": [
                    {"type": "MemoryPressure", "status": "False"},
                    {"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown"}
                ]}}),
            },
            Case {
                name: "merge key compared as Go does: 80.0 is not 80",
                schema: pod(),
                original: containers(json!([{"name": "app", "ports": [{"containerPort": 80}]}])),
                patch: containers(json!([{"name": "app", "ports": [{"containerPort": 80.0}]}])),
                want: containers(json!([{"name": "app", "ports": [
                    {"containerPort": 80.0}, {"containerPort": 80}
                ]}])),
            },
        ]);
    }

    #[test]
    fn replaces_lists_without_a_merge_strategy() {
        run(vec![
            Case {
                name: "tolerations replaced whole",
                schema: pod(),
                original: json!({"spec": {"tolerations": [
                    {"key": "a", "operator": "Exists"}, {"key": "b", "operator": "Exists"}
                ]}}),
                patch: json!({"spec": {"tolerations": [{"key": "c", "operator": "Exists"}]}}),
                want: json!({"spec": {"tolerations": [{"key": "c", "operator": "Exists"}]}}),
            },
            Case {
                name: "command replaced whole inside a merged container",
                schema: pod(),
                original: containers(json!([{"name": "app", "command": ["sh", "-c", "sleep 1"]}])),
                patch: containers(json!([{"name": "app", "command": ["true"]}])),
                want: containers(json!([{"name": "app", "command": ["true"]}])),
            },
            Case {
                // upstream: "replace non merging list nested in merging list"
                name: "nested non-merging list replaced, rest of element kept",
                schema: pod(),
                original: containers(json!([
                    {"name": "1", "workingDir": "a", "args": ["x", "y"]},
                    {"name": "2", "workingDir": "b"}
                ])),
                patch: container_patch(
                    Some(json!([{"name": "1"}, {"name": "2"}])),
                    Some(json!([{"name": "1", "args": ["z"]}])),
                ),
                want: containers(json!([
                    {"name": "1", "workingDir": "a", "args": ["z"]},
                    {"name": "2", "workingDir": "b"}
                ])),
            },
        ]);
    }

    /// Upstream's `$setElementOrder` cases (three-way `current` + patch → `result`), with
    /// `mergingList` played by `spec.containers`, `value` by `image`, `other` by `workingDir`.
    #[test]
    fn set_element_order_follows_normalize_element_order() {
        run(vec![
            Case {
                name: "merge lists of maps",
                schema: pod(),
                original: containers(json!([
                    {"name": "1", "workingDir": "a"},
                    {"name": "2", "image": "2", "workingDir": "b"}
                ])),
                patch: container_patch(
                    Some(json!([{"name": "4"}, {"name": "1"}, {"name": "2"}, {"name": "3"}])),
                    Some(json!([{"name": "4", "image": "4"}, {"name": "3", "image": "3"}])),
                ),
                want: containers(json!([
                    {"name": "4", "image": "4"},
                    {"name": "1", "workingDir": "a"},
                    {"name": "2", "image": "2", "workingDir": "b"},
                    {"name": "3", "image": "3"}
                ])),
            },
            Case {
                name: "add field to map in merging list with conflict",
                schema: pod(),
                original: containers(json!([
                    {"name": "1", "workingDir": "a"},
                    {"name": "3", "image": "2", "workingDir": "b"}
                ])),
                patch: container_patch(
                    Some(json!([{"name": "1"}, {"name": "2"}])),
                    Some(json!([{"name": "1", "image": "1"}, {"name": "2", "image": "2"}])),
                ),
                want: containers(json!([
                    {"name": "1", "image": "1", "workingDir": "a"},
                    {"name": "2", "image": "2"},
                    {"name": "3", "image": "2", "workingDir": "b"}
                ])),
            },
            Case {
                name: "add map and delete map from merging list",
                schema: pod(),
                original: containers(json!([
                    {"name": "1"},
                    {"name": "2", "workingDir": "b"},
                    {"name": "4", "workingDir": "c"}
                ])),
                patch: container_patch(
                    Some(json!([{"name": "2"}, {"name": "3"}])),
                    Some(json!([{"name": "3"}, {"name": "1", "$patch": "delete"}])),
                ),
                want: containers(json!([
                    {"name": "2", "workingDir": "b"},
                    {"name": "4", "workingDir": "c"},
                    {"name": "3"}
                ])),
            },
            Case {
                name: "add map and delete map from merging list with conflict",
                schema: pod(),
                original: containers(json!([
                    {"name": "1", "workingDir": "a"},
                    {"name": "4", "workingDir": "c"}
                ])),
                patch: container_patch(
                    Some(json!([{"name": "2"}, {"name": "3"}])),
                    Some(json!([{"name": "2"}, {"name": "3"}, {"name": "1", "$patch": "delete"}])),
                ),
                want: containers(json!([
                    {"name": "4", "workingDir": "c"},
                    {"name": "2"},
                    {"name": "3"}
                ])),
            },
            Case {
                name: "delete missing map from merging list with conflict",
                schema: pod(),
                original: containers(json!([{"name": "3", "workingDir": "a"}])),
                patch: container_patch(
                    Some(json!([{"name": "2"}])),
                    Some(json!([{"name": "2"}, {"name": "1", "$patch": "delete"}])),
                ),
                want: containers(json!([{"name": "2"}, {"name": "3", "workingDir": "a"}])),
            },
            Case {
                name: "delete an item in a list and preserve order",
                schema: pod(),
                original: containers(json!([
                    {"name": "1", "workingDir": "a"},
                    {"name": "2", "image": "2", "workingDir": "b"},
                    {"name": "3", "image": "3"}
                ])),
                patch: container_patch(
                    Some(json!([{"name": "2"}, {"name": "1"}])),
                    Some(json!([{"name": "3", "$patch": "delete"}])),
                ),
                want: containers(json!([
                    {"name": "2", "image": "2", "workingDir": "b"},
                    {"name": "1", "workingDir": "a"}
                ])),
            },
            Case {
                name: "set elements order in a list with server-only items",
                schema: pod(),
                original: containers(json!([
                    {"name": "1", "workingDir": "a"}, {"name": "3"}, {"name": "4"},
                    {"name": "2"}, {"name": "9"}
                ])),
                patch: container_patch(
                    Some(json!([{"name": "4"}, {"name": "2"}, {"name": "3"}, {"name": "1"}])),
                    None,
                ),
                want: containers(json!([
                    {"name": "4"}, {"name": "2"}, {"name": "3"},
                    {"name": "1", "workingDir": "a"}, {"name": "9"}
                ])),
            },
            Case {
                name: "set elements order in a list with server-only items 3",
                schema: pod(),
                original: containers(json!([
                    {"name": "1"}, {"name": "2"}, {"name": "7"}, {"name": "9"},
                    {"name": "8"}, {"name": "3"}, {"name": "4"}
                ])),
                patch: container_patch(
                    Some(json!([{"name": "2"}, {"name": "1"}, {"name": "4"}, {"name": "3"}])),
                    None,
                ),
                want: containers(json!([
                    {"name": "2"}, {"name": "1"}, {"name": "7"}, {"name": "9"},
                    {"name": "8"}, {"name": "4"}, {"name": "3"}
                ])),
            },
            Case {
                name: "set element order for a merging list with duplicate",
                schema: pod(),
                original: containers(json!([
                    {"name": "1"}, {"name": "2", "image": "dup1"}, {"name": "3"},
                    {"name": "2", "image": "dup2"}, {"name": "4"}
                ])),
                patch: container_patch(
                    Some(json!([
                        {"name": "2"}, {"name": "1"}, {"name": "4"}, {"name": "3"}, {"name": "2"}
                    ])),
                    None,
                ),
                want: containers(json!([
                    {"name": "2", "image": "dup1"}, {"name": "2", "image": "dup2"},
                    {"name": "1"}, {"name": "4"}, {"name": "3"}
                ])),
            },
            Case {
                name: "order given inside a merged element (env of a container)",
                schema: pod(),
                original: containers(json!([
                    {"name": "1", "workingDir": "a", "env": [{"name": "e2", "value": "2"}]},
                    {"name": "2", "workingDir": "b"}
                ])),
                patch: container_patch(
                    Some(json!([{"name": "1"}, {"name": "2"}])),
                    Some(json!([{
                        "name": "1",
                        "$setElementOrder/env": [{"name": "e2"}, {"name": "e1"}],
                        "env": [{"name": "e1", "value": "1"}]
                    }])),
                ),
                want: containers(json!([
                    {"name": "1", "workingDir": "a", "env": [
                        {"name": "e2", "value": "2"}, {"name": "e1", "value": "1"}
                    ]},
                    {"name": "2", "workingDir": "b"}
                ])),
            },
            Case {
                name: "without $setElementOrder the patch order wins over the server's",
                schema: pod(),
                original: containers(json!([
                    {"name": "1"}, {"name": "2", "image": "b"}, {"name": "3"}
                ])),
                patch: containers(json!([
                    {"name": "3", "image": "c"}, {"name": "1", "image": "a"}
                ])),
                want: containers(json!([
                    {"name": "2", "image": "b"}, {"name": "3", "image": "c"}, {"name": "1", "image": "a"}
                ])),
            },
        ]);
    }

    /// `metadata.finalizers` is a merged list of primitives (upstream's `mergingIntList`).
    #[test]
    fn merges_primitive_lists() {
        run(vec![
            Case {
                name: "union without duplicates",
                schema: pod(),
                original: finalizers(json!(["a", "b"])),
                patch: finalizers(json!(["b", "c"])),
                want: finalizers(json!(["a", "b", "c"])),
            },
            Case {
                name: "patch order kept for the patch's items",
                schema: pod(),
                original: finalizers(json!(["1", "2", "3"])),
                patch: finalizers(json!(["3", "1"])),
                want: finalizers(json!(["2", "3", "1"])),
            },
            Case {
                name: "deleteFromPrimitiveList with setElementOrder",
                schema: pod(),
                original: finalizers(json!(["1", "2", "3", "4"])),
                patch: json!({"metadata": {
                    "$setElementOrder/finalizers": ["1", "2"],
                    "$deleteFromPrimitiveList/finalizers": ["3"]
                }}),
                want: finalizers(json!(["1", "2", "4"])),
            },
            Case {
                name: "delete all duplicate items in lists of scalars",
                schema: pod(),
                original: finalizers(json!(["1", "2", "3", "3", "4"])),
                patch: json!({"metadata": {
                    "$setElementOrder/finalizers": ["1", "2"],
                    "$deleteFromPrimitiveList/finalizers": ["3"]
                }}),
                want: finalizers(json!(["1", "2", "4"])),
            },
            Case {
                name: "add and delete items in lists of scalars",
                schema: pod(),
                original: finalizers(json!(["1", "2", "3"])),
                patch: json!({"metadata": {
                    "$setElementOrder/finalizers": ["1", "2", "4"],
                    "$deleteFromPrimitiveList/finalizers": ["3"],
                    "finalizers": ["4"]
                }}),
                want: finalizers(json!(["1", "2", "4"])),
            },
            Case {
                name: "add an item in a list of primitives and preserve order",
                schema: pod(),
                original: finalizers(json!(["1", "4", "2"])),
                patch: json!({"metadata": {
                    "$setElementOrder/finalizers": ["3", "1", "2"],
                    "finalizers": ["3"]
                }}),
                want: finalizers(json!(["3", "1", "4", "2"])),
            },
            Case {
                name: "set elements order in a int list with server-only items 3",
                schema: pod(),
                original: finalizers(json!(["1", "2", "7", "9", "8", "3", "4"])),
                patch: json!({"metadata": {"$setElementOrder/finalizers": ["2", "1", "4", "3"]}}),
                want: finalizers(json!(["2", "1", "7", "9", "8", "4", "3"])),
            },
            Case {
                name: "set element order for a merging int list with duplicate",
                schema: pod(),
                original: finalizers(json!(["1", "2", "3", "2", "4"])),
                patch: json!({"metadata": {"$setElementOrder/finalizers": ["2", "1", "4", "3", "2"]}}),
                want: finalizers(json!(["2", "2", "1", "4", "3"])),
            },
            Case {
                name: "deleting from a list the object does not have is a no-op",
                schema: pod(),
                original: json!({"metadata": {"name": "x"}}),
                patch: json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}),
                want: json!({"metadata": {"name": "x"}}),
            },
        ]);
    }

    #[test]
    fn patch_directives_delete_and_replace() {
        run(vec![
            Case {
                name: "$patch: delete removes the element",
                schema: pod(),
                original: containers(json!([{"name": "a"}, {"name": "b", "image": "x"}])),
                patch: containers(json!([{"name": "a", "$patch": "delete"}])),
                want: containers(json!([{"name": "b", "image": "x"}])),
            },
            Case {
                name: "$patch: delete removes every element with that key",
                schema: pod(),
                original: containers(json!([
                    {"name": "1"}, {"name": "1"}, {"name": "2", "image": "a"}, {"name": "3"}, {"name": "3"}
                ])),
                patch: containers(json!([
                    {"name": "1", "$patch": "delete"}, {"name": "3", "$patch": "delete"}
                ])),
                want: containers(json!([{"name": "2", "image": "a"}])),
            },
            Case {
                name: "delete all maps from merging list",
                schema: pod(),
                original: containers(json!([{"name": "1"}, {"name": "2"}])),
                patch: containers(json!([
                    {"name": "1", "$patch": "delete"}, {"name": "2", "$patch": "delete"}
                ])),
                want: containers(json!([])),
            },
            Case {
                name: "$patch: replace as a list element: the list becomes the other elements",
                schema: pod(),
                original: containers(json!([{"name": "a", "image": "1"}, {"name": "b"}])),
                patch: containers(json!([{"$patch": "replace"}, {"name": "c", "image": "2"}])),
                want: containers(json!([{"name": "c", "image": "2"}])),
            },
            Case {
                name: "delete all items from merging list",
                schema: pod(),
                original: containers(json!([{"name": "1"}, {"name": "2"}])),
                patch: containers(json!([{"$patch": "replace"}])),
                want: containers(json!([])),
            },
            Case {
                name: "$patch: replace inside a map replaces the map",
                schema: pod(),
                original: json!({"metadata": {"labels": {"a": "1", "b": "2"}}}),
                patch: json!({"metadata": {"labels": {"$patch": "replace", "c": "3"}}}),
                want: json!({"metadata": {"labels": {"c": "3"}}}),
            },
            Case {
                name: "$patch: delete on a map empties it (upstream: delete map from nested map)",
                schema: pod(),
                original: json!({"metadata": {"name": "x", "labels": {"a": "1"}}}),
                patch: json!({"metadata": {"labels": {"$patch": "delete"}}}),
                want: json!({"metadata": {"name": "x", "labels": {}}}),
            },
            Case {
                name: "$patch: replace on the whole object",
                schema: pod(),
                original: json!({"metadata": {"name": "x"}, "spec": {"nodeName": "n1"}}),
                patch: json!({"$patch": "replace", "metadata": {"name": "y"}}),
                want: json!({"metadata": {"name": "y"}}),
            },
        ]);
    }

    #[test]
    fn retain_keys() {
        let rolling = json!({"spec": {"replicas": 3, "strategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}
        }}});
        run(vec![
            Case {
                name: "switching a deployment to Recreate drops rollingUpdate",
                schema: deployment(),
                original: rolling.clone(),
                patch: json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
                want: json!({"spec": {"replicas": 3, "strategy": {"type": "Recreate"}}}),
            },
            Case {
                name: "the same as kubectl apply sends it (with the null)",
                schema: deployment(),
                original: rolling.clone(),
                patch: json!({"spec": {"strategy": {
                    "$retainKeys": ["type"], "rollingUpdate": null, "type": "Recreate"
                }}}),
                want: json!({"spec": {"replicas": 3, "strategy": {"type": "Recreate"}}}),
            },
            Case {
                name: "retainKeys map can add a field when no retainKeys directive present",
                schema: deployment(),
                original: json!({"spec": {"strategy": {"type": "RollingUpdate"}}}),
                patch: json!({"spec": {"strategy": {"rollingUpdate": {"maxSurge": 1}}}}),
                want: json!({"spec": {"strategy": {
                    "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}
                }}}),
            },
            Case {
                name: "each element of a merge,retainKeys list (volume source switch)",
                schema: pod(),
                original: json!({"spec": {"volumes": [
                    {"name": "data", "emptyDir": {}}, {"name": "other", "emptyDir": {}}
                ]}}),
                patch: json!({"spec": {
                    "$setElementOrder/volumes": [{"name": "data"}, {"name": "other"}],
                    "volumes": [{
                        "$retainKeys": ["configMap", "name"],
                        "configMap": {"name": "cm"},
                        "name": "data"
                    }]
                }}),
                want: json!({"spec": {"volumes": [
                    {"name": "data", "configMap": {"name": "cm"}},
                    {"name": "other", "emptyDir": {}}
                ]}}),
            },
        ]);
        let err = strategic_merge_patch(
            &rolling,
            &json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {"maxSurge": 1}}}}),
            deployment(),
        );
        assert_eq!(err, Err(PatchError::BadPatchFormatForRetainKeys));
        assert_eq!(err.err().map(|e| e.http_status()), Some(400));
    }

    #[test]
    fn maps_merge_and_null_deletes() {
        run(vec![
            Case {
                name: "labels and annotations merge key by key, null deletes",
                schema: pod(),
                original: json!({"metadata": {
                    "name": "web",
                    "labels": {"app": "web", "tier": "front"},
                    "annotations": {"a": "1", "b": "2"}
                }}),
                patch: json!({"metadata": {
                    "labels": {"tier": null, "env": "prod"},
                    "annotations": {"a": "10", "missing": null}
                }}),
                want: json!({"metadata": {
                    "name": "web",
                    "labels": {"app": "web", "env": "prod"},
                    "annotations": {"a": "10", "b": "2"}
                }}),
            },
            Case {
                name: "null deletes a whole field",
                schema: pod(),
                original: json!({"spec": {"nodeName": "n1", "priority": 5}}),
                patch: json!({"spec": {"nodeName": null}}),
                want: json!({"spec": {"priority": 5}}),
            },
            Case {
                name: "type mismatch: the patch wins",
                schema: pod(),
                original: json!({"metadata": {"labels": {"a": "1"}}, "spec": {"priority": 5}}),
                patch: json!({"metadata": {"labels": "oops"}, "spec": {"priority": {"x": 1}}}),
                want: json!({"metadata": {"labels": "oops"}, "spec": {"priority": {"x": 1}}}),
            },
            Case {
                name: "null patch changes nothing",
                schema: pod(),
                original: json!({"metadata": {"name": "x"}}),
                patch: Value::Null,
                want: json!({"metadata": {"name": "x"}}),
            },
        ]);
    }

    #[test]
    fn node_cordon_and_uncordon() {
        let node_obj = json!({
            "metadata": {"name": "node-1", "labels": {"kubernetes.io/hostname": "node-1"}},
            "spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"]}
        });
        let cordoned =
            strategic_merge_patch(&node_obj, &json!({"spec": {"unschedulable": true}}), node())
                .expect("cordon");
        assert_eq!(cordoned["spec"]["unschedulable"], json!(true));
        assert_eq!(cordoned["spec"]["podCIDRs"], json!(["10.244.1.0/24"]));
        let uncordoned =
            strategic_merge_patch(&cordoned, &json!({"spec": {"unschedulable": null}}), node())
                .expect("uncordon");
        assert_eq!(uncordoned, node_obj);
    }

    #[test]
    fn kubectl_apply_image_change_keeps_everything_else() {
        let last_applied = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"name":"web","namespace":"default"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1.28","name":"nginx"}]}}}}"#;
        let stored = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "web", "namespace": "default", "uid": "3f6c", "generation": 1,
                "resourceVersion": "812", "creationTimestamp": "2025-01-01T00:00:00Z",
                "annotations": {
                    "deployment.kubernetes.io/revision": "1",
                    "kubectl.kubernetes.io/last-applied-configuration": "{\"old\":true}\n"
                },
                "labels": {"app": "web"}
            },
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                "revisionHistoryLimit": 10,
                "progressDeadlineSeconds": 600,
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "containers": [{
                            "name": "nginx", "image": "nginx:1.27",
                            "imagePullPolicy": "IfNotPresent",
                            "ports": [{"containerPort": 80, "protocol": "TCP"}],
                            "resources": {},
                            "terminationMessagePath": "/dev/termination-log",
                            "terminationMessagePolicy": "File"
                        }],
                        "restartPolicy": "Always",
                        "terminationGracePeriodSeconds": 30,
                        "dnsPolicy": "ClusterFirst",
                        "schedulerName": "default-scheduler",
                        "securityContext": {}
                    }
                }
            },
            "status": {"replicas": 2, "readyReplicas": 2, "observedGeneration": 1}
        });
        let patch = json!({
            "metadata": {"annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": format!("{last_applied}\n")
            }},
            "spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "nginx"}],
                "containers": [{"image": "nginx:1.28", "name": "nginx"}]
            }}}
        });
        let got = strategic_merge_patch(&stored, &patch, deployment()).expect("apply");
        let mut want = stored.clone();
        want["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] =
            json!(format!("{last_applied}\n"));
        want["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.28");
        assert_eq!(got, want);
    }

    #[test]
    fn unknown_fields_and_unknown_kinds_merge_like_json_merge_patch() {
        run(vec![
            Case {
                name: "undeclared field of a known kind: maps merge, lists replaced",
                schema: pod(),
                original: json!({"spec": {"extra": {"a": 1, "list": [{"name": "x"}]}}}),
                patch: json!({"spec": {"extra": {"b": 2, "list": [{"name": "y"}]}}}),
                want: json!({"spec": {"extra": {"a": 1, "b": 2, "list": [{"name": "y"}]}}}),
            },
            Case {
                name: "unknown kind (null schema): RFC 7386, directives stripped",
                schema: &Value::Null,
                original: json!({"spec": {"a": 1, "b": {"c": 2, "d": 3}, "items": [1, 2]}}),
                patch: json!({"spec": {
                    "a": null,
                    "b": {"d": null, "e": 4},
                    "items": [3],
                    "new": {"x": null, "y": 1, "$retainKeys": ["y"], "$setElementOrder/z": []}
                }}),
                want: json!({"spec": {"b": {"c": 2, "e": 4}, "items": [3], "new": {"y": 1}}}),
            },
        ]);
    }

    #[test]
    fn directives_never_reach_the_result() {
        run(vec![
            Case {
                name: "new field carrying nested directives",
                schema: pod(),
                original: json!({"spec": {}}),
                patch: json!({"spec": {"initContainers": [
                    {"name": "init", "env": [{"name": "A", "value": null}],
                     "resources": {"$patch": "replace", "limits": {"cpu": "1"}}},
                    {"name": "gone", "$patch": "delete"}
                ], "$setElementOrder/initContainers": [{"name": "init"}]}}),
                want: json!({"spec": {"initContainers": [
                    {"name": "init", "env": [{"name": "A"}], "resources": {"limits": {"cpu": "1"}}}
                ]}}),
            },
            Case {
                name: "appended element with a stray directive key",
                schema: pod(),
                original: containers(json!([{"name": "a"}])),
                patch: containers(json!([{"name": "b", "$retainKeys": ["name"], "args": null}])),
                want: containers(json!([{"name": "b"}, {"name": "a"}])),
            },
            Case {
                name: "replace-strategy field (PDB selector) replaced, directive stripped",
                schema: kind("policy", "v1", "PodDisruptionBudget"),
                original: json!({"spec": {"selector": {"matchLabels": {"a": "1"}}}}),
                patch: json!({"spec": {"selector": {"matchLabels": {"b": "2"}, "$retainKeys": []}}}),
                want: json!({"spec": {"selector": {"matchLabels": {"b": "2"}}}}),
            },
        ]);
    }

    #[test]
    fn errors_read_like_kube_apiservers() {
        let cases: Vec<(&str, Value, Value, &str, u16)> = vec![
            (
                "missing merge key",
                containers(json!([{"name": "nginx", "image": "a"}])),
                containers(json!([{"image": "nginx"}])),
                "map: map[image:nginx] does not contain declared merge key: name",
                500,
            ),
            (
                "order in patch does not match $setElementOrder",
                containers(json!([{"name": "1"}, {"name": "3"}, {"name": "2"}])),
                container_patch(
                    Some(json!([{"name": "1"}, {"name": "2"}, {"name": "3"}])),
                    Some(json!([{"name": "3", "image": "3"}, {"name": "1", "image": "1"}])),
                ),
                "The order in patch list:\n[map[image:3 name:3] map[image:1 name:1]]\n doesn't match $setElementOrder list:\n[map[name:1] map[name:2] map[name:3]]\n",
                500,
            ),
            (
                "unknown $patch in a map",
                json!({"metadata": {"labels": {"a": "1"}}}),
                json!({"metadata": {"labels": {"$patch": "explode"}}}),
                "unknown patch type: explode in map: map[$patch:explode]",
                500,
            ),
            (
                "$patch: merge in a list",
                containers(json!([{"name": "a"}])),
                containers(json!([{"name": "a", "$patch": "merge"}])),
                "merging lists cannot yet be specified in the patch",
                500,
            ),
            (
                "retainKeys not a list",
                json!({"spec": {"strategy": {"type": "Recreate"}}}),
                json!({"spec": {"strategy": {"$retainKeys": "type"}}}),
                "invalid patch format of retainKeys",
                400,
            ),
            (
                "bad $setElementOrder key",
                json!({"metadata": {}}),
                json!({"metadata": {"$setElementOrderfinalizers": []}}),
                "invalid patch format of setElementOrder list",
                400,
            ),
            (
                "bad $deleteFromPrimitiveList key",
                finalizers(json!(["a"])),
                json!({"metadata": {"$deleteFromPrimitiveList": ["a"]}}),
                "invalid patch format of primitive list",
                400,
            ),
            (
                "list of lists",
                finalizers(json!([["a"]])),
                finalizers(json!([["b"]])),
                "lists of lists are not supported",
                422,
            ),
            (
                "mixed element types",
                finalizers(json!(["a"])),
                finalizers(json!([1.5])),
                "list element types are not identical: [[a] [1.5]]",
                500,
            ),
            (
                "setElementOrder not a list",
                finalizers(json!(["a"])),
                json!({"metadata": {"$setElementOrder/finalizers": "a"}}),
                "expected a []interface {}, but received a string",
                500,
            ),
        ];
        for (name, original, patch, message, status) in cases {
            let err = strategic_merge_patch(&original, &patch, pod()).expect_err(name);
            assert_eq!(err.to_string(), message, "{name}");
            assert_eq!(err.http_status(), status, "{name}");
        }
        assert_eq!(
            strategic_merge_patch(&json!({}), &json!([1]), pod()),
            Err(PatchError::BadJsonDoc)
        );
    }

    #[test]
    fn absurdly_deep_input_is_refused_not_overflowed() {
        // Built by hand: `json!` would serialise (recursively) the value it embeds.
        let wrap =
            |key: &str, inner: Value| Value::Object(Map::from_iter([(key.to_string(), inner)]));
        let mut deep = Value::from("leaf");
        for _ in 0..100_000 {
            deep = wrap("a", deep);
        }
        let patch = wrap("metadata", wrap("annotations", deep));
        assert_eq!(
            strategic_merge_patch(&json!({}), &patch, pod()),
            Err(PatchError::TooDeep { max: MAX_DEPTH })
        );
        // Dropping a value this deep recurses in serde_json itself; unwind it by hand.
        let mut v = patch;
        while let Some(next) = v.as_object_mut().and_then(|m| m.values_mut().next()) {
            let taken = std::mem::take(next);
            v = taken;
        }

        // Whatever serde_json itself accepts (128 levels) must merge.
        let text = format!("{}1{}", "[".repeat(127), "]".repeat(127));
        let nested: Value = serde_json::from_str(&text).expect("serde_json accepts 127 levels");
        let got = strategic_merge_patch(&json!({}), &json!({ "x": nested }), &Value::Null);
        assert!(got.is_ok());

        // Merging two maps nested MAX_DEPTH deep recurses all the way down.
        let nest = |leaf: Value| (1..MAX_DEPTH).fold(leaf, |inner, _| wrap("a", inner));
        let got =
            strategic_merge_patch(&nest(json!(1)), &nest(json!(2)), pod()).expect("deep merge");
        assert_eq!(got, nest(json!(2)));
    }

    #[test]
    fn go_formatting_of_floats() {
        assert_eq!(go_float(1.5), "1.5");
        assert_eq!(go_float(100000.5), "100000.5");
        assert_eq!(go_float(1e6), "1e+06");
        assert_eq!(go_float(1234567.5), "1.2345675e+06");
        assert_eq!(go_float(0.0001), "0.0001");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(-2.5e-7), "-2.5e-07");
    }

    #[test]
    fn go_stable_sort_matches_upstream_on_long_lists() {
        // More than one block of 20 exercises symMerge; a proper order must come out sorted.
        let mut v: Vec<Value> = (0..57).rev().map(|i| json!(i)).collect();
        go_stable_sort(&mut v, |a, b| a.as_i64() < b.as_i64());
        let want: Vec<Value> = (0..57).map(|i| json!(i)).collect();
        assert_eq!(v, want);
    }
}
