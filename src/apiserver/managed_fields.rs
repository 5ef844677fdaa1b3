//! Field ownership: `metadata.managedFields`, kept the way kube-apiserver's field manager keeps it
//! (`k8s.io/apimachinery/pkg/util/managedfields` on top of `sigs.k8s.io/structured-merge-diff`).
//!
//! Owns: field sets (`FieldSet`, `PathElement`) and their `FieldsV1` encoding; the schema-typed
//! walks structured-merge-diff makes over objects (the field set of an object, the comparison of
//! two objects); decoding, sorting and encoding `managedFields` entries; and recording Update
//! operations (create / update / non-apply patch by a named manager) with [`record_update`].
//! Server-side apply (`apiserver::patch::apply`) builds on the crate-visible parts. Reads the
//! OpenAPI schemas from `api::schema`; calls nothing else.

use crate::api::schema::{NodeTable, Schema};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::sync::OnceLock;

pub const OPERATION_APPLY: &str = "Apply";
pub const OPERATION_UPDATE: &str = "Update";
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Update entries beyond this many are merged, oldest first, into `ancient-changes`.
const MAX_UPDATE_MANAGERS: usize = 10;
const ANCIENT_CHANGES: &str = "ancient-changes";

/// Fields never recorded as owned (the field manager's `stripMetaManager`).
const STRIPPED_PATHS: &[&[&str]] = &[
    &["apiVersion"],
    &["kind"],
    &["metadata"],
    &["metadata", "name"],
    &["metadata", "namespace"],
    &["metadata", "creationTimestamp"],
    &["metadata", "selfLink"],
    &["metadata", "uid"],
    &["metadata", "clusterName"],
    &["metadata", "generation"],
    &["metadata", "managedFields"],
    &["metadata", "resourceVersion"],
];

// ---------------------------------------------------------------------------------------------
// Values: structured-merge-diff's total order and equality, Go's JSON and %q.

fn type_rank(value: &Value) -> u8 {
    match value {
        Value::Number(_) => 0,
        Value::String(_) => 1,
        Value::Bool(_) => 2,
        Value::Array(_) => 3,
        Value::Object(_) => 4,
        Value::Null => 5,
    }
}

fn compare_numbers(a: &Number, b: &Number) -> Ordering {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x.cmp(&y);
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x.cmp(&y);
    }
    let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
    x.partial_cmp(&y).unwrap_or(Ordering::Equal)
}

/// structured-merge-diff's `value.Compare`: numbers (ints and floats numerically) < strings <
/// booleans < lists < maps < null.
pub(crate) fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => compare_numbers(x, y),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .map(|(l, r)| compare_values(l, r))
            .find(|c| c.is_ne())
            .unwrap_or_else(|| x.len().cmp(&y.len())),
        (Value::Object(x), Value::Object(y)) => {
            let (x, y) = (sorted_entries(x), sorted_entries(y));
            x.iter()
                .zip(&y)
                .map(|((lk, lv), (rk, rv))| lk.cmp(rk).then_with(|| compare_values(lv, rv)))
                .find(|c| c.is_ne())
                .unwrap_or_else(|| x.len().cmp(&y.len()))
        }
        _ => type_rank(a).cmp(&type_rank(b)),
    }
}

/// A map's entries by key (Go sorts map keys when encoding and comparing).
fn sorted_entries(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// Equality as structured-merge-diff sees it (`1` equals `1.0`).
pub(crate) fn values_equal(a: &Value, b: &Value) -> bool {
    compare_values(a, b).is_eq()
}

/// A JSON string as Go's encoders write it (HTML characters escaped), so keys and identifiers
/// match a real cluster's byte for byte.
pub(crate) fn write_go_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

pub(crate) fn write_go_json(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_go_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in sorted_entries(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_string(key, out);
                out.push(':');
                write_go_json(item, out);
            }
            out.push('}');
        }
    }
}

/// Compact JSON with sorted keys, as Go's `encoding/json` writes a `map[string]interface{}`.
pub(crate) fn go_json(value: &Value) -> String {
    let mut out = String::new();
    write_go_json(value, &mut out);
    out
}

/// Go's `%q` of a string.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// structured-merge-diff's `value.ToString`, used in human-readable paths.
fn value_to_string(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => go_quote(s),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(value_to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}={}", value_to_string(v)))
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Paths and field sets.

/// One step of a field path (structured-merge-diff's `PathElement`).
#[derive(Clone, Debug)]
pub enum PathElement {
    /// `f:<name>`: a field of a struct, or a key of a map.
    Field(String),
    /// `k:{...}`: the item of an associative list whose key fields have these values, sorted by
    /// field name.
    Key(Vec<(String, Value)>),
    /// `v:<json>`: the item of a set.
    Value(Value),
    /// `i:<n>`: an item of an atomic list, by position.
    Index(usize),
}

impl PathElement {
    fn rank(&self) -> u8 {
        match self {
            PathElement::Field(_) => 0,
            PathElement::Key(_) => 1,
            PathElement::Value(_) => 2,
            PathElement::Index(_) => 3,
        }
    }

    /// The `FieldsV1` key: `f:image`, `k:{"name":"nginx"}`, `v:"a"`, `i:0`.
    pub fn serialize(&self) -> String {
        match self {
            PathElement::Field(name) => {
                let mut out = String::with_capacity(name.len() + 2);
                out.push_str("f:");
                out.push_str(name);
                out
            }
            PathElement::Key(fields) => {
                let mut out = String::from("k:{");
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_go_string(name, &mut out);
                    out.push(':');
                    write_go_json(value, &mut out);
                }
                out.push('}');
                out
            }
            PathElement::Value(value) => format!("v:{}", go_json(value)),
            PathElement::Index(i) => format!("i:{i}"),
        }
    }

    /// Parses a `FieldsV1` key. Unknown element types are `Ok(None)`: a newer server may write
    /// kinds this one does not know, and structured-merge-diff drops those.
    pub fn parse(s: &str) -> Result<Option<PathElement>, String> {
        let bytes = s.as_bytes();
        if bytes.len() < 2 {
            return Err(format!("key must be 2 characters long: {s}"));
        }
        if bytes[1] != b':' {
            return Err(format!("missing colon: {s}"));
        }
        let rest = &s[2..];
        let element = match bytes[0] {
            b'f' => PathElement::Field(rest.to_string()),
            b'v' => {
                PathElement::Value(serde_json::from_str(rest).map_err(|e| format!("{s}: {e}"))?)
            }
            b'k' => {
                let map: Map<String, Value> =
                    serde_json::from_str(rest).map_err(|e| format!("{s}: {e}"))?;
                let mut fields: Vec<(String, Value)> = map.into_iter().collect();
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                PathElement::Key(fields)
            }
            b'i' => PathElement::Index(rest.parse().map_err(|e| format!("{s}: {e}"))?),
            _ => return Ok(None),
        };
        Ok(Some(element))
    }
}

