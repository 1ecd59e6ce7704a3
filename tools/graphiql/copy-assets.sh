#!/usr/bin/env bash
# Refreshes supplygraph/static/graphiql/ (committed) from the versions pinned in
# package-lock.json: `make graphiql-assets`. The service never fetches these at run time.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
out=../../supplygraph/static/graphiql/vendor
rm -rf "$out"
mkdir -p "$out"
cp node_modules/react/umd/react.production.min.js "$out/"
cp node_modules/react-dom/umd/react-dom.production.min.js "$out/"
cp node_modules/graphiql/graphiql.min.js node_modules/graphiql/graphiql.min.css "$out/"
# The source maps are not shipped: drop the references so browsers do not ask for them.
sed -i '/sourceMappingURL=/d' "$out/graphiql.min.js" "$out/graphiql.min.css"
{
  for pkg in react react-dom graphiql; do
    version=$(node -p "require('./node_modules/$pkg/package.json').version")
    echo "== $pkg $version =="
    cat "node_modules/$pkg/LICENSE"
    echo
  done
} > "$out/LICENSES.txt"
echo "copied into $out"
