//! ObjectMeta and the string formats everything else is checked against: DNS-1123 labels and
//! subdomains, qualified names (label keys), label values, port names, percents, label
//! selectors. Ports `apimachinery/pkg/util/validation/validation.go`,
//! `apimachinery/pkg/api/validation/objectmeta.go`, `apis/meta/v1/validation` and the
//! Kubernetes-specific wrappers of `pkg/apis/core/validation` (standard finalizer names).

use serde_json::Value;

use super::{
    Path, get, go_quote, go_string_slice, go_time, int_of, list_of, metadata, semantic_eq, str_of,
    string_map,
};
use crate::api::field_error::{FieldError, FieldErrorKind};

pub const FIELD_IMMUTABLE: &str = "field is immutable";
pub const IS_NEGATIVE: &str = "must be greater than or equal to 0";
const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * (1 << 10);
const DNS1123_LABEL_MAX: usize = 63;
const DNS1123_SUBDOMAIN_MAX: usize = 253;
const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_ERR: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const STANDARD_FINALIZERS: [&str; 3] = ["kubernetes", "orphan", "foregroundDeletion"];

/// `MaxLenError`
pub fn max_len_error(length: usize) -> String {
    format!("must be no more than {length} characters")
}

/// `RegexError`
pub fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let quoted: Vec<String> = examples.iter().map(|e| format!("'{e}', ")).collect();
    format!(
        "{msg} (e.g. {}regex used for validation is '{fmt}')",
        quoted.join(" or ")
    )
}

/// `InclusiveRangeError`
pub fn inclusive_range_error(lo: i64, hi: i64) -> String {
    format!("must be between {lo} and {hi}, inclusive")
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
fn matches_dns_label(value: &str) -> bool {
    let b = value.as_bytes();
    !b.is_empty()
        && is_lower_alnum(b[0])
        && is_lower_alnum(b[b.len() - 1])
        && b.iter().all(|c| is_lower_alnum(*c) || *c == b'-')
}

fn matches_dns_subdomain(value: &str) -> bool {
    value.split('.').all(matches_dns_label)
}

/// `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`
fn matches_qualified_name_part(value: &str) -> bool {
    let b = value.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(c))
}

/// `IsDNS1123Label`
pub fn is_dns1123_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_LABEL_MAX {
        errs.push(max_len_error(DNS1123_LABEL_MAX));
    }
    if !matches_dns_label(value) {
        if matches_dns_subdomain(value) {
            errs.push("must not contain dots".into());
        } else {
            errs.push(regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// `IsDNS1123Subdomain`
pub fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX));
    }
    if !matches_dns_subdomain(value) {
        errs.push(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// `IsDNS1035Label`
pub fn is_dns1035_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !(matches_dns_label(value) && value.as_bytes()[0].is_ascii_lowercase()) {
        errs.push(regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errs
}

/// `IsQualifiedName`: a label key, with an optional DNS subdomain prefix.
pub fn is_qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".into());
            } else {
                errs.extend(
                    is_dns1123_subdomain(prefix)
                        .into_iter()
                        .map(|m| format!("prefix part {m}")),
                );
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, &["MyName", "my.name", "123-abc"])
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".into());
    } else if name.len() > 63 {
        errs.push(format!("name part {}", max_len_error(63)));
    }
    if !matches_qualified_name_part(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                QUALIFIED_NAME_ERR,
                QUALIFIED_NAME_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    errs
}

/// `IsValidLabelValue`
pub fn is_valid_label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !value.is_empty() && !matches_qualified_name_part(value) {
        errs.push(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// `IsConfigMapKey`
pub fn is_config_map_key(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX));
    }
    if value.is_empty()
        || !value
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-._".contains(&c))
    {
        errs.push(regex_error(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
            "[-._a-zA-Z0-9]+",
            &["key.name", "KEY_NAME", "key-name"],
        ));
    }
    match value {
        "." => errs.push("must not be '.'".into()),
        ".." => errs.push("must not be '..'".into()),
        v if v.starts_with("..") => errs.push("must not start with '..'".into()),
        _ => {}
    }
    errs
}

/// `IsValidPortNum`
pub fn is_valid_port_num(port: i64) -> Vec<String> {
    if (1..=65535).contains(&port) {
        Vec::new()
    } else {
        vec![inclusive_range_error(1, 65535)]
    }
}

