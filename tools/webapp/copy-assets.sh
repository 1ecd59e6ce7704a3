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
# The map (supplygraph/web/static/map.js): country outlines at 1:110m (Natural Earth, public
# domain) as TopoJSON, and the small client that turns them into GeoJSON.
cp node_modules/topojson-client/dist/topojson-client.min.js "$out/"
cp node_modules/world-atlas/countries-110m.json "$out/"
{
  for pkg in htmx.org topojson-client world-atlas; do
    version=$(node -p "require('./node_modules/$pkg/package.json').version")
    echo "== $pkg $version =="
    cat "node_modules/$pkg/LICENSE"*
    echo
  done
  echo "world-atlas's data: Natural Earth (naturalearthdata.com), in the public domain."
} > "$out/LICENSES.txt"
echo "copied into $out"
