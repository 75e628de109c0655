#!/usr/bin/env bash
# Compares the ABI of a libcrm build with the committed baseline abi/libcrm.abi.
#
#   abi/check.sh [--headers-dir DIR] [--baseline FILE] LIBRARY
#
# Passes only when the ABI is unchanged or the change is purely new crm_* functions (see
# abi/POLICY.md). Exit status: 0 compatible; otherwise abidiff's bit field (4: ABI changed,
# 12: incompatible change, bit 1 set: abidiff failed), or 2 for a usage error.
#
# Why the exit status is not taken from abidiff's ABIDIFF_ABI_INCOMPATIBLE_CHANGE bit (8)
# alone: libabigail sets that bit only for removed symbols, a changed SONAME and C++ vtable
# changes. A changed parameter type or a reordered crm_plugin_api member sets only
# ABIDIFF_ABI_CHANGE (4) and would pass a check that looks at bit 8. So any set bit fails here,
# and the one harmless change, an added crm_* function, is filtered out beforehand by
# abi/suppressions.txt.
set -euo pipefail

usage() {
  echo "usage: $0 [--headers-dir DIR] [--baseline FILE] LIBRARY" >&2
  exit 2
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
baseline="$here/libcrm.abi"
dump_args=()
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --headers-dir)
      [[ $# -ge 2 ]] || usage
      dump_args+=(--headers-dir "$2")
      shift 2
      ;;
    --baseline)
      [[ $# -ge 2 ]] || usage
      baseline=$2
      shift 2
      ;;
    *) usage ;;
  esac
done
[[ $# -eq 1 ]] || usage
library=$1

command -v abidiff > /dev/null || {
  echo "$0: abidiff not found (install abigail-tools)" >&2
  exit 1
}
[[ -f $baseline ]] || {
  echo "$0: no baseline at $baseline (create it with abi/update-baseline.sh)" >&2
  exit 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/dump.sh" "${dump_args[@]}" "$library" "$work/current.abi"

# --no-default-suppression: a distribution's default suppression file must not decide what
# passes here; only abi/suppressions.txt does.
status=0
abidiff --no-default-suppression --suppressions "$here/suppressions.txt" \
  "$baseline" "$work/current.abi" > "$work/report" 2>&1 || status=$?

if [[ $status -eq 0 ]]; then
  # Re-run without the suppressions only to tell the reader what was added: the baseline has
  # to be updated for the new functions to be protected from later removal.
  if ! abidiff --no-default-suppression --added-fns "$baseline" "$work/current.abi" \
    > "$work/added" 2>&1; then
    cat "$work/added"
    echo "abi/check.sh: OK, compatible additions only. Record them with" \
      "abi/update-baseline.sh in a commit of their own."
  else
    echo "abi/check.sh: OK, the ABI of $library matches $baseline."
  fi
  exit 0
fi

cat "$work/report"
if ((status & 1)); then
  echo "abi/check.sh: FAILED, abidiff could not compare (status $status)." >&2
elif ((status & 8)); then
  echo "abi/check.sh: FAILED, incompatible ABI change (removed symbol or changed SONAME)." \
    "This needs a new ABI version; see abi/POLICY.md." >&2
else
  echo "abi/check.sh: FAILED, the ABI changed beyond added crm_* functions (changed function" \
    "type, struct layout or exported variable). Revert it, or follow abi/POLICY.md." >&2
fi
exit "$status"
