#!/usr/bin/env bash
# Writes the ABI representation (abixml) of a libcrm build, in the normalised form that
# abi/libcrm.abi is kept in. check.sh and update-baseline.sh both go through here, so the
# baseline and the build under test are always serialised with the same options.
#
#   abi/dump.sh [--headers-dir DIR] LIBRARY OUTPUT
#
# --headers-dir is the public header directory the library was compiled from (default: the
# include/crm next to this script). It must be the absolute path the DWARF names, because
# libabigail uses it to tell public types from private ones.
set -euo pipefail

usage() {
  echo "usage: $0 [--headers-dir DIR] LIBRARY OUTPUT" >&2
  exit 2
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
headers_dir="$here/../include/crm"
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --headers-dir)
      [[ $# -ge 2 ]] || usage
      headers_dir=$2
      shift 2
      ;;
    *) usage ;;
  esac
done
[[ $# -eq 2 ]] || usage
library=$1
output=$2

command -v abidw > /dev/null || {
  echo "$0: abidw not found (install abigail-tools)" >&2
  exit 1
}
[[ -f $library ]] || {
  echo "$0: no such library: $library" >&2
  exit 1
}
[[ -f $headers_dir/crm.h ]] || {
  echo "$0: $headers_dir has no crm.h" >&2
  exit 1
}
headers_dir=$(cd "$headers_dir" && pwd)
# The sources sit two levels above include/crm; translation-unit paths are made relative to it.
source_root=$(cd "$headers_dir/../.." && pwd)

# Why each option:
#   --exported-interfaces-only   only what crm_* exports; the C++ core is not ABI.
#   --headers-dir + --drop-private-types
#                                types defined outside include/crm (e.g. the bodies of the opaque
#                                crm_client/crm_session in capi.cpp) are implementation; without
#                                this every change to the C++ core would look like an ABI change.
#   --no-corpus-path --no-comp-dir-path --no-show-locs
#                                no build-directory paths and no line numbers, so the baseline does
#                                not churn when the tree moves or a header comment changes.
#   --no-elf-needed              DT_NEEDED lists link dependencies, not the C interface.
#   --type-id-style hash         ids derived from the types, so an unrelated change does not
#                                renumber the whole file and baseline diffs stay reviewable.
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
abidw --exported-interfaces-only \
  --headers-dir "$headers_dir" --drop-private-types \
  --no-corpus-path --no-comp-dir-path --no-show-locs --no-elf-needed \
  --type-id-style hash \
  --out-file "$tmp" "$library"

# abidw still names each translation unit by its absolute source path (the compiler records it);
# keep only the part below the source root.
root_pattern=$(printf '%s' "$source_root" | sed -e 's/[][\.*^$|]/\\&/g')
sed -e "s|\(<abi-instr [^>]*path='\)$root_pattern/|\1|" "$tmp" > "$output"

# Without DWARF abidw emits only symbol names, and abidiff could no longer see type or layout
# changes; refuse rather than pass silently.
if ! grep -q '<function-decl ' "$output"; then
  echo "$0: $library has no debug information for its exported functions;" \
    "build it RelWithDebInfo (or Debug)" >&2
  exit 1
fi
