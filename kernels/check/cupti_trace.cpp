// A CUPTI injection library: every kernel's start and end on the GPU, graph replays included, as CSV — the in-graph
// timeline the serial profile (events around each op, PDL off) cannot give (kernels/NOTES-forward.md v31: an attention
// kernel 2.6 us faster per layer alone and in the serial profile, the graph not faster).
//
// Build (here; CUDA 13 ships cupti.h and libcupti):
//   g++ -shared -fPIC -O2 -I /usr/local/cuda/include kernels/check/cupti_trace.cpp -o libpktrace.so -L /usr/local/cuda/lib -lcupti
// Use (any CUDA process, the Java engine included: the driver loads it at cuInit):
//   CUDA_INJECTION64_PATH=/path/libpktrace.so PK_TRACE_OUT=trace.csv java -jar bench.jar prefill ...
// CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL keeps kernels concurrent (programmatic launches overlap as without it).
// Columns: graph id (0: a stream launch), graph node id, start and end (ns, the GPU's clock), grid x/y/z, block x,
// dynamic shared memory, stream, name. kernels/check/graph_timeline.py reads it.
#include <cupti.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace {
FILE *g_out = nullptr;
std::mutex g_mu;
constexpr size_t kBuf = 8u << 20;

void CUPTIAPI requested(uint8_t **buffer, size_t *size, size_t *max_records) {
  *buffer = static_cast<uint8_t *>(aligned_alloc(8, kBuf));
  *size = kBuf;
  *max_records = 0;
}

void CUPTIAPI completed(CUcontext, uint32_t, uint8_t *buffer, size_t, size_t valid) {
  CUpti_Activity *rec = nullptr;
  std::lock_guard<std::mutex> lock(g_mu);
  while (cuptiActivityGetNextRecord(buffer, valid, &rec) == CUPTI_SUCCESS) {
    if (rec->kind != CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL && rec->kind != CUPTI_ACTIVITY_KIND_KERNEL) continue;
    const auto *k = reinterpret_cast<const CUpti_ActivityKernel10 *>(rec);
    if (g_out)
      fprintf(g_out, "%u,%llu,%llu,%llu,%d,%d,%d,%d,%d,%u,%s\n", k->graphId, (unsigned long long)k->graphNodeId,
              (unsigned long long)k->start, (unsigned long long)k->end, k->gridX, k->gridY, k->gridZ, k->blockX,
              k->dynamicSharedMemory, k->streamId, k->name ? k->name : "?");
  }
  free(buffer);
}

void flush_at_exit() {
  cuptiActivityFlushAll(1);
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_out) fclose(g_out);
  g_out = nullptr;
}

bool check(CUptiResult r, const char *what) {
  if (r == CUPTI_SUCCESS) return true;
  const char *s = nullptr;
  cuptiGetResultString(r, &s);
  fprintf(stderr, "pktrace: %s failed: %s\n", what, s ? s : "?");
  return false;
}
}  // namespace

extern "C" int InitializeInjection(void) {
  const char *path = getenv("PK_TRACE_OUT");
  g_out = fopen(path ? path : "pktrace.csv", "w");
  if (!g_out) {
    perror("pktrace: open PK_TRACE_OUT");
    return 0;
  }
  fprintf(g_out, "graph,node,start,end,gx,gy,gz,bx,dsmem,stream,name\n");
  if (!check(cuptiActivityRegisterCallbacks(requested, completed), "cuptiActivityRegisterCallbacks")) return 0;
  if (!check(cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL), "cuptiActivityEnable(CONCURRENT_KERNEL)")) return 0;
  atexit(flush_at_exit);
  return 1;
}
