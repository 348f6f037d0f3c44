#!/usr/bin/env bash
# The engine's crate as crates.io would receive it: its file list (the
# library, the build script, the presets, README and licences: never tests,
# benches or benchmark data), its size, and `cargo publish --dry-run`,
# which packages the crate and builds it alone, from the tarball. The
# command line (`minimalloc-cli`, which a user installs) is published after
# it: its own dry run needs this version of the engine on crates.io.
#
#   scripts/check-package.sh            # in a clean checkout (CI)
#   ALLOW_DIRTY=1 scripts/check-package.sh
#
# Limits: MAX_FILES (default 120) files, MAX_KIB (default 512) KiB packed.
set -euo pipefail
cd "$(dirname "$0")/.."
max_files=${MAX_FILES:-120}
max_kib=${MAX_KIB:-512}
dirty=()
[ -n "${ALLOW_DIRTY:-}" ] && dirty=(--allow-dirty)

list=$(cargo package -p minimalloc --list "${dirty[@]}")
count=$(printf '%s\n' "$list" | wc -l)
# Everything the package holds must be one of these; anything else (a
# CSV, a test, a script, the C API) means `include` in Cargo.toml let it in.
allowed='^(Cargo\.toml|Cargo\.toml\.orig|Cargo\.lock|\.cargo_vcs_info\.json|README\.md|LICENSE|NOTICE|build\.rs|src/.+\.rs|configs/[^/]+\.toml)$'
stray=$(printf '%s\n' "$list" | grep -Ev "$allowed" || true)
if [ -n "$stray" ]; then
  echo "the crate would hold files it should not:"; printf '  %s\n' $stray; exit 1
fi
for needed in build.rs src/lib.rs configs/default.toml README.md LICENSE; do
  printf '%s\n' "$list" | grep -qx "$needed" || { echo "the crate lacks $needed"; exit 1; }
done
if [ "$count" -gt "$max_files" ]; then
  echo "the crate holds $count files, more than $max_files"; exit 1
fi

cargo package -p minimalloc --no-verify --quiet "${dirty[@]}"
crate=$(ls target/package/minimalloc-*.crate | head -1)
bytes=$(wc -c < "$crate")
echo "package: $count files, $((bytes / 1024)) KiB packed ($crate)"
if [ "$bytes" -gt $((max_kib * 1024)) ]; then
  echo "the crate is $((bytes / 1024)) KiB packed, more than $max_kib KiB"; exit 1
fi

# Builds the packaged crate alone (no workspace, no .git: build.rs takes
# the commit from .cargo_vcs_info.json).
cargo publish -p minimalloc --dry-run "${dirty[@]}" 2>&1 | tail -8
