#!/usr/bin/env bash
# The latency benchmark on an NVIDIA machine: llama-cpp-python and llama-server built with CUDA for this
# GPU's architecture only, every layer offloaded, all four systems measured side by side. Runs the same
# on a workstation (the RTX A4000 this project is for) and on a lent device machine.
#
#   bench/gpu.sh                      # tiny model, all systems
#   MODEL=codellama-7b KEYS=400 bench/gpu.sh
#   SKIP_BUILD=1 bench/gpu.sh         # reuse what an earlier run built
#
# Offline machines: put the llama-cpp-python sdist in bench/.cache/ (bench/build_llama_server.sh leaves
# one there) and pip will build from it instead of downloading. Results: bench/results/latency-*-gpu.*
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${MODEL:-tiny}"
KEYS="${KEYS:-250}"
VENV="${VENV:-.venv-cuda}"
SYSTEMS="${SYSTEMS:-lsp,naive,engine,llama-server}"
started=$(date +%s)
stamp() { echo "[$(( $(date +%s) - started )) s] $*"; }

command -v nvidia-smi >/dev/null || { echo "bench/gpu.sh needs an NVIDIA GPU (nvidia-smi not found)" >&2; exit 2; }
nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv,noheader
arch="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d .)"
command -v nvcc >/dev/null || export PATH="/usr/local/cuda/bin:$PATH"
command -v nvcc >/dev/null || { echo "nvcc not found: install the CUDA toolkit" >&2; exit 2; }
version="$(sed -n 's/.*"llama-cpp-python==\([0-9.]*\)".*/\1/p' pyproject.toml)"
export CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  stamp "llama-cpp-python $version with CUDA for sm_$arch"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  sdist="$(ls bench/.cache/llama-server-"$version"-*/llama_cpp_python-"$version".tar.gz 2>/dev/null | head -1 || true)"
  CMAKE_ARGS="-DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES=$arch" "$VENV/bin/pip" install --quiet --no-cache-dir \
    --force-reinstall --no-deps "${sdist:-llama-cpp-python==$version}"
  "$VENV/bin/pip" install --quiet -e ".[tiny,bench]"
  stamp "llama-server with CUDA"
  CUDA=1 PYTHON="$VENV/bin/python" bench/build_llama_server.sh >/dev/null
fi
server="$(CUDA=1 PYTHON="$VENV/bin/python" bench/build_llama_server.sh)"
"$VENV/bin/python" -c 'import llama_cpp, sys; sys.exit(0 if llama_cpp.llama_supports_gpu_offload() else "this llama-cpp-python cannot offload to the GPU")'
"$VENV/bin/copiloto" doctor --model "$MODEL"

stamp "benchmark: $MODEL, $KEYS keys per trace, systems $SYSTEMS"
"$VENV/bin/python" bench/latency.py --model "$MODEL" --keys "$KEYS" --gpu-layers -1 --threads "$(( $(nproc) < 8 ? $(nproc) : 8 ))" \
  --systems "$SYSTEMS" --llama-server "$server" --tag -gpu
stamp "done"