/// `IsValidPortName`
pub fn is_valid_port_name(port: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if port.len() > 15 {
        errs.push(max_len_error(15));
    }
    if port.is_empty()
        || !port
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
    {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".into());
    }
    if !port.bytes().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)".into());
    }
    if port.contains("--") {
        errs.push("must not contain consecutive hyphens".into());
    }
    if port.starts_with('-') || port.ends_with('-') {
        errs.push("must not begin or end with a hyphen".into());
    }
    errs
}

/// `IsValidPercent`
pub fn is_valid_percent(value: &str) -> Vec<String> {
    match value.strip_suffix('%') {
        Some(digits) if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) => {
            Vec::new()
        }
        _ => vec![regex_error(
            "a valid percent string must be a numeric string followed by an ending '%'",
            "[0-9]+%",
            &["1%", "93%"],
        )],
    }
}

/// `IsHTTPHeaderName`
pub fn is_http_header_name(value: &str) -> Vec<String> {
    if !value.is_empty()
        && value
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-')
    {
        Vec::new()
    } else {
        vec![regex_error(
            "a valid HTTP header must consist of alphanumeric characters or '-'",
            "[-A-Za-z0-9]+",
            &["X-Header-Name"],
        )]
    }
}

/// `IsRelaxedEnvVarName` (RelaxedEnvironmentVariableValidation is on by default in 1.32).
pub fn is_relaxed_env_var_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.is_empty() {
        errs.push("environment variable name must be non-empty".into());
    }
    if value
        .chars()
        .any(|c| !c.is_ascii() || c.is_ascii_control() || c == '=')
    {
        errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='".into());
    }
    errs
}

/// The name rules of the `ValidateNameFunc`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameRule {
    /// `NameIsDNSSubdomain`: pods, deployments, nodes, configmaps, …
    DnsSubdomain,
    /// `NameIsDNSLabel`: namespaces.
    DnsLabel,
    /// `path.ValidatePathSegmentName`: what the generic registry requires of every name.
    PathSegment,
}

/// The messages a name (or, with `prefix`, a generateName) fails on.
pub(crate) fn name_errors(rule: NameRule, name: &str, prefix: bool) -> Vec<String> {
    // `maskTrailingDash`: a generateName may end in '-' since a suffix follows.
    let masked;
    let name = if prefix && name.len() > 1 && name.ends_with('-') && rule != NameRule::PathSegment {
        masked = format!(
            "{}a",
            String::from_utf8_lossy(&name.as_bytes()[..name.len() - 2])
        );
        masked.as_str()
    } else {
        name
    };
    match rule {
        NameRule::DnsSubdomain => is_dns1123_subdomain(name),
        NameRule::DnsLabel => is_dns1123_label(name),
        NameRule::PathSegment => {
            if !prefix && (name == "." || name == "..") {
                return vec![format!("may not be '{name}'")];
            }
            ["/", "%"]
                .iter()
                .filter(|bad| name.contains(**bad))
                .map(|bad| format!("may not contain '{bad}'"))
                .collect()
        }
    }
}

fn invalid(path: &Path, value: impl Into<Value>, detail: impl Into<String>) -> FieldError {
    FieldError::invalid(path, value.into(), detail)
}

/// `ValidateDNS1123Label` with a field path.
pub(crate) fn validate_dns1123_label(value: &str, path: &Path) -> Vec<FieldError> {
    is_dns1123_label(value)
        .into_iter()
        .map(|m| invalid(path, value, m))
        .collect()
}

/// `ValidateDNS1123Subdomain` with a field path.
pub(crate) fn validate_dns1123_subdomain(value: &str, path: &Path) -> Vec<FieldError> {
    is_dns1123_subdomain(value)
        .into_iter()
        .map(|m| invalid(path, value, m))
        .collect()
}

/// `ValidateQualifiedName` / `ValidateLabelName`.
pub(crate) fn validate_qualified_name(value: &str, path: &Path) -> Vec<FieldError> {
    is_qualified_name(value)
        .into_iter()
        .map(|m| invalid(path, value, m))
        .collect()
}

/// `ValidateNonnegativeField`
pub(crate) fn validate_nonnegative(value: i64, path: &Path) -> Vec<FieldError> {
    if value < 0 {
        vec![invalid(path, value, IS_NEGATIVE)]
    } else {
        Vec::new()
    }
}

