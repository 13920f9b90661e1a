/* jextract input: the cuBLASLt API (libcublasLt.so.13). Filtered by cublaslt.names. */
#include <cublasLt.h>
