#!/usr/bin/env bash
# java_example.sh JAVAC JAVA JNA_JAR SOURCE LIBDIR WORK: compiles the JNA example (examples/java)
# against Debian's JNA, then runs it with this build's libcrm on a fresh SQLite database.
set -euo pipefail
javac=$1 java=$2 jna=$3 source=$4 libdir=$5 work=$6
rm -rf "$work"
mkdir -p "$work"
"$javac" -encoding UTF-8 -Xlint:all -Werror -cp "$jna" -d "$work" "$source/CrmExample.java"
# The C locale on purpose: the example must not depend on the JVM's default charset.
LC_ALL=C "$java" -Djna.library.path="$libdir" -cp "$jna:$work" CrmExample "$work/crm.db"
