#!/usr/bin/env bash
# Regenerates the ABI baseline abi/libcrm.abi from a libcrm build.
#
#   abi/update-baseline.sh [--headers-dir DIR] LIBRARY
#
# Use a RelWithDebInfo build without sanitizers, on x86_64 Linux (the baseline records the
# architecture). Commit the result on its own, with a message that says why the ABI changed;
# see abi/POLICY.md.
set -euo pipefail

usage() {
  echo "usage: $0 [--headers-dir DIR] LIBRARY" >&2
  exit 2
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dump_args=()
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --headers-dir)
      [[ $# -ge 2 ]] || usage
      dump_args+=(--headers-dir "$2")
      shift 2
      ;;
    *) usage ;;
  esac
done
[[ $# -eq 1 ]] || usage
library=$1

# A sanitizer build is a different binary from the one hosts receive; do not let it become the
# reference.
if nm -D --undefined-only "$library" 2> /dev/null | grep -Eq ' U (__asan_|__ubsan_)'; then
  echo "$0: $library is a sanitizer build; use a build with CRM_SANITIZE=OFF" >&2
  exit 1
fi

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$here/dump.sh" "${dump_args[@]}" "$library" "$tmp"
if [[ -f $here/libcrm.abi ]] && cmp -s "$tmp" "$here/libcrm.abi"; then
  echo "abi/libcrm.abi is already up to date."
  exit 0
fi
cp "$tmp" "$here/libcrm.abi"
echo "Wrote abi/libcrm.abi. Review the diff and commit it on its own, saying why the ABI changed:"
echo "  git diff abi/libcrm.abi"
echo "  git add abi/libcrm.abi && git commit -m 'abi: <what changed and why>'"
