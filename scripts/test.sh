#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: installs what the tests need
# (the project with its test extras; Debian's chromium for the browser tests
# and axe-core, from npm, for their accessibility checks, when missing), then
# runs pytest on both cores.
# pytest's own exit code is returned unchanged (5 = no tests ran = failure).
set -euo pipefail
cd "$(dirname "$0")/.."
# debian_install PACKAGE WHY: install a Debian package as root, or stop with a clear message
debian_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's $1 for $2" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    echo "error: $2 need Debian's $1: sudo apt-get install -y $1" >&2
    exit 2
  fi
}
[ -x /usr/bin/chromium ] || debian_install chromium "the browser tests"
python -m pip install -q -e '.[test]'
# axe-core for the accessibility checks of the browser tests, into a folder
# that git ignores (tests/.node/ holds its own .gitignore)
if [ ! -f tests/.node/node_modules/axe-core/axe.min.js ]; then
  command -v npm >/dev/null || debian_install npm "the accessibility tests (npm installs axe-core)"
  mkdir -p tests/.node && printf '*\n' > tests/.node/.gitignore
  npm install --prefix tests/.node --no-audit --no-fund --silent axe-core@4
fi
exec python -m pytest -n 2 "$@"