impl Ord for PathElement {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (PathElement::Field(a), PathElement::Field(b)) => a.cmp(b),
            (PathElement::Key(a), PathElement::Key(b)) => a
                .iter()
                .zip(b)
                .map(|((an, av), (bn, bv))| an.cmp(bn).then_with(|| compare_values(av, bv)))
                .find(|c| c.is_ne())
                .unwrap_or_else(|| a.len().cmp(&b.len())),
            (PathElement::Value(a), PathElement::Value(b)) => compare_values(a, b),
            (PathElement::Index(a), PathElement::Index(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for PathElement {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for PathElement {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for PathElement {}

/// The human-readable form used in conflict messages: `.image`, `[name="nginx"]`, `[="a"]`,
/// `[0]`.
impl fmt::Display for PathElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathElement::Field(name) => write!(f, ".{name}"),
            PathElement::Key(fields) => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(n, v)| format!("{n}={}", value_to_string(v)))
                    .collect();
                write!(f, "[{}]", parts.join(","))
            }
            PathElement::Value(value) => write!(f, "[={}]", value_to_string(value)),
            PathElement::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// `.spec.template.spec.containers[name="nginx"].image`
pub fn path_string(path: &[PathElement]) -> String {
    path.iter().map(ToString::to_string).collect()
}

/// A set of field paths, stored as a tree (structured-merge-diff's `fieldpath.Set`). Parents are
/// not implied by their children: `.spec.replicas` does not make `.spec` a member. A child is
/// kept only while it has a member below it (every operation keeps it so), so two sets of the
/// same paths are equal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSet {
    members: sorted::Set<PathElement>,
    children: sorted::Map<PathElement, FieldSet>,
}

impl FieldSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `path` (the empty path, the whole object, is never owned).
    pub fn insert(&mut self, path: &[PathElement]) {
        match path {
            [] => {}
            [last] => {
                self.members.insert(last.clone());
            }
            [first, rest @ ..] => self.children.get_or_insert_default(first).insert(rest),
        }
    }

    pub fn has(&self, path: &[PathElement]) -> bool {
        match path {
            [] => false,
            [last] => self.members.contains(last),
            [first, rest @ ..] => self
                .children
                .get(first)
                .is_some_and(|child| child.has(rest)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty() && self.children.values().all(FieldSet::is_empty)
    }

    pub fn union(&self, other: &FieldSet) -> FieldSet {
        let mut out = self.clone();
        for pe in &other.members {
            out.members.insert(pe.clone());
        }
        for (pe, child) in &other.children {
            let merged = match out.children.get(pe) {
                Some(mine) => mine.union(child),
                None => child.clone(),
            };
            out.children.insert(pe.clone(), merged);
        }
        out
    }

    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        let members = self.members.intersection(&other.members).cloned().collect();
        let children = self
            .children
            .iter()
            .filter_map(|(pe, child)| {
                let both = child.intersection(other.children.get(pe)?);
                (!both.is_empty()).then(|| (pe.clone(), both))
            })
            .collect();
        FieldSet { members, children }
    }

    /// Leaf-wise difference: removing a parent path does not remove its children.
    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        let members = self.members.difference(&other.members).cloned().collect();
        let children = self
            .children
            .iter()
            .filter_map(|(pe, child)| {
                let rest = match other.children.get(pe) {
                    Some(theirs) => child.difference(theirs),
                    None => child.clone(),
                };
                (!rest.is_empty()).then(|| (pe.clone(), rest))
            })
            .collect();
        FieldSet { members, children }
    }

    /// Difference that also drops everything below a member of `other`.
    pub fn recursive_difference(&self, other: &FieldSet) -> FieldSet {
        let members = self.members.difference(&other.members).cloned().collect();
        let children = self
            .children
            .iter()
            .filter(|(pe, _)| !other.members.contains(pe))
            .filter_map(|(pe, child)| {
                let rest = match other.children.get(pe) {
                    Some(theirs) => child.recursive_difference(theirs),
                    None => child.clone(),
                };
                (!rest.is_empty()).then(|| (pe.clone(), rest))
            })
            .collect();
        FieldSet { members, children }
    }

    /// `self.union(other)`, in place, taking `other` apart instead of copying it.
    pub fn absorb(&mut self, other: FieldSet) {
        if self.members.is_empty() && self.children.is_empty() {
            *self = other;
            return;
        }
        for pe in other.members {
            self.members.insert(pe);
        }
        for (pe, child) in other.children {
            match self.children.get_mut(&pe) {
                Some(mine) => mine.absorb(child),
                None => {
                    self.children.insert(pe, child);
                }
            }
        }
    }

    /// `self.difference(other)`, in place.
    pub fn remove_leaves(&mut self, other: &FieldSet) {
        self.remove_members_of(other);
        for (pe, theirs) in &other.children {
            if let Some(child) = self.children.get_mut(pe) {
                child.remove_leaves(theirs);
                if child.is_empty() {
                    self.children.remove(pe);
                }
            }
        }
    }

    /// `self.recursive_difference(other)`, in place.
    pub fn remove_recursive(&mut self, other: &FieldSet) {
        self.remove_members_of(other);
        for pe in &other.members {
            self.children.remove(pe);
        }
        for (pe, theirs) in &other.children {
            if let Some(child) = self.children.get_mut(pe) {
                child.remove_recursive(theirs);
                if child.is_empty() {
                    self.children.remove(pe);
                }
            }
        }
    }

    fn remove_members_of(&mut self, other: &FieldSet) {
        if other.members.len() < self.members.len() {
            for pe in &other.members {
                self.members.remove(pe);
            }
        } else {
            self.members.retain(|pe| !other.members.contains(pe));
        }
    }

    /// The paths below `pe`, without it.
    pub fn with_prefix(&self, pe: &PathElement) -> Option<&FieldSet> {
        self.children.get(pe)
    }

    /// Every member path, in structured-merge-diff's order (members of a node, then its
    /// children).
    pub fn paths(&self) -> Vec<Vec<PathElement>> {
        let mut out = Vec::new();
        self.collect_paths(&mut Vec::new(), &mut out);
        out
    }

    fn collect_paths(&self, prefix: &mut Vec<PathElement>, out: &mut Vec<Vec<PathElement>>) {
        for member in &self.members {
            let mut path = prefix.clone();
            path.push(member.clone());
            out.push(path);
        }
        for (pe, child) in &self.children {
            prefix.push(pe.clone());
            child.collect_paths(prefix, out);
            prefix.pop();
        }
    }

    /// The `FieldsV1` form: `{"f:spec":{"f:replicas":{}}}`; `"."` marks a node that is itself a
    /// member and also has members below it.
    pub fn to_fields_v1(&self) -> Value {
        Value::Object(self.emit(false))
    }

    fn emit(&self, include_self: bool) -> Map<String, Value> {
        let mut out = Map::new();
        for member in &self.members {
            if !self.children.contains_key(member) {
                out.insert(member.serialize(), Value::Object(Map::new()));
            }
        }
        for (pe, child) in &self.children {
            out.insert(
                pe.serialize(),
                Value::Object(child.emit(self.members.contains(pe))),
            );
        }
        if include_self && !out.is_empty() {
            out.insert(".".to_string(), Value::Object(Map::new()));
        }
        out
    }

    pub fn from_fields_v1(value: &Value) -> Result<FieldSet, String> {
        match value {
            Value::Null => Ok(FieldSet::new()),
            Value::Object(map) => Ok(Self::read(map)?.0),
            _ => Err("FieldsV1 must be a JSON object".to_string()),
        }
    }

    /// Returns the subtree and whether the node itself is a member (an empty object, or `"."`).
    fn read(map: &Map<String, Value>) -> Result<(FieldSet, bool), String> {
        let mut set = FieldSet::new();
        let mut is_member = false;
        for (key, child) in map {
            if key == "." {
                is_member = true;
                continue;
            }
            let Some(pe) = PathElement::parse(key)? else {
                continue;
            };
            let child = child
                .as_object()
                .ok_or_else(|| format!("{key}: expected an object"))?;
            let (grandchildren, child_is_member) = Self::read(child)?;
            if child_is_member {
                set.members.insert(pe.clone());
            }
            if !grandchildren.members.is_empty() || !grandchildren.children.is_empty() {
                set.children.insert(pe, grandchildren);
            }
        }
        let leaf = set.members.is_empty() && set.children.is_empty();
        Ok((set, is_member || leaf))
    }
}

fn path_of(names: &[&str]) -> Vec<PathElement> {
    names
        .iter()
        .map(|n| PathElement::Field((*n).to_string()))
        .collect()
}

fn stripped_fields() -> &'static FieldSet {
    static STRIPPED: OnceLock<FieldSet> = OnceLock::new();
    STRIPPED.get_or_init(|| {
        let mut set = FieldSet::new();
        for names in STRIPPED_PATHS {
            set.insert(&path_of(names));
        }
        set
    })
}

// ---------------------------------------------------------------------------------------------
// Schema typing: what structured-merge-diff's schema says about a node.

/// A node's type: the raw OpenAPI node (whose own `x-kubernetes-*` extensions sit beside its
/// `$ref`), or `None` when the type is deduced from the value, as for unknown fields.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ty<'s>(Option<&'s Value>);

impl<'s> Ty<'s> {
    /// The type of a whole object from its kind's definition (`Value::Null` when unknown).
    pub(crate) fn root(schema: &'s Value) -> Ty<'s> {
        Ty(schema.is_object().then_some(schema))
    }
}

pub(crate) enum ListKind<'s> {
    /// Replaced as a whole; items are addressed by index.
    Atomic,
    /// Scalars, merged as a union; items are addressed by value.
    Set,
    /// Objects identified by these key fields.
    Keyed(Cow<'s, [&'s str]>),
}

/// structured-merge-diff's atoms; structs and maps are both `Map` (structs have `fields`).
pub(crate) enum Atom<'s> {
    Scalar,
    Map {
        fields: Option<&'s Map<String, Value>>,
        elem: Ty<'s>,
        atomic: bool,
    },
    List {
        elem: Ty<'s>,
        kind: ListKind<'s>,
    },
}

impl<'s> Atom<'s> {
    /// The type of `name` inside a map atom.
    pub(crate) fn field(&self, name: &str) -> Ty<'s> {
        match self {
            Atom::Map { fields, elem, .. } => fields
                .and_then(|f| f.get(name))
                .map_or(*elem, |node| Ty(Some(node))),
            _ => Ty(None),
        }
    }

    /// Whether `name` is a declared struct field (those are owned through their leaves only).
    pub(crate) fn is_named_field(&self, name: &str) -> bool {
        matches!(self, Atom::Map { fields: Some(fields), .. } if fields.contains_key(name))
    }
}

fn list_kind<'s>(ext: impl Fn(&str) -> Option<&'s Value>) -> ListKind<'s> {
    let strings = |v: &'s Value| -> Vec<&'s str> {
        v.as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    };
    match ext("x-kubernetes-list-type").and_then(Value::as_str) {
        Some("set") => ListKind::Set,
        Some("map") => match ext("x-kubernetes-list-map-keys").map(strings) {
            Some(keys) if !keys.is_empty() => ListKind::Keyed(Cow::Owned(keys)),
            _ => ListKind::Atomic,
        },
        Some(_) => ListKind::Atomic,
        // Built-in types without a list type: the strategic merge patch strategy decides, as
        // kube-openapi's schema conversion does.
        None => {
            let merge = ext("x-kubernetes-patch-strategy")
                .and_then(Value::as_str)
                .is_some_and(|s| s.split(',').any(|p| p == "merge"));
            match (
                merge,
                ext("x-kubernetes-patch-merge-key").and_then(Value::as_str),
            ) {
                (true, Some(key)) => ListKind::Keyed(Cow::Owned(vec![key])),
                (true, None) => ListKind::Set,
                (false, _) => ListKind::Atomic,
            }
        }
    }
}

