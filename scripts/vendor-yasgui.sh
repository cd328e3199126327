#!/usr/bin/env bash
# Refresh the YASGUI query editor the server ships from its own files (no CDN at run time).
# The version is pinned in vendor/package.json and vendor/package-lock.json; npm installs it,
# and the minified build, its stylesheet and its licence are copied under serve/static/vendor.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
target="$here/src/nato_iraq_kg/serve/static/vendor/yasgui"
(cd "$here/vendor" && npm ci --silent --no-audit --no-fund)
package="$here/vendor/node_modules/@zazuko/yasgui"
version=$(node -p "require('$package/package.json').version")
mkdir -p "$target"
cp "$package/build/yasgui.min.js" "$package/build/yasgui.min.css" "$target/"
{
  echo "@zazuko/yasgui $version (npm), MIT licence as declared in its package.json."
  echo "Authors: Triply <info@triply.cc> and Zazuko GmbH; https://github.com/rdfjs/Yasgui"
  echo "Copied by scripts/vendor-yasgui.sh from the npm package's build/ folder, unmodified."
  echo "The bundle includes its npm dependencies (CodeMirror, jQuery, DataTables, N3.js, ...),"
  echo "each under its own permissive licence (MIT, BSD or Apache-2.0)."
  echo
  echo "sha256:"
  (cd "$target" && sha256sum yasgui.min.js yasgui.min.css)
} >"$target/NOTICE.txt"
echo "vendored @zazuko/yasgui $version into ${target#"$here"/}"
