#!/usr/bin/env bash
# Builds llama.cpp's own `llama-server` from the llama.cpp vendored in the pinned llama-cpp-python sdist,
# so the strongest peer in bench/latency.py runs the same llama.cpp as Copiloto. Cached: a second run
# prints the binary's path at once.
#
#   bench/build_llama_server.sh            # CPU build (about 5.5 min on two cores)
#   CUDA=1 bench/build_llama_server.sh     # CUDA build for this machine's GPU architecture only
#
# Prints the path of the built binary on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
python="${PYTHON:-$repo/.venv/bin/python}"
version="$("$python" -c 'import llama_cpp; print(llama_cpp.__version__)')"
flavour=$([ "${CUDA:-0}" = "1" ] && echo cuda || echo cpu)
cache="$here/.cache/llama-server-$version-$flavour"
binary="$cache/build/bin/llama-server"
if [ -x "$binary" ]; then echo "$binary"; exit 0; fi

mkdir -p "$cache"
sdist="$cache/llama_cpp_python-$version.tar.gz"
if [ ! -f "$sdist" ]; then  # another flavour's build may have left one: no download needed offline
  other="$(ls "$here"/.cache/llama-server-"$version"-*/llama_cpp_python-"$version".tar.gz 2>/dev/null | head -1 || true)"
  [ -n "$other" ] && cp "$other" "$sdist"
fi
if [ ! -f "$sdist" ]; then
  "$python" -m pip download --quiet --no-binary :all: --no-deps -d "$cache" "llama-cpp-python==$version" >&2
fi
rm -rf "$cache/src" && mkdir -p "$cache/src"
tar -xzf "$sdist" -C "$cache/src" --strip-components=1
src="$cache/src/vendor/llama.cpp"

flags=(-DCMAKE_BUILD_TYPE=Release -DLLAMA_BUILD_SERVER=ON -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_TESTS=OFF
       -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_CURL=OFF -DBUILD_SHARED_LIBS=OFF)
if [ "$flavour" = cuda ]; then
  # Only this machine's architecture: a build for every architecture does not fit a 10-minute device call.
  arch="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d .)"
  flags+=(-DGGML_CUDA=on "-DCMAKE_CUDA_ARCHITECTURES=$arch")
fi
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$src" -B "$cache/build" "${generator[@]}" "${flags[@]}" >&2
cmake --build "$cache/build" --target llama-server -j "$(nproc)" >&2
rm -rf "$cache/src"
echo "$binary"
