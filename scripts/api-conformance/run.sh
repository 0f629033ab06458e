#!/usr/bin/env bash
# Tests a running optline API against its own OpenAPI document with schemathesis: every check, the examples,
# coverage, fuzzing and stateful phases, a fixed seed and a bounded number of cases (prepare.ts). Then fails
# unless every operation of the document answered 2xx at least once.
#
# Usage: scripts/api-conformance/run.sh <base-url> [st-executable]
#   e.g. scripts/api-conformance/run.sh http://127.0.0.1:3000 .venv-schemathesis/bin/st
# Needs schemathesis 4 (PyPI) and the local tokens `local-demo` and `local-operator` (set per operation in the
# generated config), so it runs against `npm start` only.
set -euo pipefail

base_url=${1:?usage: run.sh <base-url> [st-executable]}
st=${2:-st}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

npx tsx "$here/prepare.ts" "$work"
node -e "fetch(process.argv[1]).then((r) => r.text()).then((t) => process.stdout.write(t))" \
  "$base_url/openapi.json" >"$work/openapi.json"

# The hook module registers the document's `phone` and `e164` formats with valid numbers.
PYTHONPATH="$here" OPTLINE_PHONE_SAMPLES="$work/phone-samples.json" SCHEMATHESIS_HOOKS=optline_formats \
  "$st" --config-file "$work/schemathesis.toml" run "$base_url/openapi.json" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  --report har --report-har-path "$work/run.har"

python3 "$here/statuses_by_operation.py" "$work/openapi.json" "$work/run.har"
