#!/usr/bin/env bash
# install.deb: the Debian packages of this build tree (cpack -G DEB): libcrm1 and libcrm-dev,
# their control fields and contents (dpkg-deb -I, -c), then both extracted into a scratch root
# (dpkg-deb -x) and a C program built against that root with pkg-config and run.
# deb_test.sh BUILD_DIR SOURCE_DIR WORK_DIR LIBDIR CC VERSION
set -euo pipefail
build=$1 source=$2 work=$3 libdir=$4 cc=$5 version=$6
rm -rf "$work"
mkdir -p "$work"
fail() {
  echo "deb_test: $*" >&2
  exit 1
}
# expect TEXT PATTERN WHAT: TEXT has a line matching the extended regex PATTERN.
expect() { grep -Eq -- "$2" <<<"$1" || fail "$3: no line matching '$2' in:"$'\n'"$1"; }
reject() { ! grep -Eq -- "$2" <<<"$1" || fail "$3: a line matches '$2' in:"$'\n'"$1"; }

echo "== cpack -G DEB"
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/packages" >"$work/cpack.log" ||
  { cat "$work/cpack.log"; fail "cpack failed"; }
runtime=$(ls "$work"/packages/libcrm1_*.deb)
dev=$(ls "$work"/packages/libcrm-dev_*.deb)
arch=$(dpkg --print-architecture)
[[ $runtime == */libcrm1_${version}-1_$arch.deb ]] || fail "runtime package name: $runtime"

echo "== $(basename "$runtime")"
info=$(dpkg-deb -I "$runtime")
expect "$info" '^ Package: libcrm1$' "libcrm1 control"
expect "$info" '^ Section: libs$' "libcrm1 control"
expect "$info" '^ Depends: .*libc6' "libcrm1 Depends (dpkg-shlibdeps)"
expect "$info" '^ Depends: .*libodbc' "libcrm1 Depends (dpkg-shlibdeps)"
expect "$info" '^ Recommends: libsqliteodbc, tzdata' "libcrm1 Recommends"
expect "$info" '^ Description: CRM module for ERP systems \(library\)$' "libcrm1 synopsis"
expect "$info" ' shlibs *$' "libcrm1 control files"
[ "$(dpkg-deb -f "$runtime" Architecture)" = "$arch" ] || fail "libcrm1 architecture"
shlibs=$(dpkg-deb --ctrl-tarfile "$runtime" | tar -xO ./shlibs)
v=${version//./\\.}  # the version as an extended regular expression
# A program linked now may use any function of this version: it needs at least this version.
expect "$shlibs" "^libcrm 1 libcrm1 \\(>= $v-1\\)\$" "libcrm1 shlibs"
contents=$(dpkg-deb -c "$runtime")
expect "$contents" " \./usr/$libdir/libcrm\.so\.$v\$" "libcrm1 contents"
expect "$contents" " \./usr/$libdir/libcrm\.so\.1 -> libcrm\.so\.$v\$" "libcrm1 contents"
reject "$contents" 'include/|libcrm\.so ->|\.pc$|cmake' "libcrm1 holds development files"

echo "== $(basename "$dev")"
info=$(dpkg-deb -I "$dev")
expect "$info" '^ Package: libcrm-dev$' "libcrm-dev control"
expect "$info" '^ Section: libdevel$' "libcrm-dev control"
expect "$info" "^ Depends: libcrm1 \\(= $v-1\\)\$" "libcrm-dev Depends"
expect "$info" '^ Description: CRM module for ERP systems \(development files\)$' "libcrm-dev synopsis"
expect "$info" '^ Recommends: libboost-dev, libboost-filesystem-dev$' "libcrm-dev Recommends"
contents=$(dpkg-deb -c "$dev")
for file in include/crm/crm.h include/crm/host.hpp "$libdir/cmake/crm/crmConfig.cmake" \
  "$libdir/cmake/crm/crmConfigVersion.cmake" "$libdir/cmake/crm/crmTargets.cmake" \
  "$libdir/cmake/crm/crmHostTargets.cmake" "$libdir/pkgconfig/crm.pc" \
  "$libdir/pkgconfig/crm-host.pc"; do
  expect "$contents" " \./usr/${file//./\\.}$" "libcrm-dev contents"
done
expect "$contents" " \./usr/$libdir/libcrm\.so -> libcrm\.so\.1$" "libcrm-dev contents"
reject "$contents" "libcrm\\.so\\.$v\$" "libcrm-dev holds the library"

echo "== dpkg-deb -x into a scratch root, a C program built against it"
root=$work/root
dpkg-deb -x "$runtime" "$root"
dpkg-deb -x "$dev" "$root"
grep -qx 'prefix=/usr' "$root/usr/$libdir/pkgconfig/crm.pc" || fail "crm.pc prefix is not /usr"
readelf -d "$root/usr/$libdir/libcrm.so.$version" | grep -q 'SONAME.*\[libcrm\.so\.1\]' ||
  fail "SONAME: $(readelf -d "$root/usr/$libdir/libcrm.so.$version" | grep SONAME)"
# The root stands for /: pkg-config prefixes its paths with it, and keeps -I/usr/include.
export PKG_CONFIG_PATH=$root/usr/$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
flags=$(pkg-config --cflags --libs crm)
expect "$flags" "^-I$root/usr/include -L$root/usr/$libdir -lcrm" "pkg-config --cflags --libs crm"
# shellcheck disable=SC2086 # word splitting of the flags is intended
"$cc" -std=c99 -Wall -Werror -o "$work/c_consumer" "$source/tests/install/c_consumer.c" $flags
(cd / && LD_LIBRARY_PATH=$root/usr/$libdir "$work/c_consumer" "$work")
resolved=$(LD_LIBRARY_PATH=$root/usr/$libdir ldd "$work/c_consumer" | grep libcrm)
[[ $resolved == *"=> $root/usr/$libdir/libcrm.so.1 "* ]] ||
  fail "c_consumer did not use the extracted library: $resolved"
echo "deb_test: all checks passed"
