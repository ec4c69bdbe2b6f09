#!/bin/sh
# Regenerates the PNG icons of the manifest from the SVGs with headless Chromium (Debian's
# chromium package). The PNGs are committed; run this only after changing an SVG.
set -eu
cd "$(dirname "$0")/../public"
shot() { # svg size out
  tmp=$(mktemp -d)
  printf '<html><body style="margin:0"><img src="file://%s" width="%s" height="%s"></body></html>' "$PWD/$1" "$2" "$2" > "$tmp/i.html"
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --default-background-color=00000000 \
    --window-size="$2,$2" --screenshot="$PWD/$3" "file://$tmp/i.html" >/dev/null 2>&1
  rm -rf "$tmp"
}
shot icon.svg 192 icon-192.png
shot icon.svg 512 icon-512.png
shot icon-maskable.svg 512 icon-maskable-512.png
