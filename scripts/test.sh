#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: installs what the tests need
# (the project with its test extras; Debian's chromium for the browser tests
# and axe-core, from npm, for their accessibility checks, when missing), then
# runs pytest on both cores.
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
# axe-core for the accessibility checks of the browser tests, into a folder
# that git ignores (tests/.node/ holds its own .gitignore)
if [ ! -f tests/.node/node_modules/axe-core/axe.min.js ]; then
  if ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "installing Debian's npm for axe-core" >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
    else
      echo "error: the accessibility tests need npm (to install axe-core): sudo apt-get install -y npm" >&2
      exit 2
    fi
  fi
  mkdir -p tests/.node && printf '*\n' > tests/.node/.gitignore
  npm install --prefix tests/.node --no-audit --no-fund --silent axe-core@4
fi
exec python -m pytest -n 2 "$@"
