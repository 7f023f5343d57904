#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: installs what the tests need
# (the project with its test extras; Debian's chromium for the browser tests
# when it is missing), then runs pytest on both cores.
# pytest's own exit code is returned unchanged (5 = no tests ran = failure).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser tests" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "error: the browser tests need Debian's chromium at /usr/bin/chromium: sudo apt-get install -y chromium" >&2
    exit 2
  fi
fi
python -m pip install -q -e '.[test]'
exec python -m pytest -n 2 "$@"
