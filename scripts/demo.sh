#!/usr/bin/env bash
# Quick start, main job: set up, lint the sample department's inventory, evaluate its bundled evidence,
# and write the auditor's report (reports/out/sample/index.html).
# Nothing connects to the sample inventory's addresses: its evidence ships in samples/evidence/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out=reports/out/sample
mkdir -p "$out"
echo "== prakan lint inventory/"
.venv/bin/prakan lint inventory/
echo "== prakan evaluate (sample department, bundled evidence)"
# signed with the public DEMO key in samples/ (see samples/README.md); a fixed snapshot, so no age limit
.venv/bin/prakan evaluate --evidence-dir samples/evidence -i inventory --manifest-key samples/demo-manifest.key --max-age 0 \
  -o "$out/results.json"
echo "results: $out/results.json"
echo "== prakan report (HTML for auditors, CSV, JUnit, summary)"
.venv/bin/prakan report "$out/results.json" -o "$out" >/dev/null
echo "report: $out/index.html"
