#!/usr/bin/env bash
# Retake the README's screenshots: the home page and a spec page of
# content-example, in light and dark mode, with headless Chromium.
# Usage: themes/screenshots/take.sh [path/to/specsite]
set -euo pipefail
cd "$(dirname "$0")/../.."
specsite=${1:-target/debug/specsite}
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
"$specsite" -q build content-example --out "$site/site" 2>/dev/null
shoot() { # mode name page
  local dark=()
  if [ "$1" = dark ]; then dark=(--force-dark-mode --blink-settings=preferredColorScheme=0); fi
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "${dark[@]}" \
    --window-size=1280,1000 --screenshot="themes/screenshots/$2-$1.png" "file://$site/site/$3" 2>/dev/null
}
for mode in light dark; do
  shoot "$mode" home index.html
  shoot "$mode" spec specs/corona/implemented/lumenctl-json-output.html
done
