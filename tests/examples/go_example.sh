#!/usr/bin/env bash
# go_example.sh GO SOURCE INCLUDE LIBDIR WORK: builds the cgo example (examples/go) against this
# build's header and libcrm with `go build`, standard library only and without network (GOPATH,
# GOCACHE and the binary inside WORK in the build tree), then runs it on a fresh SQLite database.
set -euo pipefail
go=$1 source=$2 include=$3 libdir=$4 work=$5
# The Go build cache is kept between runs; the program and its database are not.
mkdir -p "$work"
rm -f "$work/crm-go-example" "$work/crm.db"
export GOPATH="$work/gopath" GOCACHE="$work/gocache" GOFLAGS= GOPROXY=off GO111MODULE=on
export CGO_ENABLED=1 CGO_CFLAGS="-I$include" CGO_LDFLAGS="-L$libdir -Wl,-rpath,$libdir"
cd "$source"
unformatted=$("$("$go" env GOROOT)/bin/gofmt" -l .)
[ -z "$unformatted" ] || { echo "not gofmt-formatted: $unformatted" >&2; exit 1; }
"$go" build -o "$work/crm-go-example" .
"$work/crm-go-example" "$work/crm.db"
