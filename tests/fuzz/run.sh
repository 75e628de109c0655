#!/usr/bin/env bash
# Runs one fuzz target for a fixed time on a scratch copy of its seed corpus, so that the
# repository's corpus is never modified:
#   run.sh BINARY SCRATCH SECONDS CORPUS_DIR DICT [libFuzzer flags...]
# New inputs go to SCRATCH/corpus, crashes, timeouts and leaks to SCRATCH/artifacts/. Exits
# with libFuzzer's status (0: nothing found).
set -euo pipefail
binary=$1 scratch=$2 seconds=$3 corpus=$4 dict=$5
shift 5
rm -rf "$scratch"
mkdir -p "$scratch/corpus" "$scratch/artifacts"
cp "$corpus"/* "$scratch/corpus/"
status=0
"$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -dict="$dict" \
  -artifact_prefix="$scratch/artifacts/" -print_final_stats=1 "$@" "$scratch/corpus" || status=$?
if [ "$status" -ne 0 ]; then
  echo "== $(basename "$binary") found a problem (exit status $status); the input:"
  ls -l "$scratch/artifacts/"
  echo "minimise: $binary -minimize_crash=1 -runs=10000 -exact_artifact_path=min.input ARTIFACT"
  echo "then add the minimised input to tests/fuzz/regressions/$(basename "$binary")/ (README.md)"
fi
exit "$status"
