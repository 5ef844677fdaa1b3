//! The patch `kubectl apply` sends for an object that exists: a strategic merge patch made
//! from three versions — the configuration applied last time (`original`, from the
//! annotation), the one applied now (`modified`) and the live object (`current`). Fields the
//! user set that differ from the live object are sent; fields the user set last time and
//! removed now are deleted (`null`); fields only the server set (defaults, status) are left
//! alone. Lists of objects are matched element by element on their merge key (`name`,
//! `containerPort`, `mountPath`), so server defaults inside them do not count as changes.

use serde_json::{Map, Value};

/// The patch (`{}` when nothing is to change).
pub fn patch(original: &Value, modified: &Value, current: &Value) -> Value {
    diff(Some(original), modified, Some(current)).unwrap_or_else(|| Value::Object(Map::new()))
}

fn diff(original: Option<&Value>, modified: &Value, current: Option<&Value>) -> Option<Value> {
    match (modified, current) {
        (Value::Object(m), Some(Value::Object(c))) => {
            let o = original.and_then(Value::as_object);
            let mut out = Map::new();
            for (key, mv) in m {
                if let Some(d) = diff(o.and_then(|o| o.get(key)), mv, c.get(key)) {
                    out.insert(key.clone(), d);
                }
            }
            if let Some(o) = o {
                for key in o.keys() {
                    if !m.contains_key(key) && c.contains_key(key) {
                        out.insert(key.clone(), Value::Null);
                    }
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        (Value::Array(m), Some(Value::Array(c))) => {
            (!list_unchanged(m, c)).then(|| modified.clone())
        }
        _ => (current != Some(modified)).then(|| modified.clone()),
    }
}

/// Whether every element the user set is in the live list as set (matching objects by merge
/// key, primitives by value, in order).
fn list_unchanged(modified: &[Value], current: &[Value]) -> bool {
    if modified.len() != current.len() {
        return false;
    }
    modified.iter().zip(current).all(|(m, c)| match (m, c) {
        (Value::Object(mo), Value::Object(co)) => {
            let key = ["name", "containerPort", "mountPath", "ip", "key"]
                .into_iter()
                .find(|k| mo.contains_key(*k));
            key.is_none_or(|k| mo.get(k) == co.get(k)) && diff(None, m, Some(c)).is_none()
        }
        _ => m == c,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn server_defaults_are_no_change_and_user_edits_are() {
        let config = json!({"spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}});
        let live = json!({"spec": {"replicas": 3, "progressDeadlineSeconds": 600,
            "template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent"}]}}},
            "status": {"replicas": 3}});
        assert_eq!(patch(&config, &config, &live), json!({}));
        let edited = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.28"}]}}}});
        assert_eq!(
            patch(&config, &edited, &live),
            json!({"spec": {"replicas": null, "template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.28"}]}}}})
        );
    }
}
