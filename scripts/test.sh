#!/usr/bin/env bash
# Runs every test of skillcert. Run as root on Debian, it first installs what the browser test
# needs (chromium and chromium-driver); without them that one test says it was skipped.
# Set SKILLCERT_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres to run the PostgreSQL
# suites too (.ci/run does).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
  && { ! command -v chromedriver >/dev/null || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; }; then
  echo "installing chromium, chromium-driver and a CJK font for the browser test…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-wqy-microhei >/dev/null
fi
cargo test --locked "$@"
