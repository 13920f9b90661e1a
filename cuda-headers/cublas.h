/* jextract input: the cuBLAS v2 API (libcublas.so.13). Filtered by cublas.symbols. */
#include <cublas_v2.h>
