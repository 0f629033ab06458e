"""Reads a schemathesis HAR report and the OpenAPI document, and fails unless every operation of the document
got at least one 2xx. Prints the statuses each operation got.

Usage: python statuses_by_operation.py <openapi.json> <report.har>
"""

import json
import re
import sys
from collections import Counter, defaultdict
from urllib.parse import urlsplit


def operations(document):
    for path, methods in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$")
        for method in methods:
            yield method.upper(), path, pattern


def main(document_path, har_path):
    with open(document_path, encoding="utf-8") as document_file:
        document = json.load(document_file)
    with open(har_path, encoding="utf-8") as har_file:
        entries = json.load(har_file)["log"]["entries"]
    known = list(operations(document))
    statuses = defaultdict(Counter)
    for entry in entries:
        method = entry["request"]["method"]
        path = urlsplit(entry["request"]["url"]).path
        for op_method, op_path, pattern in known:
            if op_method == method and pattern.match(path):
                statuses[f"{method} {op_path}"][entry["response"]["status"]] += 1
                break
    missing = []
    for method, path, _ in known:
        label = f"{method} {path}"
        counts = statuses[label]
        print(f"{label:55} " + " ".join(f"{code}×{n}" for code, n in sorted(counts.items())))
        if not any(200 <= code < 300 for code in counts):
            missing.append(label)
    if missing:
        print("no 2xx for: " + ", ".join(missing), file=sys.stderr)
        return 1
    print(f"every one of the {len(known)} operations answered 2xx at least once")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
