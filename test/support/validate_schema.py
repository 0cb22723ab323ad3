"""Validates Kubernetes objects (a JSON array on stdin) against the strict
OpenAPI schema of one Kubernetes version, with kubernetes-validate.
Prints a JSON array of problems: {"index", "kind", "name", "error"}."""
import json
import sys

import kubernetes_validate

version = sys.argv[1] if len(sys.argv) > 1 else "1.27"
problems = []
for index, obj in enumerate(json.load(sys.stdin)):
    name = (obj.get("metadata") or {}).get("name")
    try:
        kubernetes_validate.validate(obj, version, strict=True)
    except kubernetes_validate.SchemaNotFoundError as e:
        problems.append({"index": index, "kind": obj.get("kind"), "name": name, "error": e.message})
    except kubernetes_validate.ValidationError as e:
        where = "/".join(str(p) for p in e.absolute_path)
        problems.append({"index": index, "kind": obj.get("kind"), "name": name, "error": f"{where}: {e.message}"})
json.dump(problems, sys.stdout)