impl<'s> Ty<'s> {
    /// The atom the schema declares, or `None` when it must be deduced from the value.
    pub(crate) fn declared(self) -> Option<Atom<'s>> {
        let raw = self.0?;
        match node_facts().get(raw) {
            Some(facts) => facts.declared.as_ref().map(Atom::borrowed),
            None => declared_atom(raw),
        }
    }

    /// The atom used to walk `values` (the present sides of a comparison or merge). A value
    /// whose shape contradicts the schema is treated as a leaf rather than rejected.
    pub(crate) fn atom(self, values: &[Option<&Value>]) -> Atom<'s> {
        let mut present = values.iter().flatten().filter(|v| !v.is_null());
        let atom = self
            .declared()
            .unwrap_or_else(|| match present.clone().next() {
                Some(Value::Object(_)) => Atom::Map {
                    fields: None,
                    elem: Ty(None),
                    atomic: false,
                },
                Some(Value::Array(_)) => Atom::List {
                    elem: Ty(None),
                    kind: ListKind::Atomic,
                },
                _ => Atom::Scalar,
            });
        let fits = |v: &&Value| match &atom {
            Atom::Map { .. } => v.is_object(),
            Atom::List { .. } => v.is_array(),
            Atom::Scalar => true,
        };
        if present.all(fits) {
            atom
        } else {
            Atom::Scalar
        }
    }
}

impl Atom<'_> {
    /// The same atom, borrowing the list keys of this one.
    fn borrowed(&self) -> Atom<'_> {
        match self {
            Atom::Scalar => Atom::Scalar,
            Atom::Map {
                fields,
                elem,
                atomic,
            } => Atom::Map {
                fields: *fields,
                elem: *elem,
                atomic: *atomic,
            },
            Atom::List { elem, kind } => Atom::List {
                elem: *elem,
                kind: match kind {
                    ListKind::Atomic => ListKind::Atomic,
                    ListKind::Set => ListKind::Set,
                    ListKind::Keyed(keys) => ListKind::Keyed(Cow::Borrowed(keys)),
                },
            },
        }
    }
}

/// What the schema declares about one raw node (see [`Ty::declared`]).
fn declared_atom(raw: &Value) -> Option<Atom<'_>> {
    let node = Schema::get().resolve(raw);
    let ext = |key: &str| raw.get(key).or_else(|| node.get(key));
    let ty = node.get("type").and_then(Value::as_str);
    let properties = node.get("properties").and_then(Value::as_object);
    if ty == Some("array") || node.get("items").is_some() {
        return Some(Atom::List {
            elem: Ty(node.get("items")),
            kind: list_kind(ext),
        });
    }
    if ty == Some("object") || properties.is_some() || node.get("additionalProperties").is_some() {
        let elem = match node.get("additionalProperties") {
            Some(ap @ Value::Object(_)) => Ty(Some(ap)),
            _ => Ty(None),
        };
        let atomic = ext("x-kubernetes-map-type").and_then(Value::as_str) == Some("atomic");
        return Some(Atom::Map {
            fields: properties,
            elem,
            atomic,
        });
    }
    matches!(ty, Some("string" | "integer" | "number" | "boolean")).then_some(Atom::Scalar)
}

/// The defaults of a raw node's properties (see [`key_default`]).
fn property_defaults(raw: &Value) -> Vec<(&str, &Value)> {
    let schema = Schema::get();
    let Some(properties) = schema
        .resolve(raw)
        .get("properties")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    properties
        .iter()
        .filter_map(|(key, p)| {
            p.get("default")
                .or_else(|| schema.resolve(p).get("default"))
                .map(|default| (key.as_str(), default))
        })
        .collect()
}

/// What the typed walks ask of a schema node, derived once per node of the embedded schema.
struct NodeFacts {
    declared: Option<Atom<'static>>,
    defaults: Vec<(&'static str, &'static Value)>,
}

fn node_facts() -> &'static NodeTable<NodeFacts> {
    static FACTS: OnceLock<NodeTable<NodeFacts>> = OnceLock::new();
    FACTS.get_or_init(|| {
        NodeTable::build(|raw| NodeFacts {
            declared: declared_atom(raw),
            defaults: property_defaults(raw),
        })
    })
}

/// A key field's default when an item omits it. The built-in schemas default `protocol` to
/// "TCP" (ports of containers, services, endpoints); the embedded definitions drop `default`.
fn key_default(elem: Ty<'_>, key: &str) -> Option<Value> {
    if let Some(raw) = elem.0 {
        let default = match node_facts().get(raw) {
            Some(facts) => facts
                .defaults
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, default)| *default),
            None => property_defaults(raw)
                .into_iter()
                .find(|(name, _)| *name == key)
                .map(|(_, default)| default),
        };
        if let Some(default) = default {
            return Some(default.clone());
        }
    }
    (key == "protocol").then(|| Value::String("TCP".to_string()))
}

/// The path element naming `item` in a list of this kind.
pub(crate) fn item_element(
    kind: &ListKind<'_>,
    elem: Ty<'_>,
    index: usize,
    item: &Value,
) -> Result<PathElement, String> {
    match kind {
        ListKind::Atomic => Ok(PathElement::Index(index)),
        ListKind::Set => match item {
            Value::Object(_) => {
                Err("associative list without keys has an element that's a map type".to_string())
            }
            Value::Array(_) => {
                Err("not supported: associative list with lists as elements".to_string())
            }
            Value::Null => Err(
                "associative list without keys has an element that's an explicit null".to_string(),
            ),
            scalar => Ok(PathElement::Value(scalar.clone())),
        },
        ListKind::Keyed(keys) => {
            let map = match item {
                Value::Object(map) => map,
                Value::Null => {
                    return Err(
                        "associative list with keys may not have a null element".to_string()
                    );
                }
                _ => {
                    return Err(
                        "associative list with keys may not have non-map elements".to_string()
                    );
                }
            };
            let mut fields = Vec::with_capacity(keys.len());
            for key in keys.iter() {
                let value = match map.get(*key) {
                    Some(value) => value.clone(),
                    None => key_default(elem, key).ok_or_else(|| {
                        format!("associative list with keys has an element that omits key field {key:?} (and doesn't have default value)")
                    })?,
                };
                fields.push((key.to_string(), value));
            }
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(PathElement::Key(fields))
        }
    }
}

