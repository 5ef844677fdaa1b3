//! `at`: a JSON-pointer lookup that borrows its path segments. `Value::pointer` unescapes every
//! segment into a new String; the apiserver looks up paths like `/spec/containers` a dozen
//! times per request, so this one only allocates for segments that carry an escape (`~0`, `~1`).

use serde_json::Value;

pub trait At {
    /// The value at an RFC 6901 JSON pointer (`""` is the whole document).
    fn at(&self, pointer: &str) -> Option<&Value>;
}

impl At for Value {
    fn at(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        if rest.contains('~') {
            return self.pointer(pointer);
        }
        rest.split('/')
            .try_fold(self, |target, token| match target {
                Value::Object(map) => map.get(token),
                Value::Array(list) => parse_index(token).and_then(|i| list.get(i)),
                _ => None,
            })
    }
}

/// The string at a JSON pointer, or "" when there is none (or it is not a string).
pub fn str_at<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .at(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// An array index as RFC 6901 writes it: digits, no leading zero (except `0` itself).
fn parse_index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    token.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn agrees_with_serde_json_pointer() {
        let doc = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]},
                         "metadata": {"annotations": {"podflow.io/x": "1", "a~b": "2"}}, "": 3});
        for pointer in [
            "",
            "/",
            "/spec",
            "/spec/containers/1/name",
            "/spec/containers/01",
            "/spec/containers/+1",
            "/spec/containers/9",
            "/spec/containers/-",
            "/metadata/annotations/podflow.io~1x",
            "/metadata/annotations/a~0b",
            "/spec/containers/0/name/x",
            "spec",
            "/nope",
        ] {
            assert_eq!(doc.at(pointer), doc.pointer(pointer), "{pointer}");
        }
    }
}
