#!/usr/bin/env bash
# Runs the release-mode benchmarks and writes BENCHMARKS.md with the figures and the command.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
# CUSTOS_BENCH overrides the benchmark executable (e.g. a release build in another scratch path);
# the cluster area starts the `custos` next to it (or $CUSTOS_BINARY).
"${CUSTOS_BENCH:-.build/release/custos-bench}" "$@" | tee "$out"
{
  echo "# Benchmarks"
  echo
  echo "Produced by \`make bench\` (release build; \`.build/release/custos-bench\`) on $(date -u +%Y-%m-%d),"
  echo "$(nproc) cores, $(uname -m), $(swift --version 2>/dev/null | head -1)."
  echo "Absolute times drift on shared machines; each ratio is against a baseline measured in the same run."
  echo
  cat "$out"
} > BENCHMARKS.md
rm -f "$out"
echo "bench: wrote BENCHMARKS.md"