/// `ValidateLabels` over the `map[string]string` under `key` of `parent`.
pub(crate) fn validate_labels(parent: &Value, key: &str, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (name, value) in string_map(parent, key) {
        errs.extend(validate_qualified_name(&name, path));
        errs.extend(
            is_valid_label_value(&value)
                .into_iter()
                .map(|m| invalid(path, value.as_str(), m)),
        );
    }
    errs
}

/// `ValidateAnnotations`: keys are qualified names in any case; 256 KiB in total.
pub(crate) fn validate_annotations(parent: &Value, key: &str, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let annotations = string_map(parent, key);
    for (name, _) in &annotations {
        errs.extend(
            is_qualified_name(&name.to_lowercase())
                .into_iter()
                .map(|m| invalid(path, name.as_str(), m)),
        );
    }
    let total: usize = annotations.iter().map(|(k, v)| k.len() + v.len()).sum();
    if total > TOTAL_ANNOTATION_SIZE_LIMIT {
        errs.push(FieldError::too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT));
    }
    errs
}

/// `%#v` of a `metav1.OwnerReference`.
fn go_owner_reference(r: &Value) -> String {
    let pointer = |key: &str| match r.get(key).and_then(Value::as_bool) {
        None => "(*bool)(nil)".to_string(),
        Some(b) => format!("&{b}"),
    };
    format!(
        "v1.OwnerReference{{APIVersion:{}, Kind:{}, Name:{}, UID:{}, Controller:{}, BlockOwnerDeletion:{}}}",
        go_quote(str_of(r, "apiVersion")),
        go_quote(str_of(r, "kind")),
        go_quote(str_of(r, "name")),
        go_quote(str_of(r, "uid")),
        pointer("controller"),
        pointer("blockOwnerDeletion"),
    )
}

/// `ValidateOwnerReferences`
pub(crate) fn validate_owner_references(refs: &[Value], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut first_controller: Option<String> = None;
    for r in refs {
        let api_version = str_of(r, "apiVersion");
        let kind = str_of(r, "kind");
        let (group, version) = match api_version.split('/').collect::<Vec<_>>().as_slice() {
            [version] => ("", *version),
            [group, version] => (*group, *version),
            _ => ("", ""),
        };
        if version.is_empty() {
            errs.push(invalid(
                &path.child("apiVersion"),
                api_version,
                "version must not be empty",
            ));
        }
        if kind.is_empty() {
            errs.push(invalid(&path.child("kind"), kind, "must not be empty"));
        }
        if str_of(r, "name").is_empty() {
            errs.push(invalid(&path.child("name"), "", "must not be empty"));
        }
        if str_of(r, "uid").is_empty() {
            errs.push(invalid(&path.child("uid"), "", "must not be empty"));
        }
        if group.is_empty() && version == "v1" && kind == "Event" {
            errs.push(FieldError::with_shown_value(
                FieldErrorKind::Invalid,
                path,
                go_owner_reference(r),
                "/v1, Kind=Event is disallowed from being an owner",
            ));
        }
        if r.get("controller").and_then(Value::as_bool) == Some(true) {
            let current = format!("{kind}/{}", str_of(r, "name"));
            match &first_controller {
                Some(first) => {
                    let shown: Vec<String> = refs.iter().map(go_owner_reference).collect();
                    errs.push(FieldError::with_shown_value(
                        FieldErrorKind::Invalid,
                        path,
                        format!("[]v1.OwnerReference{{{}}}", shown.join(", ")),
                        format!(
                            "Only one reference can have Controller set to true. Found \"true\" in references for {first} and {current}"
                        ),
                    ));
                }
                None => first_controller = Some(current),
            }
        }
    }
    errs
}

/// `ValidateFinalizers` (apimachinery): qualified names, not both orphan and foreground.
fn validate_finalizers(meta: &Value, path: &Path) -> Vec<FieldError> {
    let finalizers = list_of(meta, "finalizers");
    let mut errs = Vec::new();
    for finalizer in finalizers {
        errs.extend(validate_qualified_name(
            finalizer.as_str().unwrap_or_default(),
            path,
        ));
    }
    let has = |name: &str| finalizers.iter().any(|f| f.as_str() == Some(name));
    if has("orphan") && has("foregroundDeletion") {
        errs.push(FieldError::with_shown_value(
            FieldErrorKind::Invalid,
            path,
            go_string_slice(meta.get("finalizers").and_then(Value::as_array)),
            "finalizer orphan and foregroundDeletion cannot be both set",
        ));
    }
    errs
}

