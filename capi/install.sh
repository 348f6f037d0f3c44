#!/usr/bin/env bash
# Builds minimalloc's C API in release and installs it under PREFIX:
#   PREFIX/lib/libminimalloc_c.{a,so}          the static and shared library
#   PREFIX/include/minimalloc.{h,hpp}          the C header, the C++ wrapper
#   PREFIX/lib/cmake/minimalloc/               find_package(minimalloc)
#   PREFIX/lib/pkgconfig/minimalloc.pc         pkg-config minimalloc
# Usage: capi/install.sh PREFIX [--no-build]. Honours CARGO_TARGET_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
prefix=${1:?usage: capi/install.sh PREFIX [--no-build]}
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)

if [ "${2:-}" != "--no-build" ]; then
  (cd "$root" && cargo build --release -p minimalloc-capi)
fi
target=${CARGO_TARGET_DIR:-$root/target}/release

case "$(uname -s)" in
  Darwin) shared=libminimalloc_c.dylib ;;
  *) shared=libminimalloc_c.so ;;
esac
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$here/Cargo.toml" | head -1)
major=${version%%.*}
minor=${version#*.}; minor=${minor%%.*}

install -d "$prefix/lib/cmake/minimalloc" "$prefix/lib/pkgconfig" "$prefix/include"
install -m 644 "$target/libminimalloc_c.a" "$prefix/lib/"
install -m 755 "$target/$shared" "$prefix/lib/"
install -m 644 "$here/include/minimalloc.h" "$here/include/minimalloc.hpp" "$prefix/include/"
install -m 644 "$here/cmake/minimalloc-config.cmake" "$prefix/lib/cmake/minimalloc/"
sed -e "s|@VERSION@|$version|g" -e "s|@VERSION_MAJOR@|$major|g" -e "s|@VERSION_MINOR@|$minor|g" \
  "$here/cmake/minimalloc-config-version.cmake.in" >"$prefix/lib/cmake/minimalloc/minimalloc-config-version.cmake"
sed -e "s|@PREFIX@|$prefix|g" -e "s|@VERSION@|$version|g" \
  "$here/cmake/minimalloc.pc.in" >"$prefix/lib/pkgconfig/minimalloc.pc"
echo "installed minimalloc $version (C API) into $prefix"
