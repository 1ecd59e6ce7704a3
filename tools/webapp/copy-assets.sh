#!/usr/bin/env bash
# Refreshes supplygraph/web/static/vendor/ (committed) from the version pinned in
# package-lock.json: `make webapp-assets`. The service never fetches it at run time.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
out=../../supplygraph/web/static/vendor
rm -rf "$out"
mkdir -p "$out"
cp node_modules/htmx.org/dist/htmx.min.js "$out/"
sed -i '/sourceMappingURL=/d' "$out/htmx.min.js"
{
  version=$(node -p "require('./node_modules/htmx.org/package.json').version")
  echo "== htmx.org $version =="
  cat node_modules/htmx.org/LICENSE
} > "$out/LICENSES.txt"
echo "copied into $out"