/// `validateKubeFinalizerName`: a finalizer without a '/' must be a standard one.
pub(crate) fn validate_kube_finalizer_name(name: &str, path: &Path) -> Vec<FieldError> {
    if !name.contains('/') && !STANDARD_FINALIZERS.contains(&name) {
        vec![invalid(
            path,
            name,
            "name is neither a standard finalizer name nor is it fully qualified",
        )]
    } else {
        Vec::new()
    }
}

/// `ValidateFinalizerName` of core: qualified and, when unprefixed, standard.
pub(crate) fn validate_finalizer_name(name: &str, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_qualified_name(name, path);
    errs.extend(validate_kube_finalizer_name(name, path));
    errs
}

fn kube_finalizer_errors(meta: &Value, path: &Path) -> Vec<FieldError> {
    list_of(meta, "finalizers")
        .iter()
        .enumerate()
        .flat_map(|(i, f)| {
            validate_kube_finalizer_name(f.as_str().unwrap_or_default(), &path.index(i))
        })
        .collect()
}

/// `ValidateObjectMeta` of an object: `kube_finalizers` adds core's standard-finalizer check.
pub(crate) fn validate_object_meta(
    obj: &Value,
    namespaced: bool,
    rule: NameRule,
    kube_finalizers: bool,
) -> Vec<FieldError> {
    let meta = metadata(obj);
    let path = Path::new("metadata");
    let mut errs = Vec::new();
    let generate_name = str_of(meta, "generateName");
    if !generate_name.is_empty() {
        for msg in name_errors(rule, generate_name, true) {
            errs.push(invalid(&path.child("generateName"), generate_name, msg));
        }
    }
    let name = str_of(meta, "name");
    if name.is_empty() {
        errs.push(FieldError::required(
            path.child("name"),
            "name or generateName is required",
        ));
    } else {
        for msg in name_errors(rule, name, false) {
            errs.push(invalid(&path.child("name"), name, msg));
        }
    }
    let namespace = str_of(meta, "namespace");
    if namespaced {
        if namespace.is_empty() {
            errs.push(FieldError::required(path.child("namespace"), ""));
        } else {
            for msg in is_dns1123_label(namespace) {
                errs.push(invalid(&path.child("namespace"), namespace, msg));
            }
        }
    } else if !namespace.is_empty() {
        errs.push(FieldError::forbidden(
            path.child("namespace"),
            "not allowed on this type",
        ));
    }
    errs.extend(validate_nonnegative(
        int_of(meta, "generation").unwrap_or(0),
        &path.child("generation"),
    ));
    errs.extend(validate_labels(meta, "labels", &path.child("labels")));
    errs.extend(validate_annotations(
        meta,
        "annotations",
        &path.child("annotations"),
    ));
    errs.extend(validate_owner_references(
        list_of(meta, "ownerReferences"),
        &path.child("ownerReferences"),
    ));
    errs.extend(validate_finalizers(meta, &path.child("finalizers")));
    if kube_finalizers {
        errs.extend(kube_finalizer_errors(meta, &path.child("finalizers")));
    }
    errs
}

/// The registry's own check of every object: `ValidateObjectMetaAccessor` with
/// `path.ValidatePathSegmentName`.
pub(crate) fn validate_generic_object_meta(obj: &Value, namespaced: bool) -> Vec<FieldError> {
    validate_object_meta(obj, namespaced, NameRule::PathSegment, false)
}

