// Small kernels used by tests and by the gate's planted slowdown.
#include "prefill_kernels.h"

extern "C" __global__ void add_one_i32(AddOneParams p) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < p.n) p.data[i] += 1;
}

extern "C" __global__ void spin_delay(SpinParams p) {
  long long start = clock64();
  while (clock64() - start < p.cycles) { }
}

/* empty_kernel: does nothing. The launch-cost comparison (bench.jar devices --launch-cost, kernels/check/launch_cost.cu)
 * launches it; its parameter is a GemmParams by value, the forward's most common parameter size. */
extern "C" __global__ void empty_kernel(GemmParams p) { (void)p; }