/// The items of an associative list with their path elements, or why they cannot be keyed
/// (bad item, duplicate key).
pub(crate) fn index_items<'v>(
    kind: &ListKind<'_>,
    elem: Ty<'_>,
    items: &'v [Value],
) -> Result<Vec<(PathElement, &'v Value)>, String> {
    // Short lists (nearly all) are checked for duplicates against the items before; long ones
    // through a set.
    const SHORT: usize = 16;
    let mut seen = BTreeSet::new();
    let mut out: Vec<(PathElement, &Value)> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let pe = item_element(kind, elem, i, item).map_err(|e| format!("element {i}: {e}"))?;
        let duplicate = if items.len() <= SHORT {
            out.iter().any(|(earlier, _)| *earlier == pe)
        } else {
            !seen.insert(pe.clone())
        };
        if duplicate {
            return Err(format!("duplicate entries for key {pe}"));
        }
        out.push((pe, item));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Typed walks.

/// Every leaf field, map key and list item `value` sets (structured-merge-diff's `ToFieldSet`).
/// Struct fields are owned through their leaves, map keys and list items themselves.
pub(crate) fn to_field_set(value: &Value, ty: Ty<'_>) -> FieldSet {
    let mut set = FieldSet::new();
    field_set_walk(value, ty, &mut Vec::new(), &mut set);
    set
}

fn field_set_walk(value: &Value, ty: Ty<'_>, path: &mut Vec<PathElement>, set: &mut FieldSet) {
    match ty.atom(&[Some(value)]) {
        Atom::Scalar => set.insert(path),
        Atom::List {
            kind: ListKind::Atomic,
            ..
        }
        | Atom::Map { atomic: true, .. } => set.insert(path),
        Atom::List { elem, kind } => {
            let Some(items) = value.as_array() else {
                return;
            };
            match index_items(&kind, elem, items) {
                Ok(indexed) => {
                    for (pe, item) in indexed {
                        path.push(pe);
                        field_set_walk(item, elem, path, set);
                        set.insert(path);
                        path.pop();
                    }
                }
                // A live list that cannot be keyed (duplicates) is owned as a whole.
                Err(_) => set.insert(path),
            }
        }
        atom @ Atom::Map { .. } => {
            let Some(map) = value.as_object() else { return };
            for (key, child) in map {
                path.push(PathElement::Field(key.clone()));
                field_set_walk(child, atom.field(key), path, set);
                if !atom.is_named_field(key) {
                    set.insert(path);
                }
                path.pop();
            }
        }
    }
}

/// Checks that `value` can be typed: associative list items carry their keys, without
/// duplicates. Messages are structured-merge-diff's (`.spec.containers: duplicate entries for
/// key [name="a"]`).
pub(crate) fn validate(value: &Value, ty: Ty<'_>) -> Vec<String> {
    let mut errors = Vec::new();
    validate_walk(value, ty, &mut Vec::new(), &mut errors);
    errors
}

fn validate_walk(value: &Value, ty: Ty<'_>, path: &mut Vec<PathElement>, errors: &mut Vec<String>) {
    match ty.atom(&[Some(value)]) {
        Atom::Scalar
        | Atom::List {
            kind: ListKind::Atomic,
            ..
        }
        | Atom::Map { atomic: true, .. } => {}
        Atom::List { elem, kind } => {
            let Some(items) = value.as_array() else {
                return;
            };
            match index_items(&kind, elem, items) {
                Ok(indexed) => {
                    for (pe, item) in indexed {
                        path.push(pe);
                        validate_walk(item, elem, path, errors);
                        path.pop();
                    }
                }
                Err(e) if path.is_empty() => errors.push(e),
                Err(e) => errors.push(format!("{}: {e}", path_string(path))),
            }
        }
        atom @ Atom::Map { .. } => {
            let Some(map) = value.as_object() else { return };
            for (key, child) in map {
                path.push(PathElement::Field(key.clone()));
                validate_walk(child, atom.field(key), path, errors);
                path.pop();
            }
        }
    }
}

/// Joins validation errors as structured-merge-diff's `ValidationErrors.Error()` does.
pub(crate) fn join_errors(errors: &[String]) -> String {
    match errors {
        [one] => one.clone(),
        many => std::iter::once("errors:".to_string())
            .chain(many.iter().map(|e| format!("  {e}")))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// What changed from one object to another (structured-merge-diff's `Comparison`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Comparison {
    pub(crate) added: FieldSet,
    pub(crate) modified: FieldSet,
    pub(crate) removed: FieldSet,
}

impl Comparison {
    /// Drops the fields a request may not touch (the strategy's reset fields).
    pub(crate) fn exclude(mut self, ignored: &FieldSet) -> Comparison {
        if !ignored.is_empty() {
            self.added.remove_recursive(ignored);
            self.modified.remove_recursive(ignored);
            self.removed.remove_recursive(ignored);
        }
        self
    }
}

pub(crate) fn compare(lhs: &Value, rhs: &Value, ty: Ty<'_>) -> Comparison {
    let mut comparison = Comparison::default();
    // The whole object is never a member of a set (`FieldSet::insert` of the empty path).
    compare_node(Some(lhs), Some(rhs), ty, &mut comparison);
    comparison
}

/// Whether a node itself was added, modified or removed (its parent records it).
#[derive(Clone, Copy, Default)]
struct Marks {
    added: bool,
    modified: bool,
    removed: bool,
}

fn leaf_marks(lhs: Option<&Value>, rhs: Option<&Value>) -> Marks {
    match (lhs, rhs) {
        (None, _) => Marks {
            added: true,
            ..Marks::default()
        },
        (_, None) => Marks {
            removed: true,
            ..Marks::default()
        },
        (Some(l), Some(r)) if !values_equal(l, r) => Marks {
            modified: true,
            ..Marks::default()
        },
        _ => Marks::default(),
    }
}

/// Like the leaf rule, but a container whose content merely changed is not itself modified.
fn container_marks(lhs: Option<&Value>, rhs: Option<&Value>) -> Marks {
    match (lhs, rhs) {
        (None, _) => Marks {
            added: true,
            ..Marks::default()
        },
        (_, None) => Marks {
            removed: true,
            ..Marks::default()
        },
        _ => Marks::default(),
    }
}

impl Comparison {
    /// Records what the child `pe` compared to: the child itself (`marks`) and the paths below
    /// it (`below`, relative to the child).
    fn attach(&mut self, pe: PathElement, marks: Marks, below: Comparison) {
        let Comparison {
            added,
            modified,
            removed,
        } = below;
        let mut uses = [
            marks.added,
            !added.is_empty(),
            marks.modified,
            !modified.is_empty(),
            marks.removed,
            !removed.is_empty(),
        ]
        .into_iter()
        .filter(|used| *used)
        .count();
        let mut pe = Some(pe);
        // The element is cloned for every use but the last, which takes it.
        let mut next = || {
            uses = uses.saturating_sub(1);
            if uses == 0 { pe.take() } else { pe.clone() }
        };
        for (set, mark, children) in [
            (&mut self.added, marks.added, added),
            (&mut self.modified, marks.modified, modified),
            (&mut self.removed, marks.removed, removed),
        ] {
            if mark && let Some(pe) = next() {
                set.members.insert(pe);
            }
            if !children.is_empty()
                && let Some(pe) = next()
            {
                set.children.insert(pe, children);
            }
        }
    }
}

/// Compares one node (either side may be absent), recording what changed below it in `c`
/// (relative to the node) and returning whether the node itself was added, modified or removed.
fn compare_node(lhs: Option<&Value>, rhs: Option<&Value>, ty: Ty<'_>, c: &mut Comparison) -> Marks {
    // Both empty (or null): a leaf, which keeps the empty/null distinction.
    let both_empty = empty_or_null(lhs) && empty_or_null(rhs);
    match ty.atom(&[lhs, rhs]) {
        Atom::Scalar
        | Atom::List {
            kind: ListKind::Atomic,
            ..
        }
        | Atom::Map { atomic: true, .. } => leaf_marks(lhs, rhs),
        _ if both_empty => leaf_marks(lhs, rhs),
        Atom::List { elem, kind } => {
            let (Ok(left), Ok(right)) = (
                index_items(&kind, elem, list_items(lhs)),
                index_items(&kind, elem, list_items(rhs)),
            ) else {
                return leaf_marks(lhs, rhs);
            };
            if left.is_empty() {
                for (pe, r) in right {
                    compare_child(pe, None, Some(r), elem, c);
                }
            } else {
                let mut right: BTreeMap<PathElement, &Value> = right.into_iter().collect();
                for (pe, l) in left {
                    let r = right.remove(&pe);
                    compare_child(pe, Some(l), r, elem, c);
                }
                for (pe, r) in right {
                    compare_child(pe, None, Some(r), elem, c);
                }
            }
            container_marks(lhs, rhs)
        }
        atom @ Atom::Map { .. } => {
            let left = lhs.and_then(Value::as_object);
            let right = rhs.and_then(Value::as_object);
            for (key, l) in left.into_iter().flatten() {
                let r = right.and_then(|m| m.get(key));
                compare_child(
                    PathElement::Field(key.clone()),
                    Some(l),
                    r,
                    atom.field(key),
                    c,
                );
            }
            for (key, r) in right.into_iter().flatten() {
                if left.is_some_and(|m| m.contains_key(key)) {
                    continue;
                }
                compare_child(
                    PathElement::Field(key.clone()),
                    None,
                    Some(r),
                    atom.field(key),
                    c,
                );
            }
            container_marks(lhs, rhs)
        }
    }
}

fn compare_child(
    pe: PathElement,
    lhs: Option<&Value>,
    rhs: Option<&Value>,
    ty: Ty<'_>,
    c: &mut Comparison,
) {
    if let (None, Some(value)) = (lhs, rhs) {
        // A new subtree: most of a create. Only its added set can be non-empty.
        add_subtree(&mut c.added, pe, value, ty);
        return;
    }
    let mut below = Comparison::default();
    let marks = compare_node(lhs, rhs, ty, &mut below);
    c.attach(pe, marks, below);
}

/// What `compare_child(pe, None, Some(value), ty)` records: `pe` and everything below it
/// added (compared with nothing, every node is added and none modified or removed).
fn add_subtree(added: &mut FieldSet, pe: PathElement, value: &Value, ty: Ty<'_>) {
    let below = added_below(value, ty);
    if below.is_empty() {
        added.members.insert(pe);
    } else {
        added.members.insert(pe.clone());
        added.children.insert(pe, below);
    }
}

/// The added set `compare_node(None, Some(value), ty, ..)` records below the node.
fn added_below(value: &Value, ty: Ty<'_>) -> FieldSet {
    let mut added = FieldSet::default();
    match ty.atom(&[Some(value)]) {
        Atom::Scalar
        | Atom::List {
            kind: ListKind::Atomic,
            ..
        }
        | Atom::Map { atomic: true, .. } => {}
        // Empty or null: a leaf.
        _ if empty_or_null(Some(value)) => {}
        Atom::List { elem, kind } => {
            // Items that cannot be keyed make the list a leaf.
            if let Ok(items) = index_items(&kind, elem, list_items(Some(value))) {
                // Every item is a member.
                added.members.reserve(items.len());
                for (pe, item) in items {
                    add_subtree(&mut added, pe, item, elem);
                }
            }
        }
        atom @ Atom::Map { .. } => {
            let map = value.as_object();
            added.members.reserve(map.map_or(0, Map::len));
            for (key, child) in map.into_iter().flatten() {
                add_subtree(
                    &mut added,
                    PathElement::Field(key.clone()),
                    child,
                    atom.field(key),
                );
            }
        }
    }
    added
}

/// The items of a list value (none for an absent or null one).
pub(crate) fn list_items(value: Option<&Value>) -> &[Value] {
    value
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

pub(crate) fn empty_or_null(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::Array(items)) => items.is_empty(),
        Some(Value::Object(map)) => map.is_empty(),
        Some(_) => false,
    }
}

/// Adds declared struct fields that have members below them as members themselves, so that
/// removing them removes the whole field (structured-merge-diff's `EnsureNamedFieldsAreMembers`).
pub(crate) fn ensure_named_fields_are_members(set: &FieldSet, ty: Ty<'_>) -> FieldSet {
    let atom = ty.declared();
    let mut out = FieldSet {
        members: set.members.clone(),
        children: sorted::Map::default(),
    };
    for (pe, child) in &set.children {
        let child_ty = match (pe, &atom) {
            (PathElement::Field(name), Some(atom @ Atom::Map { .. })) => {
                if atom.is_named_field(name) {
                    out.members.insert(pe.clone());
                }
                atom.field(name)
            }
            (PathElement::Key(_), Some(Atom::List { elem, .. })) => *elem,
            _ => Ty(None),
        };
        out.children
            .insert(pe.clone(), ensure_named_fields_are_members(child, child_ty));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// managedFields entries.

/// Who owns a set: kube-apiserver's manager identifier (an Apply manager is the same manager
/// whatever apiVersion it applies with; an Update manager is distinct per apiVersion).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ManagerId {
    pub(crate) manager: String,
    pub(crate) operation: String,
    pub(crate) api_version: String,
    pub(crate) subresource: String,
}

impl ManagerId {
    pub(crate) fn apply(manager: &str) -> ManagerId {
        ManagerId {
            manager: manager.to_string(),
            operation: OPERATION_APPLY.to_string(),
            api_version: String::new(),
            subresource: String::new(),
        }
    }

    pub(crate) fn update(manager: &str, api_version: &str, subresource: &str) -> ManagerId {
        ManagerId {
            manager: manager.to_string(),
            operation: OPERATION_UPDATE.to_string(),
            api_version: api_version.to_string(),
            subresource: subresource.to_string(),
        }
    }

    /// The identifier string kube-apiserver keys managers by (the entry's JSON without time and
    /// fields); conflict messages group managers in its order.
    pub(crate) fn identifier(&self) -> String {
        let mut out = String::from("{");
        let fields = [
            ("manager", &self.manager),
            ("operation", &self.operation),
            ("apiVersion", &self.api_version),
            ("subresource", &self.subresource),
        ];
        for (name, value) in fields.into_iter().filter(|(_, v)| !v.is_empty()) {
            if out.len() > 1 {
                out.push(',');
            }
            write_go_string(name, &mut out);
            out.push(':');
            write_go_string(value, &mut out);
        }
        out.push('}');
        out
    }

    /// How conflict messages name the manager: `"kubectl"`, `"kubelet" with subresource
    /// "status" using v1`.
    pub(crate) fn describe(&self) -> String {
        let mut out = go_quote(&self.manager);
        if !self.subresource.is_empty() {
            out.push_str(&format!(
                " with subresource {}",
                go_quote(&self.subresource)
            ));
        }
        if self.operation == OPERATION_UPDATE {
            out.push_str(&format!(" using {}", self.api_version));
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ManagedEntry {
    pub(crate) set: FieldSet,
    pub(crate) api_version: String,
    pub(crate) applied: bool,
    pub(crate) time: Option<String>,
}

pub(crate) type Managers = BTreeMap<ManagerId, ManagedEntry>;

/// Decodes `metadata.managedFields` (absent or null: no managers).
pub(crate) fn decode_managed_fields(list: Option<&Value>) -> Result<Managers, String> {
    let mut managers = Managers::new();
    let entries = match list {
        None | Some(Value::Null) => return Ok(managers),
        Some(Value::Array(entries)) => entries,
        Some(_) => return Err("managedFields must be a list".to_string()),
    };
    for (i, entry) in entries.iter().enumerate() {
        if !entry.is_object() {
            return Err(format!("managed fields entry {i} is not an object"));
        }
        let text = |key: &str| {
            entry
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let operation = text("operation");
        if operation != OPERATION_APPLY && operation != OPERATION_UPDATE {
            return Err("operation must be `Apply` or `Update`".to_string());
        }
        let api_version = text("apiVersion");
        if api_version.is_empty() {
            return Err("apiVersion must not be empty".to_string());
        }
        match text("fieldsType").as_str() {
            "FieldsV1" => {}
            "" => return Err(format!("missing fieldsType in managed fields entry {i}")),
            other => {
                return Err(format!(
                    "invalid fieldsType {other:?} in managed fields entry {i}"
                ));
            }
        }
        let set = match entry.get("fieldsV1") {
            None => FieldSet::new(),
            Some(fields) => FieldSet::from_fields_v1(fields)
                .map_err(|e| format!("error decoding versioned set from entry {i}: {e}"))?,
        };
        let applied = operation == OPERATION_APPLY;
        let id = ManagerId {
            manager: text("manager"),
            operation,
            api_version: if applied {
                String::new()
            } else {
                api_version.clone()
            },
            subresource: text("subresource"),
        };
        let time = entry
            .get("time")
            .and_then(Value::as_str)
            .map(str::to_string);
        managers.insert(
            id,
            ManagedEntry {
                set,
                api_version,
                applied,
                time,
            },
        );
    }
    Ok(managers)
}

/// Seconds since the epoch of an RFC 3339 timestamp (`2026-11-23T00:43:19Z`, offsets and
/// fractions accepted).
fn rfc3339_seconds(s: &str) -> Option<i64> {
    let num = |range: std::ops::Range<usize>| s.get(range)?.parse::<i64>().ok();
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = s.get(19..)?;
    if let Some(fraction) = rest.strip_prefix('.') {
        rest = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            sign * (rest.get(1..3)?.parse::<i64>().ok()? * 3600
                + rest.get(4..6)?.parse::<i64>().ok()? * 60)
        }
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Encodes managers as `metadata.managedFields`, in kube-apiserver's order: Apply entries before
/// Update ones, then oldest first, then by manager, apiVersion and subresource. `None` when
/// there are none (the field is then omitted).
pub(crate) fn encode_managed_fields(managers: &Managers) -> Option<Value> {
    if managers.is_empty() {
        return None;
    }
    let mut entries: Vec<(&ManagerId, &ManagedEntry)> = managers.iter().collect();
    let operation = |(id, entry): &(&ManagerId, &ManagedEntry)| {
        if entry.applied {
            OPERATION_APPLY.to_string()
        } else {
            id.operation.clone()
        }
    };
    let seconds =
        |entry: &ManagedEntry| entry.time.as_deref().and_then(rfc3339_seconds).unwrap_or(0);
    entries.sort_by(|a, b| {
        operation(a)
            .cmp(&operation(b))
            .then_with(|| seconds(a.1).cmp(&seconds(b.1)))
            .then_with(|| a.0.manager.cmp(&b.0.manager))
            .then_with(|| a.1.api_version.cmp(&b.1.api_version))
            .then_with(|| a.0.subresource.cmp(&b.0.subresource))
    });
    let list = entries
        .into_iter()
        .map(|(id, entry)| {
            let mut out = Map::new();
            if !id.manager.is_empty() {
                out.insert("manager".to_string(), Value::String(id.manager.clone()));
            }
            out.insert(
                "operation".to_string(),
                Value::String(operation(&(id, entry))),
            );
            if !entry.api_version.is_empty() {
                out.insert(
                    "apiVersion".to_string(),
                    Value::String(entry.api_version.clone()),
                );
            }
            if let Some(time) = &entry.time {
                out.insert("time".to_string(), Value::String(time.clone()));
            }
            out.insert(
                "fieldsType".to_string(),
                Value::String("FieldsV1".to_string()),
            );
            out.insert("fieldsV1".to_string(), entry.set.to_fields_v1());
            if !id.subresource.is_empty() {
                out.insert(
                    "subresource".to_string(),
                    Value::String(id.subresource.clone()),
                );
            }
            Value::Object(out)
        })
        .collect();
    Some(Value::Array(list))
}

/// Writes `managers` into `object.metadata.managedFields` (removing the field when empty).
pub(crate) fn set_managed_fields(object: &mut Value, managers: &Managers) {
    let Value::Object(map) = object else { return };
    match (map.get_mut("metadata"), encode_managed_fields(managers)) {
        (Some(Value::Object(metadata)), Some(list)) => {
            metadata.insert("managedFields".to_string(), list);
        }
        (Some(Value::Object(metadata)), None) => {
            metadata.remove("managedFields");
        }
        (_, Some(list)) => {
            let mut metadata = Map::new();
            metadata.insert("managedFields".to_string(), list);
            map.insert("metadata".to_string(), Value::Object(metadata));
        }
        (_, None) => {}
    }
}

/// `object` without `metadata.managedFields`.
pub(crate) fn without_managed_fields(object: &Value) -> Value {
    let mut copy = object.clone();
    if let Some(Value::Object(metadata)) = copy.get_mut("metadata") {
        metadata.remove("managedFields");
    }
    copy
}

/// The fields this request may not change, by the kind's strategy (`GetResetFields`): `status`
/// through the main resource, `spec` through the status subresource.
pub(crate) fn reset_fields(root: Ty<'_>, subresource: &str) -> FieldSet {
    let root_atom = root.declared();
    let has = |name: &str| root_atom.as_ref().is_some_and(|a| a.is_named_field(name));
    let mut set = FieldSet::new();
    let reset = match subresource {
        "" => "status",
        "status" => "spec",
        _ => return set,
    };
    if has(reset) {
        set.insert(&[PathElement::Field(reset.to_string())]);
    }
    set
}

/// Merges the applying manager's or updater's set with what other managers keep, moving
/// ownership of changed fields and dropping removed ones (structured-merge-diff's `update`).
/// Without `force`, fields another manager owns that changed are conflicts.
pub(crate) fn update_managers(
    old: &Value,
    new: &Value,
    managers: &mut Managers,
    workflow: &ManagerId,
    force: bool,
    ignored: &FieldSet,
    root: Ty<'_>,
) -> Result<Comparison, Vec<(ManagerId, ManagedEntry)>> {
    let comparison = compare(old, new, root).exclude(ignored);
    // Only other managers can conflict or lose fields (a create usually has none).
    if managers.keys().all(|id| id == workflow) {
        managers.retain(|_, entry| !entry.set.is_empty());
        return Ok(comparison);
    }
    let changed = comparison.modified.union(&comparison.added);
    let conflicts: Vec<(ManagerId, ManagedEntry)> = managers
        .iter()
        .filter(|(id, _)| *id != workflow)
        .filter_map(|(id, entry)| {
            let set = entry.set.intersection(&changed);
            (!set.is_empty()).then(|| {
                (
                    id.clone(),
                    ManagedEntry {
                        set,
                        ..entry.clone()
                    },
                )
            })
        })
        .collect();
    if !force && !conflicts.is_empty() {
        return Err(conflicts);
    }
    for (id, conflict) in &conflicts {
        if let Some(entry) = managers.get_mut(id) {
            entry.set.remove_leaves(&conflict.set);
        }
    }
    if !comparison.removed.is_empty() {
        for (id, entry) in managers.iter_mut() {
            if id != workflow {
                entry.set.remove_leaves(&comparison.removed);
            }
        }
    }
    managers.retain(|_, entry| !entry.set.is_empty());
    Ok(comparison)
}

/// Removes fields that are never owned from `id`'s set (dropping the entry if nothing is left).
pub(crate) fn strip_meta(managers: &mut Managers, id: &ManagerId) {
    if let Some(entry) = managers.get_mut(id) {
        entry.set.remove_leaves(stripped_fields());
        if entry.set.is_empty() {
            managers.remove(id);
        }
    }
}

/// Keeps at most ten Update entries by merging the oldest into an `ancient-changes` entry per
/// apiVersion (the field manager's `capManagersManager`).
fn cap_update_managers(managers: &mut Managers) {
    if managers.values().filter(|e| !e.applied).count() <= MAX_UPDATE_MANAGERS {
        return;
    }
    let mut updaters: Vec<ManagerId> = managers
        .iter()
        .filter(|(_, e)| !e.applied)
        .map(|(id, _)| id.clone())
        .collect();
    if updaters.len() <= MAX_UPDATE_MANAGERS {
        return;
    }
    let seconds = |id: &ManagerId| {
        managers
            .get(id)
            .and_then(|e| e.time.as_deref())
            .and_then(rfc3339_seconds)
            .unwrap_or(0)
    };
    updaters.sort_by_cached_key(|id| (seconds(id), id.identifier()));
    let mut first_by_version: BTreeMap<String, ManagerId> = BTreeMap::new();
    let mut length = updaters.len();
    for id in updaters {
        if length <= MAX_UPDATE_MANAGERS {
            break;
        }
        let Some(entry) = managers.get(&id).cloned() else {
            continue;
        };
        let bucket = ManagerId::update(ANCIENT_CHANGES, &entry.api_version, "");
        match first_by_version.get(&entry.api_version) {
            Some(first) => {
                if !managers.contains_key(&bucket)
                    && let Some(moved) = managers.remove(first)
                {
                    managers.insert(bucket.clone(), moved);
                }
                let set = match managers.get(&bucket) {
                    Some(existing) => entry.set.union(&existing.set),
                    None => entry.set.clone(),
                };
                managers.remove(&id);
                managers.insert(
                    bucket,
                    ManagedEntry {
                        set,
                        api_version: entry.api_version,
                        applied: false,
                        time: entry.time,
                    },
                );
                length -= 1;
            }
            None => {
                first_by_version.insert(entry.api_version.clone(), id);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The object a create is compared against.

/// Struct fields Go always serializes (value types, not pointers) beyond `required` ones, so
/// they exist in a freshly created, empty object of the kind. They decide whether a container
/// field a create sets counts as added (and gets a `"."` entry) or was already there.
const VALUE_STRUCT_FIELDS: &[(&str, &[&str])] = &[
    (
        "io.k8s.api.apps.v1.DeploymentSpec",
        &["template", "strategy"],
    ),
    ("io.k8s.api.apps.v1.ReplicaSetSpec", &["template"]),
    (
        "io.k8s.api.apps.v1.StatefulSetSpec",
        &["template", "updateStrategy"],
    ),
    (
        "io.k8s.api.apps.v1.DaemonSetSpec",
        &["template", "updateStrategy"],
    ),
    ("io.k8s.api.batch.v1.JobSpec", &["template"]),
    ("io.k8s.api.batch.v1.CronJobSpec", &["jobTemplate"]),
    ("io.k8s.api.batch.v1.JobTemplateSpec", &["metadata", "spec"]),
    ("io.k8s.api.core.v1.PodTemplateSpec", &["metadata", "spec"]),
    ("io.k8s.api.core.v1.PodTemplate", &["template"]),
    ("io.k8s.api.core.v1.Container", &["resources"]),
    ("io.k8s.api.core.v1.ServiceStatus", &["loadBalancer"]),
    (
        "io.k8s.api.core.v1.NodeStatus",
        &["daemonEndpoints", "nodeInfo"],
    ),
    (
        "io.k8s.api.core.v1.NodeDaemonEndpoints",
        &["kubeletEndpoint"],
    ),
];

/// The kind's empty object as Go serializes it (`runtime.ObjectCreater.New`): what a create is
/// compared against, so only fields the request sets become owned.
fn zero_object(schema: &Value) -> Cow<'static, Value> {
    // Built once per definition; other schemas (none today) are built on every call.
    static ZEROS: OnceLock<NodeTable<OnceLock<Value>>> = OnceLock::new();
    let zeros = ZEROS.get_or_init(|| NodeTable::build(|_| OnceLock::new()));
    let build = || {
        let name = Schema::get()
            .definitions()
            .iter()
            .find(|(_, def)| std::ptr::eq(*def, schema))
            .map(|(name, _)| name.as_str());
        zero_struct(schema, name, true, 0).unwrap_or_else(|| Value::Object(Map::new()))
    };
    match zeros.get(schema) {
        Some(zero) => Cow::Borrowed(zero.get_or_init(build)),
        None => Cow::Owned(build()),
    }
}

fn zero_struct(node: &Value, name: Option<&str>, root: bool, depth: usize) -> Option<Value> {
    let schema = Schema::get();
    let node = schema.resolve(node);
    let properties = node.get("properties")?.as_object()?;
    let required: Vec<&str> = node
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let value_fields = VALUE_STRUCT_FIELDS
        .iter()
        .find(|(n, _)| Some(*n) == name)
        .map(|(_, f)| *f)
        .unwrap_or_default();
    let mut out = Map::new();
    for (field, raw) in properties {
        let value_struct = (root && matches!(field.as_str(), "metadata" | "spec" | "status"))
            || value_fields.contains(&field.as_str());
        if !value_struct && !required.contains(&field.as_str()) {
            continue;
        }
        let resolved = schema.resolve(raw);
        let zero = if resolved.get("properties").is_some() && depth < 16 {
            zero_struct(raw, Schema::ref_name(raw), false, depth + 1)
        } else if value_struct {
            None
        } else {
            match resolved.get("type").and_then(Value::as_str) {
                Some("array" | "object") => Some(Value::Null),
                Some("string") => Some(Value::String(String::new())),
                Some("integer" | "number") => Some(Value::from(0)),
                Some("boolean") => Some(Value::Bool(false)),
                _ => None,
            }
        };
        if let Some(zero) = zero {
            out.insert(field.clone(), zero);
        }
    }
    Some(Value::Object(out))
}

// ---------------------------------------------------------------------------------------------
// Update operations.

fn managed_fields_of(object: &Value) -> Option<&Value> {
    object.get("metadata")?.get("managedFields")
}

/// Which managed fields an Update starts from (`decodeLiveOrNew`): the live object's for a
/// subresource; otherwise the request's own when it sends valid ones (`[]` resets them), else
/// the live object's.
fn managers_for_update(old: Option<&Value>, new: &Value, subresource: &str) -> Managers {
    let live = || {
        old.and_then(|o| decode_managed_fields(managed_fields_of(o)).ok())
            .unwrap_or_default()
    };
    if !subresource.is_empty() {
        return live();
    }
    let sent = managed_fields_of(new);
    let reset = match sent.and_then(Value::as_array).map(Vec::as_slice) {
        Some([]) => true,
        Some([only]) => only.as_object().is_some_and(Map::is_empty),
        _ => false,
    };
    if reset {
        return Managers::new();
    }
    match decode_managed_fields(sent) {
        Ok(managers) if !managers.is_empty() => managers,
        _ => live(),
    }
}

/// The kind's definition for an object, by its `apiVersion` and `kind` (`Value::Null` when
/// unknown), for callers that have an object rather than a resource type.
pub fn kind_schema(object: &Value) -> &'static Value {
    static NULL: Value = Value::Null;
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    Schema::get()
        .for_kind(group, version, kind)
        .map_or(&NULL, |(_, definition)| definition)
}

/// Records an Update operation by `manager` (e.g. "kubectl-create", "kubectl-client-side-apply",
/// "kube-controller-manager") on `new` (whose `metadata.managedFields` is rewritten): fields that
/// changed between `old` (None on create) and `new` become owned by (manager, "Update",
/// api_version, subresource) and are removed from other managers' sets; entries with empty sets
/// are dropped. `time` is an RFC3339 timestamp string ("2026-11-23T00:43:19Z"). `schema` is the
/// kind's OpenAPI definition (`Schema::for_kind`), or `Value::Null` to deduce types.
///
/// Call it on the object as it will be stored, after defaulting: defaults a request brought in
/// are owned by its manager, as on a real cluster. An Update that changes nothing adds no entry.
pub fn record_update(
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    api_version: &str,
    subresource: Option<&str>,
    time: &str,
    schema: &Value,
) {
    let root = Ty::root(schema);
    let subresource = subresource.unwrap_or("");
    let mut managers = managers_for_update(old, new, subresource);
    if let Some(Value::Object(metadata)) = new.get_mut("metadata") {
        metadata.remove("managedFields");
    }
    let live = match old {
        Some(old) => Cow::Owned(without_managed_fields(old)),
        None => zero_object(schema),
    };
    let ignored = reset_fields(root, subresource);
    let manager = if manager.is_empty() {
        "unknown"
    } else {
        manager
    };
    let id = ManagerId::update(manager, api_version, subresource);
    // The operation runs under a placeholder manager, so the entry is touched (and its time
    // bumped) only when this request itself changed something.
    let current = ManagerId {
        manager: "current-operation".to_string(),
        operation: String::new(),
        api_version: String::new(),
        subresource: String::new(),
    };
    let Ok(comparison) = update_managers(&live, new, &mut managers, &current, true, &ignored, root)
    else {
        set_managed_fields(new, &managers);
        return;
    };
    let Comparison {
        modified: mut set,
        added,
        removed,
    } = comparison;
    set.absorb(added);
    set.remove_leaves(&removed);
    set.remove_recursive(&ignored);
    set.remove_leaves(stripped_fields());
    if !set.is_empty() {
        let set = match managers.remove(&id) {
            Some(previous) => set.union(&previous.set),
            None => set,
        };
        managers.insert(
            id,
            ManagedEntry {
                set,
                api_version: api_version.to_string(),
                applied: false,
                time: Some(time.to_string()),
            },
        );
    }
    cap_update_managers(&mut managers);
    set_managed_fields(new, &managers);
}

/// Sets and maps kept as vectors sorted by key. The field sets of one object are small and
/// built mostly in key order: a sorted vector holds them in one allocation each, where a
/// B-tree allocates a node of eleven slots for its first key.
mod sorted {
    use std::borrow::Borrow;

    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(super) struct Map<K, V> {
        entries: Vec<(K, V)>,
    }

    impl<K, V> Default for Map<K, V> {
        fn default() -> Self {
            Map {
                entries: Vec::new(),
            }
        }
    }

    impl<K: Ord, V> Map<K, V> {
        fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
        where
            K: Borrow<Q>,
        {
            // Keys mostly arrive in order: check the end before searching.
            match self.entries.last() {
                None => Err(0),
                Some((last, _)) if last.borrow() < key => Err(self.entries.len()),
                _ => self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key)),
            }
        }

        pub(super) fn len(&self) -> usize {
            self.entries.len()
        }

        pub(super) fn is_empty(&self) -> bool {
            self.entries.is_empty()
        }

        pub(super) fn get(&self, key: &K) -> Option<&V> {
            self.find(key).ok().map(|i| &self.entries[i].1)
        }

        pub(super) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
            self.find(key).ok().map(|i| &mut self.entries[i].1)
        }

        pub(super) fn contains_key(&self, key: &K) -> bool {
            self.find(key).is_ok()
        }

        /// Like `BTreeMap::insert`: an equal key already present is kept, its value replaced.
        pub(super) fn insert(&mut self, key: K, value: V) -> Option<V> {
            match self.find(&key) {
                Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
                Err(i) => {
                    self.entries.insert(i, (key, value));
                    None
                }
            }
        }

        pub(super) fn remove(&mut self, key: &K) -> Option<V> {
            self.find(key).ok().map(|i| self.entries.remove(i).1)
        }

        pub(super) fn get_or_insert_default(&mut self, key: &K) -> &mut V
        where
            K: Clone,
            V: Default,
        {
            let i = match self.find(key) {
                Ok(i) => i,
                Err(i) => {
                    self.entries.insert(i, (key.clone(), V::default()));
                    i
                }
            };
            &mut self.entries[i].1
        }

        pub(super) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
            self.entries.iter().map(|(k, v)| (k, v))
        }

        pub(super) fn values(&self) -> impl Iterator<Item = &V> {
            self.entries.iter().map(|(_, v)| v)
        }
    }

    impl<'a, K: Ord, V> IntoIterator for &'a Map<K, V> {
        type Item = (&'a K, &'a V);
        type IntoIter =
            std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

        fn into_iter(self) -> Self::IntoIter {
            self.entries.iter().map(|(k, v)| (k, v))
        }
    }

    impl<K, V> IntoIterator for Map<K, V> {
        type Item = (K, V);
        type IntoIter = std::vec::IntoIter<(K, V)>;

        fn into_iter(self) -> Self::IntoIter {
            self.entries.into_iter()
        }
    }

    impl<K: Ord, V> FromIterator<(K, V)> for Map<K, V> {
        fn from_iter<I: IntoIterator<Item = (K, V)>>(items: I) -> Self {
            let mut map = Map::default();
            for (key, value) in items {
                map.insert(key, value);
            }
            map
        }
    }

    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(super) struct Set<K> {
        map: Map<K, ()>,
    }

    impl<K> Default for Set<K> {
        fn default() -> Self {
            Set {
                map: Map::default(),
            }
        }
    }

    impl<K: Ord> Set<K> {
        pub(super) fn len(&self) -> usize {
            self.map.len()
        }

        pub(super) fn is_empty(&self) -> bool {
            self.map.is_empty()
        }

        pub(super) fn contains(&self, key: &K) -> bool {
            self.map.contains_key(key)
        }

        /// Like `BTreeSet::insert`: false (and the present key kept) when an equal one is there.
        pub(super) fn insert(&mut self, key: K) -> bool {
            match self.map.find(&key) {
                Ok(_) => false,
                Err(i) => {
                    self.map.entries.insert(i, (key, ()));
                    true
                }
            }
        }

        pub(super) fn remove(&mut self, key: &K) -> bool {
            self.map.remove(key).is_some()
        }

        pub(super) fn reserve(&mut self, additional: usize) {
            self.map.entries.reserve(additional);
        }

        pub(super) fn retain(&mut self, mut keep: impl FnMut(&K) -> bool) {
            self.map.entries.retain(|(k, _)| keep(k));
        }

        pub(super) fn iter(&self) -> impl Iterator<Item = &K> {
            self.map.entries.iter().map(|(k, _)| k)
        }

        pub(super) fn intersection<'a>(&'a self, other: &'a Set<K>) -> impl Iterator<Item = &'a K> {
            self.iter().filter(|k| other.contains(k))
        }

        pub(super) fn difference<'a>(&'a self, other: &'a Set<K>) -> impl Iterator<Item = &'a K> {
            self.iter().filter(|k| !other.contains(k))
        }
    }

    impl<'a, K: Ord> IntoIterator for &'a Set<K> {
        type Item = &'a K;
        type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, ())>, fn(&'a (K, ())) -> &'a K>;

        fn into_iter(self) -> Self::IntoIter {
            self.map.entries.iter().map(|(k, _)| k)
        }
    }

    impl<K> IntoIterator for Set<K> {
        type Item = K;
        type IntoIter = std::iter::Map<std::vec::IntoIter<(K, ())>, fn((K, ())) -> K>;

        fn into_iter(self) -> Self::IntoIter {
            self.map.entries.into_iter().map(|(k, _)| k)
        }
    }

    impl<K: Ord> FromIterator<K> for Set<K> {
        fn from_iter<I: IntoIterator<Item = K>>(items: I) -> Self {
            let mut set = Set::default();
            for key in items {
                set.insert(key);
            }
            set
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema(group: &str, version: &str, kind: &str) -> &'static Value {
        Schema::get()
            .for_kind(group, version, kind)
            .map(|(_, d)| d)
            .expect("schema")
    }

    fn deployment(image: &str, replicas: i64) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "nginx", "image": image, "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}
                }
            },
            "status": {}
        })
    }

    fn entries(object: &Value) -> &Vec<Value> {
        object
            .pointer("/metadata/managedFields")
            .and_then(Value::as_array)
            .expect("managedFields")
    }

    #[test]
    fn keyed_items_serialize_with_sorted_json_keys_and_sets_by_value() {
        let key = PathElement::Key(vec![("name".to_string(), json!("nginx"))]);
        assert_eq!(key.serialize(), r#"k:{"name":"nginx"}"#);
        let deploy = schema("apps", "v1", "Deployment");
        let object = deployment("nginx:1.27", 1);
        let set = to_field_set(&object, Ty::root(deploy));
        let fields = set.to_fields_v1();
        let container =
            &fields["f:spec"]["f:template"]["f:spec"]["f:containers"][r#"k:{"name":"nginx"}"#];
        assert_eq!(container["."], json!({}));
        assert_eq!(container["f:image"], json!({}));
        assert_eq!(
            container["f:ports"][r#"k:{"containerPort":80,"protocol":"TCP"}"#],
            json!({".": {}, "f:containerPort": {}, "f:protocol": {}})
        );
        // LabelSelector is an atomic struct: owned as a whole.
        assert_eq!(fields["f:spec"]["f:selector"], json!({}));
        // A map's keys are members, a struct's fields are not.
        assert_eq!(fields["f:metadata"]["f:labels"], json!({"f:app": {}}));

        let pod = json!({"metadata": {"finalizers": ["b", "a<b"]}});
        let set = to_field_set(&pod, Ty::root(schema("", "v1", "Pod")));
        assert_eq!(
            set.to_fields_v1(),
            json!({"f:metadata": {"f:finalizers": {r#"v:"a\u003cb""#: {}, r#"v:"b""#: {}}}})
        );
        assert_eq!(FieldSet::from_fields_v1(&set.to_fields_v1()), Ok(set));
    }

    #[test]
    fn ports_without_protocol_are_keyed_by_its_default() {
        let pod =
            json!({"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 8080}]}]}});
        let set = to_field_set(&pod, Ty::root(schema("", "v1", "Pod")));
        let path = "[name=\"c\"].ports[containerPort=8080,protocol=\"TCP\"]";
        assert!(
            set.paths()
                .iter()
                .any(|p| path_string(p) == format!(".spec.containers{path}")),
            "{:?}",
            set.paths()
        );
    }

    #[test]
    fn fields_v1_round_trips_members_with_children() {
        let text = json!({"f:metadata": {"f:labels": {".": {}, "f:app": {}}}, "f:spec": {"f:containers": {"k:{\"name\":\"a\"}": {".": {}, "f:image": {}}}}, "x:unknown": {}});
        let set = FieldSet::from_fields_v1(&text).expect("decodes");
        let labels = path_of(&["metadata", "labels"]);
        assert!(set.has(&labels));
        assert!(!set.has(&path_of(&["metadata"])));
        let mut expected = text.clone();
        if let Some(map) = expected.as_object_mut() {
            map.remove("x:unknown");
        }
        assert_eq!(set.to_fields_v1(), expected);
        assert!(FieldSet::from_fields_v1(&json!({"q": {}})).is_err());
    }

    #[test]
    fn in_place_set_operations_match_their_copying_forms() {
        let set = |text: Value| FieldSet::from_fields_v1(&text).expect("decodes");
        let sets = [
            set(json!({})),
            set(
                json!({"f:metadata": {"f:labels": {".": {}, "f:app": {}}}, "f:spec": {"f:replicas": {}}}),
            ),
            set(json!({"f:metadata": {"f:labels": {"f:app": {}, "f:tier": {}}}, "f:status": {}})),
            set(
                json!({"f:metadata": {}, "f:spec": {"f:replicas": {}, "f:containers": {"k:{\"name\":\"a\"}": {".": {}, "f:image": {}}}}}),
            ),
            set(
                json!({"f:spec": {".": {}, "f:containers": {"k:{\"name\":\"a\"}": {"f:image": {}}}}}),
            ),
            set(json!({"f:metadata": {"f:labels": {}}, "f:spec": {}})),
        ];
        for a in &sets {
            for b in &sets {
                let mut absorbed = a.clone();
                absorbed.absorb(b.clone());
                assert_eq!(absorbed, a.union(b), "{a:?} ∪ {b:?}");
                let mut removed = a.clone();
                removed.remove_leaves(b);
                assert_eq!(removed, a.difference(b), "{a:?} − {b:?}");
                let mut pruned = a.clone();
                pruned.remove_recursive(b);
                assert_eq!(pruned, a.recursive_difference(b), "{a:?} −r {b:?}");
            }
        }
    }

    #[test]
    fn create_records_what_the_request_set_like_kube_apiserver() {
        let deploy = schema("apps", "v1", "Deployment");
        let mut object = deployment("nginx:1.27", 1);
        record_update(
            None,
            &mut object,
            "kubectl-create",
            "apps/v1",
            None,
            "2026-11-23T00:43:19Z",
            deploy,
        );
        let list = entries(&object);
        assert_eq!(list.len(), 1);
        let entry = &list[0];
        assert_eq!(entry["manager"], "kubectl-create");
        assert_eq!(entry["operation"], "Update");
        assert_eq!(entry["apiVersion"], "apps/v1");
        assert_eq!(entry["time"], "2026-11-23T00:43:19Z");
        assert_eq!(entry["fieldsType"], "FieldsV1");
        assert!(entry.get("subresource").is_none());
        let expected = json!({
            "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
            "f:spec": {
                "f:replicas": {},
                "f:selector": {},
                "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}}, "f:type": {}},
                "f:template": {
                    "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                    "f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {
                        ".": {}, "f:image": {}, "f:name": {},
                        "f:ports": {".": {}, "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:protocol": {}}}
                    }}}
                }
            }
        });
        assert_eq!(entry["fieldsV1"], expected);
    }

    #[test]
    fn an_update_moves_ownership_of_what_it_changed() {
        let deploy = schema("apps", "v1", "Deployment");
        let mut created = deployment("nginx:1.27", 1);
        record_update(
            None,
            &mut created,
            "kubectl-create",
            "apps/v1",
            None,
            "2026-11-23T00:43:19Z",
            deploy,
        );
        let mut scaled = created.clone();
        scaled["spec"]["replicas"] = json!(3);
        record_update(
            Some(&created),
            &mut scaled,
            "kubectl-edit",
            "apps/v1",
            None,
            "2026-11-23T00:50:00Z",
            deploy,
        );
        let list = entries(&scaled);
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["manager"], "kubectl-create");
        assert_eq!(list[0]["time"], "2026-11-23T00:43:19Z");
        assert!(list[0]["fieldsV1"]["f:spec"].get("f:replicas").is_none());
        assert_eq!(list[1]["manager"], "kubectl-edit");
        assert_eq!(list[1]["fieldsV1"], json!({"f:spec": {"f:replicas": {}}}));

        // Nothing changed: no entry, no new time.
        let mut same = scaled.clone();
        record_update(
            Some(&scaled),
            &mut same,
            "other",
            "apps/v1",
            None,
            "2026-11-23T01:00:00Z",
            deploy,
        );
        assert_eq!(same, scaled);

        // Removing a field drops it from its owner.
        let mut unlabelled = scaled.clone();
        if let Some(metadata) = unlabelled["metadata"].as_object_mut() {
            metadata.remove("labels");
        }
        record_update(
            Some(&scaled),
            &mut unlabelled,
            "kubectl-edit",
            "apps/v1",
            None,
            "2026-11-23T01:10:00Z",
            deploy,
        );
        let list = entries(&unlabelled);
        assert!(list[0]["fieldsV1"].get("f:metadata").is_none());
        // Only removing fields takes nothing, so the remover's entry keeps its time.
        assert_eq!(list[1]["time"], "2026-11-23T00:50:00Z");
    }

    #[test]
    fn status_subresource_owns_status_and_main_resource_ignores_it() {
        let pod_schema = schema("", "v1", "Pod");
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i"}]}, "status": {"phase": "Pending"}});
        record_update(
            None,
            &mut pod,
            "kubectl-run",
            "v1",
            None,
            "2026-11-23T00:00:00Z",
            pod_schema,
        );
        assert!(entries(&pod)[0]["fieldsV1"].get("f:status").is_none());
        let mut running = pod.clone();
        running["status"]["phase"] = json!("Running");
        running["status"]["podIP"] = json!("10.0.0.5");
        record_update(
            Some(&pod),
            &mut running,
            "kubelet",
            "v1",
            Some("status"),
            "2026-11-23T00:00:05Z",
            pod_schema,
        );
        let list = entries(&running);
        assert_eq!(list[1]["manager"], "kubelet");
        assert_eq!(list[1]["subresource"], "status");
        assert_eq!(
            list[1]["fieldsV1"],
            json!({"f:status": {"f:phase": {}, "f:podIP": {}}})
        );
    }

    #[test]
    fn entries_sort_apply_first_then_by_time() {
        let mut managers = Managers::new();
        let entry = |time: &str, applied: bool| ManagedEntry {
            set: FieldSet::from_fields_v1(&json!({"f:data": {}})).unwrap_or_default(),
            api_version: "v1".to_string(),
            applied,
            time: Some(time.to_string()),
        };
        managers.insert(
            ManagerId::update("b", "v1", ""),
            entry("2026-01-01T00:00:00Z", false),
        );
        managers.insert(
            ManagerId::update("a", "v1", ""),
            entry("2026-01-02T00:00:00Z", false),
        );
        managers.insert(
            ManagerId::apply("z"),
            entry("2026-01-03T00:00:00+01:00", true),
        );
        let list = encode_managed_fields(&managers).unwrap_or_default();
        let names: Vec<&str> = list
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["manager"].as_str())
            .collect();
        assert_eq!(names, ["z", "b", "a"]);
        assert_eq!(decode_managed_fields(Some(&list)), Ok(managers));
        assert_eq!(rfc3339_seconds("1970-01-02T00:00:01.5Z"), Some(86_401));
    }

    #[test]
    fn more_than_ten_updaters_are_merged_into_ancient_changes() {
        let cm = schema("", "v1", "ConfigMap");
        let mut object =
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}});
        for i in 0..12 {
            let mut next = object.clone();
            next["data"][format!("k{i}")] = json!("v");
            record_update(
                Some(&object),
                &mut next,
                &format!("m{i:02}"),
                "v1",
                None,
                &format!("2026-01-01T00:00:{i:02}Z"),
                cm,
            );
            object = next;
        }
        let list = entries(&object);
        assert_eq!(list.len(), 10);
        let ancient = list
            .iter()
            .find(|e| e["manager"] == "ancient-changes")
            .expect("bucket");
        assert_eq!(
            ancient["fieldsV1"],
            json!({"f:data": {"f:k0": {}, "f:k1": {}, "f:k2": {}}})
        );
        assert_eq!(ancient["time"], "2026-01-01T00:00:02Z");
    }

    #[test]
    fn bad_managed_fields_in_a_request_fall_back_to_the_live_ones() {
        let cm = schema("", "v1", "ConfigMap");
        let mut live = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}});
        record_update(
            None,
            &mut live,
            "creator",
            "v1",
            None,
            "2026-01-01T00:00:00Z",
            cm,
        );
        let mut new = live.clone();
        new["metadata"]["managedFields"] = json!([{"manager": "x", "operation": "Bogus"}]);
        new["data"]["b"] = json!("2");
        record_update(
            Some(&live),
            &mut new,
            "editor",
            "v1",
            None,
            "2026-01-01T00:01:00Z",
            cm,
        );
        let names: Vec<&str> = entries(&new)
            .iter()
            .filter_map(|e| e["manager"].as_str())
            .collect();
        assert_eq!(names, ["creator", "editor"]);
        // An empty list resets ownership to this request's changes.
        let mut reset = new.clone();
        reset["metadata"]["managedFields"] = json!([]);
        reset["data"]["c"] = json!("3");
        record_update(
            Some(&new),
            &mut reset,
            "resetter",
            "v1",
            None,
            "2026-01-01T00:02:00Z",
            cm,
        );
        let names: Vec<&str> = entries(&reset)
            .iter()
            .filter_map(|e| e["manager"].as_str())
            .collect();
        assert_eq!(names, ["resetter"]);
    }

    #[test]
    fn conflict_paths_read_like_kube() {
        let path = vec![
            PathElement::Field("spec".into()),
            PathElement::Key(vec![("name".into(), json!("nginx"))]),
            PathElement::Value(json!("x")),
            PathElement::Index(2),
        ];
        assert_eq!(path_string(&path), ".spec[name=\"nginx\"][=\"x\"][2]");
        assert_eq!(
            ManagerId::update("kubelet", "v1", "status").describe(),
            "\"kubelet\" with subresource \"status\" using v1"
        );
        assert_eq!(
            ManagerId::apply("kubectl").identifier(),
            r#"{"manager":"kubectl","operation":"Apply"}"#
        );
    }
}