/// `ValidateObjectMetaUpdate`; `kube_finalizers` adds core's standard-finalizer check.
/// Its "resourceVersion must be specified for an update" is left to the store: the real
/// registry fills in the stored version (or rejects the update) before validation runs.
pub(crate) fn validate_object_meta_update(
    new: &Value,
    old: &Value,
    kube_finalizers: bool,
) -> Vec<FieldError> {
    let (new_meta, old_meta) = (metadata(new), metadata(old));
    let path = Path::new("metadata");
    let mut errs = Vec::new();
    if get(old_meta, "deletionTimestamp").is_some() {
        let old_finalizers = list_of(old_meta, "finalizers");
        let mut extra: Vec<&str> = list_of(new_meta, "finalizers")
            .iter()
            .filter(|f| !old_finalizers.contains(f))
            .filter_map(Value::as_str)
            .collect();
        extra.sort_unstable();
        extra.dedup();
        if !extra.is_empty() {
            let shown: Vec<String> = extra.iter().map(|f| go_quote(f)).collect();
            errs.push(FieldError::forbidden(
                path.child("finalizers"),
                format!(
                    "no new finalizers can be added if the object is being deleted, found new finalizers []string{{{}}}",
                    shown.join(", ")
                ),
            ));
        }
    }
    let new_generation = int_of(new_meta, "generation").unwrap_or(0);
    if new_generation < int_of(old_meta, "generation").unwrap_or(0) {
        errs.push(invalid(
            &path.child("generation"),
            new_generation,
            "must not be decremented",
        ));
    }
    for field in ["name", "namespace", "uid"] {
        if str_of(new_meta, field) != str_of(old_meta, field) {
            errs.push(invalid(
                &path.child(field),
                str_of(new_meta, field),
                FIELD_IMMUTABLE,
            ));
        }
    }
    for field in ["creationTimestamp", "deletionTimestamp"] {
        if !semantic_eq(new_meta.get(field), old_meta.get(field)) {
            // metav1.Time prints through time.Time.String(); a nil pointer as "null".
            let shown = match get(new_meta, field) {
                None if field == "deletionTimestamp" => "\"null\"".to_string(),
                value => go_time(value),
            };
            errs.push(FieldError::with_shown_value(
                FieldErrorKind::Invalid,
                path.child(field),
                shown,
                FIELD_IMMUTABLE,
            ));
        }
    }
    let (new_grace, old_grace) = (
        get(new_meta, "deletionGracePeriodSeconds"),
        get(old_meta, "deletionGracePeriodSeconds"),
    );
    if new_grace != old_grace {
        let value = new_grace
            .cloned()
            .unwrap_or_else(|| Value::String("null".into()));
        errs.push(FieldError::invalid(
            path.child("deletionGracePeriodSeconds"),
            value,
            FIELD_IMMUTABLE,
        ));
    }
    errs.extend(validate_labels(new_meta, "labels", &path.child("labels")));
    errs.extend(validate_annotations(
        new_meta,
        "annotations",
        &path.child("annotations"),
    ));
    errs.extend(validate_owner_references(
        list_of(new_meta, "ownerReferences"),
        &path.child("ownerReferences"),
    ));
    if kube_finalizers {
        errs.extend(kube_finalizer_errors(new_meta, &path.child("finalizers")));
    }
    errs
}

/// `ValidateLabelSelector` (strict: label values in expressions must be valid).
pub(crate) fn validate_label_selector(selector: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_labels(selector, "matchLabels", &path.child("matchLabels"));
    for (i, requirement) in list_of(selector, "matchExpressions").iter().enumerate() {
        let req_path = path.child("matchExpressions").index(i);
        let values = list_of(requirement, "values");
        let operator = str_of(requirement, "operator");
        match operator {
            "In" | "NotIn" if values.is_empty() => errs.push(FieldError::required(
                req_path.child("values"),
                "must be specified when `operator` is 'In' or 'NotIn'",
            )),
            "Exists" | "DoesNotExist" if !values.is_empty() => errs.push(FieldError::forbidden(
                req_path.child("values"),
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            )),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            _ => errs.push(invalid(
                &req_path.child("operator"),
                operator,
                "not a valid selector operator",
            )),
        }
        errs.extend(validate_qualified_name(
            str_of(requirement, "key"),
            &req_path.child("key"),
        ));
        for (j, value) in values.iter().enumerate() {
            let value = value.as_str().unwrap_or_default();
            for msg in is_valid_label_value(value) {
                errs.push(invalid(&req_path.child("values").index(j), value, msg));
            }
        }
    }
    errs
}

/// A `labels.Selector` built by `LabelSelectorAsSelector`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Selector {
    /// A nil selector: matches nothing (and is not "empty").
    Nothing,
    /// `{}`: matches everything.
    Everything,
    Requirements(Vec<(String, String, Vec<String>)>),
}

impl Selector {
    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, Selector::Everything)
    }

    pub(crate) fn matches(&self, labels: &[(String, String)]) -> bool {
        let label = |key: &str| {
            labels
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        match self {
            Selector::Nothing => false,
            Selector::Everything => true,
            Selector::Requirements(reqs) => {
                reqs.iter()
                    .all(|(key, op, values)| match (op.as_str(), label(key)) {
                        ("In", Some(v)) => values.iter().any(|x| x == v),
                        ("NotIn", Some(v)) => !values.iter().any(|x| x == v),
                        ("NotIn", None) | ("DoesNotExist", None) | ("Exists", Some(_)) => true,
                        _ => false,
                    })
            }
        }
    }
}

