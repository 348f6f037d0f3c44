#!/usr/bin/env bash
# CI of the C API, end to end, as a user of the installed library meets it:
#   1. the crate's tests (the header is what cbindgen makes of the crate;
#      bad input; a cancel from another thread; A-K through the C API at
#      the library's heights) and its lints;
#   2. a release build installed into a temporary prefix (libraries,
#      headers, CMake package, pkg-config file);
#   3. the C++ example built with CMake's find_package against that prefix,
#      shared and static, and run (it prints the seed's offsets);
#   4. the C tests (bad input; a long solve cancelled from a second thread;
#      A-K solved at the command line's heights) built with pkg-config
#      against that prefix and run, then again under AddressSanitizer, and
#      the bad-input test under Valgrind where it is installed.
# Needs Rust, Python (for cmake from PyPI when no cmake is installed) and a
# C/C++ compiler. Run from anywhere: bash capi/ci.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
export CARGO_TERM_COLOR=never

step() { printf '\n== capi: %s\n' "$*"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

step "cargo test -p minimalloc-capi (header up to date, bad input, cancel, A-K heights)"
cargo test -p minimalloc-capi

step "cargo clippy -p minimalloc-capi --all-targets -- -D warnings"
cargo clippy -p minimalloc-capi --all-targets -- -D warnings

step "install (release) into $prefix"
capi/install.sh "$prefix"
find "$prefix" -type f | sed "s|^$prefix/|  |" | sort

# CMake: the machine's, else one from PyPI in a virtual environment kept in
# the target folder (so a second run does not fetch it again).
cmake=$(command -v cmake || true)
if [ -z "$cmake" ]; then
  venv=$CARGO_TARGET_DIR/capi-cmake-venv
  if [ ! -x "$venv/bin/cmake" ]; then
    step "no cmake here: installing it from PyPI into $venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q cmake
  fi
  cmake=$venv/bin/cmake
fi

step "C++ example: CMake find_package(minimalloc) against the prefix ($("$cmake" --version | head -1))"
"$cmake" -S capi/examples/cpp -B "$work/example" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >"$work/cmake.log" 2>&1 \
  || { cat "$work/cmake.log"; exit 1; }
"$cmake" --build "$work/example" -j 1 >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
echo "-- example (shared library):"
"$work/example/example"
echo "-- example_static (static library):"
"$work/example/example_static" | tail -1

# The C tests, compiled with the flags pkg-config gives (or the same flags
# spelled out where pkg-config is missing).
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
if [ -n "$(command -v pkg-config)" ]; then
  cflags=$(pkg-config --cflags minimalloc)
  libs=$(pkg-config --libs minimalloc)
  static_libs=$(pkg-config --libs --static minimalloc | sed 's/-lminimalloc_c/-l:libminimalloc_c.a/')
  echo "pkg-config minimalloc: cflags '$cflags', libs '$libs'"
else
  echo "(no pkg-config here: using the .pc file's flags directly)"
  cflags="-I$prefix/include"
  libs="-L$prefix/lib -lminimalloc_c"
  static_libs="-L$prefix/lib -l:libminimalloc_c.a -lpthread -ldl -lm -lrt -lutil"
fi
cc=${CC:-cc}
ctest() { # name, extra flags...
  local name=$1; shift
  "$cc" -std=c11 -Wall -Wextra -Werror -O1 -g $cflags "$@" "capi/tests/c/$name.c" -o "$work/$name" $libs -lpthread -Wl,-rpath,"$prefix/lib"
}

step "C test: bad input (shared library, linked by pkg-config)"
ctest bad_input
"$work/bad_input"

step "C test: a long solve cancelled from a second thread"
ctest cancel
"$work/cancel"

step "C test: several memories, spilling, an alias group"
ctest memories
"$work/memories"

# A-K through the installed library, beside the command line's answers
# when a release binary is there (.ci/run's tests build it); heights only,
# no timing.
suite=../shared/benchmarks/challenging
if [ -d "$suite" ]; then
  cli=${MINIMALLOC_CLI:-$CARGO_TARGET_DIR/release/minimalloc}
  step "A-K (capacity 1048576) through the C API$([ -x "$cli" ] && echo ", beside $cli")"
  ctest suite
  for f in "$suite"/*.csv; do
    name=$(basename "$f" .csv)
    args=(1048576 "$f")
    if [ -x "$cli" ]; then
      "$cli" --capacity=1048576 --input="$f" --output="$work/$name.cli.csv" 2>"$work/$name.cli.log" \
        || { cat "$work/$name.cli.log"; exit 1; }
      args+=("$work/$name.cli.csv")
    fi
    "$work/suite" "${args[@]}" >"$work/$name.suite.log" || { cat "$work/$name.suite.log"; exit 1; }
    grep height "$work/$name.suite.log"
  done
else
  echo "($suite not found: A-K skipped)"
fi

step "C tests under AddressSanitizer (static library)"
for t in bad_input cancel memories; do
  "$cc" -std=c11 -Wall -Wextra -Werror -O1 -g -fsanitize=address -fno-omit-frame-pointer $cflags \
    "capi/tests/c/$t.c" -o "$work/$t.asan" $static_libs
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 "$work/$t.asan" | tail -1
done

if [ -n "$(command -v valgrind)" ]; then
  step "C tests under Valgrind: bad input, memories (memcheck, definite leaks are errors)"
  for t in bad_input memories; do
    valgrind -q --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --error-exitcode=1 "$work/$t" | tail -1
  done
  echo "valgrind: no errors"
else
  echo "(no valgrind here: skipped)"
fi

step "all C API checks passed"
