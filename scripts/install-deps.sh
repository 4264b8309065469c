#!/usr/bin/env bash
# Installs what Custos needs on a Debian machine, as root, without asking: the system
# libraries it links, the servers its tests start, and a Python virtual environment
# holding the independent implementations that the test suite cross-checks against.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  pkg-config
  libsecp256k1-dev
  libsodium-dev
  libsqlite3-dev
  libp11-kit-dev
  softhsm2
  # The gateway's PostgreSQL tests start their own throwaway server from this package's
  # binaries (/usr/lib/postgresql/*/bin) on a free 127.0.0.1 port; the cluster the package may
  # create and start on 5432 is never used.
  postgresql
  python3
  python3-venv
  # The console's browser tests drive headless Chromium through the DevTools protocol
  # (Tests/python/console_browser.py); it listens on 127.0.0.1 only and fetches nothing.
  chromium
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
# A python3 from elsewhere (pyenv) that can already make virtual environments is enough.
if command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
  missing=("${missing[@]/python3}")
fi
read -r -a missing <<<"${missing[*]:-}"
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python test peers, pinned in scripts/requirements-test.txt.
stamp=.venv/.requirements.sha256
want=$(sha256sum scripts/requirements-test.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "install-deps: preparing the Python test environment in .venv"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-test.txt
  echo "$want" >"$stamp"
fi

# The Vyper compiler, pinned in scripts/requirements-vyper.txt, in an environment of its own.
vstamp=.venv-vyper/.requirements.sha256
vwant=$(sha256sum scripts/requirements-vyper.txt | cut -d' ' -f1)
if [ ! -x .venv-vyper/bin/vyper ] || [ "$(cat "$vstamp" 2>/dev/null)" != "$vwant" ]; then
  echo "install-deps: preparing the Vyper compiler in .venv-vyper"
  python3 -m venv .venv-vyper
  .venv-vyper/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-vyper.txt
  echo "$vwant" >"$vstamp"
fi
