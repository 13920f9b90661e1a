/* jextract input: the CUDA runtime API (libcudart.so.13). Filtered by cudart.symbols. */
#include <cuda_runtime_api.h>
