#!/usr/bin/env python3
"""Regenerates assets/openapi/definitions.json: the Kubernetes 1.32 OpenAPI schemas of the API
groups podflow serves. Source: the JSON schemas that the PyPI package kubernetes-validate ships
(generated from the upstream OpenAPI spec; Apache-2.0).

    pip download --no-deps -d /tmp/kv kubernetes-validate && (cd /tmp/kv && unzip -q *.whl)
    python3 tools/gen-openapi-definitions.py /tmp/kv/kubernetes_validate/kubernetes-json-schema/v1.32.0-local/_definitions.json

The schemas are normalised back to OpenAPI v3 form: `type: [x, null]` becomes `type: x`,
`#/$defs/` references become `#/components/schemas/`, IntOrString and Quantity become strings
with the formats kube-openapi uses.
"""
import json
import sys

PREFIXES = [
    "io.k8s.api.core.v1.",
    "io.k8s.api.apps.v1.",
    "io.k8s.api.coordination.v1.",
    "io.k8s.api.rbac.v1.",
    "io.k8s.api.authorization.v1.",
    "io.k8s.api.policy.v1.",
    "io.k8s.api.autoscaling.v1.",
    "io.k8s.apimachinery.",
]


def normalise(node, parent_key=None):
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "type" and isinstance(v, list):
                kinds = [t for t in v if t != "null"]
                v = kinds[0] if len(kinds) == 1 else kinds
            elif k == "$ref" and isinstance(v, str):
                v = v.replace("#/$defs/", "#/components/schemas/")
            else:
                v = normalise(v, k)
            out[k] = v
        # apiVersion/kind carry an enum in the JSON-schema form only.
        if parent_key in ("apiVersion", "kind") and "enum" in out:
            del out["enum"]
        return out
    if isinstance(node, list):
        return [normalise(v) for v in node]
    return node


def main():
    src = json.load(open(sys.argv[1]))["$defs"]
    defs = {}
    for name, schema in sorted(src.items()):
        if not any(name.startswith(p) for p in PREFIXES):
            continue
        schema = normalise(schema)
        if name == "io.k8s.apimachinery.pkg.util.intstr.IntOrString":
            schema = {"description": schema.get("description", ""), "type": "string", "format": "int-or-string"}
        if name == "io.k8s.apimachinery.pkg.api.resource.Quantity":
            schema = {"description": schema.get("description", ""), "type": "string"}
        defs[name] = schema
    out = sys.argv[2] if len(sys.argv) > 2 else "assets/openapi/definitions.json"
    with open(out, "w") as f:
        json.dump(defs, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")
    print(f"{len(defs)} definitions -> {out}")


if __name__ == "__main__":
    main()
