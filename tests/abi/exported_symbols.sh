#!/usr/bin/env bash
# abi.exported_symbols: libcrm exports exactly the functions crm.h declares, all at the version
# node of abi/libcrm.map, leaks nothing of the C++ libraries it embeds, and has the SONAME
# that CRM_ABI_VERSION promises. With the header as released with ABI v1 (V1_HEADER), also:
# every function it declares is still declared, and the functions added since
# (crm_log_record_callback_set, crm_session_open_ex) are not in crm_plugin_api, whose layout a
# host checks with struct_size (abi/POLICY.md): hosts look them up by name.
#
#   exported_symbols.sh LIBRARY HEADER VERSION_SCRIPT EXPECTED_SONAME [V1_HEADER]
set -euo pipefail

if [[ $# -ne 4 && $# -ne 5 ]]; then
  echo "usage: $0 LIBRARY HEADER VERSION_SCRIPT EXPECTED_SONAME [V1_HEADER]" >&2
  exit 2
fi
library=$1
header=$2
version_script=$3
expected_soname=$4
v1_header=${5:-}
failures=0

fail() {
  echo "exported_symbols: $*" >&2
  failures=$((failures + 1))
}

# The version node is the first "NAME {" of the version script (CRM_1).
node=$(sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_.]*\)[[:space:]]*{.*/\1/p' "$version_script" |
  head -n 1)
[[ -n $node ]] || fail "no version node found in $version_script"

symbols=$(nm -D --defined-only "$library")
exported=()
while read -r _ type name; do
  if [[ $type == A && $name == "$node" ]]; then
    continue # the version node itself
  fi
  base=${name%%@*}
  if [[ $base != crm_* ]]; then
    fail "exports a non-crm symbol: $type $name"
    continue
  fi
  # A missing or non-default version would bind hosts to the wrong node (or to none).
  [[ $name == "$base@@$node" ]] || fail "$base is not exported at default version $node ($name)"
  [[ $type == T ]] || fail "$base is not a function in .text (type $type)"
  exported+=("$base")
done <<< "$symbols"

# Already implied by the crm_* rule, but named explicitly because these are the libraries the
# version script is there to hide; a regression here is the one that breaks hosts with their
# own spdlog, fmt or nlohmann::json.
leaked=$(nm -D --defined-only --demangle "$library" |
  grep -E '(spdlog|fmt|nlohmann|std)::|__cxa_|_ZN?St|typeinfo|vtable' || true)
[[ -z $leaked ]] || fail "C++ symbols leak:"$'\n'"$leaked"

# Every exported function is declared in crm.h and every declared one is exported: an
# undeclared export is undocumented ABI, a declared but missing one fails at load time.
declared=$(sed -n 's/^CRM_API[^(]*[ *]\(crm_[a-z0-9_]*\)(.*/\1/p' "$header" | sort -u)
[[ -n $declared ]] || fail "no CRM_API declarations found in $header"
actual=$(printf '%s\n' "${exported[@]}" | sort -u)
while read -r name; do
  [[ -z $name ]] || fail "declared in crm.h but not exported: $name"
done <<< "$(comm -23 <(echo "$declared") <(echo "$actual"))"
while read -r name; do
  [[ -z $name ]] || fail "exported but not declared in crm.h: $name"
done <<< "$(comm -13 <(echo "$declared") <(echo "$actual"))"

if [[ -n $v1_header ]]; then
  released=$(sed -n 's/^CRM_API[^(]*[ *]\(crm_[a-z0-9_]*\)(.*/\1/p' "$v1_header" | sort -u)
  [[ -n $released ]] || fail "no CRM_API declarations found in $v1_header"
  while read -r name; do
    [[ -z $name ]] || fail "declared in the v1 header but no longer in crm.h: $name"
  done <<< "$(comm -23 <(echo "$released") <(echo "$declared"))"
  # The members of crm_plugin_api: "(*name)" between its typedef and its closing brace.
  members=$(sed -n '/^typedef struct crm_plugin_api {/,/^} crm_plugin_api;/p' "$header" |
    sed -n 's/.*(\*\([a-z0-9_]*\))(.*/crm_\1/p' | sort -u)
  [[ -n $members ]] || fail "no function members of crm_plugin_api found in $header"
  added=$(comm -13 <(echo "$released") <(echo "$declared"))
  while read -r name; do
    [[ -z $name ]] && continue
    if grep -qx "$name" <<< "$members"; then
      fail "$name was added after the release of ABI v1 but is a member of crm_plugin_api"
    fi
  done <<< "$added"
  echo "exported_symbols: added since the v1 header, looked up by name:" $added
fi

soname=$(objdump -p "$library" | awk '$1 == "SONAME" { print $2 }')
[[ $soname == "$expected_soname" ]] || fail "SONAME is '$soname', expected '$expected_soname'"

# The header's CRM_ABI_VERSION and the SONAME must move together (abi/POLICY.md).
header_abi=$(sed -n 's/^#define CRM_ABI_VERSION \([0-9][0-9]*\).*/\1/p' "$header")
[[ $expected_soname == "libcrm.so.$header_abi" ]] ||
  fail "crm.h has CRM_ABI_VERSION $header_abi but the SONAME is $expected_soname"

if ((failures)); then
  echo "exported_symbols: $failures problem(s) in $library" >&2
  exit 1
fi
echo "exported_symbols: ${#exported[@]} crm_* functions at $node, SONAME $soname"
