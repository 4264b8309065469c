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
  # The air-gapped signer's QR transport writes PNG images with qrencode and reads them with
  # zbarimg (custos offline; QRTransportTests).
  qrencode
  zbar-tools
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

# The Python environments: the test peers (scripts/requirements-test.txt) in .venv and the Vyper
# compiler (scripts/requirements-vyper.txt) in .venv-vyper, each pinned. Each is made once per
# machine and set of pins in a cache outside the checkout (CUSTOS_VENV_CACHE, by default
# ~/.cache/custos), and the checkout's .venv links to it: a fresh clone on a machine that already
# made them (CI, a second worktree) does not install them again.
cache_root=${CUSTOS_VENV_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/custos}
# The interpreter the environments are made with: a new Python (a Debian upgrade) makes new ones.
python_id=$(python3 -c 'import sys; print(sys.version.split()[0])')-$(readlink -f "$(command -v python3)" | sha256sum | cut -c1-8)
# prepare_venv LINK REQUIREMENTS CHECK...: LINK is usable when CHECK runs in it.
prepare_venv() {
  local link=$1 requirements=$2
  shift 2
  local want
  want=$(sha256sum "$requirements" | cut -d' ' -f1)-$python_id
  if [ "$(cat "$link/.requirements.sha256" 2>/dev/null)" = "$want" ] && (cd "$link" && "$@") >/dev/null 2>&1; then
    return
  fi
  local cached="$cache_root/${link#.}-$want"
  mkdir -p "$cache_root"
  (
    # One maker at a time: two checkouts installing at once wait for each other.
    flock 9
    if [ "$(cat "$cached/.requirements.sha256" 2>/dev/null)" != "$want" ] || ! (cd "$cached" && "$@") >/dev/null 2>&1; then
      echo "install-deps: preparing $link from $requirements (in $cached)"
      rm -rf "$cached"
      python3 -m venv "$cached"
      "$cached/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
      echo "$want" >"$cached/.requirements.sha256"
    fi
    [ -L "$link" ] || rm -rf "$link"
    ln -sfn "$cached" "$link"
  ) 9>"$cache_root/.lock"
}
prepare_venv .venv scripts/requirements-test.txt bin/python -c 'import eth_account, coincurve, nacl, fido2, shamir_mnemonic'
prepare_venv .venv-vyper scripts/requirements-vyper.txt bin/vyper --version
