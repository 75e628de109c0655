#!/usr/bin/env bash
# Runs a fuzz target the way the fuzz.* tests do, in a scratch folder (its temporary files go
# to SCRATCH/tmp, what libFuzzer finds to SCRATCH/artifacts/):
#   run.sh replay SCRATCH BINARY INPUT...           every input once
#   run.sh fuzz SCRATCH BINARY SECONDS CORPUS DICT  fuzzing for SECONDS on a copy of CORPUS
#                                                   (the repository's corpus is not modified)
# Further libFuzzer flags may follow. Exits with libFuzzer's status (0: nothing found).
set -euo pipefail
mode=$1 scratch=$2 binary=$3
shift 3
rm -rf "$scratch"
mkdir -p "$scratch/tmp" "$scratch/artifacts"
# A target that crashes leaves its fixture folder (crm-fuzz-*) behind: here, not in /tmp.
export TMPDIR=$scratch/tmp
flags=(-timeout=10 -rss_limit_mb=4096 -artifact_prefix="$scratch/artifacts/")
status=0
case $mode in
  replay)
    "$binary" "${flags[@]}" "$@" || status=$?
    ;;
  fuzz)
    seconds=$1 corpus=$2 dict=$3
    shift 3
    mkdir -p "$scratch/corpus"
    cp "$corpus"/* "$scratch/corpus/"
    "$binary" "${flags[@]}" -max_total_time="$seconds" -dict="$dict" -print_final_stats=1 "$@" \
      "$scratch/corpus" || status=$?
    ;;
  *)
    echo "usage: run.sh replay|fuzz SCRATCH BINARY ..." >&2
    exit 2
    ;;
esac
if [ "$status" -ne 0 ]; then
  echo "== $(basename "$binary") failed (exit status $status); what it saved:"
  ls -l "$scratch/artifacts/"
  echo "to minimise a crash: $binary -minimize_crash=1 -runs=10000" \
       "-exact_artifact_path=minimised ARTIFACT (tests/fuzz/README.md)"
else
  rm -rf "$scratch/tmp"
fi
exit "$status"
