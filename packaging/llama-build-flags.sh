#!/bin/sh
# CMake options for building llama.cpp (llama-cpp-python) on this computer: every vector
# instruction set the processor has, except AMX. ggml's AMX kernels crash (SIGSEGV in
# ggml_backend_amx_mul_mat on the first token) where the processor has AMX but the system does not
# hand out AMX tile state, as in the sandboxed Xeon machines CI runs on; laptops have no AMX, so
# nothing is lost there. -march=native would turn AMX on, so the sets are named one by one.
set -eu

[ "$(uname -m)" = x86_64 ] && [ -r /proc/cpuinfo ] || exit 0  # elsewhere: llama.cpp's defaults

flags=$(grep -m1 '^flags' /proc/cpuinfo)
has() { case " $flags " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

options="-DGGML_NATIVE=OFF"
set_if() {  # set_if CPUINFO_FLAG GGML_OPTION
    if has "$1"; then options="$options -D$2=ON"; else options="$options -D$2=OFF"; fi
}
set_if sse4_2 GGML_SSE42
set_if avx GGML_AVX
set_if avx2 GGML_AVX2
set_if fma GGML_FMA
set_if f16c GGML_F16C
set_if bmi2 GGML_BMI2
set_if avx_vnni GGML_AVX_VNNI
set_if avx512f GGML_AVX512
set_if avx512vbmi GGML_AVX512_VBMI
set_if avx512_vnni GGML_AVX512_VNNI
set_if avx512_bf16 GGML_AVX512_BF16
echo "$options -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
