"""Strict JSON schemas for the custom resources the manifests use, made from their operators' CRDs.

The API server prunes a field its CRD does not know, silently: a misspelled `minReplicaCount`
would vanish on apply, not fail. So every object that lists its properties here also refuses any
other (additionalProperties false) unless the CRD says it keeps unknown fields. Descriptions are
dropped (they are most of a CRD's size). Run it when an operator is upgraded:

    python deploy/k8s/schemas/crd2schema.py keda.sh_scaledobjects.yaml ... -o deploy/k8s/schemas

and note the operator's version in deploy/k8s/schemas/README.md.
"""
import argparse
import json
import pathlib

import yaml

_DROP = {"description", "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type",
         "x-kubernetes-validations", "x-kubernetes-embedded-resource"}


def strict(node):
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: strict(value) for key, value in node.items() if key not in _DROP and key != "properties"}
    if "properties" in node:  # names of fields, not keywords: a field may be called `description`
        out["properties"] = {name: strict(value) for name, value in node["properties"].items()}
    if out.pop("x-kubernetes-int-or-string", False):
        out.pop("anyOf", None)  # the CRD's anyOf of integer|string says the same
        out["type"] = ["integer", "string"]
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    keeps_unknown = out.pop("x-kubernetes-preserve-unknown-fields", False)
    if "properties" in out and "additionalProperties" not in out and not keeps_unknown:
        out["additionalProperties"] = False
    return out


def schemas(crd):
    group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
    for version in crd["spec"]["versions"]:
        if not version.get("served", True):
            continue
        schema = strict(version["schema"]["openAPIV3Schema"])
        props = schema.setdefault("properties", {})
        props["apiVersion"] = {"const": f"{group}/{version['name']}"}
        props["kind"] = {"const": kind}
        # metadata is the API server's, not the CRD's: the built-in ObjectMeta's fields
        props["metadata"] = {"type": "object", "additionalProperties": False, "required": ["name"],
                             "properties": {name: {} for name in (
                                 "name", "namespace", "labels", "annotations", "generateName", "finalizers",
                                 "ownerReferences")}}
        schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
        schema["$schema"] = "http://json-schema.org/draft-07/schema#"
        yield f"{kind.lower()}-{group}-{version['name']}.json", schema


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("crds", nargs="+", type=pathlib.Path)
    ap.add_argument("-o", "--out", type=pathlib.Path, default=pathlib.Path(__file__).parent)
    args = ap.parse_args()
    for path in args.crds:
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") == "CustomResourceDefinition":
                for name, schema in schemas(doc):
                    (args.out / name).write_text(json.dumps(schema, ensure_ascii=False, separators=(",", ":")) + "\n")
                    print(name)


if __name__ == "__main__":
    main()
