//! The `pod-template-hash`: the suffix of a Deployment's ReplicaSet names (`web-7d4b9c5f8`) and
//! the label value that keeps the pods of one template apart from the others. A port of
//! `controller.ComputeHash`: FNV-32a over the template, then the collision count, then
//! `rand.SafeEncodeString` of the decimal sum.
//!
//! Deviation: the real hasher feeds FNV a `spew` dump of the Go struct, which only Go can
//! reproduce; here it reads a canonical JSON serialization of the template instead (object keys
//! sorted, `null` members dropped so that `creationTimestamp: null` and an absent field hash the
//! same). The hash is therefore stable and well spread, and has the real alphabet and length
//! range, but is not the value a real cluster would compute for the same template.

use serde_json::Value;

const FNV32_OFFSET_BASIS: u32 = 2_166_136_261;
const FNV32_PRIME: u32 = 16_777_619;

/// `rand.SafeEncodeString`'s alphabet: no vowels (no words) and no look-alikes such as 0/o, 1/l, 3/e.
const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// `controller.ComputeHash(template, collisionCount)`.
pub fn pod_template_hash(template: &Value, collision_count: Option<i64>) -> String {
    let mut canonical = String::new();
    write_canonical(template, &mut canonical);
    let mut hash = fnv32a(FNV32_OFFSET_BASIS, canonical.as_bytes());
    if let Some(count) = collision_count {
        // The real code writes 8 bytes of which `binary.LittleEndian.PutUint32` fills only the
        // first 4: the rest stay zero, and they are hashed too.
        let mut bytes = [0u8; 8];
        bytes[..4].copy_from_slice(&(count as u32).to_le_bytes());
        hash = fnv32a(hash, &bytes);
    }
    safe_encode_string(&hash.to_string())
}

/// `rand.SafeEncodeString`: maps every character onto [`ALPHANUMS`] by its code point, so the
/// decimal digits of the hash become `4 5 6 7 8 9 b c d f`.
pub fn safe_encode_string(s: &str) -> String {
    s.chars()
        .map(|c| char::from(ALPHANUMS[c as usize % ALPHANUMS.len()]))
        .collect()
}

/// FNV-1a, 32 bits, continuing from `hash`.
fn fnv32a(mut hash: u32, bytes: &[u8]) -> u32 {
    for &b in bytes {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(FNV32_PRIME);
    }
    hash
}

/// JSON with object keys in byte order and `null` members left out, so the bytes do not depend
/// on how the map type orders its keys or on whether an empty field was sent as `null`.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, _)| k)
                .collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*key).clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(*key) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(image: &str) -> Value {
        json!({
            "metadata": {"labels": {"app": "web"}, "creationTimestamp": null},
            "spec": {"containers": [{"name": "web", "image": image}]},
        })
    }

    #[test]
    fn fnv32a_matches_the_reference_vectors() {
        // Test vectors of the FNV reference implementation.
        assert_eq!(fnv32a(FNV32_OFFSET_BASIS, b""), 0x811c_9dc5);
        assert_eq!(fnv32a(FNV32_OFFSET_BASIS, b"a"), 0xe40c_292c);
        assert_eq!(fnv32a(FNV32_OFFSET_BASIS, b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn safe_encode_string_maps_digits_like_go() {
        assert_eq!(safe_encode_string("0123456789"), "456789bcdf");
        // A whole sum: every character of a hash is one of the ten digit images.
        assert_eq!(safe_encode_string("4294967295"), "86f8fbc6f9");
    }

    #[test]
    fn hash_is_stable_and_uses_the_safe_alphabet() {
        let a = pod_template_hash(&template("nginx:1.25"), None);
        assert_eq!(a, pod_template_hash(&template("nginx:1.25"), None));
        assert!((1..=10).contains(&a.len()), "{a}");
        assert!(a.chars().all(|c| "456789bcdf".contains(c)), "{a}");
    }

    #[test]
    fn hash_ignores_key_order_and_null_members() {
        let a = json!({"spec": {"containers": [{"name": "web", "image": "x"}]}, "metadata": {"labels": {"b": "2", "a": "1"}}});
        let b: Value = serde_json::from_str(
            r#"{"metadata":{"creationTimestamp":null,"labels":{"a":"1","b":"2"}},"spec":{"containers":[{"image":"x","name":"web"}]}}"#,
        )
        .expect("valid JSON");
        assert_eq!(pod_template_hash(&a, None), pod_template_hash(&b, None));
    }

    #[test]
    fn template_changes_and_collisions_change_the_hash() {
        let base = pod_template_hash(&template("nginx:1.25"), None);
        assert_ne!(base, pod_template_hash(&template("nginx:1.26"), None));
        let first = pod_template_hash(&template("nginx:1.25"), Some(1));
        assert_ne!(base, first);
        assert_ne!(first, pod_template_hash(&template("nginx:1.25"), Some(2)));
        // A zero count is still hashed (8 zero bytes), as in the real code.
        assert_ne!(base, pod_template_hash(&template("nginx:1.25"), Some(0)));
    }
}