/// `metav1.LabelSelectorAsSelector`; Err when a requirement would not build.
pub(crate) fn label_selector_as_selector(selector: Option<&Value>) -> Result<Selector, ()> {
    let Some(selector) = selector else {
        return Ok(Selector::Nothing);
    };
    let match_labels = string_map(selector, "matchLabels");
    let expressions = list_of(selector, "matchExpressions");
    if match_labels.is_empty() && expressions.is_empty() {
        return Ok(Selector::Everything);
    }
    let mut reqs = Vec::new();
    for (key, value) in match_labels {
        if !is_qualified_name(&key).is_empty() || !is_valid_label_value(&value).is_empty() {
            return Err(());
        }
        reqs.push((key, "In".to_string(), vec![value]));
    }
    for requirement in expressions {
        let key = str_of(requirement, "key").to_string();
        let operator = str_of(requirement, "operator").to_string();
        let values: Vec<String> = list_of(requirement, "values")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect();
        let arity_ok = match operator.as_str() {
            "In" | "NotIn" => !values.is_empty(),
            "Exists" | "DoesNotExist" => values.is_empty(),
            _ => false,
        };
        if !arity_ok
            || !is_qualified_name(&key).is_empty()
            || values.iter().any(|v| !is_valid_label_value(v).is_empty())
        {
            return Err(());
        }
        reqs.push((key, operator, values));
    }
    Ok(Selector::Requirements(reqs))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn messages(errs: &[FieldError]) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn names_follow_rfc_1123() {
        let errs = validate_object_meta(
            &json!({"metadata": {"name": "Web_1", "namespace": "default"}}),
            true,
            NameRule::DnsSubdomain,
            true,
        );
        assert_eq!(
            messages(&errs),
            [
                "metadata.name: Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
            ]
        );
        assert_eq!(is_dns1123_label("my.name"), ["must not contain dots"],);
        assert_eq!(
            is_dns1123_label("Nginx"),
            [
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
            ],
        );
        assert_eq!(
            is_dns1123_label(&"a".repeat(64))[0],
            "must be no more than 63 characters"
        );
        assert!(is_dns1123_subdomain("web-1.example.com").is_empty());
    }

    #[test]
    fn name_or_generate_name_is_required() {
        let errs = validate_object_meta(
            &json!({"metadata": {"namespace": "default"}}),
            true,
            NameRule::DnsSubdomain,
            true,
        );
        assert_eq!(
            messages(&errs),
            ["metadata.name: Required value: name or generateName is required"]
        );
        let errs = validate_object_meta(
            &json!({"metadata": {"name": "x"}}),
            true,
            NameRule::DnsSubdomain,
            true,
        );
        assert_eq!(messages(&errs), ["metadata.namespace: Required value"]);
        let errs = validate_object_meta(
            &json!({"metadata": {"name": "x", "namespace": "a"}}),
            false,
            NameRule::DnsLabel,
            true,
        );
        assert_eq!(
            messages(&errs),
            ["metadata.namespace: Forbidden: not allowed on this type"]
        );
    }

    #[test]
    fn generate_name_may_end_in_a_dash() {
        let ok =
            json!({"metadata": {"generateName": "web-", "name": "web-x7k2p", "namespace": "d"}});
        assert!(validate_object_meta(&ok, true, NameRule::DnsSubdomain, true).is_empty());
        let bad =
            json!({"metadata": {"generateName": "Web-", "name": "web-x7k2p", "namespace": "d"}});
        let errs = validate_object_meta(&bad, true, NameRule::DnsSubdomain, true);
        assert_eq!(errs[0].field, "metadata.generateName");
        assert_eq!(errs[0].value, Some(json!("Web-")));
    }

    #[test]
    fn label_keys_and_values_are_checked() {
        let obj = json!({"metadata": {"name": "x", "namespace": "d", "labels": {"app": "-bad", "example.com/ok": "v", "a/b/c": "v", "/x": ""}}});
        let errs = messages(&validate_object_meta(
            &obj,
            true,
            NameRule::DnsSubdomain,
            true,
        ));
        assert_eq!(
            errs,
            [
                "metadata.labels: Invalid value: \"/x\": prefix part must be non-empty",
                "metadata.labels: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                "metadata.labels: Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ]
        );
    }

    #[test]
    fn regex_error_lists_examples_like_go() {
        assert_eq!(
            regex_error("msg", "fmt", &["a", "b"]),
            "msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')"
        );
        assert_eq!(
            regex_error("msg", "fmt", &[]),
            "msg (regex used for validation is 'fmt')"
        );
    }

    #[test]
    fn finalizers_must_be_standard_or_qualified() {
        let obj = json!({"metadata": {"name": "x", "namespace": "d", "finalizers": ["kubernetes", "mine", "example.com/mine"]}});
        let errs = messages(&validate_object_meta(
            &obj,
            true,
            NameRule::DnsSubdomain,
            true,
        ));
        assert_eq!(
            errs,
            [
                "metadata.finalizers[1]: Invalid value: \"mine\": name is neither a standard finalizer name nor is it fully qualified"
            ]
        );
    }

    #[test]
    fn metadata_is_immutable_on_update() {
        let old = json!({"metadata": {"name": "a", "namespace": "d", "uid": "1", "resourceVersion": "5", "creationTimestamp": "2024-05-01T10:00:00Z"}});
        let new = json!({"metadata": {"name": "b", "namespace": "d", "uid": "2", "resourceVersion": "5", "creationTimestamp": "2024-05-02T10:00:00Z"}});
        assert_eq!(
            messages(&validate_object_meta_update(&new, &old, true)),
            [
                "metadata.name: Invalid value: \"b\": field is immutable",
                "metadata.uid: Invalid value: \"2\": field is immutable",
                "metadata.creationTimestamp: Invalid value: 2024-05-02 10:00:00 +0000 UTC: field is immutable",
            ]
        );
    }

    #[test]
    fn no_new_finalizers_while_deleting() {
        let old = json!({"metadata": {"name": "a", "resourceVersion": "1", "deletionTimestamp": "2024-05-01T10:00:00Z", "finalizers": ["a/b"]}});
        let new = json!({"metadata": {"name": "a", "resourceVersion": "1", "deletionTimestamp": "2024-05-01T10:00:00Z", "finalizers": ["a/b", "c/d"]}});
        assert_eq!(
            messages(&validate_object_meta_update(&new, &old, false)),
            [
                "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"c/d\"}"
            ]
        );
    }

    #[test]
    fn selectors_build_and_match() {
        let sel = json!({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]});
        let built = label_selector_as_selector(Some(&sel)).unwrap();
        let labels = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        assert!(built.matches(&labels(&[("app", "web"), ("tier", "a")])));
        assert!(!built.matches(&labels(&[("app", "web")])));
        assert_eq!(label_selector_as_selector(None), Ok(Selector::Nothing));
        assert!(
            label_selector_as_selector(Some(&json!({})))
                .unwrap()
                .is_empty()
        );
        assert!(
            label_selector_as_selector(Some(
                &json!({"matchExpressions": [{"key": "a", "operator": "Bogus"}]})
            ))
            .is_err()
        );
        let errs = messages(&validate_label_selector(
            &json!({"matchExpressions": [{"key": "a", "operator": "In"}]}),
            &Path::new("spec.selector"),
        ));
        assert_eq!(
            errs,
            [
                "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
            ]
        );
    }

    #[test]
    fn generate_names_of_any_bytes_never_panic() {
        assert_eq!(name_errors(NameRule::DnsSubdomain, "é-", true).len(), 1);
        assert!(name_errors(NameRule::DnsLabel, "ab-", true).is_empty());
    }

    #[test]
    fn path_segment_names() {
        assert_eq!(
            name_errors(NameRule::PathSegment, "..", false),
            ["may not be '..'"]
        );
        assert_eq!(
            name_errors(NameRule::PathSegment, "a/b%c", false),
            ["may not contain '/'", "may not contain '%'"]
        );
    }

    #[test]
    fn port_names_and_percents() {
        assert!(is_valid_port_name("http").is_empty());
        assert_eq!(
            is_valid_port_name("80"),
            ["must contain at least one letter (a-z)"]
        );
        assert_eq!(
            is_valid_port_name("a--b-"),
            [
                "must not contain consecutive hyphens",
                "must not begin or end with a hyphen"
            ]
        );
        assert!(is_valid_percent("25%").is_empty());
        assert_eq!(is_valid_percent("25").len(), 1);
    }
}
