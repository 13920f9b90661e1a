// One translation unit for the fatbin: each kernel family lives in its own .cu and is included here,
// so nvcc -fatbin sees one input. Every kernel is extern "C" so Java finds it by name.
#include "prefill_kernels.h"
#include "test_kernels.cu"
