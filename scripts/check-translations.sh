#!/bin/sh
# Fails when translations/hermes_zh_CN.ts has unfinished or empty entries, or is out of date
# with the sources (lupdate would add strings).
set -eu
cd "$(dirname "$0")/.."
ts=translations/hermes_zh_CN.ts
unfinished=$(grep -c 'type="unfinished"' "$ts" || true)
if [ "$unfinished" -gt 0 ]; then
    echo "$ts: $unfinished unfinished translations:"
    grep -B3 'type="unfinished"' "$ts" | grep '<source>' | head -20
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$ts" "$tmp/check.ts"
lupdate=$(command -v lupdate || echo /usr/lib/qt6/bin/lupdate)
"$lupdate" -silent -no-obsolete -locations none ui app/hermes app/engine/brokeroptions.cpp app/engine/broker.cpp app/engine/broker/sessionlifecycle.cpp app/engine/broker/delivery.cpp app/engine/broker/listeners.cpp app/engine/push/pushservice.cpp app/engine/client/clientengine.cpp app/engine/remote/remoteengine.cpp app/engine/remote/adminchannel.cpp -ts "$tmp/check.ts" >/dev/null
new=$(grep -c 'type="unfinished"' "$tmp/check.ts" || true)
if [ "$new" -gt 0 ]; then
    echo "$ts is missing $new strings found in the sources; run: cmake --build build --target update_translations"
    grep -B3 'type="unfinished"' "$tmp/check.ts" | grep '<source>' | head -20
    exit 1
fi
echo "$ts: complete"
