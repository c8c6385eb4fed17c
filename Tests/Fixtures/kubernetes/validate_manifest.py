#!/usr/bin/env python3
"""Validates a Kubernetes manifest against the API schema as the official Python client models it
(pip install kubernetes): every document is deserialised into its model (required fields, types),
then serialised back and compared with the original, so an unknown or misspelt field (which the
models drop) fails too. Prints the documents as JSON on success; exit 1 with the reason otherwise.

    validate_manifest.py job.yaml
"""
import json
import sys

import yaml
from kubernetes import client

MODELS = {("v1", "ConfigMap"): "V1ConfigMap", ("batch/v1", "Job"): "V1Job"}


def main(path):
    api = client.ApiClient()
    docs = [d for d in yaml.safe_load_all(open(path, encoding="utf-8")) if d is not None]
    for i, doc in enumerate(docs):
        model = MODELS.get((doc.get("apiVersion"), doc.get("kind")))
        if model is None:
            print(f"document {i}: unexpected {doc.get('apiVersion')}/{doc.get('kind')}", file=sys.stderr)
            return 1
        try:
            obj = api._ApiClient__deserialize(doc, model)
        except Exception as e:  # the models raise pydantic or value errors
            print(f"document {i} ({model}): {e}", file=sys.stderr)
            return 1
        back = api.sanitize_for_serialization(obj)
        if back != doc:
            print(f"document {i} ({model}): fields the schema does not know, or of the wrong type:\n"
                  f"  written:   {json.dumps(doc, sort_keys=True)}\n  as parsed: {json.dumps(back, sort_keys=True)}",
                  file=sys.stderr)
            return 1
    print(json.dumps(docs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
