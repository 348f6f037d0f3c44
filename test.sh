#!/usr/bin/env bash
# Runs every test: the Rust unit, property and CLI tests, then the Python
# package's tests in a fresh virtual environment (built with maturin from
# this crate). Needs only Rust and Python; pip fetches the Python tools.
set -euo pipefail
cd "$(dirname "$0")"

cargo test --release

if [ -d python/tests ]; then
  venv=target/test-venv
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q ".[dev]"
  "$venv/bin/ruff" check python
  "$venv/bin/ruff" format --check python
  "$venv/bin/mypy"
  "$venv/bin/python" -m pytest -q python/tests
fi
