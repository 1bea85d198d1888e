#!/bin/sh
# Regenerates the screenshots in docs/screenshots from a real run (the console's broker with
# real MQTT clients, a Sparkplug B edge node and a push), in English and Chinese, light and
# dark, at 1366x768 and 1920x1080. Needs a configured build/ (cmake --preset default).
set -eu
cd "$(dirname "$0")/.."
cmake --build build --target tst_docscreenshots
HERMES_SCREENSHOT_DIR="$PWD/docs/screenshots" QT_QPA_PLATFORM=offscreen build/tests/ui/tst_docscreenshots
echo "screenshots written to docs/screenshots"
