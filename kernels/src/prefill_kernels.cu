// One translation unit for the fatbin: each kernel family lives in its own .cu and is included here,
// so nvcc -fatbin sees one input. Every kernel is extern "C" so Java finds it by name.
#include "prefill_kernels.h"
#include "test_kernels.cu"
#include "init.cu"
#include "embed.cu"
#include "norm.cu"
#include "rope.cu"
#include "tilemap.cu"
#include "attention.cu"
#include "gemm.cu"
#include "act.cu"
#include "gemm_stream.cu"
#include "prefetch.cu"
