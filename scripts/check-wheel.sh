#!/usr/bin/env bash
# The Python package as PyPI would receive it: `maturin build --release`
# makes an abi3 wheel; its metadata is checked (SPDX licence, licence
# files, URLs, Requires-Python); it is installed into a fresh virtual
# environment (timed), and the package's own tests and the upstream
# package's suite run against that installed wheel, from a folder outside
# the source tree, so that nothing is imported from python/.
#
#   scripts/check-wheel.sh        # needs only Python and Rust; pip fetches maturin
#
# It runs on the default python3 and, where one is installed, on the oldest
# Python that requires-python admits (3.9), since the wheel claims it.
# Leaves the wheel in target/wheels/, the default venv in target/wheel-venv,
# and the wheel alone unpacked in target/wheel-site (.ci/run puts that on
# the shared Python checks' PYTHONPATH).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/target/wheel-check
rm -rf "$work" target/wheels
mkdir -p "$work/run"

python3 -m venv "$work/build-venv"
"$work/build-venv/bin/python" -m pip install -q --upgrade pip "maturin>=1.9,<2"
"$work/build-venv/bin/maturin" build --release --out target/wheels 2>&1 | grep -E "Built wheel|warning|error" || true
wheel=$(ls target/wheels/minimalloc-*.whl)
case "$wheel" in
  *-abi3-*) ;;
  *) echo "not an abi3 wheel: $wheel"; exit 1 ;;
esac
bytes=$(wc -c < "$wheel")
echo "wheel: $(basename "$wheel"), $((bytes / 1024)) KiB"

# The metadata a registry reads: PEP 639 licence fields, URLs, authors.
"$work/build-venv/bin/python" - "$wheel" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
    text = z.read(meta).decode()
    names = z.namelist()
want = ["License-Expression: Apache-2.0", "License-File: LICENSE", "License-File: NOTICE",
        "Requires-Python: >=3.9", "Project-URL: Repository, ", "Author: the minimalloc-rs authors"]
missing = [w for w in want if w not in text]
if missing:
    sys.exit(f"the wheel's METADATA lacks {missing}")
if not any(n.endswith("licenses/LICENSE") for n in names):
    sys.exit("the wheel does not hold LICENSE")
if not any(n.endswith("minimalloc/py.typed") for n in names):
    sys.exit("the wheel does not hold py.typed (the type stubs' marker)")
print("wheel metadata: " + ", ".join(w.strip(", ") for w in want))
PY

# The interpreters to test: the default, and the floor of requires-python
# when this machine has one (on PATH, or installed by pyenv).
pythons=(python3)
floor=""
# (A pyenv shim is on PATH for versions it has but has not enabled: it
# must also run.)
if python3.9 -c '' 2>/dev/null; then
  floor=python3.9
elif command -v pyenv >/dev/null; then
  floor=$(ls -d "$(pyenv root)"/versions/3.9*/bin/python3.9 2>/dev/null | head -1 || true)
fi
[ -n "$floor" ] && pythons+=("$floor")

now() { python3 -c 'import time; print(time.time())'; }
rm -rf target/wheel-venv
for py in "${pythons[@]}"; do
  version=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  venv=$work/venv-$version
  [ "$py" = python3 ] && venv=$root/target/wheel-venv
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip pytest
  start=$(now)
  "$venv/bin/python" -m pip install -q --no-index "$wheel"
  end=$(now)
  where=$(cd "$work/run" && "$venv/bin/python" -c 'import minimalloc; print(minimalloc.__file__)')
  case "$where" in
    "$venv"/*) ;;
    *) echo "minimalloc is imported from $where, not from the installed wheel"; exit 1 ;;
  esac
  printf 'Python %s: installed the wheel in %.2f s; minimalloc %s from %s\n' "$version" "$(python3 -c "print($end - $start)")" \
    "$(cd "$work/run" && "$venv/bin/python" -c 'import minimalloc as m; print(m.__version__, "commit", m.__commit__)')" "$where"
  (cd "$work/run" && "$venv/bin/python" -m pytest -q -p no:cacheprovider "$root/python/tests" | tail -1)
  if [ "$version" = 3.9 ]; then
    # The upstream suite itself needs 3.10: it evaluates `int | None`.
    echo "upstream python tests: not run on Python 3.9 (the suite itself needs 3.10 or later)"
  elif [ -d ../shared/upstream/python-tests ]; then
    rm -rf "$work/upstream-tests"
    cp -r ../shared/upstream/python-tests "$work/upstream-tests" && chmod -R u+w "$work/upstream-tests"
    (cd "$work/run" && "$venv/bin/python" -m pytest -q -p no:cacheprovider "$work/upstream-tests" | tail -1 | sed 's/^/upstream python tests: /')
  fi
done
# The wheel alone, installed into a folder of its own: on PYTHONPATH it
# puts this package, and nothing else, ahead of an environment's own.
rm -rf target/wheel-site
target/wheel-venv/bin/python -m pip install -q --no-index --no-deps --target target/wheel-site "$wheel"
