// Standalone correctness + timing harness for the prefill kernels (llm.c dev/cuda style).
// Every kernel: CPU reference, random inputs, outputs poisoned with 0xFF (bf16 NaN) before each
// launch, |out - ref| <= tol + |ref| * eps, timing (cudaEvent, warm-up, median), summary table.
// Build: see run-check.sh. -DNO_CUBLAS drops the cuBLAS comparison.
#include "../src/prefill_kernels.cu"
#include "attention_v0.cu"  // the attention kernel before the split-KV path: timing and full-tile bits
#include "small_v0.cu"      // norm / rope / silu / argmax before the latency rework: bits and timing

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <tuple>
#include <numeric>
#include <string>
#include <thread>
#include <vector>
#ifndef NO_CUBLAS
#include <cublas_v2.h>
#endif

#include "check_util.cuh"

// The rotary cos/sin table the engine uploads: [maxpos, D], cos in [0, D/2), sin in [D/2, D), theta 1e6.
static std::vector<float> rope_table(int maxpos, int D) {
  std::vector<float> cs((size_t)maxpos * D);
  for (int pos = 0; pos < maxpos; pos++)
    for (int i = 0; i < D / 2; i++) {
      double inv = std::pow(1e6, -2.0 * i / D);
      cs[(size_t)pos * D + i] = (float)std::cos(pos * inv);
      cs[(size_t)pos * D + D / 2 + i] = (float)std::sin(pos * inv);
    }
  return cs;
}




// ---------------------------------------------------------------- results
struct Row { std::string name; bool ok; double max_err; long fails; long count; double us; std::string perf; };
static std::vector<Row> g_rows;
static bool g_all_ok = true;

// Compares out (bf16 bits or float) with ref. NaN anywhere fails. Returns ok.
struct Cmp { bool ok; double max_err; long fails; long count; };
static Cmp compare(const char *name, long n, const std::function<float(long)> &out, const std::function<double(long)> &ref,
                   double tol, double eps) {
  Cmp c{true, 0.0, 0, n};
  int printed = 0;
  for (long i = 0; i < n; i++) {
    double o = out(i), r = ref(i);
    double err = std::fabs(o - r);
    bool bad = !(err <= tol + std::fabs(r) * eps);  // NaN -> bad
    if (std::isfinite(err)) c.max_err = std::max(c.max_err, err); else c.max_err = INFINITY;
    if (bad) {
      c.fails++;
      if (printed < 5) { printf("    MISMATCH %s [%ld]: out %.6g ref %.6g\n", name, i, o, r); printed++; }
    }
  }
  c.ok = c.fails == 0;
  return c;
}
static void record(const std::string &name, const Cmp &c, double us, const std::string &perf) {
  g_rows.push_back({name, c.ok, c.max_err, c.fails, c.count, us, perf});
  if (!c.ok) g_all_ok = false;
  printf("%-52s %s  max_err %.3g  fails %ld/%ld", name.c_str(), c.ok ? "OK  " : "FAIL", c.max_err, c.fails, c.count);
  if (us > 0) printf("  %9.2f us  %s", us, perf.c_str());
  printf("\n");
  fflush(stdout);
}
static void record_bool(const std::string &name, bool ok, long fails, long count, const std::string &note = "") {
  Cmp c{ok, 0.0, fails, count};
  record(name, c, 0, note);
}


// ================================================================ init
static uint32_t h_mix(uint32_t x) { x ^= x >> 16; x *= 0x7feb352du; x ^= x >> 15; x *= 0x846ca68bu; x ^= x >> 16; return x; }
static void test_init() {
  const int64_t n = (1 << 22) + 37;
  InitUniformParams p{};
  Dev<uint16_t> d(n);
  const uint32_t seeds[2] = {1234u, 0xdeadbeefu};
  for (int c = 0; c < 2; c++) {
    p.dst = d.p; p.n = n; p.seed = seeds[c]; p.tensor_id = 17 + c * 1000; p.scale = c ? 0.0625f : 0.02f; p.offset = c ? 1.0f : 0.f;
    d.poison();
    init_uniform_bf16<<<264, 256>>>(p);
    CK(cudaGetLastError());
    auto out = d.down();
    long fails = 0;
    for (int64_t i = 0; i < n; i++) {
      uint32_t h = h_mix(p.seed * 0x9E3779B9u + p.tensor_id);
      h = h_mix(h ^ (uint32_t)(i & 0xffffffff));
      h = h_mix(h ^ (uint32_t)((uint64_t)i >> 32));
      volatile float u = (float)(h >> 8) * (1.0f / 16777216.0f);
      volatile float t = 2.0f * u - 1.0f;
      volatile float m = p.scale * t;
      volatile float v = p.offset + m;
      if (h_f2bf(v) != out[i]) { if (fails < 5) printf("    init mismatch at %ld: %04x vs %04x\n", (long)i, out[i], h_f2bf(v)); fails++; }
    }
    double us = time_us([&](int) { init_uniform_bf16<<<264, 256>>>(p); });
    Cmp cm{fails == 0, 0, fails, (long)n};
    record(std::string("init_uniform_bf16 bitwise seed#") + std::to_string(c), cm, us, fmt("%.0f GB/s", n * 2 / us / 1e3));
  }
  // Row interleave: the same values as the natural layout, rows moved (gate/up groups of 8).
  {
    const int half = 448, cols = 136, g = PREFILL_GATE_UP_GROUP;
    const int64_t ni = (int64_t)2 * half * cols;
    Dev<uint16_t> dn(ni), di(ni);
    InitUniformParams pn{dn.p, ni, 7u, 105, 0.05f, 0.f, 0, 0, 0}, pi{di.p, ni, 7u, 105, 0.05f, 0.f, cols, half, g};
    dn.poison(); di.poison();
    init_uniform_bf16<<<264, 256>>>(pn);
    init_uniform_bf16<<<264, 256>>>(pi);
    CK(cudaGetLastError());
    auto on = dn.down(), oi = di.down();
    long fails = 0;
    for (int r = 0; r < 2 * half; r++) {
      const int b = r / (2 * g), q = r % (2 * g), src = q < g ? b * g + q : half + b * g + (q - g);
      fails += memcmp(&oi[(size_t)r * cols], &on[(size_t)src * cols], (size_t)cols * 2) != 0;
    }
    record_bool("init_uniform_bf16 interleaved rows == natural rows moved", fails == 0, fails, 2 * half);
  }
}

// ================================================================ embed
// gather_last_rows (s36, v78): each sequence's last row of two tensors (ERNIE's attention output, 1024 columns, and its
// residual; Llama's 2048), packed by sequence, against the CPU gather on random batches; capacity rows past num_seqs keep
// the poison; timed at 32 sequences of a 512-token batch, as the last layer of ERNIE's long prompt runs it.
static void test_gather_last_rows() {
  Rng r(78);
  for (int cols : {1024, 2048}) {
    const int tokens = 512, cap = 32;
    auto a = rand_bf16((size_t)tokens * cols, r), b = rand_bf16((size_t)tokens * cols, r);
    Dev<uint16_t> da(a), db(b), dao((size_t)cap * cols), dbo((size_t)cap * cols);
    long fails = 0, cases = 0;
    double us = 0;
    for (int cs = 0; cs < 50; cs++, cases++) {
      const int ns = cs == 0 ? cap : r.range(1, cap);
      std::vector<int32_t> qs(cap + 1, 0);  // ns sequences of >= 1 token within the 512 rows
      for (int s = 1; s <= ns; s++) qs[s] = qs[s - 1] + 1 + r.range(0, (tokens - qs[s - 1] - (ns - s + 1)) / (ns - s + 1));
      Dev<int32_t> dqs(qs), dns = dev_scalar(ns);
      GatherRowsParams p{da.p, dao.p, cols, db.p, dbo.p, cols, dqs.p, dns.p};
      dao.poison();
      dbo.poison();
      gather_last_rows<<<cap, 128>>>(p);
      CK(cudaGetLastError());
      auto oa = dao.down(), ob = dbo.down();
      bool ok = true;
      for (int s = 0; s < cap && ok; s++)
        for (int j = 0; j < cols && ok; j++) {
          const size_t src = (size_t)(qs[s + 1] - 1) * cols + j, dst = (size_t)s * cols + j;
          ok = s < ns ? oa[dst] == a[src] && ob[dst] == b[src] : oa[dst] == 0xFFFF && ob[dst] == 0xFFFF;
        }
      if (!ok) { if (fails < 5) printf("    gather_last_rows cols %d case %d (ns %d): mismatch\n", cols, cs, ns); fails++; }
      if (cs == 0) us = time_us([&](int) { gather_last_rows<<<cap, 128>>>(p); });
    }
    record("gather_last_rows " + std::to_string(cols) + " cols vs CPU (50 batches of 512 rows)", Cmp{fails == 0, 0, fails, cases}, us,
           fmt("32 seqs: %.0f GB/s", 2.0 * 2 * cap * cols * 2 / us / 1e3));
  }
}

static void test_embed() {
  Rng r(1);
  const int vocab = 5000, hidden = 1536, cap = 300, nt = 257;
  auto table = rand_bf16((size_t)vocab * hidden, r);
  std::vector<int32_t> ids(cap);
  for (auto &x : ids) x = r.range(0, vocab - 1);
  Dev<uint16_t> dt(table), dout((size_t)cap * hidden);
  Dev<int32_t> dids(ids), dn = dev_scalar(nt);
  EmbedParams p{dids.p, dt.p, dout.p, dn.p, hidden, vocab};
  dout.poison();
  embed_gather<<<cap, 128>>>(p);
  CK(cudaGetLastError());
  auto out = dout.down();
  long untouched_bad = 0;
  for (size_t i = (size_t)nt * hidden; i < out.size(); i++) untouched_bad += out[i] != 0xFFFF;
  Cmp c = compare("embed", (long)nt * hidden, [&](long i) { return h_bf2f(out[i]); },
                  [&](long i) { return h_bf2f(table[(size_t)ids[i / hidden] * hidden + i % hidden]); }, 0, 0);
  if (untouched_bad) { c.ok = false; c.fails += untouched_bad; printf("    embed wrote %ld elements past num_tokens\n", untouched_bad); }
  double us = time_us([&](int) { embed_gather<<<cap, 128>>>(p); });
  record("embed_gather (257 tok, hidden 1536)", c, us, fmt("%.0f GB/s", 2.0 * nt * hidden * 2 / us / 1e3));
  test_gather_last_rows();
}

// ================================================================ rmsnorm
static void ref_rmsnorm(const float *r, const uint16_t *w, int hidden, float eps, double *out) {
  double ss = 0;
  for (int j = 0; j < hidden; j++) ss += (double)r[j] * r[j];
  double inv = 1.0 / std::sqrt(ss / hidden + eps);
  for (int j = 0; j < hidden; j++) out[j] = r[j] * inv * h_bf2f(w[j]);
}
// add_rmsnorm at 128 threads or add_rmsnorm_256 (the engine's form for rows wider than 1024 in small buckets, s17)
static void launch_norm(int threads, int rows, const AddRmsNormParams &p) {
  if (threads == 256) add_rmsnorm_256<<<rows, 256>>>(p); else add_rmsnorm<<<rows, 128>>>(p);
}
static void test_rmsnorm() {
  Rng r(2);
  const int cap = 300, nrows = 213;
  for (int threads : {128, 256})
  for (int hidden : {896, 2048, 1001, 4096}) {
    if (threads == 128 && hidden == 4096) continue;
    for (int with_x : {1, 0}) {
      auto x = rand_bf16((size_t)cap * hidden, r), res = rand_bf16((size_t)cap * hidden, r, 2.f), w = rand_bf16(hidden, r, 0.5f, 1.f);
      Dev<uint16_t> dx(x), dres(res), dw(w), dout((size_t)cap * hidden);
      Dev<int32_t> dn = dev_scalar(nrows);
      AddRmsNormParams p{with_x ? dx.p : nullptr, nullptr, 0, 0, dres.p, dw.p, dout.p, dn.p, hidden, 1e-6f};
      dout.poison();
      launch_norm(threads, cap, p);
      CK(cudaGetLastError());
      auto out = dout.down(), res2 = dres.down();
      std::vector<float> rr((size_t)cap * hidden);
      for (size_t i = 0; i < rr.size(); i++) rr[i] = with_x ? h_round(h_bf2f(res[i]) + h_bf2f(x[i])) : h_bf2f(res[i]);
      std::vector<double> ref((size_t)nrows * hidden);
      for (int i = 0; i < nrows; i++) ref_rmsnorm(&rr[(size_t)i * hidden], w.data(), hidden, 1e-6f, &ref[(size_t)i * hidden]);
      Cmp c = compare("rmsnorm", (long)nrows * hidden, [&](long i) { return h_bf2f(out[i]); }, [&](long i) { return ref[i]; }, 1e-3, 1.0 / 128);
      long bad = 0;
      for (size_t i = 0; i < res2.size(); i++) {
        uint16_t want = (long)i < (long)nrows * hidden ? h_f2bf(rr[i]) : res[i];
        bad += res2[i] != want;
      }
      for (size_t i = (size_t)nrows * hidden; i < out.size(); i++) bad += out[i] != 0xFFFF;
      if (bad) { c.ok = false; c.fails += bad; printf("    residual/untouched mismatches: %ld\n", bad); }
      // timing on a copy (in-place residual update changes inputs; timing only)
      double us = time_us([&](int) { launch_norm(threads, cap, p); });
      double bytes = (double)nrows * hidden * 2 * (with_x ? 4 : 2);
      record(std::string(threads == 256 ? "add_rmsnorm_256" : "add_rmsnorm") + " hidden " + std::to_string(hidden) + (with_x ? " +x" : " x=NULL"),
             c, us, fmt("%.0f GB/s", bytes / us / 1e3));
    }
  }
}

static void test_final_norm() {
  Rng r(3);
  const int cap = 40, ns = 33, hidden = 896;
  std::vector<int32_t> qs(cap + 1, 0);
  for (int s = 0; s < cap; s++) qs[s + 1] = qs[s] + r.range(1, 40);
  const int tokens = qs[cap];
  auto x = rand_bf16((size_t)tokens * hidden, r), res = rand_bf16((size_t)tokens * hidden, r, 2.f), w = rand_bf16(hidden, r, 0.5f, 1.f);
  Dev<uint16_t> dx(x), dres(res), dw(w), dout((size_t)cap * hidden);
  Dev<int32_t> dqs(qs), dn = dev_scalar(ns);
  FinalNormGatherParams p{dx.p, nullptr, 0, 0, dres.p, dw.p, dqs.p, dn.p, dout.p, hidden, 1e-6f};
  dout.poison();
  final_norm_gather<<<cap, 128>>>(p);
  CK(cudaGetLastError());
  auto out = dout.down();
  std::vector<double> ref((size_t)ns * hidden);
  std::vector<float> rr(hidden);
  for (int s = 0; s < ns; s++) {
    int row = qs[s + 1] - 1;
    for (int j = 0; j < hidden; j++) rr[j] = h_round(h_bf2f(res[(size_t)row * hidden + j]) + h_bf2f(x[(size_t)row * hidden + j]));
    ref_rmsnorm(rr.data(), w.data(), hidden, 1e-6f, &ref[(size_t)s * hidden]);
  }
  Cmp c = compare("final_norm", (long)ns * hidden, [&](long i) { return h_bf2f(out[i]); }, [&](long i) { return ref[i]; }, 1e-3, 1.0 / 128);
  long bad = 0;
  for (size_t i = (size_t)ns * hidden; i < out.size(); i++) bad += out[i] != 0xFFFF;
  if (bad) { c.ok = false; c.fails += bad; }
  double us = time_us([&](int) { final_norm_gather<<<cap, 128>>>(p); });
  record("final_norm_gather (33 seqs, hidden 896)", c, us, "");
}

// ================================================================ rope
// n tokens' positions in [0, maxpos) and distinct cache slots (a random permutation of nslots); one token in
// `uncached` (on average) gets slot -1 (not cached).
static void rand_positions_slots(Rng &r, int n, int maxpos, int nslots, int uncached, std::vector<int32_t> &pos,
                                 std::vector<int32_t> &slots) {
  pos.assign(n, 0);
  slots.assign(n, 0);
  std::vector<int> perm(nslots);
  std::iota(perm.begin(), perm.end(), 0);
  for (int i = nslots - 1; i > 0; i--) std::swap(perm[i], perm[r.range(0, i)]);
  for (int t = 0; t < n; t++) { pos[t] = r.range(0, maxpos - 1); slots[t] = (r.range(0, uncached - 1) == 0) ? -1 : perm[t]; }
}

static void test_rope() {
  Rng r(4);
  struct Cfg { int qh, kvh, D; bool bias; };
  for (Cfg cfg : {Cfg{16, 2, 64, true}, Cfg{20, 4, 128, false}, Cfg{14, 2, 64, false}}) {
    const int cap = 200, nt = 173, maxpos = 4096, npages = 8;
    const int D = cfg.D, half = D / 2, width = (cfg.qh + 2 * cfg.kvh) * D, nslots = npages * 64;
    auto qkv = rand_bf16((size_t)cap * width, r, 2.f), bias = rand_bf16(width, r, 0.5f);
    std::vector<float> cs = rope_table(maxpos, D);
    std::vector<int32_t> posv, slots;
    rand_positions_slots(r, cap, maxpos, nslots, 10, posv, slots);
    Dev<uint16_t> dqkv(qkv), dbias(bias), dk((size_t)nslots * cfg.kvh * D), dv((size_t)nslots * cfg.kvh * D);
    Dev<float> dcs(cs);
    Dev<int32_t> dpos(posv), dslot(slots), dn = dev_scalar(nt);
    dk.poison(); dv.poison();
    RopeKvParams p{dqkv.p, nullptr, 0, 0, cfg.bias ? dbias.p : nullptr, dcs.p, dpos.p, dslot.p, dk.p, dv.p, dn.p, cfg.qh, cfg.kvh, D, maxpos};
    rope_kv_write<<<cap, 256>>>(p);
    CK(cudaGetLastError());
    auto oq = dqkv.down(), ok = dk.down(), ov = dv.down();
    // CPU reference
    std::vector<float> rq((size_t)cap * width);
    std::vector<float> rk(ok.size(), NAN), rv(ov.size(), NAN);
    for (int t = 0; t < cap; t++) {
      const uint16_t *row = &qkv[(size_t)t * width];
      float *dst = &rq[(size_t)t * width];
      if (t >= nt) { for (int c = 0; c < width; c++) dst[c] = h_bf2f(row[c]); continue; }
      auto val = [&](int c) { float v = h_bf2f(row[c]); return cfg.bias ? h_round(v + h_bf2f(bias[c])) : v; };
      const float *cp = &cs[(size_t)posv[t] * D];
      for (int h = 0; h < cfg.qh + cfg.kvh; h++)
        for (int i = 0; i < half; i++) {
          int c1 = h * D + i, c2 = c1 + half;
          volatile float x1 = val(c1), x2 = val(c2), c = cp[i], s = cp[half + i];
          volatile float a = x1 * c, b = x2 * s, e = x2 * c, f = x1 * s;
          dst[c1] = h_round(a - b);
          dst[c2] = h_round(e + f);
        }
      for (int c = (cfg.qh + cfg.kvh) * D; c < width; c++) dst[c] = val(c);
      if (slots[t] >= 0)
        for (int c = 0; c < cfg.kvh * D; c++) {
          rk[(size_t)slots[t] * cfg.kvh * D + c] = dst[cfg.qh * D + c];
          rv[(size_t)slots[t] * cfg.kvh * D + c] = dst[(cfg.qh + cfg.kvh) * D + c];
        }
    }
    Cmp c = compare("rope qkv", (long)oq.size(), [&](long i) { return h_bf2f(oq[i]); }, [&](long i) { return rq[i]; }, 0, 1.0 / 256);
    long bad = 0;
    for (size_t i = 0; i < ok.size(); i++) {
      if (std::isnan(rk[i])) { bad += ok[i] != 0xFFFF; bad += ov[i] != 0xFFFF; }
      else { bad += h_bf2f(ok[i]) != rk[i]; bad += h_bf2f(ov[i]) != rv[i]; }
    }
    if (bad) { c.ok = false; c.fails += bad; printf("    rope cache mismatches: %ld\n", bad); }
    double us = time_us([&](int) { rope_kv_write<<<cap, 256>>>(p); });
    record("rope_kv_write " + std::to_string(cfg.qh) + "/" + std::to_string(cfg.kvh) + " D" + std::to_string(D) + (cfg.bias ? " bias" : ""), c, us,
           fmt("%.0f GB/s", (double)nt * (width * 4 + cfg.kvh * D * 4 + D * 4) / us / 1e3));
  }
}

// ================================================================ tile map
// The copy-in (v42): build_tile_map first copies the forward's metadata from pinned host memory through its device
// mapping (16-byte loads, 4 per thread in flight, an int32 tail), then reads num_seqs and query_start from the copy.
// Sizes cover every tail length (meta_ints % 4), fewer ints than threads, and more than 4 x threads int4s (the strided
// loop's second round); the destination's ints past meta_ints must stay untouched.
static void test_tilemap_copy_in() {
  Rng r(17);
  const int cases = 200, cap_seqs = 1024, max_tiles = 1024 * 40 * 8 / 64 + 2000, slack = 64;
  long fails = 0;
  int32_t *host = nullptr, *mapped = nullptr;
  const int host_cap = 1 + cap_seqs + 1 + 20000;  // num_seqs, query_start, then other metadata (up to 80 KB)
  CK(cudaHostAlloc(&host, host_cap * sizeof(int32_t), cudaHostAllocMapped));
  CK(cudaHostGetDevicePointer((void **)&mapped, host, 0));
  Dev<int32_t> dst(host_cap + slack), db(max_tiles), dt(max_tiles), dnb(1);
  double us = 0;
  for (int cs = 0; cs < cases; cs++) {
    int ns = cs % 7 == 0 ? cap_seqs : r.range(0, 64);
    int extra = cs % 5 == 0 ? r.range(0, 20000) : r.range(0, 40);
    const int ints = 1 + ns + 1 + extra;
    int groups[4] = {1, 2, 5, 8};
    int group = groups[r.range(0, 3)];
    host[0] = ns;
    host[1] = 0;
    for (int s = 0; s < ns; s++) host[2 + s] = host[1 + s] + r.range(1, 40);
    for (int i = 2 + ns; i < ints; i++) host[i] = (int32_t)r.next();
    std::vector<int32_t> want(host, host + ints);
    int total = 0;
    for (int s = 0; s < ns; s++) total += (int)(((int64_t)(want[2 + s] - want[1 + s]) * group + 63) / 64);
    dst.poison(); db.poison(); dt.poison(); dnb.poison();
    TileMapParams p{dst.p + 1, dst.p, db.p, dt.p, dnb.p, group, 64, max_tiles, mapped, dst.p, ints};
#ifdef PK_PLANT_COPY_IN
    p.meta_ints = ints - 1;  // planted: the last int never copied; the check must fail
#endif
    int threads = (cs & 1) ? 1024 : 128;
    build_tile_map<<<1, threads>>>(p);
    CK(cudaGetLastError());
    std::vector<int32_t> got = dst.down();
    int onb;
    CK(cudaMemcpy(&onb, dnb.p, 4, cudaMemcpyDeviceToHost));
    bool ok = onb == std::min(total, max_tiles);
    for (int i = 0; i < ints && ok; i++) ok = got[i] == want[i];
    for (int i = ints; i < (int)got.size() && ok; i++) ok = got[i] == (int32_t)0xFFFFFFFF;  // nothing past meta_ints
    if (!ok && fails < 5) printf("    tilemap copy-in case %d (ns %d ints %d threads %d): mismatch (num_blocks %d vs %d)\n", cs, ns, ints, threads, onb, total);
    if (!ok) fails++;
    if (cs == 0) us = time_us([&](int) { build_tile_map<<<1, 1024>>>(p); });
  }
  CK(cudaFreeHost(host));
  Cmp c{fails == 0, 0, fails, cases};
  record("build_tile_map copy-in from mapped pinned memory (200 sizes)", c, us, "(1024 seqs + 80 KB)");
}

// build_tile_map_embed (v62): the tile map (with its copy-in) by block 0, embed_gather's rows by block 1 from the ids' host
// source. Against build_tile_map + embed_gather on the same copied metadata: the map, num_blocks and every row bit for
// bit; ids outside the vocabulary give zero rows; rows past num_tokens untouched; hidden a multiple of 8 or not; every
// fifth batch without a copy-in (meta_src NULL: the ids and count copied to the device before the launch).
static void test_tilemap_embed() {
  Rng r(23);
  const int cap_seqs = 64, max_tiles = 2048, vocab = 1000, cap_tokens = 512;
  const int host_cap = 1 + cap_seqs + 1 + 1 + cap_tokens;
  int32_t *host = nullptr, *mapped = nullptr;
  CK(cudaHostAlloc(&host, host_cap * sizeof(int32_t), cudaHostAllocMapped));
  CK(cudaHostGetDevicePointer((void **)&mapped, host, 0));
  Dev<int32_t> dst(host_cap), dst2(host_cap), db(max_tiles), dt(max_tiles), dnb(1), db2(max_tiles), dt2(max_tiles), dnb2(1);
  long fails = 0, cases = 0;
  double us_f = 0, us_u = 0;
  for (int hidden : {256, 1024, 2048, 100}) {
    const std::vector<uint16_t> tb = rand_bf16((size_t)vocab * hidden, r);
    Dev<uint16_t> table(tb), out((size_t)cap_tokens * hidden), out2((size_t)cap_tokens * hidden);
    for (int cs = 0; cs < 40; cs++, cases++) {
      const int cap = cs % 3 == 0 ? 16 : cs % 3 == 1 ? 64 : cap_tokens;
      const int nt = cs % 4 == 0 ? cap : r.range(1, cap);
      const int ns = std::min(nt, r.range(1, cap_seqs));
      host[0] = ns;
      host[1] = 0;
      for (int s = 1; s < ns; s++) host[1 + s] = std::min(nt - (ns - s), host[s] + r.range(1, 2 * nt / ns + 1));
      host[1 + ns] = nt;
      const int tok = 2 + cap_seqs;  // num_tokens, then the ids
      host[tok] = nt;
      for (int t = 0; t < nt; t++) host[tok + 1 + t] = t % 11 == 5 ? -1 : t % 13 == 7 ? vocab + 3 : r.range(0, vocab - 1);
      const int ints = tok + 1 + nt;
      const int group = 1 + cs % 8;
      TileMapEmbedParams pf{TileMapParams{dst.p + 1, dst.p, db.p, dt.p, dnb.p, group, 64, max_tiles, mapped, dst.p, ints},
                            EmbedParams{dst.p + tok + 1, table.p, out.p, dst.p + tok, hidden, vocab}};
      TileMapParams pm{dst2.p + 1, dst2.p, db2.p, dt2.p, dnb2.p, group, 64, max_tiles, mapped, dst2.p, ints};
      EmbedParams pe{dst2.p + tok + 1, table.p, out2.p, dst2.p + tok, hidden, vocab};
      out.poison(); out2.poison(); db.poison(); dt.poison(); db2.poison(); dt2.poison();
      dst.poison();  // block 1 must not read the device copy block 0 is writing (poisoned ids would give zero rows)
      if (cs % 5 == 4) {  // no copy-in: the device slice holds the metadata at launch
        pf.map.meta_src = nullptr;
        CK(cudaMemcpy(dst.p, host, ints * sizeof(int32_t), cudaMemcpyHostToDevice));
      }
      build_tile_map_embed<<<2, 1024>>>(pf);
      build_tile_map<<<1, 1024>>>(pm);
      embed_gather<<<cap, 128>>>(pe);
      CK(cudaGetLastError());
      bool ok = out.down() == out2.down() && db.down() == db2.down() && dt.down() == dt2.down() && dnb.down() == dnb2.down();
      auto o = out.down();
      for (int t = 0; t < nt && ok; t++) {  // against the table itself, not only the unfused kernels
        const int id = host[tok + 1 + t];
        const bool valid = id >= 0 && id < vocab;
        for (int j = 0; j < hidden && ok; j++) ok = o[(size_t)t * hidden + j] == (valid ? tb[(size_t)id * hidden + j] : (uint16_t)0);
      }
      for (size_t i = (size_t)nt * hidden; i < o.size() && ok; i++) ok = o[i] == 0xFFFF;  // rows past num_tokens untouched
      if (!ok && fails < 5) printf("    tilemap+embed hidden %d case %d (tokens %d seqs %d): mismatch\n", hidden, cs, nt, ns);
      fails += !ok;
      if (cs == 0 && hidden == 1024) {
        us_f = time_us([&](int) { build_tile_map_embed<<<2, 1024>>>(pf); });
        us_u = time_us([&](int) { build_tile_map<<<1, 1024>>>(pm); embed_gather<<<cap, 128>>>(pe); });
      }
    }
  }
  CK(cudaFreeHost(host));
  Cmp c{fails == 0, 0, fails, cases};
  record("build_tile_map_embed == build_tile_map + embed_gather (160 batches)", c, us_f, fmt("16 tokens of 1024, plain launches: %.2f us", us_f) + fmt(" vs %.2f us", us_u));
}

static void test_tilemap() {
  Rng r(5);
  const int cases = 1000;
  long fails = 0;
  const int cap_seqs = 1024;
  const int max_tiles_cap = 1024 * 40 * 8 / 64 + 2000;
  Dev<int32_t> dqs(cap_seqs + 1), dn(1), db(max_tiles_cap), dt(max_tiles_cap), dnb(1);
  double us = 0;
  for (int cs = 0; cs < cases; cs++) {
    int ns = (cs % 10 == 0) ? 1024 : r.range(0, 1024);
    if (cs == 1) ns = 1;
    int groups[4] = {1, 2, 5, 8};
    int group = groups[r.range(0, 3)];
    int maxlen = (cs % 3 == 0) ? 40 : 8;
    std::vector<int32_t> qs(ns + 1, 0);
    for (int s = 0; s < ns; s++) qs[s + 1] = qs[s] + (r.range(0, 20) == 0 ? r.range(0, 300) : r.range(1, maxlen));
    std::vector<int32_t> rb, rt;
    for (int s = 0; s < ns; s++) {
      int nt = (int)(((int64_t)(qs[s + 1] - qs[s]) * group + 63) / 64);
      for (int k = 0; k < nt; k++) { rb.push_back(s); rt.push_back(k); }
    }
    int total = (int)rb.size();
    int max_tiles = std::min(max_tiles_cap, total + r.range(0, 100));
    if (total > max_tiles) continue;
    CK(cudaMemcpy(dqs.p, qs.data(), qs.size() * 4, cudaMemcpyHostToDevice));
    CK(cudaMemcpy(dn.p, &ns, 4, cudaMemcpyHostToDevice));
    db.poison(); dt.poison(); dnb.poison();
    TileMapParams p{dqs.p, dn.p, db.p, dt.p, dnb.p, group, 64, max_tiles};
    int threads = (cs & 1) ? 1024 : 256;
    build_tile_map<<<1, threads>>>(p);
    CK(cudaGetLastError());
    std::vector<int32_t> ob(max_tiles_cap), ot(max_tiles_cap);
    int onb;
    CK(cudaMemcpy(ob.data(), db.p, max_tiles_cap * 4, cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(ot.data(), dt.p, max_tiles_cap * 4, cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(&onb, dnb.p, 4, cudaMemcpyDeviceToHost));
    bool ok = onb == total;
    for (int b = 0; b < max_tiles_cap && ok; b++) {
      int wb = b < total ? rb[b] : (b < max_tiles ? -1 : (int)0xFFFFFFFF);
      int wt = b < total ? rt[b] : (b < max_tiles ? -1 : (int)0xFFFFFFFF);
      ok = ob[b] == wb && ot[b] == wt;
    }
    if (!ok) { if (fails < 5) printf("    tilemap case %d (ns %d group %d threads %d): mismatch (num_blocks %d vs %d)\n", cs, ns, group, threads, onb, total); fails++; }
    if (cs == 0) us = time_us([&](int) { build_tile_map<<<1, 1024>>>(p); });
  }
  Cmp c{fails == 0, 0, fails, cases};
  record("build_tile_map vs CPU (1000 random batches)", c, us, "(1024 seqs)");
  test_tilemap_copy_in();
  test_tilemap_embed();
}

// ================================================================ attention
static float content(uint32_t cid, uint32_t kind, uint32_t pos, uint32_t head, uint32_t d) {
  uint32_t h = h_mix(cid * 0x9E3779B9u + kind);
  h = h_mix(h ^ pos); h = h_mix(h ^ (head * 1024u + d));
  return h_round((float)(h >> 8) * (1.0f / 16777216.0f) * 2.f - 1.f);
}
struct SeqSpec { int prefix, qlen; uint32_t cid; };
struct AttnOut { std::vector<uint16_t> out; std::vector<int32_t> qs; double us = 0; double flops = 0; };
// Which engine form run_attention launches: 0 attention_prefill (4 warps), 1 attention_prefill_kh (8 warps, key halves),
// 2 attention_prefill_wg (the key halves on wgmma; sm_90a, head dim 64), 3 attention_prefill_wg_early (its tile's
// lookup and prefix prefetch before the PDL wait; the same bits as 2), 4 attention_prefill_wg_early_lp (3, except split
// tiles over a long cached prefix, which run 2; the same bits), 5 attention_prefill_wg_early_t32 (3 over 32-row tiles:
// every tile on the split path), 6 attention_prefill_wg_early_q4 (3 with 4 key parts, 512 threads: v69), 7
// attention_prefill_wg_early_tma (3 with the full path's K / V pages by TMA: v93; the same bits).
static int g_attn_form = 0;
// Rows per tile of the form's tile map: the t32 form's are half the others'.
static int attn_form_rows(int form) { return form == 5 ? PREFILL_ATTN_ROWS_PER_TILE / 2 : PREFILL_ATTN_ROWS_PER_TILE; }
// The form's suffix in the harness's row names ("", " kh", " wg").
static const char *attn_form_suffix(int form) {
  return form == 1 ? " kh" : form == 2 ? " wg" : form == 3 ? " wg-early" : form == 4 ? " wg-early-lp" : form == 5 ? " wg-early-t32"
         : form == 6 ? " wg-early-q4" : form == 7 ? " wg-early-tma" : "";
}

// attn_one and attn_trace: the early form (3), or the form ATTN_FORM names (7: the TMA form).
static int attn_env_form() {
  const char *f = getenv("ATTN_FORM");
  return f && *f ? atoi(f) : 3;
}

// A batch of sequences laid out in the paged KV cache as the engine does: query starts, kv lengths, a random page
// permutation (spare pages beyond the sequences' own), block tables, the caches (NaN everywhere, then the content of
// keys [0, kv_len) when `all_keys`, else of the cached prefixes [0, prefix) only: the new keys are the kernel's to write),
// and the tile map over `tile_rows`-row tiles with `grid_surplus` empty blocks after the real ones.
struct AttnBatch {
  std::vector<int32_t> qs, kvl, bt, tb, tt;
  std::vector<uint16_t> kc, vc;
  int maxpages = 1, nblocks = 0, grid = 0;
  int slot(int s, int j) const { return bt[(size_t)s * maxpages + j / 64] * 64 + j % 64; }
};
static AttnBatch attn_batch(const std::vector<SeqSpec> &seqs, int kvh, int D, int group, Rng &r, int spare_pages, bool all_keys,
                            int tile_rows, int grid_surplus) {
  AttnBatch b;
  const int ns = (int)seqs.size();
  b.qs.assign(ns + 1, 0);
  b.kvl.resize(ns);
  int totpages = 0;
  for (int s = 0; s < ns; s++) {
    b.qs[s + 1] = b.qs[s] + seqs[s].qlen;
    b.kvl[s] = seqs[s].prefix + seqs[s].qlen;
    int np = (b.kvl[s] + 63) / 64;
    b.maxpages = std::max(b.maxpages, np);
    totpages += np;
  }
  const int npages = totpages + spare_pages;
  std::vector<int> perm(npages);
  std::iota(perm.begin(), perm.end(), 0);
  for (int i = npages - 1; i > 0; i--) std::swap(perm[i], perm[r.range(0, i)]);
  b.bt.assign((size_t)ns * b.maxpages, -1);
  int used = 0;
  for (int s = 0; s < ns; s++)
    for (int j = 0; j < (b.kvl[s] + 63) / 64; j++) b.bt[(size_t)s * b.maxpages + j] = perm[used++];
  const size_t kvrow = (size_t)kvh * D;
  b.kc.assign((size_t)npages * 64 * kvrow, 0xFFFF);
  b.vc.assign(b.kc.size(), 0xFFFF);
  parallel_for(ns, [&](int s) {  // sequences own disjoint pages
    for (int j = 0; j < (all_keys ? b.kvl[s] : seqs[s].prefix); j++) {
      const size_t slot = b.slot(s, j);
      for (int h = 0; h < kvh; h++)
        for (int d = 0; d < D; d++) {
          b.kc[slot * kvrow + h * D + d] = h_f2bf(content(seqs[s].cid, 1, j, h, d));
          b.vc[slot * kvrow + h * D + d] = h_f2bf(content(seqs[s].cid, 2, j, h, d));
        }
    }
  });
  for (int s = 0; s < ns; s++) {
    int nt = (seqs[s].qlen * group + tile_rows - 1) / tile_rows;
    for (int k = 0; k < nt; k++) { b.tb.push_back(s); b.tt.push_back(k); }
  }
  b.nblocks = (int)b.tb.size();
  b.grid = b.nblocks + grid_surplus;
  b.tb.resize(std::max(b.grid, 1), -1);
  b.tt.resize(std::max(b.grid, 1), -1);
  return b;
}

// old_kernel: launch attention_prefill_v0 instead. cold > 0: time over `cold` copies of the KV cache in
// turn (more bytes than L2 holds), as a forward's layers read a cache L2 has not seen.
static AttnOut run_attention(const std::vector<SeqSpec> &seqs, int qh, int kvh, int D, uint64_t page_seed, int grid_surplus,
                             bool validate, const std::string &name, bool timeit, bool old_kernel = false, int cold = 0) {
  void (*kernel)(AttnParams) = old_kernel ? attention_prefill_v0
                                : g_attn_form == 6 ? attention_prefill_wg_early_q4
                                : g_attn_form == 5 ? attention_prefill_wg_early_t32
                                : g_attn_form == 4 ? attention_prefill_wg_early_lp
                                : g_attn_form == 3 ? attention_prefill_wg_early
                                : g_attn_form == 2 ? attention_prefill_wg
                                : g_attn_form == 1 ? attention_prefill_kh : attention_prefill;
  const int athreads = old_kernel ? PK_ATTN_V0_THREADS : g_attn_form == 6 ? PREFILL_ATTN_Q4_THREADS : g_attn_form ? PREFILL_ATTN_KH_THREADS : PREFILL_ATTN_THREADS;
  const int asmem = old_kernel ? 0 : g_attn_form == 6 ? PREFILL_ATTN_Q4_SMEM : g_attn_form >= 2 ? PREFILL_ATTN_WG_SMEM : g_attn_form ? PREFILL_ATTN_KH_SMEM : 0;
  const bool tma = !old_kernel && g_attn_form == 7;
  Rng r(page_seed);
  const int ns = (int)seqs.size(), group = qh / kvh, width = (qh + 2 * kvh) * D;
  const int tile_rows = old_kernel ? PREFILL_ATTN_ROWS_PER_TILE : attn_form_rows(g_attn_form);
  // cache: NaN everywhere, valid keys written
  const AttnBatch b = attn_batch(seqs, kvh, D, group, r, 5, true, tile_rows, grid_surplus);
  const std::vector<int32_t> &qs = b.qs, &kvl = b.kvl, &bt = b.bt;
  const std::vector<uint16_t> &kc = b.kc, &vc = b.vc;
  const int maxpages = b.maxpages, tokens = qs[ns];
  const size_t kvrow = (size_t)kvh * D;
  std::vector<uint16_t> q((size_t)tokens * width);
  for (int s = 0; s < ns; s++)
    for (int i = 0; i < seqs[s].qlen; i++)
      for (int c = 0; c < width; c++)
        q[(size_t)(qs[s] + i) * width + c] = h_f2bf(content(seqs[s].cid, 0, seqs[s].prefix + i, c / D, c % D));
  const int nblocks = b.nblocks, grid = b.grid;
  Dev<uint16_t> dq(q), dk(kc), dv(vc), dout((size_t)tokens * qh * D);
  Dev<int32_t> dqs(qs), dkvl(kvl), dbt(bt), dtb(b.tb), dtt(b.tt), dnb = dev_scalar(nblocks);
  const float scale = 1.f / std::sqrt((float)D);
  AttnParams p{dq.p, dk.p, dv.p, dout.p, dqs.p, dkvl.p, dbt.p, dtb.p, dtt.p, dnb.p, width, qh, kvh, D, maxpages, scale * 1.4426950408889634f};
  // the TMA form's maps over every page of the caches pp reads (built before any timed launch)
  const int cache_rows = (int)(kc.size() / kvrow);
  auto tma_params = [&](const AttnParams &pp) {
    return AttnTmaParams{tensor_map(pp.k_cache, cache_rows, (int)kvrow, (int)kvrow, 64), tensor_map(pp.v_cache, cache_rows, (int)kvrow, (int)kvrow, 64), pp};
  };
  auto launch = [&](const AttnParams &pp, const AttnTmaParams *tp) {
    if (tma) attention_prefill_wg_early_tma<<<dim3(grid, kvh), athreads, asmem>>>(*tp);
    else kernel<<<dim3(grid, kvh), athreads, asmem>>>(pp);
  };
  const AttnTmaParams tp0 = tma ? tma_params(p) : AttnTmaParams{};
  dout.poison();
  launch(p, &tp0);
  CK(cudaGetLastError());
  AttnOut res;
  res.out = dout.down();
  res.qs = qs;
  for (int s = 0; s < ns; s++)
    for (int i = 0; i < seqs[s].qlen; i++) res.flops += 4.0 * D * qh * (seqs[s].prefix + i + 1);
  if (timeit && cold > 0) {
    std::vector<Dev<uint16_t>> ks, vs;
    for (int c = 0; c < cold; c++) {
      ks.emplace_back(kc.size()); vs.emplace_back(vc.size());
      CK(cudaMemcpy(ks.back().p, dk.p, kc.size() * 2, cudaMemcpyDeviceToDevice));
      CK(cudaMemcpy(vs.back().p, dv.p, vc.size() * 2, cudaMemcpyDeviceToDevice));
    }
    std::vector<AttnParams> qs_(cold);
    std::vector<AttnTmaParams> tps(cold);
    for (int c = 0; c < cold; c++) {
      qs_[c] = p; qs_[c].k_cache = ks[c].p; qs_[c].v_cache = vs[c].p;
      if (tma) tps[c] = tma_params(qs_[c]);
    }
    res.us = time_us([&](int it) { launch(qs_[it % cold], &tps[it % cold]); });
  } else if (timeit) {
    res.us = time_us([&](int) { launch(p, &tp0); });
  }
  if (validate) {
    std::vector<double> ref((size_t)tokens * qh * D);
    std::vector<std::pair<int, int>> rows;
    for (int s = 0; s < ns; s++) for (int i = 0; i < seqs[s].qlen; i++) rows.push_back({s, i});
    parallel_for((int)rows.size(), [&](int ri) {
      int s = rows[ri].first, i = rows[ri].second, tok = qs[s] + i, pos = seqs[s].prefix + i;
      std::vector<double> sc(pos + 1);
      for (int h = 0; h < qh; h++) {
        int kh = h / group;
        double mx = -1e300;
        for (int j = 0; j <= pos; j++) {
          size_t slot = (size_t)bt[(size_t)s * maxpages + j / 64] * 64 + j % 64;
          double acc = 0;
          for (int d = 0; d < D; d++) acc += (double)h_bf2f(q[(size_t)tok * width + h * D + d]) * h_bf2f(kc[slot * kvrow + kh * D + d]);
          sc[j] = acc * scale;
          mx = std::max(mx, sc[j]);
        }
        double sum = 0;
        for (int j = 0; j <= pos; j++) { sc[j] = std::exp(sc[j] - mx); sum += sc[j]; }
        for (int d = 0; d < D; d++) {
          double acc = 0;
          for (int j = 0; j <= pos; j++) {
            size_t slot = (size_t)bt[(size_t)s * maxpages + j / 64] * 64 + j % 64;
            acc += sc[j] * h_bf2f(vc[slot * kvrow + kh * D + d]);
          }
          ref[(size_t)tok * qh * D + h * D + d] = acc / sum;
        }
      }
    });
    Cmp c = compare(name.c_str(), (long)ref.size(), [&](long i) { return h_bf2f(res.out[i]); }, [&](long i) { return ref[i]; }, 1e-2, 2e-2);
    record(name, c, res.us, res.us > 0 ? fmt("%.1f TFLOP/s", res.flops / res.us / 1e6) : "");
  }
  return res;
}

static bool rows_equal(const AttnOut &a, int sa, int ia, const AttnOut &b, int sb, int ib, int n, size_t rowlen) {
  return memcmp(&a.out[(size_t)(a.qs[sa] + ia) * rowlen], &b.out[(size_t)(b.qs[sb] + ib) * rowlen], n * rowlen * 2) == 0;
}
// Whether row (token i, q head h) of a sequence with query length qlen lies in a tile of more than 32
// valid rows, i.e. takes the full path (the split path serves tiles of <= 32 rows).
static bool attn_full_tile(int qlen, int group, int i, int h) {
  const int row = i * group + h % group, tile = row / 64;
  return std::min(64, qlen * group - tile * 64) > 32;
}
// Compares rows (token ia + t of a's sequence sa, token ib + t of b's sb) for t < n, head by head, where
// both sides are full-path rows; returns the number of rows that differ and counts the rows compared.
static long full_rows_differ(const AttnOut &a, int sa, int qa, int ia, const AttnOut &b, int sb, int qb, int ib, int n,
                             int qh, int group, int D, long &compared) {
  long bad = 0;
  for (int t = 0; t < n; t++)
    for (int h = 0; h < qh; h++) {
      if (!attn_full_tile(qa, group, ia + t, h) || !attn_full_tile(qb, group, ib + t, h)) continue;
      compared++;
      bad += memcmp(&a.out[((size_t)(a.qs[sa] + ia + t) * qh + h) * D], &b.out[((size_t)(b.qs[sb] + ib + t) * qh + h) * D], D * 2) != 0;
    }
  return bad;
}
static long count_nan(const AttnOut &a) {
  long n = 0;
  for (auto v : a.out) n += std::isnan(h_bf2f(v));
  return n;
}

static void test_attention_decode();
static void test_attention_rope();
// forms: the engine forms to check (family attention: all; attention_q4: the q4 form alone, then the decode mix of every
// head-dim-64 form, so a sanitizer run of the new form stays short).
static void test_attention(const std::vector<int> &forms = {0, 1, 2, 3, 5, 6}) {
  struct Cfg { int qh, kvh, D; };
  for (int form : forms)
  for (Cfg cfg : {Cfg{16, 2, 64}, Cfg{20, 4, 128}, Cfg{10, 2, 64}}) {
    // the wg forms take head dim 64 only, and run group 5 too (tiles that end inside a token's heads)
    if (form >= 2 ? cfg.D != 64 : cfg.qh == 10) continue;
    g_attn_form = form;
    std::string tag = std::to_string(cfg.qh) + "q/" + std::to_string(cfg.kvh) + "kv D" + std::to_string(cfg.D) + attn_form_suffix(form);
    const int group = cfg.qh / cfg.kvh;
    Rng r(100 + cfg.D);
    std::vector<SeqSpec> varlen_prefix;
    for (int with_prefix : {0, 1}) {
      std::vector<SeqSpec> seqs;
      int n = r.range(5, 8);
      for (int s = 0; s < n; s++) {
        int ql = (s == 0) ? 1 : r.range(1, 260);
        int pre = with_prefix ? (s % 3 == 0 ? 0 : r.range(1, 200)) : 0;
        seqs.push_back({pre, ql, (uint32_t)(1000 + s + 50 * with_prefix)});
      }
      run_attention(seqs, cfg.qh, cfg.kvh, cfg.D, 7 + with_prefix, 13, true,
                    "attention " + tag + (with_prefix ? " varlen+prefix" : " varlen"), true);
      if (with_prefix) varlen_prefix = seqs;
    }
    // Bit-exactness: [160] alone vs batched with others (different pages, offsets).
    const int rowlen = cfg.qh * cfg.D;
    SeqSpec S{37, 160, 4242};
    AttnOut a = run_attention({S}, cfg.qh, cfg.kvh, cfg.D, 11, 0, false, "", false);
    AttnOut b = run_attention({{0, 77, 1}, S, {300, 33, 2}, {5, 190, 3}}, cfg.qh, cfg.kvh, cfg.D, 12, 0, false, "", false);
    bool eq1 = rows_equal(a, 0, 0, b, 1, 0, 160, rowlen);
    // Surplus grid blocks change nothing.
    AttnOut c = run_attention({{0, 77, 1}, S, {300, 33, 2}, {5, 190, 3}}, cfg.qh, cfg.kvh, cfg.D, 12, 333, false, "", false);
    bool eq2 = b.out == c.out;
    // Shifted tiling: same content, different prefix/query split -> rows of equal position identical
    // where both lie in full tiles (a split tile's row may differ from the same row in a full tile).
    AttnOut d0 = run_attention({{0, 300, 77}}, cfg.qh, cfg.kvh, cfg.D, 21, 0, false, "", false);
    AttnOut d1 = run_attention({{77, 223, 77}}, cfg.qh, cfg.kvh, cfg.D, 22, 0, false, "", false);
    AttnOut d2 = run_attention({{140, 160, 77}, {3, 5, 9}}, cfg.qh, cfg.kvh, cfg.D, 23, 0, false, "", false);
    long shifted = 0;
    long diff3 = full_rows_differ(d0, 0, 300, 77, d1, 0, 223, 0, 223, cfg.qh, group, cfg.D, shifted) +
                 full_rows_differ(d0, 0, 300, 140, d2, 0, 160, 0, 160, cfg.qh, group, cfg.D, shifted);
    record_bool("attention " + tag + " bitwise: [160] alone == batched", eq1 && count_nan(a) == 0, !eq1, 1);
    record_bool("attention " + tag + " bitwise: surplus grid blocks", eq2, !eq2, 1);
    if (form == 5) {
      // no full-path tiles: every row is a split-path tile's. Within tolerance of the 4-warp form, and a sequence of
      // <= 32 rows (one tile, the same rows and warp split in both forms) with its bits.
      g_attn_form = 0;
      AttnOut f0 = run_attention(varlen_prefix, cfg.qh, cfg.kvh, cfg.D, 8, 13, false, "", false);
      std::vector<SeqSpec> small;
      for (int q = 1; q * group <= 32; q++) small.push_back({q * 37, q, (uint32_t)(3000 + q)});
      AttnOut s0 = run_attention(small, cfg.qh, cfg.kvh, cfg.D, 14, 0, false, "", false);
      g_attn_form = 5;
      AttnOut n5 = run_attention(varlen_prefix, cfg.qh, cfg.kvh, cfg.D, 8, 13, false, "", false);
      AttnOut s5 = run_attention(small, cfg.qh, cfg.kvh, cfg.D, 14, 0, false, "", false);
      Cmp c = compare("attention t32 vs 4-warp form", (long)n5.out.size(), [&](long i) { return h_bf2f(n5.out[i]); },
                      [&](long i) { return (double)h_bf2f(f0.out[i]); }, 2e-3, 1.0 / 64);
      record("attention " + tag + " vs the 4-warp form (tol)", c, 0, "");
      record_bool("attention " + tag + " bitwise: one-tile sequences (<= 32 rows) == the 4-warp form", s5.out == s0.out && !small.empty(),
                  s5.out != s0.out, (long)small.size());
      continue;  // the checks below are about full-path tiles, which this form never runs
    }
    record_bool("attention " + tag + " bitwise: shifted tiling, full tiles", diff3 == 0 && shifted > 1000, diff3, shifted);
    // Full tiles keep the bits of the kernel before the split path (attention_v0).
    {
      AttnOut n1 = run_attention(varlen_prefix, cfg.qh, cfg.kvh, cfg.D, 8, 13, false, "", false);
      AttnOut o1 = run_attention(varlen_prefix, cfg.qh, cfg.kvh, cfg.D, 8, 13, false, "", false, true);
      long cmp = 0, bad = 0;
      for (int s = 0; s < (int)varlen_prefix.size(); s++)
        bad += full_rows_differ(n1, s, varlen_prefix[s].qlen, 0, o1, s, varlen_prefix[s].qlen, 0, varlen_prefix[s].qlen, cfg.qh,
                                group, cfg.D, cmp);
      // The 4-warp form keeps v0's bits. The key halves (kh) combine rows that see more than one page in another
      // order: within tolerance of v0 (the reference check above holds both to the float64 attention); rows that
      // see one page keep v0's bits.
      if (form == 0) {
        record_bool("attention " + tag + " bitwise: full tiles == v0 kernel", bad == 0 && cmp > 1000, bad, cmp);
      } else {
        Cmp c = compare("attention full tiles vs v0", (long)n1.out.size(), [&](long i) { return h_bf2f(n1.out[i]); },
                        [&](long i) { return (double)h_bf2f(o1.out[i]); }, 2e-3, 1.0 / 64);
        record("attention " + tag + " full tiles vs v0 kernel (tol; " + std::to_string(bad) + " of " + std::to_string(cmp) + " rows differ)", c, 0, "");
      }
      AttnOut s1 = run_attention({{0, 60, 91}}, cfg.qh, cfg.kvh, cfg.D, 9, 0, false, "", false);
      AttnOut s0 = run_attention({{0, 60, 91}}, cfg.qh, cfg.kvh, cfg.D, 9, 0, false, "", false, true);
      long cmp1 = 0, bad1 = full_rows_differ(s1, 0, 60, 0, s0, 0, 60, 0, 60, cfg.qh, group, cfg.D, cmp1);
      if (form < 2) record_bool("attention " + tag + " bitwise: one-page full tiles == v0 kernel", bad1 == 0 && cmp1 > 0, bad1, cmp1);
      if (form == 3) {
        // the early form issues its loads at other times, with the same arithmetic: attention_prefill_wg's bits
        g_attn_form = 2;
        AttnOut w2 = run_attention(varlen_prefix, cfg.qh, cfg.kvh, cfg.D, 8, 13, false, "", false);
        g_attn_form = 3;
        record_bool("attention " + tag + " bitwise: wg-early == wg (varlen + prefix, surplus grid)", n1.out == w2.out, n1.out != w2.out, 1);
      }
      if (form >= 2) {
        // wgmma sums a page's products in another order than mma.sync: full tiles within tolerance of the 4-warp form;
        // tiles of <= 32 rows run its split path: its bits
        g_attn_form = 0;
        AttnOut f0 = run_attention(varlen_prefix, cfg.qh, cfg.kvh, cfg.D, 8, 13, false, "", false);
        g_attn_form = form;
        Cmp c = compare("attention wg vs 4-warp form", (long)n1.out.size(), [&](long i) { return h_bf2f(n1.out[i]); },
                        [&](long i) { return (double)h_bf2f(f0.out[i]); }, 2e-3, 1.0 / 64);
        record("attention " + tag + " vs the 4-warp form (tol)", c, 0, "");
        long split_rows = 0, split_bad = 0;
        for (int s = 0; s < (int)varlen_prefix.size(); s++)
          for (int t = 0; t < varlen_prefix[s].qlen; t++)
            for (int h = 0; h < cfg.qh; h++) {
              if (attn_full_tile(varlen_prefix[s].qlen, group, t, h)) continue;
              split_rows++;
              split_bad += memcmp(&n1.out[((size_t)(n1.qs[s] + t) * cfg.qh + h) * cfg.D],
                                  &f0.out[((size_t)(f0.qs[s] + t) * cfg.qh + h) * cfg.D], cfg.D * 2) != 0;
            }
        record_bool("attention " + tag + " bitwise: split-path tiles == the 4-warp form", split_bad == 0 && split_rows > 0, split_bad, split_rows);
      }
    }
    // Performance: 8 x 512 fresh prefill, and 4 x 256 queries on 768-token prefixes.
    std::vector<SeqSpec> big, pre;
    for (int s = 0; s < 8; s++) big.push_back({0, 512, (uint32_t)(500 + s)});
    for (int s = 0; s < 4; s++) pre.push_back({768, 256, (uint32_t)(600 + s)});
    AttnOut pb = run_attention(big, cfg.qh, cfg.kvh, cfg.D, 31, 0, false, "", true);
    AttnOut pp = run_attention(pre, cfg.qh, cfg.kvh, cfg.D, 32, 0, false, "", true);
    // The forward's long prompt (one 480-token sequence: the causal triangle's longest tiles set the time) and
    // 4 x 80, each against the v0 kernel (L2-warm; the cold 1x480 row is in test_attention_decode).
    for (auto &wl : std::vector<std::pair<std::string, std::vector<SeqSpec>>>{{"1x480", {{0, 480, 700}}},
                                                                              {"4x80", {{0, 80, 701}, {0, 80, 702}, {0, 80, 703}, {0, 80, 704}}}}) {
      AttnOut nw = run_attention(wl.second, cfg.qh, cfg.kvh, cfg.D, 33, 0, false, "", true);
      AttnOut ov = run_attention(wl.second, cfg.qh, cfg.kvh, cfg.D, 33, 0, false, "", true, true);
      g_rows.push_back({"attention " + tag + " perf " + wl.first + " causal", true, 0, 0, 0, nw.us, fmt("v0 kernel %.2f us", ov.us)});
      printf("attention %s perf: %s %.2f us (v0 kernel %.2f us)\n", tag.c_str(), wl.first.c_str(), nw.us, ov.us);
    }
    g_rows.push_back({"attention " + tag + " perf 8x512 causal", true, 0, 0, 0, pb.us, fmt("%.1f TFLOP/s", pb.flops / pb.us / 1e6)});
    g_rows.push_back({"attention " + tag + " perf 4x(768+256)", true, 0, 0, 0, pp.us, fmt("%.1f TFLOP/s", pp.flops / pp.us / 1e6)});
    printf("attention %s perf: 8x512 %.2f us (%.1f TFLOP/s), 4x(768+256) %.2f us (%.1f TFLOP/s)\n", tag.c_str(), pb.us,
           pb.flops / pb.us / 1e6, pp.us, pp.flops / pp.us / 1e6);
  }
  g_attn_form = 0;
  test_attention_decode();
  if (forms.size() > 1) test_attention_rope();
}

// ---------------------------------------------------------------- attention with rope_kv_write folded in (s21)
// attention_prefill_wg_early_t32_rope against rope_kv_write + attention_prefill_wg_early_t32 on the same inputs: the
// attention output and both caches bit for bit, and rope's input left as it was (the t32 form itself is checked against
// the float64 reference above, rope_kv_write in test_rope). For rope's bf16 input and its split-K planes, with and
// without a bias, groups 8, 5, 4 and 2; prompts of 1..64 tokens, cached prefixes with decode steps, the short prompt;
// surplus grid blocks; the fused kernel twice (a race would show). Then, at 16 q / 2 kv heads, the pair's time and
// the fused kernel's on the short prompt, 2 x 8 and 1 x 8 + 8 decodes over 512 (launches back to back, no PDL: not the
// chain's time).
static void test_attention_rope() {
  struct Cfg { int qh, kvh; bool bias; int splits; };
  const int D = 64, maxpos = 4096;
  const float sl2 = 1.f / std::sqrt((float)D) * 1.4426950408889634f;
  for (Cfg cfg : {Cfg{16, 2, false, 4}, Cfg{16, 2, true, 0}, Cfg{10, 2, true, 4}, Cfg{32, 8, false, 4}, Cfg{4, 2, true, 2}}) {
    const int group = cfg.qh / cfg.kvh, width = (cfg.qh + 2 * cfg.kvh) * D;
    const std::string tag = std::to_string(cfg.qh) + "q/" + std::to_string(cfg.kvh) + "kv" + (cfg.bias ? " bias" : "") +
                            " splits " + std::to_string(cfg.splits);
    Rng r(77 + cfg.qh + cfg.splits);
    const char *mix_names[5] = {"prompts 1..64", "prefixes + decodes", "short 1x10", "2x8", "1x8 + 8 decodes@512"};
    for (int mix = 0; mix < 5; mix++) {
      if (mix >= 3 && !(cfg.qh == 16 && cfg.splits == 4)) continue;  // the timed mixes: ERNIE's shape only
      std::vector<SeqSpec> seqs;
      if (mix == 0) {
        seqs = {{0, 64, 1}, {0, 1, 2}};
        for (int s = 0; s < 4; s++) seqs.push_back({0, r.range(2, 63), (uint32_t)(3 + s)});
      } else if (mix == 1) {
        seqs = {{511, 1, 11}, {2047, 1, 12}, {64, 1, 13}, {63, 64, 14}};
        for (int s = 0; s < 4; s++) seqs.push_back({r.range(1, 300), r.range(1, 40), (uint32_t)(15 + s)});
      } else if (mix == 2) {
        seqs = {{0, 10, 21}};
      } else if (mix == 3) {
        seqs = {{0, 8, 22}, {0, 8, 23}};
      } else {
        seqs = {{0, 8, 24}};
        for (int s = 0; s < 8; s++) seqs.push_back({511, 1, (uint32_t)(25 + s)});
      }
      const int ns = (int)seqs.size();
      // caches: NaN everywhere, the cached prefixes written; the new tokens' slots are rope's to write
      const AttnBatch b = attn_batch(seqs, cfg.kvh, D, group, r, 3, false, 32, 7);
      const int T = b.qs[ns], cap = T + 3, maxpages = b.maxpages, nblocks = b.nblocks, grid = b.grid;
      const std::vector<uint16_t> &kc = b.kc, &vc = b.vc;
      std::vector<int32_t> pos(cap, 0), slots(cap, -1);  // the new tokens' positions and cache slots
      for (int s = 0; s < ns; s++)
        for (int j = seqs[s].prefix; j < b.kvl[s]; j++) {
          pos[b.qs[s] + j - seqs[s].prefix] = j;
          slots[b.qs[s] + j - seqs[s].prefix] = b.slot(s, j);
        }
      auto qkv = rand_bf16((size_t)cap * width, r, 2.f), bias = rand_bf16(width, r, 0.5f);
      auto pbits = rand_bf16((size_t)std::max(cfg.splits, 1) * cap * width, r, 1.f);
      std::vector<float> part(pbits.size());
      for (size_t i = 0; i < part.size(); i++) part[i] = h_bf2f(pbits[i]) * (1.f + (float)(i % 7) * 0.013f);
      std::vector<float> cs = rope_table(maxpos, D);
      Dev<uint16_t> qA(qkv), qB(qkv), kA(kc), vA(vc), kB(kc), vB(vc), dbias(bias), oA((size_t)T * cfg.qh * D), oB((size_t)T * cfg.qh * D);
      Dev<float> dpart(part), dcs(cs);
      Dev<int32_t> dqs(b.qs), dkvl(b.kvl), dbt(b.bt), dtb(b.tb), dtt(b.tt), dnb = dev_scalar(nblocks), dpos(pos), dslot(slots),
          dnt = dev_scalar(T);
      oA.poison(); oB.poison();
      auto rope_p = [&](Dev<uint16_t> &q, Dev<uint16_t> &k, Dev<uint16_t> &v) {
        return RopeKvParams{q.p, cfg.splits ? dpart.p : nullptr, cfg.splits, cap, cfg.bias ? dbias.p : nullptr, dcs.p, dpos.p, dslot.p,
                            k.p, v.p, dnt.p, cfg.qh, cfg.kvh, D, maxpos};
      };
      auto attn_p = [&](Dev<uint16_t> &q, Dev<uint16_t> &k, Dev<uint16_t> &v, Dev<uint16_t> &o) {
        return AttnParams{q.p, k.p, v.p, o.p, dqs.p, dkvl.p, dbt.p, dtb.p, dtt.p, dnb.p, width, cfg.qh, cfg.kvh, D, maxpages, sl2};
      };
      const RopeKvParams rA = rope_p(qA, kA, vA);
      const AttnParams aA = attn_p(qA, kA, vA, oA);
      const AttnRopeParams fB{attn_p(qB, kB, vB, oB), rope_p(qB, kB, vB)};
      auto pair = [&] {
        rope_kv_write<<<dim3(T, 2), 256>>>(rA);
        attention_prefill_wg_early_t32<<<dim3(grid, cfg.kvh), PREFILL_ATTN_KH_THREADS, PREFILL_ATTN_WG_SMEM>>>(aA);
      };
      auto fused = [&] {
        attention_prefill_wg_early_t32_rope<<<dim3(grid, cfg.kvh), PREFILL_ATTN_KH_THREADS, PREFILL_ATTN_WG_SMEM>>>(fB);
      };
      pair();
      fused();
      CK(cudaGetLastError());
      CK(cudaDeviceSynchronize());
      const auto outA = oA.down(), outB = oB.down(), kcA = kA.down(), kcB = kB.down(), vcA = vA.down(), vcB = vB.down();
      long bad = 0, nan = 0;
      for (size_t i = 0; i < outA.size(); i++) { bad += outA[i] != outB[i]; nan += std::isnan(h_bf2f(outB[i])); }
      for (size_t i = 0; i < kcA.size(); i++) bad += (kcA[i] != kcB[i]) + (vcA[i] != vcB[i]);
      const bool untouched = qB.down() == qkv;  // the fused kernel writes no rotated values back
      oB.poison();
      fused();
      CK(cudaDeviceSynchronize());
      const bool again = oB.down() == outB;
      record_bool(std::string("attention rope ") + tag + " " + mix_names[mix] + " == rope_kv_write + t32 (out, K / V caches)",
                  bad == 0 && nan == 0 && untouched && again, bad + nan + !untouched + !again, (long)(outA.size() + 2 * kcA.size()));
      if (mix >= 2) {
        const double up = time_us([&](int) { pair(); }), uf = time_us([&](int) { fused(); });
        g_rows.push_back({std::string("attention rope ") + tag + " perf " + mix_names[mix], true, 0, 0, 0, uf,
                          fmt("rope_kv_write + t32 %.2f us", up)});
        printf("attention rope %s perf %s: fused %.2f us, rope_kv_write + t32 %.2f us\n", tag.c_str(), mix_names[mix], uf, up);
      }
    }
  }
}

// ---------------------------------------------------------------- attention: decode and short tiles
// Tiles of <= 32 rows take the split path (S warps split the keys, fixed-order combine). Checked vs the
// CPU reference for query lengths 1..6 on kv lengths around page edges and long prefixes, mixed with
// prompts whose last tile is short, for groups 8 and 5 at head dims 64 and 128; then bitwise checks and
// the timings of issue 11/12 (new vs attention_v0, KV cache cold in L2).
static void test_attention_decode() {
  struct Cfg { int qh, kvh, D; };
  for (Cfg cfg : {Cfg{16, 2, 64}, Cfg{10, 2, 64}, Cfg{16, 2, 128}, Cfg{20, 4, 128}}) {
    const int group = cfg.qh / cfg.kvh, rowlen = cfg.qh * cfg.D;
    std::string tag = std::to_string(cfg.qh) + "q/" + std::to_string(cfg.kvh) + "kv D" + std::to_string(cfg.D);
    std::vector<SeqSpec> seqs;
    uint32_t cid = 7000;
    for (int q = 1; q <= 4; q++)
      for (int kv : {1, 63, 64, 65, 2048, 4000})
        if (q <= kv) seqs.push_back({kv - q, q, cid++});
    // q 5, 6: 25..48 rows (split with S = 2 for group 5, full path with idle warps for group 8);
    // prompts whose last tile has 8..32 rows; a long fresh prompt.
    seqs.push_back({130, 5, cid++});
    seqs.push_back({700, 6, cid++});
    seqs.push_back({1000, 66, cid++});
    seqs.push_back({37, 260, cid++});
    seqs.push_back({0, 300, cid++});
    Rng r(900 + cfg.D + group);
    for (int i = (int)seqs.size() - 1; i > 0; i--) std::swap(seqs[i], seqs[r.range(0, i)]);
    AttnOut v = run_attention(seqs, cfg.qh, cfg.kvh, cfg.D, 41, 13, true, "attention " + tag + " decode mix vs CPU", false);
    // Same inputs again: a race would show as a difference.
    AttnOut v2 = run_attention(seqs, cfg.qh, cfg.kvh, cfg.D, 41, 0, false, "", false);
    const bool again = v.out == v2.out;
    record_bool("attention " + tag + " bitwise: decode mix twice, surplus grid", again, !again, 1);
    if (cfg.D == 64) {  // the wg early form (its prefix prefetch and lookup before the wait) == the wg form, bit for bit
      g_attn_form = 2;
      AttnOut w2 = run_attention(seqs, cfg.qh, cfg.kvh, cfg.D, 41, 13, false, "", false);
      g_attn_form = 3;
      AttnOut w3 = run_attention(seqs, cfg.qh, cfg.kvh, cfg.D, 41, 13, true, "attention " + tag + " wg-early decode mix vs CPU", false);
      // the hybrid form: this mix's decodes over 2048 and 4000 cached tokens take its late branch, the rest its early one
      g_attn_form = 4;
      AttnOut w4 = run_attention(seqs, cfg.qh, cfg.kvh, cfg.D, 41, 13, true, "attention " + tag + " wg-early-lp decode mix vs CPU", false);
      // the t32 form over the same mix (its prompts in 32-row tiles): the float64 reference, and run twice
      g_attn_form = 5;
      AttnOut w5 = run_attention(seqs, cfg.qh, cfg.kvh, cfg.D, 41, 13, true, "attention " + tag + " wg-early-t32 decode mix vs CPU", false);
      AttnOut w5b = run_attention(seqs, cfg.qh, cfg.kvh, cfg.D, 41, 0, false, "", false);
      record_bool("attention " + tag + " bitwise: wg-early-t32 decode mix twice, surplus grid", w5.out == w5b.out, w5.out != w5b.out, 1);
      // the q4 form (4 key parts) over the same mix: the float64 reference, run twice, and its split-path tiles' bits
      g_attn_form = 6;
      AttnOut w6 = run_attention(seqs, cfg.qh, cfg.kvh, cfg.D, 41, 13, true, "attention " + tag + " wg-early-q4 decode mix vs CPU", false);
      AttnOut w6b = run_attention(seqs, cfg.qh, cfg.kvh, cfg.D, 41, 0, false, "", false);
      record_bool("attention " + tag + " bitwise: wg-early-q4 decode mix twice, surplus grid", w6.out == w6b.out, w6.out != w6b.out, 1);
      // the TMA form (v93): the float64 reference and the wg form's bits
      g_attn_form = 7;
      AttnOut w7 = run_attention(seqs, cfg.qh, cfg.kvh, cfg.D, 41, 13, true, "attention " + tag + " wg-early-tma decode mix vs CPU", false);
      record_bool("attention " + tag + " bitwise: wg-early-tma == wg (decode mix, surplus grid)", w2.out == w7.out, w2.out != w7.out, 1);
      g_attn_form = 0;
      record_bool("attention " + tag + " bitwise: wg-early == wg (decode mix, surplus grid)", w2.out == w3.out, w2.out != w3.out, 1);
      record_bool("attention " + tag + " bitwise: wg-early-lp == wg (decode mix, surplus grid)", w2.out == w4.out, w2.out != w4.out, 1);
    }
    // A decode row and an S = 2 tile depend on their own sequence only: alone == in the mix.
    bool alone = true;
    for (int s = 0; s < (int)seqs.size(); s++) {
      if (seqs[s].qlen * group > 32 || seqs[s].prefix + seqs[s].qlen < 2000) continue;
      AttnOut one = run_attention({seqs[s]}, cfg.qh, cfg.kvh, cfg.D, 43 + s, 0, false, "", false);
      alone = alone && rows_equal(one, 0, 0, v, s, 0, seqs[s].qlen, rowlen);
    }
    record_bool("attention " + tag + " bitwise: decode alone == in the mix", alone, !alone, 1);
  }
#ifndef PREFILL_CHECK_NO_TIMING
  // Timings (cold KV): 31 decodes on 2048-token prefixes (the 1x80+31d@2048 step's attention without the
  // prompt), 64 decodes on 1024, and the 480-token prompt of issue 11.
  for (Cfg cfg : {Cfg{16, 2, 64}, Cfg{20, 4, 128}}) {
    std::string tag = std::to_string(cfg.qh) + "q/" + std::to_string(cfg.kvh) + "kv D" + std::to_string(cfg.D);
    struct Case { const char *name; int n, prefix, qlen; };
    // every form the engine can pick (the 4-warp form, kh, and at head dim 64 wg): the wg form's decode steps were
    // 9-29 % slower in the forward (kernels/NOTES-forward.md v31) though their split path is the same code
    for (Case cs : {Case{"31x(1@2048)", 31, 2047, 1}, Case{"64x(1@1024)", 64, 1023, 1}, Case{"32x(1@4000)", 32, 3999, 1},
                    Case{"1x480 causal", 1, 0, 480}}) {
      std::vector<SeqSpec> seqs;
      for (int s = 0; s < cs.n; s++) seqs.push_back({cs.prefix, cs.qlen, (uint32_t)(800 + s)});
      AttnOut od = run_attention(seqs, cfg.qh, cfg.kvh, cfg.D, 51, 0, false, "", true, true, 4);
      const double kv_bytes = (double)cs.n * (cs.prefix + cs.qlen) * cfg.kvh * cfg.D * 2 * 2;
      for (int form : {0, 1, 2, 3, 5, 6}) {
        if (form >= 2 && cfg.D != 64) continue;
        g_attn_form = form;
        AttnOut nw = run_attention(seqs, cfg.qh, cfg.kvh, cfg.D, 51, 0, false, "", true, false, 4);
        std::string name = "attention " + tag + attn_form_suffix(form) + " perf " + cs.name + " cold";
        std::string perf = fmt("v0 %.2f us", od.us) + fmt(" (x%.2f)", od.us / nw.us) + fmt(", KV %.0f GB/s", kv_bytes / nw.us / 1e3);
        g_rows.push_back({name, true, 0, 0, 0, nw.us, perf});
        printf("%-52s %9.2f us  %s\n", name.c_str(), nw.us, perf.c_str());
      }
    }
    g_attn_form = 0;
  }
#endif
}

// ================================================================ gemm
#ifndef NO_CUBLAS
static cublasHandle_t g_cublas;
#endif

struct GemmRun {
  int m, n, k, splits;
  Dev<int32_t> mdev;
};
static void launch_gemm(const GemmParams &p, int mcap, int splits, cudaStream_t st = 0, void (*kern)(GemmParams) = gemm_bf16) {
  dim3 grid(p.n / PREFILL_GEMM_BN, (mcap + PREFILL_GEMM_BM - 1) / PREFILL_GEMM_BM, splits);
  kern<<<grid, PREFILL_GEMM_THREADS, 0, st>>>(p);
  if (splits > 1) {
    SplitKReduceParams rp{p.partial, p.c, p.m_dev, p.m, p.n, p.ldc, splits};
    splitk_reduce<<<mcap, 256, 0, st>>>(rp);
  }
}

// Any kernel, one param struct, optionally with programmatic stream serialization (PDL).
template <class P>
static void launch_ex(void (*kern)(P), dim3 grid, dim3 block, size_t smem, cudaStream_t st, bool pdl, const P &p, int cluster = 1) {
  cudaLaunchConfig_t cfg = {};
  cfg.gridDim = grid; cfg.blockDim = block; cfg.dynamicSmemBytes = smem; cfg.stream = st;
  cudaLaunchAttribute at[2];
  int n = 0;
  if (pdl) {
    at[n].id = cudaLaunchAttributeProgrammaticStreamSerialization;
    at[n++].val.programmaticStreamSerializationAllowed = 1;
  }
  if (cluster > 1) {  // thread-block clusters of `cluster` blocks along x
    at[n].id = cudaLaunchAttributeClusterDimension;
    at[n].val.clusterDim.x = cluster; at[n].val.clusterDim.y = 1; at[n++].val.clusterDim.z = 1;
  }
  cfg.attrs = n > 0 ? at : nullptr;
  cfg.numAttrs = n;
  CK(cudaLaunchKernelEx(&cfg, kern, p));
}
// A streaming GEMM with its split-K reduced in a cluster (gemm_bf16_stream_mXX_csum): grid (n / BN, 1, splits), cluster
// (1, 1, splits), PDL optional; splits > 8 needs the non-portable cluster size (set in main).
static void launch_stream_csum(const GemmParams &p, int mcap, dim3 grid, cudaStream_t st, bool pdl) {
  cudaLaunchConfig_t cfg = {};
  cfg.gridDim = grid; cfg.blockDim = dim3(PREFILL_GEMM_STREAM_THREADS); cfg.stream = st;
  cfg.dynamicSmemBytes = mcap <= 16 ? PREFILL_GEMM_STREAM_SMEM_M16 : mcap <= 32 ? PREFILL_GEMM_STREAM_SMEM_M32 : PREFILL_GEMM_STREAM_SMEM_M64;
  cudaLaunchAttribute at[2];
  int n = 0;
  if (pdl) {
    at[n].id = cudaLaunchAttributeProgrammaticStreamSerialization;
    at[n++].val.programmaticStreamSerializationAllowed = 1;
  }
  at[n].id = cudaLaunchAttributeClusterDimension;
  at[n].val.clusterDim.x = 1; at[n].val.clusterDim.y = 1; at[n++].val.clusterDim.z = grid.z;
  cfg.attrs = at;
  cfg.numAttrs = n;
  void (*k)(GemmParams) = mcap <= 16 ? gemm_bf16_stream_m16_csum : mcap <= 32 ? gemm_bf16_stream_m32_csum : gemm_bf16_stream_m64_csum;
  CK(cudaLaunchKernelEx(&cfg, k, p));
}
// GEMM alone (large = gemm_bf16_large), plus splitk_reduce into p.c when reduce && splits > 1.
static void launch_gemm2(const GemmParams &p, int mcap, bool large, int splits, cudaStream_t st = 0, bool pdl = false,
                         bool reduce = true) {
  if (large)
    launch_ex(gemm_bf16_large, dim3((p.n + PREFILL_GEMM_LARGE_BN - 1) / PREFILL_GEMM_LARGE_BN,
                                    (mcap + PREFILL_GEMM_LARGE_BM - 1) / PREFILL_GEMM_LARGE_BM, splits),
              dim3(PREFILL_GEMM_LARGE_THREADS), PREFILL_GEMM_LARGE_SMEM, st, pdl, p);
  else
    launch_ex(gemm_bf16, dim3((p.n + PREFILL_GEMM_BN - 1) / PREFILL_GEMM_BN, (mcap + PREFILL_GEMM_BM - 1) / PREFILL_GEMM_BM, splits),
              dim3(PREFILL_GEMM_THREADS), 0, st, pdl, p);
  if (reduce && splits > 1) {
    SplitKReduceParams rp{p.partial, p.c, p.m_dev, p.m, p.n, p.ldc, splits};
    launch_ex(splitk_reduce, dim3(mcap), dim3(256), 0, st, pdl, rp);
  }
}

// gemm_bf16_silu / gemm_bf16_large_silu (one split, c = [m, n / 2] bf16).
// The weight-streaming GEMM for row capacity mcap (<= 64: variant m16 / m32 / m64), plain or with the SiLU epilogue.
static void launch_stream(const GemmParams &p, int mcap, int splits, bool silu, cudaStream_t st = 0, bool pdl = false) {
  const dim3 grid((p.n + PREFILL_GEMM_STREAM_BN - 1) / PREFILL_GEMM_STREAM_BN, 1, splits), block(PREFILL_GEMM_STREAM_THREADS);
  if (mcap <= 16) launch_ex(silu ? gemm_bf16_stream_m16_silu : gemm_bf16_stream_m16, grid, block, PREFILL_GEMM_STREAM_SMEM_M16, st, pdl, p);
  else if (mcap <= 32) launch_ex(silu ? gemm_bf16_stream_m32_silu : gemm_bf16_stream_m32, grid, block, PREFILL_GEMM_STREAM_SMEM_M32, st, pdl, p);
  else launch_ex(silu ? gemm_bf16_stream_m64_silu : gemm_bf16_stream_m64, grid, block, PREFILL_GEMM_STREAM_SMEM_M64, st, pdl, p);
}
// The half-width streaming GEMM (gemm_bf16_stream_mXX_n32): grid (n / 32, 1, splits).
static void launch_stream_n32(const GemmParams &p, int mcap, int splits, cudaStream_t st = 0, bool pdl = false) {
  const dim3 grid((p.n + PREFILL_GEMM_STREAM_N32_BN - 1) / PREFILL_GEMM_STREAM_N32_BN, 1, splits), block(PREFILL_GEMM_STREAM_THREADS);
  if (mcap <= 16) launch_ex(gemm_bf16_stream_m16_n32, grid, block, PREFILL_GEMM_STREAM_N32_SMEM_M16, st, pdl, p);
  else if (mcap <= 32) launch_ex(gemm_bf16_stream_m32_n32, grid, block, PREFILL_GEMM_STREAM_N32_SMEM_M32, st, pdl, p);
  else launch_ex(gemm_bf16_stream_m64_n32, grid, block, PREFILL_GEMM_STREAM_N32_SMEM_M64, st, pdl, p);
}
// The half-width streaming GEMM with the SiLU * up epilogue (gemm_bf16_stream_mXX_n32_silu, never split): grid (n / 32, 1, 1).
static void launch_stream_n32_silu(const GemmParams &p, int mcap, cudaStream_t st = 0, bool pdl = false) {
  const dim3 grid((p.n + PREFILL_GEMM_STREAM_N32_BN - 1) / PREFILL_GEMM_STREAM_N32_BN, 1, 1), block(PREFILL_GEMM_STREAM_THREADS);
  if (mcap <= 16) launch_ex(gemm_bf16_stream_m16_n32_silu, grid, block, PREFILL_GEMM_STREAM_N32_SMEM_M16, st, pdl, p);
  else if (mcap <= 32) launch_ex(gemm_bf16_stream_m32_n32_silu, grid, block, PREFILL_GEMM_STREAM_N32_SMEM_M32, st, pdl, p);
  else launch_ex(gemm_bf16_stream_m64_n32_silu, grid, block, PREFILL_GEMM_STREAM_N32_SMEM_M64, st, pdl, p);
}
// The 16-column streaming GEMM (v75; capacity 16 only): grid (n / 16, 1, splits).
static void launch_stream_n16(const GemmParams &p, int splits, cudaStream_t st = 0, bool pdl = false) {
  launch_ex(gemm_bf16_stream_m16_n16, dim3((p.n + PREFILL_GEMM_STREAM_N16_BN - 1) / PREFILL_GEMM_STREAM_N16_BN, 1, splits),
            dim3(PREFILL_GEMM_STREAM_THREADS), PREFILL_GEMM_STREAM_N16_SMEM_M16, st, pdl, p);
}
// The streaming qkv GEMM with the rope_kv_write epilogue (split-K fixup; grid (n / 64, 1, splits)).
// direct: the unsplit _rope1 form (splits must be 1). n32: the half-width form (v65; grid (n / 32, 1, splits)).
// n32 == 2: the 16-column pair form (v75, gemm_bf16_stream_m16_n16_rope1; capacity 16, unsplit; grid (n / 16, 1, 1)).
static void launch_stream_rope(const GemmRopeParams &p, int mcap, int splits, cudaStream_t st = 0, bool pdl = false, bool direct = false,
                               int n32 = 0) {
  if (n32 == 2) {
    launch_ex(gemm_bf16_stream_m16_n16_rope1, dim3(p.gemm.n / PREFILL_GEMM_STREAM_N16_BN, 1, splits), dim3(PREFILL_GEMM_STREAM_THREADS),
              PREFILL_GEMM_STREAM_N16_SMEM_M16, st, pdl, p);
    return;
  }
  if (n32) {
    const dim3 grid(p.gemm.n / PREFILL_GEMM_STREAM_N32_BN, 1, splits), block(PREFILL_GEMM_STREAM_THREADS);
    if (mcap <= 16) launch_ex(gemm_bf16_stream_m16_n32_rope, grid, block, PREFILL_GEMM_STREAM_N32_SMEM_M16, st, pdl, p);
    else if (mcap <= 32) launch_ex(gemm_bf16_stream_m32_n32_rope, grid, block, PREFILL_GEMM_STREAM_N32_SMEM_M32, st, pdl, p);
    else launch_ex(gemm_bf16_stream_m64_n32_rope, grid, block, PREFILL_GEMM_STREAM_N32_SMEM_M64, st, pdl, p);
    return;
  }
  const dim3 grid((p.gemm.n + PREFILL_GEMM_STREAM_BN - 1) / PREFILL_GEMM_STREAM_BN, 1, splits), block(PREFILL_GEMM_STREAM_THREADS);
  if (mcap <= 16) launch_ex(direct ? gemm_bf16_stream_m16_rope1 : gemm_bf16_stream_m16_rope, grid, block, PREFILL_GEMM_STREAM_SMEM_M16, st, pdl, p);
  else if (mcap <= 32) launch_ex(direct ? gemm_bf16_stream_m32_rope1 : gemm_bf16_stream_m32_rope, grid, block, PREFILL_GEMM_STREAM_SMEM_M32, st, pdl, p);
  else launch_ex(direct ? gemm_bf16_stream_m64_rope1 : gemm_bf16_stream_m64_rope, grid, block, PREFILL_GEMM_STREAM_SMEM_M64, st, pdl, p);
}
static void launch_gemm_silu(const GemmParams &p, int mcap, bool large, cudaStream_t st = 0, bool pdl = false) {
  if (large)
    launch_ex(gemm_bf16_large_silu, dim3((p.n + PREFILL_GEMM_LARGE_BN - 1) / PREFILL_GEMM_LARGE_BN,
                                         (mcap + PREFILL_GEMM_LARGE_BM - 1) / PREFILL_GEMM_LARGE_BM, 1),
              dim3(PREFILL_GEMM_LARGE_THREADS), PREFILL_GEMM_LARGE_SMEM, st, pdl, p);
  else
    launch_ex(gemm_bf16_silu, dim3((p.n + PREFILL_GEMM_BN - 1) / PREFILL_GEMM_BN, (mcap + PREFILL_GEMM_BM - 1) / PREFILL_GEMM_BM, 1),
              dim3(PREFILL_GEMM_THREADS), 0, st, pdl, p);
}

static void test_gemm() {
  struct Shape { int n, k; };
  const Shape shapes[5] = {{1280, 1024}, {1024, 1024}, {6144, 1024}, {1024, 3072}, {896, 512}};  // 896: n % 128 != 0
  const int ms[6] = {1, 10, 16, 100, 480, 512};
  const int MMAX = 512;
  Rng r(9);
  for (auto sh : shapes) {
    const int n = sh.n, k = sh.k;
    auto A = rand_bf16((size_t)MMAX * k, r), B = rand_bf16((size_t)n * k, r);
    Dev<uint16_t> dA(A);
    // Weight pool for L2-cold timing: rotate over copies totalling >= 256 MB.
    const size_t wbytes = (size_t)n * k * 2;
    const int ncopies = (int)std::max<size_t>(2, (256ull << 20) / wbytes + 1);
    Dev<uint16_t> dBpool((size_t)ncopies * n * k);
    for (int i = 0; i < ncopies; i++) CK(cudaMemcpy(dBpool.p + (size_t)i * n * k, B.data(), wbytes, cudaMemcpyHostToDevice));
    Dev<uint16_t> dC((size_t)MMAX * n);
    Dev<float> dP((size_t)16 * MMAX * n);
    // CPU reference rows: all rows for small m, sampled rows otherwise (full columns).
    auto ref_row = [&](int row, std::vector<double> &out) {
      out.assign(n, 0);
      for (int c = 0; c < n; c++) {
        double acc = 0;
        const uint16_t *a = &A[(size_t)row * k], *b = &B[(size_t)c * k];
        for (int i = 0; i < k; i++) acc += (double)h_bf2f(a[i]) * h_bf2f(b[i]);
        out[c] = acc;
      }
    };
    std::vector<int> sample_rows;
    for (int i = 0; i < 16; i++) sample_rows.push_back(i);
    for (int i : {63, 64, 99, 127, 128, 200, 255, 300, 383, 400, 447, 479, 480, 500, 511}) sample_rows.push_back(i);
    std::vector<std::vector<double>> ref(MMAX);
    parallel_for((int)sample_rows.size(), [&](int i) { ref_row(sample_rows[i], ref[sample_rows[i]]); });

    for (int splits : {1, 4}) {
      std::vector<uint16_t> full512;
      std::vector<std::vector<uint16_t>> outs;
      for (int mi = 5; mi >= 0; mi--) {
        const int m = ms[mi];
        Dev<int32_t> dm = dev_scalar(m);
        GemmParams p{dA.p, dBpool.p, dC.p, dP.p, dm.p, m, n, k, k, k, n, splits};
        dC.poison(); dP.poison();
        launch_gemm(p, m, splits);
        CK(cudaGetLastError());
        auto out = dC.down();
        // validate sampled rows < m
        std::vector<int> rows;
        for (int s : sample_rows) if (s < m) rows.push_back(s);
        Cmp c = compare("gemm", (long)rows.size() * n, [&](long i) { return h_bf2f(out[(size_t)rows[i / n] * n + i % n]); },
                        [&](long i) { return ref[rows[i / n]][i % n]; }, 1e-2, 8e-3);
        long bad = 0, nanc = 0;
        for (size_t i = 0; i < (size_t)m * n; i++) nanc += std::isnan(h_bf2f(out[i]));
        for (size_t i = (size_t)m * n; i < out.size(); i++) bad += out[i] != 0xFFFF;
        if (mi == 5) full512 = out;
        else if (memcmp(out.data(), full512.data(), (size_t)m * n * 2) != 0) { bad++; printf("    rows of m=%d differ bitwise from m=512 rows\n", m); }
        if (bad || nanc) { c.ok = false; c.fails += bad + nanc; printf("    gemm m=%d: %ld untouched/bitwise violations, %ld NaN\n", m, bad, nanc); }
        // timing: ours (L2-cold weights) vs cuBLAS
        double us = time_us([&](int it) {
          GemmParams q = p; q.b = dBpool.p + (size_t)(it % ncopies) * n * k;
          launch_gemm(q, m, splits);
        });
        double flops = 2.0 * m * n * k;
        std::string perf = fmt("%.1f TFLOP/s", flops / us / 1e6) + fmt(" %.0f GB/s(w)", wbytes / us / 1e3);
#ifndef NO_CUBLAS
        if (splits == 1) {
          float alpha = 1.f, beta = 0.f;
          double cu = time_us([&](int it) {
            const uint16_t *b = dBpool.p + (size_t)(it % ncopies) * n * k;
            cublasGemmEx(g_cublas, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &alpha, b, CUDA_R_16BF, k, dA.p, CUDA_R_16BF, k, &beta, dC.p,
                         CUDA_R_16BF, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
          });
          perf += fmt(" | cuBLAS %.2f us", cu) + fmt(" (ours/cuBLAS eff %.0f%%)", 100.0 * cu / us);
        }
#endif
        record("gemm n" + std::to_string(n) + " k" + std::to_string(k) + " m" + std::to_string(m) + " splits" + std::to_string(splits), c, us, perf);
      }
    }
    // m_dev bit-exactness: grid for m = 128, m_dev = 100 vs m = 100 (same splits).
    for (int splits : {1, 4}) {
      Dev<int32_t> d100 = dev_scalar(100);
      GemmParams p1{dA.p, dBpool.p, dC.p, dP.p, d100.p, 128, n, k, k, k, n, splits};
      dC.poison(); dP.poison();
      launch_gemm(p1, 128, splits);
      auto o1 = dC.down();
      GemmParams p2{dA.p, dBpool.p, dC.p, dP.p, d100.p, 100, n, k, k, k, n, splits};
      dC.poison(); dP.poison();
      launch_gemm(p2, 100, splits);
      auto o2 = dC.down();
      bool eq = memcmp(o1.data(), o2.data(), (size_t)100 * n * 2) == 0;
      long untouched = 0;
      for (size_t i = (size_t)100 * n; i < o1.size(); i++) untouched += o1[i] != 0xFFFF;
      record_bool("gemm n" + std::to_string(n) + " k" + std::to_string(k) + " bitwise m_dev=100/grid128 splits" + std::to_string(splits),
                  eq && untouched == 0, (!eq) + untouched, 1);
    }
    // gemm_bf16_large: reference, bitwise == gemm_bf16 (same splits), rows independent of m.
    for (int splits : {1, 2, 4}) {
      std::vector<uint16_t> full512;
      for (int mi = 5; mi >= 0; mi--) {
        const int m = ms[mi];
        Dev<int32_t> dm = dev_scalar(m);
        GemmParams p{dA.p, dBpool.p, dC.p, dP.p, dm.p, m, n, k, k, k, n, splits};
        dC.poison(); dP.poison();
        launch_gemm2(p, m, false, splits);
        auto small = dC.down();
        dC.poison(); dP.poison();
        launch_gemm2(p, m, true, splits);
        CK(cudaGetLastError());
        auto out = dC.down();
        std::vector<int> rows;
        for (int s : sample_rows) if (s < m) rows.push_back(s);
        Cmp c = compare("gemm_large", (long)rows.size() * n, [&](long i) { return h_bf2f(out[(size_t)rows[i / n] * n + i % n]); },
                        [&](long i) { return ref[rows[i / n]][i % n]; }, 1e-2, 8e-3);
        long bad = 0, nanc = 0;
        for (size_t i = 0; i < (size_t)m * n; i++) nanc += std::isnan(h_bf2f(out[i]));
        for (size_t i = (size_t)m * n; i < out.size(); i++) bad += out[i] != 0xFFFF;
        if (memcmp(out.data(), small.data(), (size_t)m * n * 2) != 0) { bad++; printf("    large m=%d differs bitwise from gemm_bf16\n", m); }
        if (mi == 5) full512 = out;
        else if (memcmp(out.data(), full512.data(), (size_t)m * n * 2) != 0) { bad++; printf("    large rows of m=%d differ bitwise from m=512 rows\n", m); }
        if (bad || nanc) { c.ok = false; c.fails += bad + nanc; printf("    gemm_large m=%d: %ld untouched/bitwise violations, %ld NaN\n", m, bad, nanc); }
        double us = 0;
        std::string perf;
        if (m >= 100) {
          us = time_us([&](int it) {
            GemmParams q = p; q.b = dBpool.p + (size_t)(it % ncopies) * n * k;
            launch_gemm2(q, m, true, splits, 0, false, false);
          });
          perf = fmt("%.1f TFLOP/s (gemm only)", 2.0 * m * n * k / us / 1e6);
        }
        record("gemm_large n" + std::to_string(n) + " k" + std::to_string(k) + " m" + std::to_string(m) + " splits" + std::to_string(splits) + " ==gemm_bf16", c, us, perf);
      }
    }
    for (int splits : {1, 4}) {
      Dev<int32_t> d100 = dev_scalar(100), d512 = dev_scalar(512);
      GemmParams p1{dA.p, dBpool.p, dC.p, dP.p, d100.p, 128, n, k, k, k, n, splits};
      dC.poison(); dP.poison();
      launch_gemm2(p1, 128, true, splits);
      auto o1 = dC.down();
      GemmParams p2{dA.p, dBpool.p, dC.p, dP.p, d512.p, 512, n, k, k, k, n, splits};
      dC.poison(); dP.poison();
      launch_gemm2(p2, 512, true, splits);
      auto o2 = dC.down();
      bool eq = memcmp(o1.data(), o2.data(), (size_t)100 * n * 2) == 0;
      long untouched = 0;
      for (size_t i = (size_t)100 * n; i < o1.size(); i++) untouched += o1[i] != 0xFFFF;
      record_bool("gemm_large n" + std::to_string(n) + " k" + std::to_string(k) + " bitwise m_dev=100/grid128 == m512 splits" + std::to_string(splits),
                  eq && untouched == 0, (!eq) + untouched, 1);
    }
    // Small-m split sweep (weight bandwidth) and pipeline-depth variants at m = 512.
    for (int m : {1, 16}) {
      Dev<int32_t> dm = dev_scalar(m);
      std::string line = "  split sweep n" + std::to_string(n) + " k" + std::to_string(k) + " m" + std::to_string(m) + ":";
      double best = 1e30; int bests = 1;
      for (int s : {1, 2, 4, 8, 16}) {
        if (k % (s * PREFILL_GEMM_BK) != 0) continue;
        GemmParams p{dA.p, dBpool.p, dC.p, dP.p, dm.p, m, n, k, k, k, n, s};
        double us = time_us([&](int it) { GemmParams q = p; q.b = dBpool.p + (size_t)(it % ncopies) * n * k; launch_gemm(q, m, s); });
        line += fmt(" s%.0f:", s) + fmt("%.2fus/", us) + fmt("%.0fGB/s", wbytes / us / 1e3);
        if (us < best) { best = us; bests = s; }
      }
      printf("%s\n", line.c_str());
      g_rows.push_back({"gemm n" + std::to_string(n) + " k" + std::to_string(k) + " m" + std::to_string(m) + " best split " + std::to_string(bests), true, 0, 0, 0, best,
                        fmt("%.0f GB/s weights", wbytes / best / 1e3)});
    }
  }
}

// ================================================================ silu / argmax
static void test_silu() {
  Rng r(6);
  const int cap = 300, nt = 211;
  for (int ffn : {2816, 1001}) {
    auto gu = rand_bf16((size_t)cap * 2 * ffn, r, 4.f);
    Dev<uint16_t> dgu(gu), dout((size_t)cap * ffn);
    Dev<int32_t> dn = dev_scalar(nt);
    SiluMulParams p{dgu.p, nullptr, 0, 0, dout.p, dn.p, ffn};
    dout.poison();
    silu_mul<<<264, 256>>>(p);
    CK(cudaGetLastError());
    auto out = dout.down();
    Cmp c = compare("silu", (long)nt * ffn, [&](long i) { return h_bf2f(out[i]); }, [&](long i) {
      long t = i / ffn, j = i % ffn;
      double g = h_bf2f(gu[(size_t)t * 2 * ffn + j]), u = h_bf2f(gu[(size_t)t * 2 * ffn + ffn + j]);
      return g / (1 + std::exp(-g)) * u; }, 1e-3, 1.0 / 128);
    long bad = 0;
    for (size_t i = (size_t)nt * ffn; i < out.size(); i++) bad += out[i] != 0xFFFF;
    if (bad) { c.ok = false; c.fails += bad; }
    double us = time_us([&](int) { silu_mul<<<264, 256>>>(p); });
    record("silu_mul ffn " + std::to_string(ffn), c, us, fmt("%.0f GB/s", (double)nt * ffn * 6 / us / 1e3));
  }
}

static void test_argmax() {
  Rng r(7);
  const int cap = 40, ns = 33;
  for (int vocab : {151936, 32001}) {
    auto lg = rand_bf16((size_t)cap * vocab, r, 8.f);
    std::vector<int32_t> ref(ns);
    for (int s = 0; s < ns; s++) {
      uint16_t *row = &lg[(size_t)s * vocab];
      if (s % 3 == 0) {  // planted tie at two positions
        int a = r.range(0, vocab - 1), b = r.range(0, vocab - 1);
        row[a] = row[b] = h_f2bf(9.5f);
      }
      if (s == 1) for (int j = 0; j < vocab; j++) row[j] = h_f2bf(-3.f);  // all equal -> 0
      int best = 0;
      for (int j = 1; j < vocab; j++) if (h_bf2f(row[j]) > h_bf2f(row[best])) best = j;
      ref[s] = best;
    }
    Dev<uint16_t> dl(lg);
    Dev<int32_t> dout(cap), dn = dev_scalar(ns);
    ArgmaxParams p{dl.p, dout.p, dn.p, vocab};
    dout.poison();
    argmax_rows<<<cap, 512>>>(p);
    CK(cudaGetLastError());
    auto out = dout.down();
    long fails = 0;
    for (int s = 0; s < cap; s++) {
      int want = s < ns ? ref[s] : -1;
      if (out[s] != want) { if (fails < 5) printf("    argmax row %d: %d vs %d\n", s, out[s], want); fails++; }
    }
    double us = time_us([&](int) { argmax_rows<<<cap, 512>>>(p); });
    Cmp c{fails == 0, 0, fails, cap};
    record("argmax_rows vocab " + std::to_string(vocab), c, us, fmt("%.0f GB/s", (double)ns * vocab * 2 / us / 1e3));
  }
}

// ================================================================ fused split-K consumers
// fused consumer == splitk_reduce followed by the unfused consumer, bit for bit.
static std::vector<float> rand_f32(size_t n, Rng &r, float scale) {
  std::vector<float> v(n);
  for (auto &x : v) x = scale * r.sym();
  return v;
}
static void test_fused() {
  Rng r(11);
  const int cap = 300, nrows = 213;
  for (int splits : {2, 4, 8, 16}) {
    const std::string sp = " splits" + std::to_string(splits);
    // add_rmsnorm (and add_rmsnorm_256 at 2048: the same kernel body, its own block size in both runs)
    for (int hidden : {1024, 1001, 2048}) {
      const int threads = hidden == 2048 ? 256 : 128;
      auto part = rand_f32((size_t)splits * cap * hidden, r, 1.f);
      auto res = rand_bf16((size_t)cap * hidden, r, 2.f), w = rand_bf16(hidden, r, 0.5f, 1.f);
      Dev<float> dpart(part);
      Dev<uint16_t> dx((size_t)cap * hidden), dres(res), dw(w), dout((size_t)cap * hidden);
      Dev<int32_t> dn = dev_scalar(nrows);
      // unfused
      dx.poison(); dout.poison();
      SplitKReduceParams rp{dpart.p, dx.p, dn.p, cap, hidden, hidden, splits};
      splitk_reduce<<<cap, 256>>>(rp);
      AddRmsNormParams pu{dx.p, nullptr, 0, 0, dres.p, dw.p, dout.p, dn.p, hidden, 1e-6f};
      launch_norm(threads, cap, pu);
      CK(cudaGetLastError());
      auto out_u = dout.down(), res_u = dres.down();
      dres.up(res); dout.poison();
      AddRmsNormParams pf{nullptr, dpart.p, splits, cap, dres.p, dw.p, dout.p, dn.p, hidden, 1e-6f};
      launch_norm(threads, cap, pf);
      CK(cudaGetLastError());
      auto out_f = dout.down(), res_f = dres.down();
      bool eq = out_u == out_f && res_u == res_f;
      long nanc = 0;
      for (long i = 0; i < (long)nrows * hidden; i++) nanc += std::isnan(h_bf2f(out_f[i]));
      record_bool(std::string("fused ") + (threads == 256 ? "add_rmsnorm_256" : "add_rmsnorm") + " hidden " + std::to_string(hidden) + sp +
                      " == reduce+unfused", eq && !nanc, !eq + nanc, 1);
    }
    // final_norm_gather
    {
      const int scap = 40, ns = 33, hidden = 1024, tcap = 800;
      std::vector<int32_t> qs(scap + 1, 0);
      for (int s = 0; s < scap; s++) qs[s + 1] = qs[s] + r.range(1, 19);
      auto part = rand_f32((size_t)splits * tcap * hidden, r, 1.f);
      auto res = rand_bf16((size_t)tcap * hidden, r, 2.f), w = rand_bf16(hidden, r, 0.5f, 1.f);
      Dev<float> dpart(part);
      Dev<uint16_t> dx((size_t)tcap * hidden), dres(res), dw(w), dout((size_t)scap * hidden);
      Dev<int32_t> dqs(qs), dn = dev_scalar(ns), dt = dev_scalar(qs[ns]);
      dx.poison(); dout.poison();
      SplitKReduceParams rp{dpart.p, dx.p, dt.p, tcap, hidden, hidden, splits};
      splitk_reduce<<<tcap, 256>>>(rp);
      FinalNormGatherParams pu{dx.p, nullptr, 0, 0, dres.p, dw.p, dqs.p, dn.p, dout.p, hidden, 1e-6f};
      final_norm_gather<<<scap, 128>>>(pu);
      auto out_u = dout.down();
      dout.poison();
      FinalNormGatherParams pf{nullptr, dpart.p, splits, tcap, dres.p, dw.p, dqs.p, dn.p, dout.p, hidden, 1e-6f};
      final_norm_gather<<<scap, 128>>>(pf);
      CK(cudaGetLastError());
      auto out_f = dout.down();
      bool eq = out_u == out_f;
      long nanc = 0;
      for (long i = 0; i < (long)ns * hidden; i++) nanc += std::isnan(h_bf2f(out_f[i]));
      record_bool("fused final_norm_gather" + sp + " == reduce+unfused", eq && !nanc, !eq + nanc, 1);
    }
    // rope_kv_write
    struct Cfg { int qh, kvh, D; bool bias; };
    for (Cfg cfg : {Cfg{16, 2, 64, true}, Cfg{14, 2, 64, false}, Cfg{20, 4, 128, true}}) {
      const int nt = 173, maxpos = 4096, npages = 8;
      const int D = cfg.D, width = (cfg.qh + 2 * cfg.kvh) * D, nslots = npages * 64;
      auto part = rand_f32((size_t)splits * cap * width, r, 1.f);
      auto bias = rand_bf16(width, r, 0.5f);
      std::vector<float> cs = rope_table(maxpos, D);
      std::vector<int32_t> posv(cap), slots(cap);
      for (int t = 0; t < cap; t++) { posv[t] = r.range(0, maxpos - 1); slots[t] = (r.range(0, 9) == 0) ? -1 : (t % nslots); }
      Dev<float> dpart(part), dcs(cs);
      Dev<uint16_t> dqkv((size_t)cap * width), dbias(bias), dk((size_t)nslots * cfg.kvh * D), dv((size_t)nslots * cfg.kvh * D);
      Dev<int32_t> dpos(posv), dslot(slots), dn = dev_scalar(nt);
      std::vector<uint16_t> o[2][3];
      for (int fused = 0; fused < 2; fused++) {
        dqkv.poison(); dk.poison(); dv.poison();
        if (!fused) {
          SplitKReduceParams rp{dpart.p, dqkv.p, dn.p, cap, width, width, splits};
          splitk_reduce<<<cap, 256>>>(rp);
        }
        RopeKvParams p{dqkv.p, fused ? dpart.p : nullptr, fused ? splits : 0, cap, cfg.bias ? dbias.p : nullptr, dcs.p, dpos.p, dslot.p,
                       dk.p, dv.p, dn.p, cfg.qh, cfg.kvh, D, maxpos};
        rope_kv_write<<<cap, 256>>>(p);
        CK(cudaGetLastError());
        o[fused][0] = dqkv.down(); o[fused][1] = dk.down(); o[fused][2] = dv.down();
      }
      bool eq = o[0][0] == o[1][0] && o[0][1] == o[1][1] && o[0][2] == o[1][2];
      long nanc = 0;
      for (long i = 0; i < (long)nt * width; i++) nanc += std::isnan(h_bf2f(o[1][0][i]));
      record_bool("fused rope_kv_write " + std::to_string(cfg.qh) + "/" + std::to_string(cfg.kvh) + " D" + std::to_string(D) +
                      (cfg.bias ? " bias" : "") + sp + " == reduce+unfused", eq && !nanc, !eq + nanc, 1);
    }
    // silu_mul
    for (int ffn : {3072, 1001}) {
      const int nt = 211;
      auto part = rand_f32((size_t)splits * cap * 2 * ffn, r, 4.f);
      Dev<float> dpart(part);
      Dev<uint16_t> dgu((size_t)cap * 2 * ffn), dout((size_t)cap * ffn);
      Dev<int32_t> dn = dev_scalar(nt);
      dgu.poison(); dout.poison();
      SplitKReduceParams rp{dpart.p, dgu.p, dn.p, cap, 2 * ffn, 2 * ffn, splits};
      splitk_reduce<<<cap, 256>>>(rp);
      SiluMulParams pu{dgu.p, nullptr, 0, 0, dout.p, dn.p, ffn};
      silu_mul<<<264, 256>>>(pu);
      auto out_u = dout.down();
      dout.poison();
      SiluMulParams pf{nullptr, dpart.p, splits, cap, dout.p, dn.p, ffn};
      silu_mul<<<264, 256>>>(pf);
      CK(cudaGetLastError());
      auto out_f = dout.down();
      bool eq = out_u == out_f;
      long nanc = 0;
      for (long i = 0; i < (long)nt * ffn; i++) nanc += std::isnan(h_bf2f(out_f[i]));
      double us_u = time_us([&](int) { splitk_reduce<<<cap, 256>>>(rp); silu_mul<<<264, 256>>>(pu); });
      double us_f = time_us([&](int) { silu_mul<<<264, 256>>>(pf); });
      Cmp c{eq && !nanc, 0, !eq + nanc, 1};
      record("fused silu_mul ffn " + std::to_string(ffn) + sp + " == reduce+unfused", c, us_f, fmt("reduce+unfused %.2f us", us_u));
    }
  }
}

// Positions where two bf16 buffers of the same size differ (bit for bit).
static long count_diff(const std::vector<uint16_t> &a, const std::vector<uint16_t> &b) {
  long bad = 0;
  for (size_t i = 0; i < a.size(); i++) bad += a[i] != b[i];
  return bad;
}

// ================================================================ small kernels vs their v0
// The latency rework (NOTES-forward.md v5, v7) must keep every bit: each kernel, at the engine's launch
// shape (norms 128 threads, rope 256, silu 2 blocks per token, argmax 1024 threads), against its c0fb398
// copy at the old launch shape (the norms at 128 threads too: their order is set by blockDim), on the same inputs (outputs poisoned first), for bf16 inputs and split-K
// partials with split counts around the load batch (8). Timed at 10 rows (capacity 16), the short prompt.
static void test_argmax_v0(Rng &r);
static void test_small_v0() {
  Rng r(23);
  const int splits_list[] = {0, 1, 2, 8, 9, 16};
  // add_rmsnorm (x bf16, partials or none) and final_norm_gather
  for (int hidden : {1024, 2048, 1001, 8200}) {
    for (int sp : splits_list) {
      for (int nrows : {10, 300}) {
        const int cap = nrows == 10 ? 16 : 320;
        const int spl = sp == 1 ? 0 : sp;  // 1: no x at all (the first layer's norm)
        auto part = rand_f32((size_t)std::max(spl, 1) * cap * hidden, r, 1.f);
        auto x = rand_bf16((size_t)cap * hidden, r, 1.f), res = rand_bf16((size_t)cap * hidden, r, 2.f);
        auto w = rand_bf16(hidden, r, 0.5f, 1.f);
        Dev<float> dpart(part);
        Dev<uint16_t> dx(x), dres(res), dw(w), dout((size_t)cap * hidden);
        Dev<int32_t> dn = dev_scalar(nrows);
        AddRmsNormParams p{sp == 0 ? dx.p : nullptr, spl > 0 ? dpart.p : nullptr, spl, cap, dres.p, dw.p, dout.p, dn.p, hidden, 1e-6f};
        std::vector<uint16_t> o[2], rr[2];
        for (int v = 0; v < 2; v++) {
          dres.up(res); dout.poison();
          if (v == 0) add_rmsnorm_v0<<<cap, 128>>>(p); else add_rmsnorm<<<cap, 128>>>(p);
          CK(cudaGetLastError());
          o[v] = dout.down(); rr[v] = dres.down();
        }
        long bad = count_diff(o[0], o[1]) + count_diff(rr[0], rr[1]);
        if (hidden % 8 == 0 && hidden / 8 <= 128) {  // and the engine's former shape (256 threads): one 8-element
          // chunk per thread either way, so the extra warps only add zeros (the scalar path, e.g. hidden 1001,
          // strides by blockDim: its order differs, which the first run of this check showed)
          dres.up(res); dout.poison();
          add_rmsnorm_v0<<<cap, 256>>>(p);
          CK(cudaGetLastError());
          bad += count_diff(o[1], dout.down()) + count_diff(rr[1], dres.down());
        }
        std::string tag = "add_rmsnorm h" + std::to_string(hidden) + (sp == 0 ? " x" : sp == 1 ? " no-x" : " splits" + std::to_string(sp)) +
                          " rows" + std::to_string(nrows);
        if (nrows == 10 && hidden == 1024 && (sp == 16 || sp == 0)) {
          double u0 = time_us([&](int) { add_rmsnorm_v0<<<cap, 256>>>(p); }), u1 = time_us([&](int) { add_rmsnorm<<<cap, 128>>>(p); });
          record(tag + " == v0", Cmp{bad == 0, 0, bad, (long)o[0].size() * 2}, u1, fmt("v0 %.2f us (256 threads)", u0));
        } else {
          record_bool(tag + " == v0", bad == 0, bad, (long)o[0].size() * 2);
        }
        if (nrows == 10 && (hidden == 1024 || hidden == 8200) && sp != 1) {  // the gather: last token of each sequence
          const int scap = 4, ns = 3;
          std::vector<int32_t> qs = {0, 3, 7, 10, 10};
          Dev<int32_t> dqs(qs), dns = dev_scalar(ns);
          Dev<uint16_t> dg((size_t)scap * hidden);
          FinalNormGatherParams g{sp == 0 ? dx.p : nullptr, spl > 0 ? dpart.p : nullptr, spl, cap, dres.p, dw.p, dqs.p, dns.p, dg.p, hidden, 1e-6f};
          std::vector<uint16_t> go[2];
          for (int v = 0; v < 2; v++) {
            dg.poison();
            if (v == 0) final_norm_gather_v0<<<scap, 128>>>(g); else final_norm_gather<<<scap, 128>>>(g);
            CK(cudaGetLastError());
            go[v] = dg.down();
          }
          long gb = count_diff(go[0], go[1]);
          record_bool("final_norm_gather h" + std::to_string(hidden) + (sp == 0 ? " x" : " splits" + std::to_string(sp)) + " == v0",
                      gb == 0, gb, (long)go[0].size());
        }
      }
    }
  }
  // rope_kv_write: ERNIE, Llama, head dim 128, and a head dim that takes the scalar path
  struct Cfg { int qh, kvh, D; bool bias; };
  for (Cfg cfg : {Cfg{16, 2, 64, true}, Cfg{32, 8, 64, false}, Cfg{20, 4, 128, true}, Cfg{14, 2, 60, true}}) {
    for (int sp : {0, 2, 8, 9, 16}) {
      for (int nt : {10, 300}) {
        const int cap = nt == 10 ? 16 : 320, maxpos = 4096, nslots = 8 * 64;
        const int D = cfg.D, width = (cfg.qh + 2 * cfg.kvh) * D;
        auto part = rand_f32((size_t)std::max(sp, 1) * cap * width, r, 1.f);
        auto qkv = rand_bf16((size_t)cap * width, r, 1.f), bias = rand_bf16(width, r, 0.5f);
        std::vector<float> cs = rope_table(maxpos, D);
        std::vector<int32_t> posv(cap), slots(cap);
        for (int t = 0; t < cap; t++) { posv[t] = r.range(-3, maxpos + 3); slots[t] = (r.range(0, 9) == 0) ? -1 : (t * 7) % nslots; }
        Dev<float> dpart(part), dcs(cs);
        Dev<uint16_t> dqkv(qkv), dbias(bias), dk((size_t)nslots * cfg.kvh * D), dv((size_t)nslots * cfg.kvh * D);
        Dev<int32_t> dpos(posv), dslot(slots), dn = dev_scalar(nt);
        RopeKvParams p{dqkv.p, sp > 0 ? dpart.p : nullptr, sp, cap, cfg.bias ? dbias.p : nullptr, dcs.p, dpos.p, dslot.p,
                       dk.p, dv.p, dn.p, cfg.qh, cfg.kvh, D, maxpos};
        std::vector<uint16_t> o[2][3];
        for (int v = 0; v < 2; v++) {
          if (sp > 0) dqkv.poison(); else dqkv.up(qkv);
          dk.poison(); dv.poison();
          if (v == 0) rope_kv_write_v0<<<cap, 128>>>(p); else rope_kv_write<<<cap, 256>>>(p);
          CK(cudaGetLastError());
          o[v][0] = dqkv.down(); o[v][1] = dk.down(); o[v][2] = dv.down();
        }
        long bad = count_diff(o[0][0], o[1][0]) + count_diff(o[0][1], o[1][1]) + count_diff(o[0][2], o[1][2]);
        std::string tag = "rope_kv_write " + std::to_string(cfg.qh) + "/" + std::to_string(cfg.kvh) + " D" + std::to_string(D) +
                          (cfg.bias ? " bias" : "") + (sp > 0 ? " splits" + std::to_string(sp) : " bf16") + " t" + std::to_string(nt);
        if (nt == 10 && D == 64 && cfg.qh == 16 && (sp == 8 || sp == 0)) {
          // timed on bf16 input rewritten each launch would mix in a copy; the kernel only rewrites its own row
          double u0 = time_us([&](int) { rope_kv_write_v0<<<cap, 128>>>(p); }), u1 = time_us([&](int) { rope_kv_write<<<cap, 256>>>(p); });
          record(tag + " == v0", Cmp{bad == 0, 0, bad, (long)(o[0][0].size() + o[0][1].size() + o[0][2].size())}, u1, fmt("v0 %.2f us", u0));
        } else {
          record_bool(tag + " == v0", bad == 0, bad, (long)(o[0][0].size() + o[0][1].size() + o[0][2].size()));
        }
      }
    }
  }
  // silu_mul: ERNIE ffn with the engine's interleave group and the natural layout, an odd ffn
  for (int ffn : {3072, 8192, 1001}) {
    for (int group : {PREFILL_GATE_UP_GROUP, 0}) {
      if (ffn == 1001 && group != 0) continue;
      for (int sp : {0, 2, 9}) {
        for (int nt : {10, 300}) {
          const int cap = nt == 10 ? 16 : 320;
          auto part = rand_f32((size_t)std::max(sp, 1) * cap * 2 * ffn, r, 4.f);
          auto gu = rand_bf16((size_t)cap * 2 * ffn, r, 4.f);
          Dev<float> dpart(part);
          Dev<uint16_t> dgu(gu), dout((size_t)cap * ffn);
          Dev<int32_t> dn = dev_scalar(nt);
          SiluMulParams p{sp == 0 ? dgu.p : nullptr, sp > 0 ? dpart.p : nullptr, sp, cap, dout.p, dn.p, ffn, group};
          std::vector<uint16_t> o[2];
          for (int v = 0; v < 2; v++) {
            dout.poison();
            if (v == 0) silu_mul_v0<<<cap, 256>>>(p); else silu_mul<<<cap * 2, 256>>>(p);
            CK(cudaGetLastError());
            o[v] = dout.down();
          }
          long bad = count_diff(o[0], o[1]);
          std::string tag = "silu_mul ffn" + std::to_string(ffn) + " g" + std::to_string(group) +
                            (sp > 0 ? " splits" + std::to_string(sp) : " bf16") + " t" + std::to_string(nt);
          if (nt == 10 && ffn == 3072 && group != 0 && (sp == 2 || sp == 0)) {
            double u0 = time_us([&](int) { silu_mul_v0<<<cap, 256>>>(p); }), u1 = time_us([&](int) { silu_mul<<<cap * 2, 256>>>(p); });
            record(tag + " == v0", Cmp{bad == 0, 0, bad, (long)o[0].size()}, u1, fmt("v0 %.2f us", u0));
          } else {
            record_bool(tag + " == v0", bad == 0, bad, (long)o[0].size());
          }
        }
      }
    }
  }
  test_argmax_v0(r);
}

// argmax_rows against argmax_rows_v0 and argmax_rows_cluster against argmax_rows (family "small", and alone as "argmax":
// the sanitizers' runs)
static void test_argmax_v0(Rng &r) {
  // argmax_rows: ERNIE's and an odd vocab, a planted tie, and the rows where a faster walk could part from the v0 rule
  // (s23's v60, a chunk-max skip, was checked on them): NaNs (never win), an all-NaN row (-> 0), -inf after a NaN
  // (-> the first -inf), all -inf, +0 / -0 ties, ascending values (every chunk improves; equal bf16 values at the top),
  // the max in the last element, one value everywhere, the max repeated within one thread's chunks (v61's per-chunk walk)
  for (int vocab : {103424, 32001}) {
    const int cap = 16, ns = 14;
    auto lg = rand_bf16((size_t)cap * vocab, r, 8.f);
    lg[(size_t)2 * vocab + 5] = lg[(size_t)2 * vocab + vocab - 3] = h_f2bf(9.5f);
    const uint16_t NaN = 0x7fc0, NINF = 0xff80, PZ = 0x0000, NZ = 0x8000;
    auto row = [&](int s) { return &lg[(size_t)s * vocab]; };
    for (int j = 0; j < vocab; j += 7) row(3)[j] = NaN;
    row(3)[11] = h_f2bf(30.f); row(3)[12] = NaN;
    for (int j = 0; j < vocab; j++) row(4)[j] = NaN;
    for (int j = 0; j < vocab; j++) row(5)[j] = NINF;
    row(5)[0] = NaN;
    for (int j = 0; j < vocab; j++) row(6)[j] = j % 2 ? NZ : PZ;
    for (int j = 0; j < vocab; j++) row(7)[j] = h_f2bf(-8.f + 16.f * j / vocab);
    row(8)[vocab - 1] = h_f2bf(40.f);
    for (int j = 0; j < vocab; j++) row(9)[j] = j % 5 ? NINF : NaN;
    for (int j = 0; j < vocab; j++) row(10)[j] = h_f2bf(3.f);  // one value everywhere: 0
    // the max four times in thread 0's chunks at 1024 threads (chunks 4096, 5120, 8192: twice in the first), a NaN beside
    const int rep = vocab > 8 * 8192 ? 8 * 4096 + 1 : 2 * 1024 + 1;  // the odd vocab: the element-by-element walk
    row(11)[rep] = row(11)[rep + 5] = row(11)[2 * rep] = row(11)[rep + 8 * 1024 + 6] = h_f2bf(50.f);
    row(11)[rep + 7] = NaN;
    Dev<uint16_t> dl(lg);
    Dev<int32_t> dout(cap), dn = dev_scalar(ns);
    ArgmaxParams p{dl.p, dout.p, dn.p, vocab};
    std::vector<int32_t> o[2];
    for (int v = 0; v < 2; v++) {
      dout.poison();
      if (v == 0) argmax_rows_v0<<<cap, 256>>>(p); else argmax_rows<<<cap, 1024>>>(p);
      CK(cudaGetLastError());
      o[v] = dout.down();
    }
    long bad = 0;
    for (int i = 0; i < cap; i++) bad += o[0][i] != o[1][i];
    bad += o[1][2] != 5;  // the planted tie: lowest index
    bad += o[1][3] != 11 || o[1][4] != 0 || o[1][5] != 1 || o[1][6] != 0 || o[1][8] != vocab - 1 || o[1][9] != 1 || o[1][10] != 0 ||
           o[1][11] != rep;
    double u0 = time_us([&](int) { argmax_rows_v0<<<cap, 256>>>(p); }), u1 = time_us([&](int) { argmax_rows<<<cap, 1024>>>(p); });
    record("argmax_rows vocab " + std::to_string(vocab) + " == v0", Cmp{bad == 0, 0, bad, cap}, u1, fmt("v0 %.2f us", u0));
    // argmax_rows_cluster (v77): the same rows over clusters of 2, 8 and 16 blocks of 256 threads (16: the non-portable
    // size, set in main): argmax_rows's index on every row, rows past ns untouched (the poison stays); timed against
    // argmax_rows back to back with PDL, as the engine launches both
    if (vocab % 8 != 0) continue;
    for (int n : {2, 8, 16}) {
      dout.poison();
      launch_ex(argmax_rows_cluster, dim3(cap * n), dim3(256), 0, 0, false, p, n);
      CK(cudaGetLastError());
      const std::vector<int32_t> oc = dout.down();
      long badc = 0;
      for (int i = 0; i < cap; i++) badc += i < ns ? oc[i] != o[1][i] : oc[i] != -1;  // poison: 0xFFFFFFFF
      const double uc = time_us([&](int) { launch_ex(argmax_rows_cluster, dim3(cap * n), dim3(256), 0, 0, true, p, n); });
      const double ur = time_us([&](int) { launch_ex(argmax_rows, dim3(cap), dim3(1024), 0, 0, true, p); });
      record("argmax_rows_cluster x" + std::to_string(n) + " vocab " + std::to_string(vocab) + " == argmax_rows", Cmp{badc == 0, 0, badc, cap}, uc,
             fmt("PDL: cluster %.2f us", uc) + fmt(" vs argmax_rows %.2f", ur));
    }
  }
}

// The LM head with argmax folded in (v87, mode amax): gemm_bf16_stream_mXX_amax + argmax_keys against gemm_bf16_stream_mXX +
// argmax_rows at one split, ERNIE's vocabulary and an n whose last tile is partial, every capacity: C bit for bit, the
// tokens equal for rows < ns, the tokens past ns untouched, every key zero after argmax_keys and a second launch pair the
// same. Planted rows: a tie across two column tiles (weight rows 70 and 5000 both A[2] x 4: the same bits), a tie inside
// one tile (rows 100 and 101 for A[3]), a NaN weight row (300) aligned with A[4] so it would win if NaN were taken, an A row
// of zeros (every logit +0: token 0), an A row with a NaN (every logit NaN: token 0, as argmax_rows). Timed PDL back to
// back: the GEMM and its argmax (the cluster form of 8 blocks, as the engine runs it) against the fold.
static void test_amax() {
  Rng r(87);
  typedef void (*GK)(GemmParams);
  typedef void (*AK)(GemmAmaxParams);
  struct Cap { int m; GK plain; AK fold; int smem; };
  const Cap caps[] = {{16, gemm_bf16_stream_m16, gemm_bf16_stream_m16_amax, PREFILL_GEMM_STREAM_SMEM_M16},
                      {32, gemm_bf16_stream_m32, gemm_bf16_stream_m32_amax, PREFILL_GEMM_STREAM_SMEM_M32},
                      {64, gemm_bf16_stream_m64, gemm_bf16_stream_m64_amax, PREFILL_GEMM_STREAM_SMEM_M64}};
  for (const Cap &cp : caps) {
    CK(cudaFuncSetAttribute(cp.fold, cudaFuncAttributeMaxDynamicSharedMemorySize, cp.smem));
    for (int n : {103424, 32008}) {
      const int m = cp.m, k = 1024, ns = m - 3;
      auto A = rand_bf16((size_t)m * k, r, 1.f), Wt = rand_bf16((size_t)n * k, r, std::sqrt(3.f / k));
      auto arow = [&](int i) { return &A[(size_t)i * k]; };
      auto wrow = [&](int j) { return &Wt[(size_t)j * k]; };
      for (int i = 0; i < k; i++) {
        wrow(70)[i] = wrow(5000)[i] = h_f2bf(4.f * h_bf2f(arow(2)[i]));
        wrow(100)[i] = wrow(101)[i] = h_f2bf(4.f * h_bf2f(arow(3)[i]));
        wrow(300)[i] = h_f2bf(4.f * h_bf2f(arow(4)[i]));
        arow(6)[i] = 0;
      }
      wrow(300)[17] = 0x7fc0;  // NaN
      arow(7)[5] = 0x7fc0;
      Dev<uint16_t> dA(A), dW(Wt), dC((size_t)m * n);
      Dev<int32_t> dm = dev_scalar(ns), dout(m);
      Dev<unsigned long long> dkeys(m);
      CK(cudaMemset(dkeys.p, 0, m * sizeof(unsigned long long)));
      const GemmParams p{dA.p, dW.p, dC.p, nullptr, dm.p, m, n, k, k, k, n, 1};
      const GemmAmaxParams pf{p, reinterpret_cast<uint64_t *>(dkeys.p)};
      const ArgmaxParams pa{dC.p, dout.p, dm.p, n};
      const ArgmaxKeysParams pk{reinterpret_cast<uint64_t *>(dkeys.p), dout.p, dm.p, m};
      const dim3 grid((n + PREFILL_GEMM_STREAM_BN - 1) / PREFILL_GEMM_STREAM_BN), block(PREFILL_GEMM_STREAM_THREADS);
      dC.poison(); dout.poison();
      launch_ex(cp.plain, grid, block, cp.smem, 0, false, p);
      launch_ex(argmax_rows, dim3(m), dim3(1024), 0, 0, false, pa);
      CK(cudaGetLastError());
      const auto c0 = dC.down();
      const auto t0 = dout.down();
      long bad = 0;
      bad += t0[2] != 70 || t0[3] != 100 || t0[4] == 300 || t0[6] != 0 || t0[7] != 0;  // the planted rows (argmax_rows's rule)
      for (int rep = 0; rep < 2; rep++) {
        dC.poison(); dout.poison();
        launch_ex(cp.fold, grid, block, cp.smem, 0, false, pf);
        CK(cudaGetLastError());
        const auto keys = dkeys.down();
        for (int i = ns; i < m; i++) bad += keys[i] != 0;  // rows past m_dev take no key
        launch_ex(argmax_keys, dim3(1), dim3(128), 0, 0, false, pk);
        CK(cudaGetLastError());
        const auto c1 = dC.down();
        const auto t1 = dout.down();
        const auto after = dkeys.down();
        bad += c1 != c0;
        for (int i = 0; i < m; i++) bad += (i < ns ? t1[i] != t0[i] : t1[i] != -1) + (after[i] != 0);
      }
      const double tr = time_us([&](int) {
        launch_ex(cp.plain, grid, block, cp.smem, 0, true, p);
        launch_ex(argmax_rows_cluster, dim3(m * 8), dim3(256), 0, 0, true, pa, 8);
      });
      const double tf = time_us([&](int) {
        launch_ex(cp.fold, grid, block, cp.smem, 0, true, pf);
        launch_ex(argmax_keys, dim3(1), dim3(128), 0, 0, true, pk);
      });
      const double tg = time_us([&](int) { launch_ex(cp.plain, grid, block, cp.smem, 0, true, p); });
      const double tgf = time_us([&](int) { launch_ex(cp.fold, grid, block, cp.smem, 0, true, pf); });
      record("amax m" + std::to_string(m) + " n" + std::to_string(n) + " == gemm + argmax_rows (ns " + std::to_string(ns) + ")",
             Cmp{bad == 0, 0, bad, 2L * m}, tf,
             fmt("PDL pair: fold %.2f us", tf) + fmt(" vs gemm + argmax cluster %.2f", tr) + fmt("; GEMM alone %.2f", tgf) + fmt(" vs %.2f", tg));
    }
  }
}

// ================================================================ GEMM config table
struct GemmCfg { bool large; int splits; bool silu = false; };  // silu: gate/up GEMM with the SiLU * up epilogue
static std::map<std::tuple<int, int, int>, GemmCfg> g_best;  // (n, k, m bucket) -> fastest config

static void test_table() {
  struct Shape { int n, k; std::vector<int> ms; };
  const std::vector<Shape> shapes = {{1280, 1024, {16, 64, 128, 256, 512}}, {1024, 1024, {16, 64, 128, 256, 512}},
                                     {6144, 1024, {16, 64, 128, 256, 512}}, {1024, 3072, {16, 64, 128, 256, 512}},
                                     {103424, 1024, {1, 16, 32}}};
  const GemmCfg cfgs[7] = {{false, 1}, {false, 2}, {false, 4}, {false, 8}, {true, 1}, {true, 2}, {true, 4}};
  Rng r(77);
  std::vector<std::string> lines;
  printf("\n== GEMM config table (L2-cold weights, GEMM alone; sN = gemm_bf16 64x64 splits N, LN = gemm_bf16_large splits N)\n");
  for (auto &sh : shapes) {
    const int n = sh.n, k = sh.k, MMAX = 512;
    const size_t wel = (size_t)n * k, wbytes = wel * 2;
    const int ncopies = (int)std::max<size_t>(2, (256ull << 20) / wbytes + 1);
    Dev<uint16_t> pool((size_t)ncopies * wel), dA(rand_bf16((size_t)MMAX * k, r)), dC((size_t)MMAX * n);
    Dev<float> dP((size_t)8 * MMAX * n);
    for (int i = 0; i < ncopies; i++) {
      InitUniformParams ip{pool.p + (size_t)i * wel, (int64_t)wel, 5u, (uint32_t)i, 0.05f, 0.f};
      init_uniform_bf16<<<1024, 256>>>(ip);
    }
    CK(cudaDeviceSynchronize());
    for (int m : sh.ms) {
      Dev<int32_t> dm = dev_scalar(m);
      std::string line = fmt("n%6.0f", n) + fmt(" k%4.0f", k) + fmt(" m%3.0f:", m);
      double best = 1e30; GemmCfg bc{false, 1};
      for (auto cf : cfgs) {
        if (k % (cf.splits * PREFILL_GEMM_BK) != 0) continue;
        GemmParams p{dA.p, pool.p, dC.p, dP.p, dm.p, m, n, k, k, k, n, cf.splits};
        double us = time_us([&](int it) {
          GemmParams q = p; q.b = pool.p + (size_t)(it % ncopies) * wel;
          launch_gemm2(q, m, cf.large, cf.splits, 0, false, false);
        }, 11, 10);
        line += fmt(cf.large ? " L%.0f" : " s%.0f", cf.splits) + fmt(" %7.2f", us);
        if (us < best) { best = us; bc = cf; }
      }
      double cu = 0;
#ifndef NO_CUBLAS
      float alpha = 1.f, beta = 0.f;
      cu = time_us([&](int it) {
        const uint16_t *b = pool.p + (size_t)(it % ncopies) * wel;
        cublasGemmEx(g_cublas, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &alpha, b, CUDA_R_16BF, k, dA.p, CUDA_R_16BF, k, &beta, dC.p,
                     CUDA_R_16BF, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
      }, 11, 10);
#endif
      CK(cudaGetLastError());
      g_best[{n, k, m}] = bc;
      line += fmt(" | cuBLAS %7.2f", cu);
      printf("%s\n", line.c_str());
      char buf[256];
      snprintf(buf, sizeof buf, "BEST n%-6d k%-4d m%-3d : %s splits %d  %8.2f us   cuBLAS %8.2f us  (cuBLAS/ours %.0f%%)  %.0f GB/s(w) %.1f TFLOP/s",
               n, k, m, bc.large ? "large" : "gemm_bf16", bc.splits, best, cu, cu > 0 ? 100.0 * cu / best : 0.0, wbytes / best / 1e3,
               2.0 * m * n * k / best / 1e6);
      lines.push_back(buf);
    }
  }
  printf("\n== best config per (shape, bucket)\n");
  for (auto &l : lines) printf("%s\n", l.c_str());
}

// ================================================================ PDL layer chain
// 18-layer 0.3B-like model (hidden 1024, 16 q / 2 kv heads of 64, ffn 3072, vocab 103424 tied).
// Checks: fused split-K chain == unfused chain (splitk_reduce + bf16 consumers), PDL launches
// (eager and graph-captured) == plain launches, bit for bit over every output; times graph replays.
struct ChainModel {
  static const int H = 1024, QH = 16, KVH = 2, D = 64, W = (16 + 4) * 64, F = 3072, V = 103424, L = 18, MAXPOS = 4096;
  Dev<uint16_t> embed, wqkv, bqkv, wo, wgu, wd, n1, n2, fnorm;
  Dev<float> cs;
  static void init(Dev<uint16_t> &d, size_t n, uint32_t id, float scale, float off) {
    d = Dev<uint16_t>(n);
    InitUniformParams ip{d.p, (int64_t)n, 99u, id, scale, off};
    init_uniform_bf16<<<1024, 256>>>(ip);
  }
  ChainModel() {
    init(embed, (size_t)V * H, 1, 1.f, 0.f);
    init(wqkv, (size_t)L * W * H, 2, 0.05f, 0.f);
    init(bqkv, (size_t)L * W, 3, 0.1f, 0.f);
    init(wo, (size_t)L * H * H, 4, 0.05f, 0.f);
    init(wgu, (size_t)L * 2 * F * H, 5, 0.05f, 0.f);
    init(wd, (size_t)L * H * F, 6, 0.03f, 0.f);
    init(n1, (size_t)L * H, 7, 0.1f, 1.f);
    init(n2, (size_t)L * H, 8, 0.1f, 1.f);
    init(fnorm, H, 9, 0.1f, 1.f);
    std::vector<float> c = rope_table(MAXPOS, D);
    cs = Dev<float>(c);
    CK(cudaDeviceSynchronize());
  }
};
// One line of `bench.jar plan --dump-ops`: key=value fields (see io.prefillbench.forward.OpDump).
struct OpLine {
  std::map<std::string, std::string> f;
  std::string s(const char *k) const { auto it = f.find(k); return it == f.end() ? std::string() : it->second; }
  int i(const char *k) const { auto v = s(k); return v.empty() ? 0 : atoi(v.c_str()); }
  dim3 grid() const { unsigned x = 0, y = 0, z = 0; sscanf(s("grid").c_str(), "%ux%ux%u", &x, &y, &z); return dim3(x, y, z); }
  // "L3.qkv" -> "qkv", "lm_head" -> "lm_head"
  std::string suffix() const { auto n = s("op"); auto d = n.find('.'); return d == std::string::npos ? n : n.substr(d + 1); }
};
static std::vector<OpLine> g_ops;  // every op line of PK_OPS, in issue order per size

struct ChainBatch {
  int tcap, T, ns, scap, max_tiles, npages, maxpages;
  Dev<int32_t> ids, pos, slots, qs, kvl, bt, tb, tt, nblocks, ntok, nseq, amax;
  Dev<uint16_t> res, h, qkv, attn, xo, gu, act, fin, logits, kc, vc;
  Dev<float> part;
  Dev<uint32_t> cnt;  // the split-K fixup's tile counters (zero; the fused kernels reset them)
  Dev<uint64_t> bar;  // layer_persistent's grid barrier (zero once; every launch adds a multiple of its grid)
  // tcap, scap and max_tiles: the size, sequence and tile capacities of the plan's capture key
  ChainBatch(int tcap_, int scap_, int max_tiles_, const std::vector<int> &lens, Rng &r) : tcap(tcap_), scap(scap_), max_tiles(max_tiles_) {
    typedef ChainModel M;
    ns = (int)lens.size(); T = 0;
    std::vector<int32_t> q(1, 0), kl, ps, sl, id;
    maxpages = 0; npages = 0;
    std::vector<std::vector<int>> pages(ns);
    for (int s = 0; s < ns; s++) {
      int np = (lens[s] + 63) / 64;
      for (int j = 0; j < np; j++) pages[s].push_back(npages++);
      maxpages = std::max(maxpages, np);
      q.push_back(q.back() + lens[s]); kl.push_back(lens[s]);
      for (int i = 0; i < lens[s]; i++) { ps.push_back(i); sl.push_back(pages[s][i / 64] * 64 + i % 64); id.push_back(r.range(0, M::V - 1)); }
    }
    T = q.back();
    while ((int)q.size() < scap + 1) q.push_back(q.back());
    kl.resize(scap, 0); ps.resize(tcap, 0); sl.resize(tcap, -1); id.resize(tcap, 0);
    std::vector<int32_t> btv((size_t)scap * maxpages, -1);
    for (int s = 0; s < ns; s++) for (size_t j = 0; j < pages[s].size(); j++) btv[(size_t)s * maxpages + j] = pages[s][j];
    ids = Dev<int32_t>(id); pos = Dev<int32_t>(ps); slots = Dev<int32_t>(sl); qs = Dev<int32_t>(q); kvl = Dev<int32_t>(kl);
    bt = Dev<int32_t>(btv); tb = Dev<int32_t>(max_tiles); tt = Dev<int32_t>(max_tiles); nblocks = Dev<int32_t>(1);
    ntok = dev_scalar(T); nseq = dev_scalar(ns); amax = Dev<int32_t>(scap);
    res = Dev<uint16_t>((size_t)tcap * M::H); h = Dev<uint16_t>((size_t)tcap * M::H); qkv = Dev<uint16_t>((size_t)tcap * M::W);
    attn = Dev<uint16_t>((size_t)tcap * M::H); xo = Dev<uint16_t>((size_t)tcap * M::H); gu = Dev<uint16_t>((size_t)tcap * 2 * M::F);
    act = Dev<uint16_t>((size_t)tcap * M::F); fin = Dev<uint16_t>((size_t)scap * M::H); logits = Dev<uint16_t>((size_t)scap * M::V);
    kc = Dev<uint16_t>((size_t)M::L * npages * 64 * M::KVH * M::D); vc = Dev<uint16_t>(kc.n);
    part = Dev<float>(std::max((size_t)8 * tcap * 2 * M::F, (size_t)8 * scap * M::V));
    cnt = Dev<uint32_t>(4096);
    CK(cudaMemset(cnt.p, 0, cnt.n * 4));
    bar = Dev<uint64_t>(1);
    CK(cudaMemset(bar.p, 0, bar.n * 8));
  }
  void poison() {
    res.poison(); h.poison(); qkv.poison(); attn.poison(); xo.poison(); gu.poison(); act.poison(); fin.poison(); logits.poison();
    kc.poison(); vc.poison(); part.poison(); amax.poison(); tb.poison(); tt.poison(); nblocks.poison();
    CK(cudaDeviceSynchronize());  // memsets run on the legacy stream; the chain runs on a non-blocking one
  }
  std::vector<std::vector<uint16_t>> snapshot() {
    auto a = amax.down();
    std::vector<uint16_t> av(a.size() * 2);
    memcpy(av.data(), a.data(), a.size() * 4);
    // rows past T / seqs past ns are never written: compare only the written parts
    auto cut = [](std::vector<uint16_t> v, size_t n) { v.resize(n); return v; };
    typedef ChainModel M;
    return {cut(res.down(), (size_t)T * M::H), cut(h.down(), (size_t)T * M::H), cut(qkv.down(), (size_t)T * M::W),
            cut(act.down(), (size_t)T * M::F), cut(fin.down(), (size_t)ns * M::H), cut(logits.down(), (size_t)ns * M::V),
            cut(av, (size_t)ns * 2), kc.down(), vc.down()};
  }
};

// The forward chain of one size, op by op from the plan's dump (kind, kernel, layer, n, k, m, splits,
// partial input, grid, threads, smem): the engine's lowering decides every launch, the harness only
// binds its own buffers to each op's roles. fused = false: every split GEMM is reduced right away by
// splitk_reduce and consumers read bf16 (the reference), the dump's reduce ops are then already done.
// Returns the ops it could not run, with the reason (library calls, the side-stream prefetch,
// kernels it does not know); the chain is only comparable when no main-stream op is skipped.
// Blocks per cluster of the layer_persistent launches (PK_LAYER_CLUSTER; 1: no cluster).
static int g_layer_cluster = 1;
// PK_CSUM=1: in the fused chains every streaming GEMM split along k reduces its splits in a cluster
// (gemm_bf16_stream_mXX_csum) and writes one partial plane, which its consumer reads at splits = 1 (the same bits).
static bool g_csum = false;
// PK_NORM_SMEM=BYTES (mode pdl): the chain's input and post norms launched with that much dynamic shared memory, which
// they never touch, so no block of the next GEMM (launched at the norm's entry to prefetch its weights) fits on a norm's SM
// (s39: does that prefetch stream, queued on the norm's own SMs, set the norm link's cost?). 0: the plan's launch.
static int g_norm_smem = 0;
static std::vector<std::string> enqueue_chain(ChainModel &M, ChainBatch &B, const std::vector<const OpLine *> &ops, cudaStream_t st,
                                              bool pdl_on, bool fused) {
  typedef ChainModel CM;
  const int H = CM::H, W = CM::W, F = CM::F;
  const size_t kvl = (size_t)B.npages * 64 * CM::KVH * CM::D;
  std::vector<std::string> skipped;
  bool csum_pending = false;  // PK_CSUM: the last split GEMM left one reduced plane
  for (const OpLine *o : ops) {
    const std::string kind = o->s("kind"), kernel = o->s("kernel"), sfx = o->suffix(), name = o->s("op");
    // the dump's pdl=0 ops (embed_gather: the kernel after build_tile_map) launch without the attribute, as the engine
    // does; dumps older than the field launch every op with it
    const bool pdl = pdl_on && (o->s("pdl").empty() || o->i("pdl") != 0);
    const int l = o->i("layer"), splits = std::max(1, o->i("splits"));
    const int pin = !fused ? 0 : g_csum && csum_pending && o->i("partial_in") > 1 ? 1 : o->i("partial_in");
    if (pin > 0) csum_pending = false;
    const dim3 grid = o->grid(), block(o->i("threads"));
    const size_t smem = o->i("smem");
    auto skip = [&](const std::string &why) { skipped.push_back(name + " (" + kind + " " + kernel + "): " + why); };
    if (o->i("stream") != 0) { skip("side stream (fork after " + o->s("fork") + ", join before " + o->s("join") + "): the chain runs one stream"); continue; }
    if (o->s("algo") != "-" && !o->s("algo").empty()) { skip("library call (algo " + o->s("algo") + "): not one of our kernels"); continue; }
    if (kind == "EMBED" && kernel == "embed_gather") {
      launch_ex(embed_gather, grid, block, smem, st, pdl, EmbedParams{B.ids.p, M.embed.p, B.res.p, B.ntok.p, H, CM::V});
    } else if (kind == "TILE_MAP" && kernel == "build_tile_map") {
      launch_ex(build_tile_map, grid, block, smem, st, pdl,
                TileMapParams{B.qs.p, B.nseq.p, B.tb.p, B.tt.p, B.nblocks.p, CM::QH / CM::KVH,
                              o->s("tile_rows").empty() ? PREFILL_ATTN_ROWS_PER_TILE : o->i("tile_rows"), B.max_tiles});
    } else if (kind == "ADD_RMSNORM" && kernel == "add_rmsnorm" && (sfx == "input_norm" || sfx == "post_norm")) {
      const bool first = sfx == "input_norm" && l == 0;  // layer 0's input norm has no branch output to add
      const uint16_t *w = (sfx == "input_norm" ? M.n1.p : M.n2.p) + (size_t)l * H;
      const size_t nsmem = std::max(smem, (size_t)g_norm_smem);  // a solo norm's dump line (v85) asks for its unused smem too
      static size_t raised = 0;
      if (nsmem > raised) { CK(cudaFuncSetAttribute(add_rmsnorm, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)nsmem)); raised = nsmem; }
      launch_ex(add_rmsnorm, grid, block, nsmem, st, pdl,
                AddRmsNormParams{first || pin ? nullptr : B.xo.p, pin ? B.part.p : nullptr, pin, B.tcap, B.res.p, w, B.h.p, B.ntok.p, H, 1e-6f});
    } else if (kind == "GEMM" && (kernel == "gemm_bf16" || kernel == "gemm_bf16_large" || kernel == "gemm_bf16_silu" ||
                                  kernel == "gemm_bf16_large_silu" || kernel.rfind("gemm_bf16_stream_m", 0) == 0)) {
      const bool silu = kernel == "gemm_bf16_silu" || kernel == "gemm_bf16_large_silu" || (kernel.rfind("gemm_bf16_stream_m", 0) == 0 && kernel.size() > 5 && kernel.compare(kernel.size() - 5, 5, "_silu") == 0);
      const uint16_t *a, *w; uint16_t *c; const int32_t *mdev = B.ntok.p; int lda;
      if (sfx == "qkv") { a = B.h.p; lda = H; w = M.wqkv.p + (size_t)l * W * H; c = B.qkv.p; }
      else if (sfx == "o") { a = B.attn.p; lda = H; w = M.wo.p + (size_t)l * H * H; c = B.xo.p; }
      else if (sfx == "gate_up") { a = B.h.p; lda = H; w = M.wgu.p + (size_t)l * 2 * F * H; c = B.gu.p; }
      else if (sfx == "down") { a = B.act.p; lda = F; w = M.wd.p + (size_t)l * H * F; c = B.xo.p; }
      else if (sfx == "lm_head") { a = B.fin.p; lda = H; w = M.embed.p; c = B.logits.p; mdev = B.nseq.p; }
      else { skip("GEMM " + sfx + " has no buffers in the harness"); continue; }
      const bool rope = kernel.rfind("gemm_bf16_stream_m", 0) == 0 &&
                        (kernel.compare(kernel.size() - 5, 5, "_rope") == 0 || kernel.compare(kernel.size() - 6, 6, "_rope1") == 0);
      const int n = o->i("n"), k = o->i("k"), m = o->i("m");
      if (rope) {  // rope_kv_write fused into qkv (split-K fixup): partials into part, q/k/v into qkv and the caches
        void (*fk)(GemmRopeParams) = kernel == "gemm_bf16_stream_m16_rope" ? gemm_bf16_stream_m16_rope
                                     : kernel == "gemm_bf16_stream_m32_rope" ? gemm_bf16_stream_m32_rope
                                     : kernel == "gemm_bf16_stream_m64_rope" ? gemm_bf16_stream_m64_rope
                                     : kernel == "gemm_bf16_stream_m16_n32_rope" ? gemm_bf16_stream_m16_n32_rope
                                     : kernel == "gemm_bf16_stream_m32_n32_rope" ? gemm_bf16_stream_m32_n32_rope
                                     : kernel == "gemm_bf16_stream_m64_n32_rope" ? gemm_bf16_stream_m64_n32_rope
                                     : kernel == "gemm_bf16_stream_m16_rope1" ? gemm_bf16_stream_m16_rope1
                                     : kernel == "gemm_bf16_stream_m32_rope1" ? gemm_bf16_stream_m32_rope1
                                     : kernel == "gemm_bf16_stream_m64_rope1" ? gemm_bf16_stream_m64_rope1
                                     : kernel == "gemm_bf16_stream_m16_n16_rope1" ? gemm_bf16_stream_m16_n16_rope1
                                                                                 : nullptr;
        if (!fk) { skip("rope GEMM form not known to the harness"); continue; }
        launch_ex(fk, grid, block, smem, st, pdl,
                  GemmRopeParams{GemmParams{a, w, c, B.part.p, mdev, m, n, k, lda, k, n, splits, B.cnt.p},
                                 RopeKvParams{c, B.part.p, splits, m, M.bqkv.p + (size_t)l * W, M.cs.p, B.pos.p, B.slots.p, B.kc.p + l * kvl,
                                              B.vc.p + l * kvl, B.ntok.p, CM::QH, CM::KVH, CM::D, CM::MAXPOS}});
        continue;
      }
      if (!silu && !o->s("fused").empty() && o->s("fused") != "-") { skip("fused epilogue " + o->s("fused") + " not in the harness"); continue; }
      if (silu) {  // silu_mul fused into gate_up: [m, 2F] interleaved weights in, act [m, F] out; split: the fixup
        void (*fk)(GemmParams) = kernel == "gemm_bf16_silu" ? gemm_bf16_silu
                                 : kernel == "gemm_bf16_stream_m16_silu" ? gemm_bf16_stream_m16_silu
                                 : kernel == "gemm_bf16_stream_m32_silu" ? gemm_bf16_stream_m32_silu
                                 : kernel == "gemm_bf16_stream_m64_silu" ? gemm_bf16_stream_m64_silu
                                 : kernel == "gemm_bf16_stream_m16_n32_silu" ? gemm_bf16_stream_m16_n32_silu
                                 : kernel == "gemm_bf16_stream_m32_n32_silu" ? gemm_bf16_stream_m32_n32_silu
                                 : kernel == "gemm_bf16_stream_m64_n32_silu" ? gemm_bf16_stream_m64_n32_silu
                                                                         : gemm_bf16_large_silu;
        launch_ex(fk, grid, block, smem, st, pdl,
                  GemmParams{a, w, B.act.p, splits > 1 ? B.part.p : nullptr, mdev, m, n, k, lda, k, n / 2, splits, splits > 1 ? B.cnt.p : nullptr});
        continue;
      }
      GemmParams p{a, w, c, B.part.p, mdev, m, n, k, lda, k, n, splits};
      const bool csum_kernel = kernel.size() > 5 && kernel.compare(kernel.size() - 5, 5, "_csum") == 0;  // a dump with csum rows
      if (csum_kernel && !fused) {  // the reference reduces right away, as for any split GEMM
        launch_stream_csum(p, m, grid, st, pdl);
        if (splits > 1) launch_ex(splitk_reduce, dim3(m), dim3(256), 0, st, pdl, SplitKReduceParams{B.part.p, c, mdev, m, n, n, 1});
        continue;
      }
      if (csum_kernel || (g_csum && fused && splits > 1 && kernel.rfind("gemm_bf16_stream_m", 0) == 0 && sfx != "lm_head")) {
        launch_stream_csum(p, m, grid, st, pdl);
        csum_pending = true;
        continue;
      }
      if (kernel == "gemm_bf16_large") launch_ex(gemm_bf16_large, grid, block, smem, st, pdl, p);
      else if (kernel == "gemm_bf16_stream_m16") launch_ex(gemm_bf16_stream_m16, grid, block, smem, st, pdl, p);
      else if (kernel == "gemm_bf16_stream_m32") launch_ex(gemm_bf16_stream_m32, grid, block, smem, st, pdl, p);
      else if (kernel == "gemm_bf16_stream_m64") launch_ex(gemm_bf16_stream_m64, grid, block, smem, st, pdl, p);
      else if (kernel == "gemm_bf16_stream_m16_n32") launch_ex(gemm_bf16_stream_m16_n32, grid, block, smem, st, pdl, p);
      else if (kernel == "gemm_bf16_stream_m16_n16") launch_ex(gemm_bf16_stream_m16_n16, grid, block, smem, st, pdl, p);
      else if (kernel == "gemm_bf16_stream_m16_n32_attn") {  // o with layer l's attention as its prologue (test_attn_o's chain)
        if (sfx != "o") { skip("the attention prologue feeds o only"); continue; }
        launch_ex(gemm_bf16_stream_m16_n32_attn, grid, block, smem, st, pdl,
                  GemmAttnParams{p, AttnParams{B.qkv.p, B.kc.p + l * kvl, B.vc.p + l * kvl, B.attn.p, B.qs.p, B.kvl.p, B.bt.p, B.tb.p, B.tt.p,
                                               B.nblocks.p, W, CM::QH, CM::KVH, CM::D, B.maxpages, 0.125f * 1.4426950408889634f},
                                 B.nseq.p});
      }
      else if (kernel == "gemm_bf16_stream_m32_n32") launch_ex(gemm_bf16_stream_m32_n32, grid, block, smem, st, pdl, p);
      else if (kernel == "gemm_bf16_stream_m64_n32") launch_ex(gemm_bf16_stream_m64_n32, grid, block, smem, st, pdl, p);
      else launch_ex(gemm_bf16, grid, block, smem, st, pdl, p);
      if (!fused && splits > 1) launch_ex(splitk_reduce, dim3(m), dim3(256), 0, st, pdl, SplitKReduceParams{B.part.p, c, mdev, m, n, n, splits});
    } else if (kind == "SPLITK_REDUCE" && kernel == "splitk_reduce") {
      if (!fused) continue;  // the reference reduced right after its GEMM
      const bool lm = sfx == "lm_head.reduce" || name == "lm_head.reduce";
      const int n = o->i("n");
      uint16_t *c = lm ? B.logits.p : nullptr;
      if (!c) { skip("reduce into a tensor the harness does not bind"); continue; }
      launch_ex(splitk_reduce, grid, block, smem, st, pdl, SplitKReduceParams{B.part.p, c, B.nseq.p, o->i("m"), n, n, o->i("partial_in")});
    } else if (kind == "ROPE_KV" && kernel == "rope_kv_write") {
      launch_ex(rope_kv_write, grid, block, smem, st, pdl,
                RopeKvParams{B.qkv.p, pin ? B.part.p : nullptr, pin, B.tcap, M.bqkv.p + (size_t)l * W, M.cs.p, B.pos.p, B.slots.p,
                             B.kc.p + l * kvl, B.vc.p + l * kvl, B.ntok.p, CM::QH, CM::KVH, CM::D, CM::MAXPOS});
    } else if (kind == "ATTENTION" && (kernel == "attention_prefill" || kernel == "attention_prefill_kh" || kernel == "attention_prefill_wg" ||
                                       kernel == "attention_prefill_wg_early" || kernel == "attention_prefill_wg_early_lp" ||
                                       kernel == "attention_prefill_wg_early_t32" || kernel == "attention_prefill_wg_early_q4")) {
      launch_ex(kernel == "attention_prefill_wg_early_q4" ? attention_prefill_wg_early_q4
                : kernel == "attention_prefill_wg_early_t32" ? attention_prefill_wg_early_t32
                : kernel == "attention_prefill_wg_early_lp" ? attention_prefill_wg_early_lp
                : kernel == "attention_prefill_wg_early" ? attention_prefill_wg_early : kernel == "attention_prefill_wg" ? attention_prefill_wg
                : kernel == "attention_prefill_kh" ? attention_prefill_kh : attention_prefill,
                grid, block, smem, st, pdl,
                AttnParams{B.qkv.p, B.kc.p + l * kvl, B.vc.p + l * kvl, B.attn.p, B.qs.p, B.kvl.p, B.bt.p, B.tb.p, B.tt.p, B.nblocks.p,
                           W, CM::QH, CM::KVH, CM::D, B.maxpages, 0.125f * 1.4426950408889634f});
    } else if (kind == "ATTENTION" && kernel == "attention_prefill_wg_early_t32_rope") {  // rope_kv_write folded in
      launch_ex(attention_prefill_wg_early_t32_rope, grid, block, smem, st, pdl,
                AttnRopeParams{AttnParams{B.qkv.p, B.kc.p + l * kvl, B.vc.p + l * kvl, B.attn.p, B.qs.p, B.kvl.p, B.bt.p, B.tb.p, B.tt.p,
                                          B.nblocks.p, W, CM::QH, CM::KVH, CM::D, B.maxpages, 0.125f * 1.4426950408889634f},
                               RopeKvParams{B.qkv.p, pin ? B.part.p : nullptr, pin, B.tcap, M.bqkv.p + (size_t)l * W, M.cs.p, B.pos.p,
                                            B.slots.p, B.kc.p + l * kvl, B.vc.p + l * kvl, B.ntok.p, CM::QH, CM::KVH, CM::D, CM::MAXPOS}});
    } else if (kind == "SILU_MUL" && kernel == "silu_mul") {
      launch_ex(silu_mul, grid, block, smem, st, pdl,
                SiluMulParams{pin ? nullptr : B.gu.p, pin ? B.part.p : nullptr, pin, B.tcap, B.act.p, B.ntok.p, F, PREFILL_GATE_UP_GROUP});
    } else if (kind == "FINAL_NORM_GATHER" && kernel == "final_norm_gather") {
      launch_ex(final_norm_gather, grid, block, smem, st, pdl,
                FinalNormGatherParams{pin ? nullptr : B.xo.p, pin ? B.part.p : nullptr, pin, B.tcap, B.res.p, M.fnorm.p, B.qs.p, B.nseq.p,
                                      B.fin.p, H, 1e-6f});
    } else if (kind == "LAYER" && kernel == "layer_persistent") {
      LayerParams lp{};
      const int nl = std::max(1, o->i("layers"));  // layers of this launch (the dump's layers= field; 1 when absent)
      lp.residual = B.res.p; lp.branch_out = l + nl == CM::L ? B.xo.p : nullptr;  // the last layer leaves its down output
      lp.qkv = B.qkv.p; lp.attn_out = B.attn.p; lp.act = B.act.p;
      lp.k_cache = B.kc.p + l * kvl; lp.v_cache = B.vc.p + l * kvl;
      lp.input_norm = M.n1.p + (size_t)l * H; lp.w_qkv = M.wqkv.p + (size_t)l * W * H; lp.qkv_bias = M.bqkv.p + (size_t)l * W;
      lp.w_o = M.wo.p + (size_t)l * H * H; lp.post_norm = M.n2.p + (size_t)l * H; lp.w_gate_up = M.wgu.p + (size_t)l * 2 * F * H;
      lp.w_down = M.wd.p + (size_t)l * H * F; lp.cos_sin = M.cs.p; lp.positions = B.pos.p; lp.slot_mapping = B.slots.p;
      lp.query_start = B.qs.p; lp.kv_lens = B.kvl.p; lp.block_tables = B.bt.p; lp.num_tokens = B.ntok.p; lp.num_seqs = B.nseq.p;
      lp.barrier = B.bar.p; lp.rows = B.tcap; lp.hidden = H; lp.q_heads = CM::QH; lp.kv_heads = CM::KVH; lp.head_dim = CM::D;
      lp.ffn = F; lp.max_positions = CM::MAXPOS; lp.max_pages_per_seq = B.maxpages; lp.eps = 1e-6f;
      lp.scale_log2 = 0.125f * 1.4426950408889634f;
      lp.layers = nl;
      lp.input_norm_stride = H; lp.w_qkv_stride = (int64_t)W * H; lp.qkv_bias_stride = W; lp.w_o_stride = (int64_t)H * H;
      lp.post_norm_stride = H; lp.w_gate_up_stride = (int64_t)2 * F * H; lp.w_down_stride = (int64_t)H * F; lp.kv_stride = (int64_t)kvl;
      launch_ex(layer_persistent, grid, block, smem, st, pdl, lp, g_layer_cluster);
    } else if (kind == "ARGMAX" && kernel == "argmax_rows") {
      launch_ex(argmax_rows, grid, block, smem, st, pdl, ArgmaxParams{B.logits.p, B.amax.p, B.nseq.p, CM::V});
    } else if (kind == "ARGMAX" && kernel == "argmax_rows_cluster") {  // a cluster per sequence slot: grid.x / scap blocks
      launch_ex(argmax_rows_cluster, grid, block, smem, st, pdl, ArgmaxParams{B.logits.p, B.amax.p, B.nseq.p, CM::V}, (int)grid.x / B.scap);
    } else {
      skip("kernel not known to the harness");
    }
  }
  return skipped;
}

// The chain comes from the engine's lowered plan, never from rules written here: PK_OPS=FILE names
// the output of `bench.jar plan --dump-ops FILE` (run-check.sh writes it). Without it the chain check
// is skipped.
static int g_plan_sms = 0;
// The op lines of a `plan --dump-ops` file; exits on a malformed line.
static std::vector<OpLine> read_op_dump(const char *var, const char *path) {
  std::vector<OpLine> ops;
  FILE *f = fopen(path, "r");
  if (!f) { fprintf(stderr, "%s=%s: cannot open\n", var, path); exit(2); }
  char line[2048];
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#' || line[0] == '\n') continue;
    OpLine o;
    char *save = nullptr;
    for (char *tok = strtok_r(line, " \t\r\n", &save); tok; tok = strtok_r(nullptr, " \t\r\n", &save)) {
      char *eq = strchr(tok, '=');
      if (eq) o.f[std::string(tok, eq - tok)] = eq + 1;
    }
    if (o.s("op").empty() || o.s("kind").empty() || o.s("grid").empty() || !o.i("size")) {
      fprintf(stderr, "%s: bad op line (want size= op= kind= grid= ...): %s\n", var, line); exit(2);
    }
    g_plan_sms = o.i("sms");
    ops.push_back(o);
  }
  fclose(f);
  return ops;
}
static bool load_plan_ops() {
  const char *path = getenv("PK_OPS");
  if (!path) return false;
  g_ops = read_op_dump("PK_OPS", path);
  return !g_ops.empty();
}

static std::vector<const OpLine *> plan_ops(int size) {
  std::vector<const OpLine *> v;
  for (auto &o : g_ops) if (o.i("size") == size) v.push_back(&o);
  if (v.empty()) {
    fprintf(stderr, "PK_OPS has no ops of size %d: dump the plan with --model ernie-4.5-0.3b --sizes 16,512 --max-num-seqs 16\n", size);
    exit(2);
  }
  return v;
}

// Median GPU time of one replay of a graph: 5 replays per event pair behind a spin kernel (the host queues
// them all before the timed region starts), 9 pairs.
static double graph_replay_us(cudaGraphExec_t ge, cudaStream_t st) {
  cudaEvent_t e0, e1;
  CK(cudaEventCreate(&e0)); CK(cudaEventCreate(&e1));
  std::vector<float> t;
  for (int i = 0; i < 3; i++) CK(cudaGraphLaunch(ge, st));
  for (int rep = 0; rep < 9; rep++) {
    launch_ex(spin_delay, dim3(1), dim3(1), 0, st, false, SpinParams{g_spin_cycles});
    CK(cudaEventRecord(e0, st));
    for (int i = 0; i < 5; i++) CK(cudaGraphLaunch(ge, st));
    CK(cudaEventRecord(e1, st));
    CK(cudaEventSynchronize(e1));
    float ms; CK(cudaEventElapsedTime(&ms, e0, e1));
    t.push_back(ms * 1000.f / 5);
  }
  std::sort(t.begin(), t.end());
  cudaEventDestroy(e0); cudaEventDestroy(e1);
  return t[t.size() / 2];
}

static void test_pdl() {
  printf("\n== PDL chain from the plan's op dump (18 layers + lm head; graph replay timings)\n");
  g_csum = getenv("PK_CSUM") && atoi(getenv("PK_CSUM")) != 0;
  g_norm_smem = getenv("PK_NORM_SMEM") ? atoi(getenv("PK_NORM_SMEM")) : 0;
  if (g_norm_smem > 0)
    printf("PK_NORM_SMEM: the input and post norms take %d bytes of dynamic shared memory (no next-GEMM block beside them)\n", g_norm_smem);
  if (g_csum) printf("PK_CSUM: the fused chains reduce every streaming GEMM's split-K in a cluster (gemm_bf16_stream_mXX_csum)\n");
  if (!load_plan_ops()) {
    printf("skipped: set PK_OPS to `bench.jar plan --model ernie-4.5-0.3b --sizes 16,512 --max-num-seqs 16 --dump-ops FILE`\n");
    return;
  }
  {
    cudaDeviceProp pr;
    CK(cudaGetDeviceProperties(&pr, 0));
    record_bool("PK_OPS plan lowered for this device's SM count (" + std::to_string(g_plan_sms) + ")",
                g_plan_sms == pr.multiProcessorCount, g_plan_sms != pr.multiProcessorCount, 1);
  }
  ChainModel M;
  Rng r(31);
  cudaStream_t st;
  CK(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking));
  struct Case { int tcap; std::vector<int> lens; };
  for (const Case &cs : {Case{16, {4, 6}}, Case{512, {120, 120, 120, 120}}}) {
    const std::vector<const OpLine *> ops = plan_ops(cs.tcap);
    ChainBatch B(cs.tcap, ops[0]->i("seqs"), ops[0]->i("tiles"), cs.lens, r);
    std::string cfgs;  // GEMMs of layer 0 and the LM head: kernel (s small, L large) and splits
    for (const OpLine *o : ops)
      if (o->s("kind") == "GEMM" && o->i("layer") <= 0)
        cfgs += std::string(o->s("kernel") == "gemm_bf16_large" ? " L" : " s") + std::to_string(o->i("splits"));
    const std::string tag = "chain T=" + std::to_string(B.T) + " (bucket " + std::to_string(cs.tcap) + ", cfg" + cfgs + ")";
    // the op list: how many lines of the dump, which ones the harness cannot run and why
    B.poison();
    std::vector<std::string> skipped = enqueue_chain(M, B, ops, st, false, false);
    CK(cudaStreamSynchronize(st));
    bool main_skipped = false;
    for (auto &sk : skipped) main_skipped |= sk.find("side stream") == std::string::npos;
    printf("%s: %zu ops from PK_OPS, %zu run, %zu skipped\n", tag.c_str(), ops.size(), ops.size() - skipped.size(), skipped.size());
    for (auto &sk : skipped) printf("  skipped %s\n", sk.c_str());
    if (main_skipped) {
      printf("  chain checks of bucket %d skipped: a main-stream op above cannot run in the harness\n", cs.tcap);
      continue;
    }
    // reference: unfused, plain, eager
    B.poison();
    enqueue_chain(M, B, ops, st, false, false);
    CK(cudaStreamSynchronize(st));
    auto ref = B.snapshot();
    long nanc = 0;
    for (auto v : ref[5]) nanc += std::isnan(h_bf2f(v));
    for (auto v : ref[0]) nanc += std::isnan(h_bf2f(v));
    auto check = [&](const std::string &what) {
      auto o = B.snapshot();
      bool eq = o == ref;
      record_bool(tag + " " + what, eq && nanc == 0, !eq + nanc, 1);
    };
    B.poison(); enqueue_chain(M, B, ops, st, false, true); CK(cudaStreamSynchronize(st)); check("fused == unfused (plain)");
    B.poison(); enqueue_chain(M, B, ops, st, true, true); CK(cudaStreamSynchronize(st)); check("fused PDL eager == ref");
    B.poison(); enqueue_chain(M, B, ops, st, true, false); CK(cudaStreamSynchronize(st)); check("unfused PDL eager == ref");
    // graphs
    cudaGraphExec_t ge[2][2];
    for (int fused = 0; fused < 2; fused++)
      for (int pdl = 0; pdl < 2; pdl++) {
        cudaGraph_t g;
        CK(cudaStreamBeginCapture(st, cudaStreamCaptureModeThreadLocal));
        enqueue_chain(M, B, ops, st, pdl, fused);
        CK(cudaStreamEndCapture(st, &g));
        CK(cudaGraphInstantiate(&ge[fused][pdl], g, 0));
        CK(cudaGraphDestroy(g));
        for (int rep = 0; rep < 2; rep++) {
          B.poison();
          CK(cudaGraphLaunch(ge[fused][pdl], st));
          CK(cudaStreamSynchronize(st));
          check(std::string("graph ") + (fused ? "fused" : "unfused") + (pdl ? " PDL" : " plain") + " == ref #" + std::to_string(rep));
        }
      }
    double us[2][2];
    for (int fused = 0; fused < 2; fused++)
      for (int pdl = 0; pdl < 2; pdl++) us[fused][pdl] = graph_replay_us(ge[fused][pdl], st);
    check("after timing");
    printf("%s: graph replay  unfused plain %.1f us | unfused PDL %.1f us | fused plain %.1f us | fused PDL %.1f us\n", tag.c_str(),
           us[0][0], us[0][1], us[1][0], us[1][1]);
    g_rows.push_back({tag + " graph fused+PDL", true, 0, 0, 0, us[1][1],
                      fmt("fused plain %.1f us", us[1][0]) + fmt(", unfused plain %.1f us", us[0][0]) + fmt(", unfused PDL %.1f us", us[0][1])});
    for (int f = 0; f < 2; f++) for (int q = 0; q < 2; q++) CK(cudaGraphExecDestroy(ge[f][q]));
  }
  CK(cudaStreamDestroy(st));
}

// ================================================================ persistent layers
// The forward at bucket 16 with every layer in layer_persistent (PK_OPS_LAYER: `plan --impl-choices` with a
// persistentLayers row at 16) against the engine's default chain (PK_OPS) on the same inputs. Not the same bits
// (another k order in every GEMM, fp32 probabilities in attention): within tolerance, layer 0's KV cache tightly,
// the end of the forward loosely (18 layers of bf16 rounding flips). The persistent chain must be deterministic:
// eager twice, graph == eager, with and without PDL. Both chains timed as graph replays.
// Tensors of ChainBatch::snapshot: 0 res, 1 hidden, 2 qkv, 3 act, 4 final hidden, 5 logits, 6 argmax, 7 k cache, 8 v cache.
// The plan's chain (the reference) and another chain on the same inputs, eager with plain launches: both snapshots, or
// false (recorded as a failure) where an op of either cannot run in the harness.
static bool run_chain_pair(ChainModel &M, ChainBatch &B, const std::vector<const OpLine *> &ref_ops, const std::vector<const OpLine *> &alt_ops,
                           cudaStream_t st, const std::string &tag, std::vector<std::vector<uint16_t>> &ref, std::vector<std::vector<uint16_t>> &got) {
  B.poison();
  auto sk = enqueue_chain(M, B, ref_ops, st, false, true);
  CK(cudaStreamSynchronize(st));
  ref = B.snapshot();
  B.poison();
  auto sk2 = enqueue_chain(M, B, alt_ops, st, false, true);
  CK(cudaStreamSynchronize(st));
  CK(cudaGetLastError());
  for (auto &x : sk2) sk.push_back(x);
  if (!sk.empty()) {
    for (auto &x : sk) printf("  skipped %s\n", x.c_str());
    record_bool(tag + " chains run whole", false, (long)sk.size(), 1);
    return false;
  }
  got = B.snapshot();
  return true;
}
static Cmp compare_bits_or_tol(const char *name, const std::vector<uint16_t> &o, const std::vector<uint16_t> &r, size_t n, double tol,
                               double eps) {
  return compare(name, (long)n, [&](long i) { return o[i] == r[i] ? 0.f : h_bf2f(o[i]); },
                 [&](long i) { return o[i] == r[i] ? 0.0 : (double)h_bf2f(r[i]); }, tol, eps);  // equal bits (poison included) pass
}
static double rms_bf16(const std::vector<uint16_t> &v, size_t n) {
  double s = 0; size_t c = 0;
  for (size_t i = 0; i < n; i++) { double x = h_bf2f(v[i]); if (std::isfinite(x)) { s += x * x; c++; } }
  return c ? std::sqrt(s / c) : 0.0;
}
// The end of the forward against the reference chain's: 18 layers of bf16 rounding flips, so loosely (the reference check is
// the engine's GPU test); and how many sequences' first tokens agree.
static void compare_forward_ends(const std::string &tag, const ChainBatch &B, const std::vector<std::vector<uint16_t>> &got,
                                 const std::vector<std::vector<uint16_t>> &ref) {
  const char *names[] = {"residual", "hidden", "qkv (last layer)", "act (last layer)", "final hidden", "logits"};
  for (int t : {0, 2, 3, 4, 5}) {
    const size_t n = got[t].size();
    const double rr = rms_bf16(ref[t], n);
    record(tag + " " + names[t], compare_bits_or_tol(names[t], got[t], ref[t], n, 0.25 * rr, 0.1), 0, fmt("ref rms %.3g", rr));
  }
  long agree = 0;
  for (int s = 0; s < B.ns; s++) agree += got[6][2 * s] == ref[6][2 * s] && got[6][2 * s + 1] == ref[6][2 * s + 1];
  printf("%s: first tokens agree in %ld of %d sequences\n", tag.c_str(), agree, B.ns);
}
static void test_layer() {
  printf("\n== layer_persistent: the persistent chain against the default chain (bucket 16)\n");
  const char *lp = getenv("PK_OPS_LAYER");
  if (!lp || !load_plan_ops()) {
    printf("skipped: set PK_OPS (the default plan's dump) and PK_OPS_LAYER (the dump with persistentLayers at 16)\n");
    return;
  }
  std::vector<OpLine> lall = read_op_dump("PK_OPS_LAYER", lp);
  std::vector<const OpLine *> lops;
  long nlayer = 0;
  for (auto &o : lall)
    if (o.i("size") == 16) { lops.push_back(&o); nlayer += o.s("kind") == "LAYER" ? std::max(1, o.i("layers")) : 0; }
  record_bool("PK_OPS_LAYER: bucket 16 runs every layer in LAYER ops", nlayer == ChainModel::L, nlayer != ChainModel::L, 1,
              std::to_string(nlayer) + " layers in LAYER ops, " + std::to_string(lops.size()) + " ops");
  const std::vector<const OpLine *> rops = plan_ops(16);
  CK(cudaFuncSetAttribute(layer_persistent, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_LAYER_SMEM));
  g_layer_cluster = getenv("PK_LAYER_CLUSTER") ? atoi(getenv("PK_LAYER_CLUSTER")) : 1;
  if (g_layer_cluster > 1) {  // how many clusters of that size fit at once (all 128 blocks must)
    const int cl = g_layer_cluster;
    if (cl > 8) CK(cudaFuncSetAttribute(layer_persistent, cudaFuncAttributeNonPortableClusterSizeAllowed, 1));
    cudaLaunchConfig_t cfg = {};
    cfg.gridDim = dim3(PREFILL_LAYER_BLOCKS); cfg.blockDim = dim3(PREFILL_LAYER_THREADS); cfg.dynamicSmemBytes = PREFILL_LAYER_SMEM;
    cudaLaunchAttribute at[1];
    at[0].id = cudaLaunchAttributeClusterDimension;
    at[0].val.clusterDim.x = cl; at[0].val.clusterDim.y = 1; at[0].val.clusterDim.z = 1;
    cfg.attrs = at; cfg.numAttrs = 1;
    int nclusters = 0;
    CK(cudaOccupancyMaxActiveClusters(&nclusters, layer_persistent, &cfg));
    record_bool("clusters of " + std::to_string(cl) + " co-resident: " + std::to_string(nclusters) + " (need " +
                    std::to_string(PREFILL_LAYER_BLOCKS / cl) + ")", nclusters * cl >= PREFILL_LAYER_BLOCKS, nclusters * cl < PREFILL_LAYER_BLOCKS, 1);
    if (nclusters * cl < PREFILL_LAYER_BLOCKS) return;
  }
  ChainModel M;
  Rng r(57);
  cudaStream_t st;
  CK(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking));
  typedef ChainModel CM;
  // PK_LAYER_QUICK=1 (sanitizer runs): the first batch, eager only
  const bool quick = getenv("PK_LAYER_QUICK") != nullptr;
  for (const std::vector<int> &lens : {std::vector<int>{10}, std::vector<int>{4, 6}, std::vector<int>{3, 5, 2, 6}}) {
    if (quick && lens.size() > 1) break;
    ChainBatch B(16, rops[0]->i("seqs"), rops[0]->i("tiles"), lens, r);
    const std::string tag = "layer T=" + std::to_string(B.T) + " seqs=" + std::to_string(B.ns);
    std::vector<std::vector<uint16_t>> ref, got;
    if (!run_chain_pair(M, B, rops, lops, st, tag, ref, got)) continue;
    const size_t kvl = (size_t)B.npages * 64 * CM::KVH * CM::D;
    // layer 0's cache: one GEMM (qkv) in another order, then the same rope arithmetic: ~1 bf16 ulp
    record(tag + " k cache layer 0", compare_bits_or_tol("k0", got[7], ref[7], kvl, 1e-2, 2e-2), 0, "");
    record(tag + " v cache layer 0", compare_bits_or_tol("v0", got[8], ref[8], kvl, 1e-2, 2e-2), 0, "");
    // layer 1's cache: one layer of drift (layer 0's attention, o, MLP) before its qkv
    {
      std::vector<uint16_t> g1(got[7].begin() + kvl, got[7].begin() + 2 * kvl), r1(ref[7].begin() + kvl, ref[7].begin() + 2 * kvl);
      record(tag + " k cache layer 1", compare_bits_or_tol("k1", g1, r1, kvl, 3e-2, 3e-2), 0, "");
    }
    compare_forward_ends(tag, B, got, ref);
    auto same = [&](const std::string &what) {
      auto o = B.snapshot();
      record_bool(tag + " " + what, o == got, o != got, 1);
    };
    B.poison(); enqueue_chain(M, B, lops, st, false, true); CK(cudaStreamSynchronize(st)); same("eager again == eager");
    B.poison(); enqueue_chain(M, B, lops, st, true, true); CK(cudaStreamSynchronize(st)); same("eager PDL == eager");
    if (g_layer_cluster > 1) {  // the multicast puts the same bytes in shared memory as the L2 loads
      const int cl = g_layer_cluster;
      g_layer_cluster = 1;
      B.poison(); enqueue_chain(M, B, lops, st, true, true); CK(cudaStreamSynchronize(st)); same("no cluster == clusters of " + std::to_string(cl));
      g_layer_cluster = cl;
    }
    if (quick) continue;
    cudaGraphExec_t ge[2][2];  // [persistent][pdl]
    for (int pers = 0; pers < 2; pers++)
      for (int pdl = 0; pdl < 2; pdl++) {
        cudaGraph_t g;
        CK(cudaStreamBeginCapture(st, cudaStreamCaptureModeThreadLocal));
        enqueue_chain(M, B, pers ? lops : rops, st, pdl, true);
        CK(cudaStreamEndCapture(st, &g));
        CK(cudaGraphInstantiate(&ge[pers][pdl], g, 0));
        CK(cudaGraphDestroy(g));
      }
    for (int pdl = 0; pdl < 2; pdl++)
      for (int rep = 0; rep < 2; rep++) {
        B.poison();
        CK(cudaGraphLaunch(ge[1][pdl], st));
        CK(cudaStreamSynchronize(st));
        same(std::string("graph") + (pdl ? " PDL" : " plain") + " == eager #" + std::to_string(rep));
      }
    double us[2][2];
    for (int pers = 0; pers < 2; pers++)
      for (int pdl = 0; pdl < 2; pdl++) us[pers][pdl] = graph_replay_us(ge[pers][pdl], st);
    B.poison(); CK(cudaGraphLaunch(ge[1][1], st)); CK(cudaStreamSynchronize(st)); same("graph PDL after timing == eager");
#ifdef PL_TRACE
    {  // the last layer of that replay: per phase, the spread over blocks of when they got there (us from the first block's start)
      unsigned long long tr[PREFILL_LAYER_BLOCKS][PL_MARKS];
      CK(cudaMemcpyFromSymbol(tr, pl_trace, sizeof tr));
      unsigned long long t0 = ~0ull;
      for (int b = 0; b < PREFILL_LAYER_BLOCKS; b++) t0 = std::min(t0, tr[b][0]);
      const char *mk[PL_MARKS] = {"entry", "layer start", "qkv done", "barrier 1", "attention done", "barrier 2", "o done",
                                  "barrier 3", "gate_up done", "barrier 4", "down done (exit)", "norm 1 done", "qkv mma done",
                                  "norm 2 done", "gate_up mma done", "act loaded", "down mma done"};
      const int order[PL_MARKS] = {0, 1, 11, 12, 2, 3, 4, 5, 6, 7, 13, 14, 8, 9, 15, 16, 10};
      printf("%s: phase trace of the last layer (us since the first block's entry; min / median / max over blocks)\n", tag.c_str());
      for (int oi = 0; oi < PL_MARKS; oi++) {
        const int i = order[oi];
        std::vector<double> v;
        for (int b = 0; b < PREFILL_LAYER_BLOCKS; b++) v.push_back((tr[b][i] - t0) * 1e-3);
        std::sort(v.begin(), v.end());
        printf("  %-18s %8.2f %8.2f %8.2f\n", mk[i], v.front(), v[v.size() / 2], v.back());
      }
      static unsigned long long ta[PREFILL_LAYER_BLOCKS][PL_TRACE_LAYERS][PL_MARKS];  // every layer's marks
      CK(cudaMemcpyFromSymbol(ta, pl_trace_all, sizeof ta));
      const int nl = std::min(M.L, PL_TRACE_LAYERS);
      // every layer's start (mark 1, the last block to get there: the barrier's release), and its length to the next start
      printf("%s: layer starts (us, max over blocks) and lengths:", tag.c_str());
      double prev = -1;
      for (int l = 0; l < nl; l++) {
        unsigned long long mx = 0;
        for (int b = 0; b < PREFILL_LAYER_BLOCKS; b++) mx = std::max(mx, ta[b][l][1]);
        const double t = (mx - t0) * 1e-3;
        if (prev >= 0) printf(" %.1f", t - prev);
        else printf(" start %.1f |", t);
        prev = t;
      }
      unsigned long long ex = 0;
      for (int b = 0; b < PREFILL_LAYER_BLOCKS; b++) ex = std::max(ex, tr[b][10]);
      printf(" | last %.1f, exit %.1f\n", (ex - t0) * 1e-3 - prev, (ex - t0) * 1e-3);
      // each step of every layer: median over blocks (and max) of the step's length, mean over the middle layers
      printf("%s: step lengths (us): mean over layers 1..%d of the median / max over blocks | the last layer's median / max\n", tag.c_str(), nl - 2);
      for (int oi = 2; oi < PL_MARKS - 1; oi++) {
        const int i = order[oi], i0 = order[oi - 1];
        double md = 0, mx = 0, lmd = 0, lmx = 0;
        for (int l = 1; l < nl; l++) {
          std::vector<double> v0, v1;
          for (int b = 0; b < PREFILL_LAYER_BLOCKS; b++) { v0.push_back(ta[b][l][i0] * 1e-3); v1.push_back(ta[b][l][i] * 1e-3); }
          std::sort(v0.begin(), v0.end()); std::sort(v1.begin(), v1.end());
          const double dmed = v1[v1.size() / 2] - v0[v0.size() / 2], dmax = v1.back() - v0.back();
          if (l == nl - 1) { lmd = dmed; lmx = dmax; } else { md += dmed / (nl - 2); mx += dmax / (nl - 2); }
        }
        printf("  %-18s %6.2f %6.2f | %6.2f %6.2f\n", mk[i], md, mx, lmd, lmx);
      }
    }
#endif
    printf("%s: graph replay  default PDL %.1f us | default plain %.1f us | persistent PDL %.1f us | persistent plain %.1f us\n",
           tag.c_str(), us[0][1], us[0][0], us[1][1], us[1][0]);
    g_rows.push_back({tag + " graph persistent+PDL", true, 0, 0, 0, us[1][1],
                      fmt("default PDL %.1f us", us[0][1]) + fmt(", persistent plain %.1f us", us[1][0]) +
                          fmt(", default plain %.1f us", us[0][0])});
    for (int a = 0; a < 2; a++) for (int b = 0; b < 2; b++) CK(cudaGraphExecDestroy(ge[a][b]));
  }
  CK(cudaStreamDestroy(st));
}

// ================================================================ L2 prefetch
// The L2 probes' timing: run()'s event time in microseconds, median over 9 repetitions, each after a 256 MB memset
// evicted L2 and then before() ran to completion (nothing: cold; a prefetch; run itself: hot).
static double l2_probe_us(Dev<uint8_t> &flush, const std::function<void()> &before, const std::function<void()> &run) {
  cudaEvent_t e0, e1;
  CK(cudaEventCreate(&e0)); CK(cudaEventCreate(&e1));
  std::vector<float> t;
  for (int rep = 0; rep < 9; rep++) {
    CK(cudaMemsetAsync(flush.p, rep & 0xff, flush.n));
    before();
    CK(cudaDeviceSynchronize());
    CK(cudaEventRecord(e0));
    run();
    CK(cudaEventRecord(e1));
    CK(cudaEventSynchronize(e1));
    float ms; CK(cudaEventElapsedTime(&ms, e0, e1));
    t.push_back(ms * 1000.f);
  }
  cudaEventDestroy(e0); cudaEventDestroy(e1);
  std::sort(t.begin(), t.end());
  return (double)t[t.size() / 2];
}

// The GEMMs of one 0.3B layer (qkv, o, gate_up, down: ~24 MB of weights) at m = 16, timed after L2
// was flushed, after an l2_prefetch of those weights, and hot; and the prefetch changes no bit.
static void test_prefetch() {
  printf("\n== L2 prefetch (the next layer's GEMMs with and without a preceding l2_prefetch)\n");
  const int H = 1024, W = 1280, F = 3072, m = 16;
  const int nn[4] = {W, H, 2 * F, H}, kk[4] = {H, H, H, F};
  Rng r(77);
  std::vector<Dev<uint16_t>> w;
  for (int i = 0; i < 4; i++) w.emplace_back(rand_bf16((size_t)nn[i] * kk[i], r, 0.05f));
  Dev<uint16_t> a(rand_bf16((size_t)m * F, r)), c((size_t)m * 2 * F);
  Dev<int32_t> md = dev_scalar(m);
  Dev<uint8_t> flush((size_t)256 << 20);
  L2PrefetchParams pp{};
  size_t total = 0;
  for (int i = 0; i < 4; i++) { pp.ptr[i] = w[i].p; pp.bytes[i] = (int64_t)w[i].n * 2; total += w[i].n * 2; }
  pp.count = 4;
  pp.chunk_bytes = 4096;
  auto gemms = [&]() {
    for (int i = 0; i < 4; i++) launch_gemm2(GemmParams{a.p, w[i].p, c.p, nullptr, md.p, m, nn[i], kk[i], kk[i], kk[i], nn[i], 1}, m, false, 1);
  };
  auto timed = [&](int mode) {  // 0 cold, 1 after prefetch, 2 hot
    return l2_probe_us(flush, [&] { if (mode == 1) l2_prefetch<<<16, 256>>>(pp); if (mode == 2) gemms(); }, gemms);
  };
  c.poison(); gemms(); CK(cudaDeviceSynchronize()); auto plain = c.down();
  c.poison(); l2_prefetch<<<16, 256>>>(pp); gemms(); CK(cudaDeviceSynchronize()); auto after = c.down();
  CK(cudaGetLastError());
  record_bool("l2_prefetch changes no GEMM output bit", plain == after, plain != after, 1);
  double cold = timed(0), pre = timed(1), hot = timed(2);
  double alone = time_us([&](int) { l2_prefetch<<<16, 256>>>(pp); }, 9, 1);
  printf("layer GEMMs m=%d (%.1f MB of weights): cold %.1f us | after l2_prefetch %.1f us | hot %.1f us; prefetch alone %.1f us (16 x 256)\n",
         m, total / 1e6, cold, pre, hot, alone);
  g_rows.push_back({"prefetch: layer GEMMs m=16 after l2_prefetch", true, 0, 0, 0, pre,
                    fmt("cold %.1f us", cold) + fmt(", hot %.1f us", hot) + fmt(", prefetch alone %.1f us", alone)});
}

// ================================================================ streaming GEMMs: DRAM or L2 (s18)
// Llama-3.2-1B's layer GEMM shapes at m = 16 on the plain streaming kernel at the engine's splits, timed cold (L2
// flushed), after l2_prefetch_lines of the whole weight (flushed, prefetched, synchronized) and hot (the same GEMM just
// ran): whether the kernel is bound by DRAM (hot much faster) or by its own pipeline (hot ~ cold), and what a line
// prefetch of the weight costs alone.
static void test_stream_l2() {
  printf("\n== streaming GEMMs at m = 16: cold / after a line prefetch / hot (Llama-3.2-1B shapes)\n");
  struct Shape { const char *name; int n, k, splits; };
  const Shape shapes[] = {{"qkv", 3072, 2048, 4}, {"o", 2048, 2048, 8}, {"gate_up/2", 8192, 2048, 1},
                          {"gate_up", 16384, 2048, 1}, {"down", 2048, 8192, 8}};
  const int m = 16;
  Rng r(78);
  Dev<uint16_t> a(rand_bf16((size_t)m * 8192, r)), c((size_t)m * 16384);
  Dev<float> part((size_t)8 * m * 16384);
  Dev<int32_t> md = dev_scalar(m);
  Dev<uint8_t> flush((size_t)256 << 20);
  for (const Shape &sh : shapes) {
    Dev<uint16_t> w(rand_bf16((size_t)sh.n * sh.k, r, 0.05f));
    const double mb = (double)sh.n * sh.k * 2 / 1e6;
    GemmParams p{a.p, w.p, c.p, part.p, md.p, m, sh.n, sh.k, sh.k, sh.k, sh.n, sh.splits};
    L2PrefetchRowsParams pp{};
    pp.ptr[0] = w.p; pp.ld_bytes[0] = (int64_t)sh.k * 2; pp.rows[0] = sh.n; pp.row_bytes[0] = sh.k * 2; pp.count = 1;
    auto gemm = [&] { launch_stream(p, m, sh.splits, false); };
    auto timed = [&](int mode) {  // 0 cold, 1 after the line prefetch, 2 hot
      return l2_probe_us(flush, [&] { if (mode == 1) l2_prefetch_lines<<<64, 256>>>(pp); if (mode == 2) gemm(); }, gemm);
    };
    const double cold = timed(0), pre = timed(1), hot = timed(2);
    const double alone = time_us([&](int) { l2_prefetch_lines<<<64, 256>>>(pp); }, 9, 1);
    CK(cudaGetLastError());
    printf("%-10s %6.1f MB split %d: cold %6.2f us (%.2f TB/s) | after line prefetch %6.2f | hot %6.2f (%.2f TB/s) | line prefetch alone %6.2f us\n",
           sh.name, mb, sh.splits, cold, mb / cold, pre, hot, mb / hot, alone);
    g_rows.push_back({std::string("streaml2: ") + sh.name + " m=16 hot", true, 0, 0, 0, hot,
                      fmt("cold %.2f us", cold) + fmt(", after prefetch %.2f us", pre) + fmt(", prefetch alone %.2f us", alone)});
  }
}

// ================================================================ large GEMM variants (tuning probe)
template <int BK, int S> __global__ void __launch_bounds__(PREFILL_GEMM_LARGE_THREADS, 2) gemm_large_var(GemmParams p) {
  extern __shared__ __align__(128) uint16_t smem_v[];
  if (p.splits > 1) pk_gemm_block<PkTile<128, 128, BK, S, 2, 4>, PkStorePartial, false>(p, smem_v);
  else pk_gemm_block<PkTile<128, 128, BK, S, 2, 4>, PkStoreBf16, false>(p, smem_v);
}
static void test_probe() {
  // The BK = 32 x 6 stage variant was an experiment and left the production kernel; the probe times the one config.
  void (*kv[1])(GemmParams) = {gemm_large_var<64, 3>};
  const char *names[1] = {"BK64xS3"};
  for (int v = 0; v < 1; v++) CK(cudaFuncSetAttribute(kv[v], cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_LARGE_SMEM));
  Rng r(5);
  // odd last half tile (BK64): k / splits = 480 / 3 = 160 = 2.5 tiles; bitwise vs gemm_bf16.
  {
    const int n = 896, k = 480, m = 300;
    Dev<uint16_t> dA(rand_bf16((size_t)m * k, r)), dB(rand_bf16((size_t)n * k, r)), dC((size_t)m * n);
    Dev<float> dP((size_t)5 * m * n);
    Dev<int32_t> dm = dev_scalar(m);
    for (int splits : {1, 3, 5}) {
      GemmParams p{dA.p, dB.p, dC.p, dP.p, dm.p, m, n, k, k, k, n, splits};
      dC.poison(); launch_gemm2(p, m, false, splits); auto o1 = dC.down();
      dC.poison(); launch_gemm2(p, m, true, splits); auto o2 = dC.down();
      long nanc = 0;
      for (size_t i = 0; i < o2.size(); i++) nanc += std::isnan(h_bf2f(o2[i]));
      record_bool("gemm_large k480 splits" + std::to_string(splits) + " (half-tile tail) == gemm_bf16", o1 == o2 && !nanc, (o1 != o2) + nanc, 1);
    }
  }
  struct Shape { int n, k; };
  for (Shape sh : {Shape{1280, 1024}, Shape{6144, 1024}, Shape{1024, 3072}}) {
    const int n = sh.n, k = sh.k, m = 512;
    const size_t wel = (size_t)n * k;
    const int ncopies = (int)std::max<size_t>(2, (256ull << 20) / (wel * 2) + 1);
    Dev<uint16_t> pool((size_t)ncopies * wel), dA(rand_bf16((size_t)m * k, r)), dC((size_t)m * n);
    Dev<float> dP((size_t)4 * m * n);
    for (int i = 0; i < ncopies; i++) { InitUniformParams ip{pool.p + (size_t)i * wel, (int64_t)wel, 5u, (uint32_t)i, 0.05f, 0.f}; init_uniform_bf16<<<1024, 256>>>(ip); }
    Dev<int32_t> dm = dev_scalar(m);
    std::string line = "  probe n" + std::to_string(n) + " k" + std::to_string(k) + " m512:";
    for (int v = 0; v < 1; v++)
      for (int splits : {1, 2, 4})
        for (int hot = 0; hot < 2; hot++) {
          GemmParams p{dA.p, pool.p, dC.p, dP.p, dm.p, m, n, k, k, k, n, splits};
          double us = time_us([&](int it) {
            GemmParams q = p; if (!hot) q.b = pool.p + (size_t)(it % ncopies) * wel;
            kv[v]<<<dim3((n + 127) / 128, 4, splits), PREFILL_GEMM_LARGE_THREADS, PREFILL_GEMM_LARGE_SMEM>>>(q);
          }, 11, 10);
          line += std::string(" ") + names[v] + fmt(" s%.0f", splits) + (hot ? " hot " : " cold ") + fmt("%.2f", us);
        }
    printf("%s\n", line.c_str());
  }
}

// ================================================================ gate/up GEMM with the SiLU * up epilogue
// B rows interleaved in groups of 8 (PREFILL_GATE_UP_GROUP): device row 16b + i = gate row 8b + i, 16b + 8 + i = up row 8b + i.
static std::vector<uint16_t> interleave_rows(const std::vector<uint16_t> &w, int ffn, int k, int g) {
  std::vector<uint16_t> o(w.size());
  for (int r = 0; r < 2 * ffn; r++) {
    const int b = r / (2 * g), q = r % (2 * g), src = q < g ? b * g + q : ffn + b * g + (q - g);
    memcpy(&o[(size_t)r * k], &w[(size_t)src * k], (size_t)k * 2);
  }
  return o;
}
static void test_gemm_silu() {
  struct Shape { int ffn, k; };
  const int G = PREFILL_GATE_UP_GROUP;
  Rng r(43);
  for (Shape sh : {Shape{3072, 1024}, Shape{448, 512}}) {
    const int ffn = sh.ffn, n = 2 * ffn, k = sh.k, MMAX = 512;
    auto A = rand_bf16((size_t)MMAX * k, r), W = rand_bf16((size_t)n * k, r, std::sqrt(3.f / k));
    auto Wi = interleave_rows(W, ffn, k, G);
    Dev<uint16_t> dA(A), dW(W), dWi(Wi), dGU((size_t)MMAX * n), dOut((size_t)MMAX * ffn), dOut2((size_t)MMAX * ffn);
    Dev<float> dP(1);
    std::vector<int> rows;
    for (int i = 0; i < 16; i++) rows.push_back(i);
    for (int i : {63, 64, 100, 127, 200, 255, 300, 479, 500, 511}) rows.push_back(i);
    std::vector<std::vector<double>> ref(MMAX);  // silu(g) * u from the natural weights, in double
    parallel_for((int)rows.size(), [&](int ri) {
      const int row = rows[ri];
      ref[row].assign(ffn, 0);
      for (int j = 0; j < ffn; j++) {
        double g = 0, u = 0;
        for (int i = 0; i < k; i++) {
          const double a = h_bf2f(A[(size_t)row * k + i]);
          g += a * h_bf2f(W[(size_t)j * k + i]);
          u += a * h_bf2f(W[(size_t)(ffn + j) * k + i]);
        }
        ref[row][j] = g / (1 + std::exp(-g)) * u;
      }
    });
    for (int large = 0; large < 2; large++) {
      if (large && n % 64 != 0) continue;
      for (int m : {1, 16, 100, 512}) {
        for (int mdev : {m, std::max(1, m - 7)}) {
          Dev<int32_t> dm = dev_scalar(mdev);
          GemmParams pf{dA.p, dWi.p, dOut.p, nullptr, dm.p, m, n, k, k, k, ffn, 1};
          dOut.poison();
          launch_gemm_silu(pf, m, large);
          CK(cudaGetLastError());
          auto out = dOut.down();
          std::vector<int> vr;
          for (int s : rows) if (s < mdev) vr.push_back(s);
          Cmp c = compare("gemm_silu", (long)vr.size() * ffn, [&](long i) { return h_bf2f(out[(size_t)vr[i / ffn] * ffn + i % ffn]); },
                          [&](long i) { return ref[vr[i / ffn]][i % ffn]; }, 2e-2, 2e-2);
          // == GEMM (interleaved weights, one split) + silu_mul(group 8), and == GEMM (natural) + silu_mul(natural)
          GemmParams pu{dA.p, dWi.p, dGU.p, dP.p, dm.p, m, n, k, k, k, n, 1};
          SiluMulParams sp{dGU.p, nullptr, 0, 0, dOut2.p, dm.p, ffn, G};
          long bad = 0, nanc = 0;
          for (int natural = 0; natural < 2; natural++) {
            dGU.poison(); dOut2.poison();
            pu.b = natural ? dW.p : dWi.p;
            sp.group = natural ? 0 : G;
            launch_gemm2(pu, m, large, 1);
            silu_mul<<<264, 256>>>(sp);
            CK(cudaGetLastError());
            auto out2 = dOut2.down();
            if (out2 != out) { bad++; printf("    gemm_silu m%d m_dev%d != gemm + silu_mul (%s layout)\n", m, mdev, natural ? "natural" : "interleaved"); }
          }
          for (size_t i = 0; i < (size_t)mdev * ffn; i++) nanc += std::isnan(h_bf2f(out[i]));
          for (size_t i = (size_t)mdev * ffn; i < out.size(); i++) bad += out[i] != 0xFFFF;
          if (bad || nanc) { c.ok = false; c.fails += bad + nanc; }
          double us = 0;
          std::string perf;
          if (mdev == m && (m == 16 || m == 512)) {
            us = time_us([&](int) { launch_gemm_silu(pf, m, large); });
            sp.group = G; pu.b = dWi.p;
            const int grid = std::min(1056, (m * (ffn / 8) + 255) / 256);
            double us_u = time_us([&](int) { launch_gemm2(pu, m, large, 1); silu_mul<<<grid, 256>>>(sp); });
            perf = fmt("gemm + silu_mul %.2f us", us_u) + fmt(" (fused saves %.2f us)", us_u - us);
          }
          record(std::string(large ? "gemm_bf16_large_silu" : "gemm_bf16_silu") + " ffn" + std::to_string(ffn) + " k" + std::to_string(k) +
                     " m" + std::to_string(m) + " m_dev" + std::to_string(mdev) + " ==gemm+silu_mul",
                 c, us, perf);
        }
      }
    }
    // The weight-streaming kernels with the same epilogue (capacities 16 / 32 / 64): against the reference, and
    // bit for bit against the same kernel at the same splits + silu_mul (group 8; reading the partials when split:
    // the split-K fixup sums them in the kernel's last block per tile). The counters must be zero again after
    // every launch (a second launch reuses them). Timed at 16 against what the engine runs unfused there (the
    // stream kernel at 2 splits, then silu_mul summing the partials), back to back, with and without PDL.
    Dev<uint32_t> dCnt((size_t)n / PREFILL_GEMM_STREAM_BN);
    CK(cudaMemset(dCnt.p, 0, dCnt.n * 4));
    for (int m : {16, 32, 64}) {
      for (int sp : {1, 2, 4}) {
        for (int mdev : {m, 1, m - 5}) {
          Dev<int32_t> dm = dev_scalar(mdev);
          Dev<float> dpart((size_t)sp * m * n);
          GemmParams pf{dA.p, dWi.p, dOut.p, sp > 1 ? dpart.p : nullptr, dm.p, m, n, k, k, k, ffn, sp, sp > 1 ? dCnt.p : nullptr};
          long bad = 0, nanc = 0;
          std::vector<uint16_t> out;
          for (int rep = 0; rep < 2; rep++) {  // twice: the counters reset themselves
            dOut.poison();
            launch_stream(pf, m, sp, true);
            CK(cudaGetLastError());
            auto o = dOut.down();
            if (rep == 1 && o != out) { bad++; printf("    stream_silu m%d s%d m_dev%d: second launch differs\n", m, sp, mdev); }
            out = o;
          }
          for (uint32_t v : dCnt.down()) bad += v != 0;
          std::vector<int> vr;
          for (int s2 : rows) if (s2 < mdev) vr.push_back(s2);
          Cmp c = compare("stream_silu", (long)vr.size() * ffn, [&](long i) { return h_bf2f(out[(size_t)vr[i / ffn] * ffn + i % ffn]); },
                          [&](long i) { return ref[vr[i / ffn]][i % ffn]; }, 2e-2, 2e-2);
          GemmParams pu{dA.p, dWi.p, dGU.p, sp > 1 ? dpart.p : dP.p, dm.p, m, n, k, k, k, n, sp};
          SiluMulParams smp{sp > 1 ? nullptr : dGU.p, sp > 1 ? dpart.p : nullptr, sp > 1 ? sp : 0, sp > 1 ? m : 0, dOut2.p, dm.p, ffn, G};
          dGU.poison(); dOut2.poison();
          launch_stream(pu, m, sp, false);
          silu_mul<<<264, 256>>>(smp);
          CK(cudaGetLastError());
          auto out2 = dOut2.down();
          for (size_t i = 0; i < (size_t)mdev * ffn; i++) { bad += out2[i] != out[i]; nanc += std::isnan(h_bf2f(out[i])); }
          for (size_t i = (size_t)mdev * ffn; i < out.size(); i++) bad += out[i] != 0xFFFF;  // rows past m_dev untouched
          if (bad || nanc) { c.ok = false; c.fails += bad + nanc; }
          double us = 0;
          std::string perf;
          if (mdev == m && (m == 16 || m == 64) && sp == 2) {
            for (int pdl = 0; pdl < 2; pdl++) {
              const double f = time_us([&](int) { launch_stream(pf, m, sp, true, 0, pdl); });
              const double u = time_us([&](int) { launch_stream(pu, m, sp, false, 0, pdl); launch_ex(silu_mul, dim3(2 * m), dim3(256), 0, 0, pdl, smp); });
              if (pdl) us = f;
              perf += fmt(pdl ? " PDL: fused %.2f us" : "plain: fused %.2f us", f) + fmt(" vs stream + silu_mul %.2f", u);
            }
          }
          record("gemm_bf16_stream_m" + std::to_string(m) + "_silu ffn" + std::to_string(ffn) + " k" + std::to_string(k) + " s" +
                     std::to_string(sp) + " m_dev" + std::to_string(mdev) + " ==stream+silu_mul",
                 c, us, perf);
        }
      }
    }
    // The half-width forms with the epilogue (v40; never split): against the reference, and bit for bit against the
    // unsplit _n32 kernel + silu_mul (group 8), the chain the engine runs without the fusion; rows past m_dev untouched.
    // Timed at 16 and 64 back to back with PDL against that chain.
    if (ffn % PREFILL_GEMM_STREAM_N32_BN == 0 && k % PREFILL_GEMM_STREAM_N32_BK == 0) {
      for (int m : {16, 32, 64}) {
        for (int mdev : {m, 1, m - 5}) {
          Dev<int32_t> dm = dev_scalar(mdev);
          GemmParams pf{dA.p, dWi.p, dOut.p, nullptr, dm.p, m, n, k, k, k, ffn, 1};
          dOut.poison();
          launch_stream_n32_silu(pf, m);
          CK(cudaGetLastError());
          auto out = dOut.down();
          std::vector<int> vr;
          for (int s2 : rows) if (s2 < mdev) vr.push_back(s2);
          Cmp c = compare("stream_n32_silu", (long)vr.size() * ffn, [&](long i) { return h_bf2f(out[(size_t)vr[i / ffn] * ffn + i % ffn]); },
                          [&](long i) { return ref[vr[i / ffn]][i % ffn]; }, 2e-2, 2e-2);
          GemmParams pu{dA.p, dWi.p, dGU.p, nullptr, dm.p, m, n, k, k, k, n, 1};
          SiluMulParams smp{dGU.p, nullptr, 0, 0, dOut2.p, dm.p, ffn, G};
          dGU.poison(); dOut2.poison();
          launch_stream_n32(pu, m, 1);
          silu_mul<<<264, 256>>>(smp);
          CK(cudaGetLastError());
          auto out2 = dOut2.down();
          long bad = 0, nanc = 0;
          for (size_t i = 0; i < (size_t)mdev * ffn; i++) { bad += out2[i] != out[i]; nanc += std::isnan(h_bf2f(out[i])); }
          for (size_t i = (size_t)mdev * ffn; i < out.size(); i++) bad += out[i] != 0xFFFF;
          if (bad || nanc) { c.ok = false; c.fails += bad + nanc; printf("    stream_n32_silu m%d m_dev%d: %ld differ from n32 + silu_mul\n", m, mdev, bad); }
          double us = 0;
          std::string perf;
          if (m == 16 || (mdev == m && m == 64)) {  // at 16 also with fewer real rows (a 10-token prompt lost in s15 call 1)
            us = time_us([&](int) { launch_stream_n32_silu(pf, m, 0, true); });
            const double u = time_us([&](int) { launch_stream_n32(pu, m, 1, 0, true); launch_ex(silu_mul, dim3(2 * m), dim3(256), 0, 0, true, smp); });
            perf = fmt("PDL: fused %.2f us", us) + fmt(" vs n32 + silu_mul %.2f", u);
          }
          record("gemm_bf16_stream_m" + std::to_string(m) + "_n32_silu ffn" + std::to_string(ffn) + " k" + std::to_string(k) + " m_dev" +
                     std::to_string(mdev) + " ==n32+silu_mul",
                 c, us, perf);
        }
      }
    }
  }
}

// ================================================================ qkv GEMM with the rope_kv_write epilogue
// gemm_bf16_stream_mXX_rope at every capacity, several splits and m_dev, against the unfused chain the engine
// runs (the same streaming kernel at the same splits, then rope_kv_write reading its partials; bf16 qkv at one
// split), bit for bit: qkv rows < m_dev, the k and v caches (slots < 0 skipped), rows past m_dev untouched,
// the tile counters zero after each launch, and a second launch identical. Timed at 16 with PDL and without.
// The half-width forms (gemm_bf16_stream_mXX_n32_rope, v65: two tiles' blocks per counter) the same way against the
// _n32 kernel at the same splits + rope_kv_write; unsplit they run the fixup too (no direct form).
// The 16-column pair form (gemm_bf16_stream_m16_n16_rope1, v75: capacity 16, unsplit) against the unsplit _n16 kernel +
// rope_kv_write; timed against it and against the half-width split form at the engine's splits (ERNIE 4, Llama 2).
static void test_rope_fused() {
  struct Cfg { int qh, kvh, D, k; bool bias; };
  Rng r(47);
  for (Cfg cfg : {Cfg{16, 2, 64, 1024, false}, Cfg{32, 8, 64, 2048, false}, Cfg{14, 2, 64, 512, true}, Cfg{4, 2, 64, 256, false}}) {
    const int D = cfg.D, n = (cfg.qh + 2 * cfg.kvh) * D, k = cfg.k, maxpos = 4096, nslots = 512, MMAX = 64;
    auto A = rand_bf16((size_t)MMAX * k, r), W = rand_bf16((size_t)n * k, r, std::sqrt(3.f / k)), bias = rand_bf16(n, r, 0.5f);
    std::vector<float> cs = rope_table(maxpos, D);
    std::vector<int32_t> posv, slots;
    rand_positions_slots(r, MMAX, maxpos, nslots, 8, posv, slots);
    Dev<uint16_t> dA(A), dW(W), dbias(bias), dQ1((size_t)MMAX * n), dQ2((size_t)MMAX * n);
    Dev<uint16_t> dk1((size_t)nslots * cfg.kvh * D), dv1((size_t)nslots * cfg.kvh * D), dk2((size_t)nslots * cfg.kvh * D), dv2((size_t)nslots * cfg.kvh * D);
    Dev<float> dcs(cs);
    Dev<int32_t> dpos(posv), dslot(slots);
    Dev<uint32_t> dCnt((size_t)n / PREFILL_GEMM_STREAM_BN);
    CK(cudaMemset(dCnt.p, 0, dCnt.n * 4));
    const std::string shape = std::to_string(cfg.qh) + "/" + std::to_string(cfg.kvh) + " D" + std::to_string(D) + " k" + std::to_string(k) + (cfg.bias ? " bias" : "");
    const bool pairOnly = getenv("PK_ROPE_N16_ONLY") != nullptr && atoi(getenv("PK_ROPE_N16_ONLY")) != 0;
    for (int n32 = 0; n32 <= 2; n32++)
    if (!(pairOnly && n32 != 2))  // PK_ROPE_N16_ONLY=1: the pair form only (the sanitizers' runs)
    for (int m : {16, 32, 64}) {
      if (n32 == 2 && m != 16) continue;  // the pair form holds 16 rows
      for (int sp : {1, 2, 4, 8}) {
        if (n32 == 2 && sp != 1) continue;  // and is never split
        if (k % (sp * (n32 ? PREFILL_GEMM_STREAM_N32_BK : PREFILL_GEMM_STREAM_BK)) != 0) continue;
        for (int direct = 0; direct <= (sp == 1 && !n32 ? 1 : 0); direct++)  // unsplit: the fixup form and the _rope1 form
        for (int mdev : {m, 1, m - 5}) {
          Dev<int32_t> dm = dev_scalar(mdev);
          Dev<float> dpart((size_t)sp * m * n), dpart2((size_t)sp * m * n);
          RopeKvParams rp{dQ1.p, nullptr, 0, 0, cfg.bias ? dbias.p : nullptr, dcs.p, dpos.p, dslot.p, dk1.p, dv1.p, dm.p, cfg.qh, cfg.kvh, D, maxpos};
          GemmRopeParams fp{GemmParams{dA.p, dW.p, dQ1.p, dpart.p, dm.p, m, n, k, k, k, n, sp, dCnt.p}, rp};
          long bad = 0;
          std::vector<uint16_t> q1, k1, v1;
          for (int rep = 0; rep < 2; rep++) {
            dQ1.poison(); dk1.poison(); dv1.poison();
            launch_stream_rope(fp, m, sp, 0, false, direct, n32);
            CK(cudaGetLastError());
            auto q = dQ1.down(), kk = dk1.down(), vv = dv1.down();
            if (rep == 1 && (q != q1 || kk != k1 || vv != v1)) { bad++; printf("    rope_fused m%d s%d m_dev%d: second launch differs\n", m, sp, mdev); }
            q1 = q; k1 = kk; v1 = vv;
          }
          for (uint32_t v : dCnt.down()) bad += v != 0;
          // unfused: stream GEMM (partials when split, bf16 qkv otherwise), then rope_kv_write
          GemmParams gu{dA.p, dW.p, dQ2.p, dpart2.p, dm.p, m, n, k, k, k, n, sp};
          RopeKvParams ru{dQ2.p, sp > 1 ? dpart2.p : nullptr, sp > 1 ? sp : 0, sp > 1 ? m : 0, cfg.bias ? dbias.p : nullptr, dcs.p, dpos.p, dslot.p,
                          dk2.p, dv2.p, dm.p, cfg.qh, cfg.kvh, D, maxpos};
          dQ2.poison(); dk2.poison(); dv2.poison();
          if (n32 == 2) launch_stream_n16(gu, sp);
          else if (n32) launch_stream_n32(gu, m, sp);
          else launch_stream(gu, m, sp, false);
          rope_kv_write<<<m, 256>>>(ru);
          CK(cudaGetLastError());
          auto q2 = dQ2.down(), k2 = dk2.down(), v2 = dv2.down();
          long nanc = 0;
          for (size_t i = 0; i < (size_t)mdev * n; i++) { bad += q1[i] != q2[i]; nanc += std::isnan(h_bf2f(q1[i])); }
          for (size_t i = (size_t)mdev * n; i < q1.size(); i++) bad += q1[i] != 0xFFFF;  // rows past m_dev untouched
          bad += k1 != k2;
          bad += v1 != v2;
          long cached = 0;  // the caches of the real tokens with a slot were written (not NaN)
          for (int t = 0; t < mdev; t++)
            if (slots[t] >= 0) cached += !std::isnan(h_bf2f(k1[(size_t)slots[t] * cfg.kvh * D])) && !std::isnan(h_bf2f(v1[(size_t)slots[t] * cfg.kvh * D]));
          long want = 0;
          for (int t = 0; t < mdev; t++) want += slots[t] >= 0;
          bad += cached != want;
          if (n32 == 2) {  // the 16-column k order against the half-width kernel's (unsplit) + rope_kv_write: within bf16 tolerance
            dQ2.poison();
            launch_stream_n32(gu, m, 1);
            rope_kv_write<<<m, 256>>>(ru);
            CK(cudaGetLastError());
            auto q3 = dQ2.down();
            long far = 0;
            for (size_t i = 0; i < (size_t)mdev * n; i++) {
              const float a = h_bf2f(q1[i]), b = h_bf2f(q3[i]);
              far += !(std::fabs(a - b) <= 2e-2f + 2e-2f * std::fabs(b));
            }
            if (far) printf("    rope_fused n16 m_dev%d: %ld of %ld outside tolerance of the n32 chain\n", mdev, far, (long)mdev * n);
            bad += far;
          }
          Cmp c{bad == 0 && nanc == 0, 0.0, bad + nanc, (long)mdev * n};
          double us = 0;
          std::string perf;
          // timed: the engine's splits (8; 4 at k 512) and unsplit (tiny's qkv at 1..16 since s17: the v49 direct epilogue)
          // the half-width forms at the splits s25 measured them: 2 (Llama's qkv) and 4 (ERNIE's)
          if (mdev == m && (m == 16 || m == 64) && (n32 == 2 || (n32 ? sp == 2 || sp == 4 : sp == 8 || (k == 512 && sp == 4) || sp == 1))) {
            for (int pdl = 0; pdl < 2; pdl++) {
              const double f = time_us([&](int) { launch_stream_rope(fp, m, sp, 0, pdl, direct, n32); });
              const double u = time_us([&](int) {
                if (n32 == 2) launch_stream_n16(gu, sp, 0, pdl);
                else if (n32) launch_stream_n32(gu, m, sp, 0, pdl);
                else launch_stream(gu, m, sp, false, 0, pdl);
                launch_ex(rope_kv_write, dim3(m), dim3(256), 0, 0, pdl, ru);
              });
              if (pdl) us = f;
              perf += fmt(pdl ? " PDL: fused %.2f us" : "plain: fused %.2f us", f) + fmt(" vs stream + rope %.2f", u);
            }
            if (n32 == 2) {  // against the half-width split form the engine bundles at 16 (ERNIE split 4, Llama split 2)
              const int es = k >= 2048 ? 2 : 4;
              Dev<float> dpe((size_t)es * m * n);
              GemmRopeParams fe{GemmParams{dA.p, dW.p, dQ2.p, dpe.p, dm.p, m, n, k, k, k, n, es, dCnt.p}, rp};
              fe.rope.qkv = dQ2.p;
              fe.rope.k_cache = dk2.p;
              fe.rope.v_cache = dv2.p;
              if (k % (es * PREFILL_GEMM_STREAM_N32_BK) == 0)
                perf += " | n32_rope s" + std::to_string(es) + fmt(" PDL %.2f us", time_us([&](int) { launch_stream_rope(fe, m, es, 0, true, false, 1); }));
              GemmRopeParams f1 = fe;  // and the 64-column unsplit form (v49, tiny's qkv at 1..16 before v75)
              f1.gemm.splits = 1;
              perf += fmt(" | rope1 PDL %.2f us", time_us([&](int) { launch_stream_rope(f1, m, 1, 0, true, true, 0); }));
            }
          }
          if (!c.ok) g_all_ok = false;
          g_rows.push_back({"gemm_bf16_stream_m" + std::to_string(m) + (n32 == 2 ? "_n16_rope1 " : n32 ? "_n32_rope " : direct ? "_rope1 " : "_rope ") + shape + " s" + std::to_string(sp) + " m_dev" + std::to_string(mdev) +
                                " ==stream+rope",
                            c.ok, 0.0, c.fails, c.count, us, perf});
          printf("%-52s %s  fails %ld/%ld  %s\n", g_rows.back().name.c_str(), c.ok ? "OK  " : "FAIL", c.fails, c.count, perf.c_str());
        }
      }
    }
  }
}

// ================================================================ rope_kv_write over more blocks per token (v35)
// rope_kv_write with a token's items over gridDim.y blocks against gridDim.y = 1, bit for bit (qkv, both caches),
// split-K partials or bf16, bias or not, the 4-wide path and the scalar one (D 60). Timed at 10 tokens (capacity 16,
// PDL back to back), y 8 (the engine's at 16) against y 1.
static void test_rope_spread() {
  Rng r(71);
  struct Cfg { int qh, kvh, D; bool bias; };
  for (Cfg cfg : {Cfg{16, 2, 64, true}, Cfg{32, 8, 64, false}, Cfg{14, 2, 64, false}, Cfg{16, 2, 60, true}}) {
    for (int sp : {0, 8}) {
      const int cap = 16, nt = 10, maxpos = 4096, nslots = 8 * 64;
      const int D = cfg.D, width = (cfg.qh + 2 * cfg.kvh) * D;
      auto qkv = rand_bf16((size_t)cap * width, r, 2.f), bias = rand_bf16(width, r, 0.5f);
      auto part = rand_f32((size_t)std::max(sp, 1) * cap * width, r, 1.f);
      std::vector<float> cs = rope_table(maxpos, D);
      std::vector<int32_t> posv, slots;
      rand_positions_slots(r, cap, maxpos, nslots, 10, posv, slots);
      Dev<uint16_t> dqkv(qkv), dbias(bias), dk((size_t)nslots * cfg.kvh * D), dv((size_t)nslots * cfg.kvh * D);
      Dev<float> dcs(cs), dpart(part);
      Dev<int32_t> dpos(posv), dslot(slots), dn = dev_scalar(nt);
      RopeKvParams p{dqkv.p, sp > 0 ? dpart.p : nullptr, sp, cap, cfg.bias ? dbias.p : nullptr, dcs.p, dpos.p, dslot.p, dk.p, dv.p, dn.p,
                     cfg.qh, cfg.kvh, D, maxpos};
      std::vector<uint16_t> o[2], kk[2], vv[2];
      long bad = 0;
      for (int gy : {1, 2, 5, 8}) {
        dqkv.up(qkv); dk.poison(); dv.poison();
        rope_kv_write<<<dim3(cap, gy), 256>>>(p);
        CK(cudaGetLastError());
        const int v = gy == 1 ? 0 : 1;
        o[v] = dqkv.down(); kk[v] = dk.down(); vv[v] = dv.down();
        if (v == 1) bad += count_diff(o[0], o[1]) + count_diff(kk[0], kk[1]) + count_diff(vv[0], vv[1]);
      }
      std::string tag = "rope_kv_write y2/5/8 " + std::to_string(cfg.qh) + "/" + std::to_string(cfg.kvh) + " D" + std::to_string(D) +
                        (cfg.bias ? " bias" : "") + (sp ? " splits8" : " bf16") + " == y1";
      if (cfg.qh == 16 && D == 64 && sp == 8) {
        const double u0 = time_us([&](int) { launch_ex(rope_kv_write, dim3(cap), dim3(256), 0, 0, true, p); });
        const double u1 = time_us([&](int) { launch_ex(rope_kv_write, dim3(cap, 8), dim3(256), 0, 0, true, p); });
        record(tag, Cmp{bad == 0, 0, bad, (long)o[0].size() * 3}, u1, fmt("PDL back to back, y8 vs y1 %.2f us", u0));
      } else {
        record_bool(tag, bad == 0, bad, (long)o[0].size() * 3);
      }
    }
  }
}

// ================================================================ split-K reduced in a cluster (v36, an option)
// gemm_bf16_stream_mXX_csum against the plain streaming kernel at the same splits: its one partial plane equals the
// in-order fp32 sum of the plain kernel's splits planes, bit for bit (what every consumer computes before rounding), at
// every capacity, the engine's shapes and splits at 16 / 32 / 64 (16 splits needs the non-portable cluster size), m_dev
// below the capacity. Timed at 16 rows, PDL back to back, against the plain kernel (which writes splits planes).
static void test_csum() {
  Rng r(83);
  struct Shape { int n, k, splits; const char *what; };
  for (int m : {16, 32, 64})
    for (Shape sh : {Shape{1024, 3072, 16, "down"}, Shape{1024, 1024, 16, "o"}, Shape{1280, 1024, 8, "qkv"}, Shape{6144, 1024, 2, "gate_up"},
                     Shape{1024, 3072, 12, "down s12"}, Shape{1024, 1024, 4, "o s4"}}) {
      auto A = rand_bf16((size_t)m * sh.k, r, 1.f), Wt = rand_bf16((size_t)sh.n * sh.k, r, std::sqrt(3.f / sh.k));
      Dev<uint16_t> dA(A), dW(Wt), dC((size_t)m * sh.n);
      Dev<float> dP1((size_t)sh.splits * m * sh.n), dP2((size_t)m * sh.n);
      for (int mdev : {m, 1, m - 5}) {
        Dev<int32_t> dm = dev_scalar(mdev);
        GemmParams p1{dA.p, dW.p, dC.p, dP1.p, dm.p, m, sh.n, sh.k, sh.k, sh.k, sh.n, sh.splits};
        GemmParams p2{dA.p, dW.p, dC.p, dP2.p, dm.p, m, sh.n, sh.k, sh.k, sh.k, sh.n, sh.splits};
        const dim3 grid(sh.n / PREFILL_GEMM_STREAM_BN, 1, sh.splits);
        dP1.poison(); dP2.poison();
        launch_stream(p1, m, sh.splits, false);
        launch_stream_csum(p2, m, grid, 0, false);
        CK(cudaGetLastError());
        CK(cudaDeviceSynchronize());
        auto h1 = dP1.down(), h2 = dP2.down();
        long bad = 0, count = 0;
        for (int row = 0; row < mdev; row++)
          for (int col = 0; col < sh.n; col++) {
            float a = h1[(size_t)row * sh.n + col];
            for (int z = 1; z < sh.splits; z++) a = a + h1[((size_t)z * m + row) * sh.n + col];
            const float b = h2[(size_t)row * sh.n + col];
            bad += std::memcmp(&a, &b, 4) != 0 || std::isnan(b);
            count++;
          }
        std::string tag = "gemm_bf16_stream_m" + std::to_string(m) + "_csum " + sh.what + " n" + std::to_string(sh.n) + " k" +
                          std::to_string(sh.k) + " s" + std::to_string(sh.splits) + " m_dev" + std::to_string(mdev) + " == in-order sum";
        if (m == 16 && mdev == m && sh.splits >= 2 && std::string(sh.what).find(' ') == std::string::npos) {
          const double u0 = time_us([&](int) { launch_stream(p1, m, sh.splits, false, 0, true); });
          const double u1 = time_us([&](int) { launch_stream_csum(p2, m, grid, 0, true); });
          record(tag, Cmp{bad == 0, 0, bad, count}, u1, "PDL back to back: plain (" + std::to_string(sh.splits) + " planes)" + fmt(" %.2f us", u0));
        } else {
          record_bool(tag, bad == 0, bad, count);
        }
      }
    }
}

// A 16-row streaming kernel at another ring depth against the six-stage kernel of its tile (v80, v81): the same launch of
// each (C and every partial plane poisoned first, so untouched parts compare too) bit for bit, and both timed, PDL back to back.
static void record_ring_pair(const std::string &tag, dim3 grid, const GemmParams &p, void (*six)(GemmParams), int smem_six,
                             void (*other)(GemmParams), int smem_other, Dev<uint16_t> &dC, Dev<float> &dP) {
  const dim3 block(PREFILL_GEMM_STREAM_THREADS);
  auto raw = [&](void (*kern)(GemmParams), int smem) {
    dC.poison(); dP.poison();
    launch_ex(kern, grid, block, smem, 0, false, p);
    CK(cudaGetLastError());
    CK(cudaDeviceSynchronize());
    return std::make_pair(dC.down(), dP.down());
  };
  const auto a = raw(six, smem_six), b = raw(other, smem_other);
  const bool same = a.first == b.first && std::memcmp(a.second.data(), b.second.data(), a.second.size() * 4) == 0;
  const double t6 = time_us([&](int) { launch_ex(six, grid, block, smem_six, 0, true, p); });
  const double t = time_us([&](int) { launch_ex(other, grid, block, smem_other, 0, true, p); });
  Cmp c{same, 0.0, same ? 0L : 1L, 1L};
  record(tag, c, t, fmt("PDL back to back; six stages %.2f us", t6));
}

// ================================================================ half-width streaming tiles (v37, bundled at <= 64)
// gemm_bf16_stream_mXX_n32 at every capacity, the engine's shapes, at the bundled splits (half the plain kernel's:
// the same block count) and around them: the output (bf16 C at one split, else the fp32 planes summed in order z, as a
// consumer sums them) against the float64 reference within 1e-2 + 8e-3 |ref|; rows below m_dev bit for bit the rows of
// the m_dev = capacity launch; rows at and past m_dev untouched (C and every plane). Timed at each capacity, PDL back to
// back, against the plain kernel at the bundled splits.
static void test_n32() {
  Rng r(91);
  struct Shape { int n, k, splits, plain_splits; const char *what; };
  for (int m : {16, 32, 64})
    for (Shape sh : {Shape{1280, 1024, 4, 8, "qkv"}, Shape{1024, 1024, 8, 16, "o"}, Shape{6144, 1024, 1, 2, "gate_up"}, Shape{1024, 3072, 8, 16, "down"},
                     Shape{1280, 1024, 2, 0, "qkv s2"}, Shape{1024, 1024, 4, 0, "o s4"}, Shape{6144, 1024, 2, 0, "gate_up s2"},
                     Shape{1024, 3072, 6, 0, "down s6"}, Shape{1024, 3072, 12, 0, "down s12"}}) {
      const int n = sh.n, k = sh.k, S = sh.splits;
      auto A = rand_bf16((size_t)m * k, r, 1.f), Wt = rand_bf16((size_t)n * k, r, std::sqrt(3.f / k));
      std::vector<double> ref((size_t)m * n);
      parallel_for(m, [&](int row) {
        for (int c = 0; c < n; c++) {
          double acc = 0;
          for (int i = 0; i < k; i++) acc += (double)h_bf2f(A[(size_t)row * k + i]) * h_bf2f(Wt[(size_t)c * k + i]);
          ref[(size_t)row * n + c] = acc;
        }
      });
      Dev<uint16_t> dA(A), dW(Wt), dC((size_t)m * n);
      Dev<float> dP((size_t)std::max(S, 16) * m * n);
      // One launch at m_dev: the output as a consumer sees it (float per element), and the untouched count past m_dev.
      auto run = [&](int mdev, long &untouched) {
        Dev<int32_t> dm = dev_scalar(mdev);
        GemmParams p{dA.p, dW.p, dC.p, dP.p, dm.p, m, n, k, k, k, n, S};
        dC.poison(); dP.poison();
        launch_stream_n32(p, m, S);
        CK(cudaGetLastError());
        CK(cudaDeviceSynchronize());
        std::vector<float> out((size_t)m * n);
        untouched = 0;
        if (S == 1) {
          auto h = dC.down();
          for (size_t i = 0; i < out.size(); i++) out[i] = h_bf2f(h[i]);
          for (size_t i = (size_t)mdev * n; i < out.size(); i++) untouched += h[i] != 0xFFFF;
        } else {
          auto h = dP.down();
          for (int row = 0; row < m; row++)
            for (int c = 0; c < n; c++) {
              float a = h[(size_t)row * n + c];
              for (int z = 1; z < S; z++) a = a + h[((size_t)z * m + row) * n + c];
              out[(size_t)row * n + c] = a;
              if (row >= mdev)
                for (int z = 0; z < S; z++) { uint32_t u; std::memcpy(&u, &h[((size_t)z * m + row) * n + c], 4); untouched += u != 0xFFFFFFFFu; }
            }
        }
        return out;
      };
      long u0 = 0;
      const auto full = run(m, u0);
      const std::string tag = "gemm_bf16_stream_m" + std::to_string(m) + "_n32 " + sh.what + " n" + std::to_string(n) + " k" + std::to_string(k) +
                              " s" + std::to_string(S);
      Cmp c = compare("n32", (long)m * n, [&](long i) { return full[i]; }, [&](long i) { return ref[i]; }, 1e-2, 8e-3);
      for (int mdev : {1, m - 5}) {
        long u = 0;
        const auto part = run(mdev, u);
        const bool same = std::memcmp(part.data(), full.data(), (size_t)mdev * n * 4) == 0;
        if (!same || u) { c.ok = false; c.fails += u + !same; printf("    %s m_dev %d: rows %s, %ld written past m_dev\n", tag.c_str(), mdev, same ? "equal" : "DIFFER", u); }
      }
      if (m == 16 && k / S <= 8 * PREFILL_GEMM_STREAM_N32_BK) {  // v80: the nine-stage kernel == the six-stage one, bit for bit
        Dev<int32_t> dm = dev_scalar(m);
        const GemmParams p{dA.p, dW.p, dC.p, dP.p, dm.p, m, n, k, k, k, n, S};
        const dim3 grid((n + PREFILL_GEMM_STREAM_N32_BN - 1) / PREFILL_GEMM_STREAM_N32_BN, 1, S);
        record_ring_pair(tag + " n32s9 == n32 bits", grid, p, gemm_bf16_stream_m16_n32, PREFILL_GEMM_STREAM_N32_SMEM_M16,
                         gemm_bf16_stream_m16_n32s9, PREFILL_GEMM_STREAM_N32S9_SMEM_M16, dC, dP);
        if (S == 1 && n % 16 == 0) {  // the SiLU forms on the same operands (b read as interleaved gate / up groups)
          const GemmParams ps{dA.p, dW.p, dC.p, nullptr, dm.p, m, n, k, k, k, n / 2, 1};
          record_ring_pair(tag + " n32s9_silu == n32_silu bits", grid, ps, gemm_bf16_stream_m16_n32_silu, PREFILL_GEMM_STREAM_N32_SMEM_M16,
                           gemm_bf16_stream_m16_n32s9_silu, PREFILL_GEMM_STREAM_N32S9_SMEM_M16, dC, dP);
        }
      }
      if (sh.plain_splits) {
        Dev<int32_t> dm = dev_scalar(m);
        GemmParams p1{dA.p, dW.p, dC.p, dP.p, dm.p, m, n, k, k, k, n, sh.plain_splits};
        GemmParams p2{dA.p, dW.p, dC.p, dP.p, dm.p, m, n, k, k, k, n, S};
        const double t0 = time_us([&](int) { launch_stream(p1, m, sh.plain_splits, false, 0, true); });
        const double t1 = time_us([&](int) { launch_stream_n32(p2, m, S, 0, true); });
        const double wrote0 = sh.plain_splits > 1 ? 4.0 * sh.plain_splits * m * n : 2.0 * m * n, wrote1 = S > 1 ? 4.0 * S * m * n : 2.0 * m * n;
        record(tag + " vs float64", c, t1,
               fmt("PDL back to back: plain s%d", sh.plain_splits) + fmt(" %.2f us", t0) + fmt(" | writes %.0f KB", wrote1 / 1024) +
                   fmt(" vs %.0f KB", wrote0 / 1024));
      } else {
        record_bool(tag + " vs float64", c.ok, c.fails, c.count);
      }
    }
}

// Llama-3.2-1B's GEMM shapes at 16 rows (m_dev 10) for the ring-depth pairs: each shape's operands once, then `each`
// records its candidates against the plain six-stage kernel (`six`, the SiLU form where the shape is gate_up).
struct RingShape { int n, k, splits; bool silu; const char *what; };
template <class F>
static void ring_shapes(Rng &r, std::initializer_list<RingShape> shapes, F each) {
  for (const RingShape &sh : shapes) {
    const int m = 16, n = sh.n, k = sh.k, S = sh.splits;
    auto A = rand_bf16((size_t)m * k, r, 1.f), Wt = rand_bf16((size_t)n * k, r, std::sqrt(3.f / k));
    Dev<uint16_t> dA(A), dW(Wt), dC((size_t)m * n);
    Dev<float> dP((size_t)S * m * n);
    Dev<int32_t> dm = dev_scalar(10);
    const GemmParams p{dA.p, dW.p, dC.p, S > 1 ? dP.p : nullptr, dm.p, m, n, k, k, k, sh.silu ? n / 2 : n, S};
    const std::string tag = std::string(sh.what) + " n" + std::to_string(n) + " k" + std::to_string(k) + " s" + std::to_string(S) +
                            " == six stages bits (m_dev 10)";
    each(tag, dim3(n / PREFILL_GEMM_STREAM_BN, 1, S), p, sh.silu ? gemm_bf16_stream_m16_silu : gemm_bf16_stream_m16, sh.silu, dC, dP);
  }
}

// The plain 16-row tile at five stages (v81) against the six-stage kernels on Llama-3.2-1B's gate_up (SiLU, unsplit) and down
// (8 splits) at 16 rows: C / every partial plane bit for bit, PDL back-to-back times.
static void test_ring_s5() {
  Rng r(81);
  ring_shapes(r, {RingShape{16384, 2048, 1, true, "gate_up silu"}, RingShape{2048, 8192, 8, false, "down"}, RingShape{2048, 2048, 8, false, "o"}},
              [](const std::string &tag, dim3 grid, const GemmParams &p, void (*six)(GemmParams), bool silu, Dev<uint16_t> &dC, Dev<float> &dP) {
                record_ring_pair("gemm_bf16_stream_m16s5 " + tag, grid, p, six, PREFILL_GEMM_STREAM_SMEM_M16,
                                 silu ? gemm_bf16_stream_m16s5_silu : gemm_bf16_stream_m16s5, PREFILL_GEMM_STREAM_S5_SMEM_M16, dC, dP);
              });
}

// The plain 16-row tile with 128-deep k stages — 16 KB of weights per stage instead of 8 KB, the per-block copy rate the
// probes of NOTES-gemm-stream call 2 put at +15..30 % for twice the stage — at 4 stages (exported since s38:
// gemm_bf16_stream_m16k128s4, 81920 bytes) and, harness only, at 3 (61440 bytes, the six-stage kernel's residency) and 5
// (102400). Four warps over the columns and none over k, as the six-stage kernel, so the k16 steps run in the same order:
// the same bits.
template <int S>
__global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) ringk_m16(GemmParams p) {
  pk_gemm_stream_impl<PkStreamCfg<16, 64, 128, S, 1, 4, 1, 0>, PK_TRIG_ENTRY>(p, pk_stream_smem);
}
template <int S>
__global__ void __launch_bounds__(PREFILL_GEMM_STREAM_THREADS) ringk_m16_silu(GemmParams p) {
  pk_gemm_stream_impl<PkStreamCfg<16, 64, 128, S, 1, 4, 1, 0>, PK_TRIG_ENTRY, PK_EPI_SILU>(p, pk_stream_smem);
}

// Llama-3.2-1B's layer GEMMs at 16 rows on the 128-deep tiles against the six-stage kernel: bits and PDL back-to-back
// times (mode ringk; s38 call 2 screened the depths before the four-stage form was exported).
static void test_ring_k128() {
  Rng r(38);
  ring_shapes(r, {RingShape{16384, 2048, 1, true, "llama gate_up silu"}, RingShape{2048, 8192, 8, false, "llama down"},
                  RingShape{2048, 8192, 4, false, "llama down s4"}, RingShape{2048, 2048, 8, false, "llama o"},
                  RingShape{3072, 2048, 4, false, "llama qkv s4"}},
              [](const std::string &tag, dim3 grid, const GemmParams &p, void (*six)(GemmParams), bool silu, Dev<uint16_t> &dC, Dev<float> &dP) {
                auto pair = [&](const char *name, void (*kern)(GemmParams), int smem) {
                  CK(cudaFuncSetAttribute(kern, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
                  record_ring_pair(std::string(name) + " " + tag, grid, p, six, PREFILL_GEMM_STREAM_SMEM_M16, kern, smem, dC, dP);
                };
                if (silu) {
                  pair("k128s3", ringk_m16_silu<3>, PkStreamCfg<16, 64, 128, 3, 1, 4, 1, 0>::SMEM);
                  pair("gemm_bf16_stream_m16k128s4_silu", gemm_bf16_stream_m16k128s4_silu, PREFILL_GEMM_STREAM_K128S4_SMEM_M16);
                  pair("k128s5", ringk_m16_silu<5>, PkStreamCfg<16, 64, 128, 5, 1, 4, 1, 0>::SMEM);
                } else {
                  pair("k128s3", ringk_m16<3>, PkStreamCfg<16, 64, 128, 3, 1, 4, 1, 0>::SMEM);
                  pair("gemm_bf16_stream_m16k128s4", gemm_bf16_stream_m16k128s4, PREFILL_GEMM_STREAM_K128S4_SMEM_M16);
                  pair("k128s5", ringk_m16<5>, PkStreamCfg<16, 64, 128, 5, 1, 4, 1, 0>::SMEM);
                }
              });
}

// The 16-row half-width tile with 256-deep stages (s39: gemm_bf16_stream_m16_n32k256s3 / _s4, exported) against the six-stage
// half-width kernel at the same splits — C and every partial plane bit for bit (each stage's two 128-deep blocks divided over
// the k-warps as the 128-deep tile's stages), PDL back-to-back times — and, time only, the kernel each shape runs at 16 in the
// bundled rows (mode ring256): ERNIE-4.5-0.3B's gate_up (SiLU, unsplit) and down, Llama-3.2-1B's down, o and gate_up, where
// half the splits on 32-column tiles keep the 64-column tile's block count and halve the planes its norm reads.
static void test_ring_n32k256() {
  Rng r(39);
  typedef void (*GK)(GemmParams);
  struct Sh { int n, k, splits; bool silu; const char *what; GK bundled; int bundled_bn, bundled_splits, bundled_smem; };
  const Sh shapes[] = {
      {6144, 1024, 1, true, "ernie gate_up silu", gemm_bf16_stream_m16_n32_silu, 32, 1, PREFILL_GEMM_STREAM_N32_SMEM_M16},
      {1024, 3072, 4, false, "ernie down s4", gemm_bf16_stream_m16_n32, 32, 8, PREFILL_GEMM_STREAM_N32_SMEM_M16},
      {1024, 3072, 12, false, "ernie down s12", gemm_bf16_stream_m16_n32, 32, 8, PREFILL_GEMM_STREAM_N32_SMEM_M16},
      {2048, 8192, 4, false, "llama down s4", gemm_bf16_stream_m16k128s4, 64, 8, PREFILL_GEMM_STREAM_K128S4_SMEM_M16},
      {2048, 8192, 8, false, "llama down s8", gemm_bf16_stream_m16k128s4, 64, 8, PREFILL_GEMM_STREAM_K128S4_SMEM_M16},
      {2048, 2048, 4, false, "llama o s4", gemm_bf16_stream_m16k128s4, 64, 8, PREFILL_GEMM_STREAM_K128S4_SMEM_M16},
      {2048, 2048, 8, false, "llama o s8", gemm_bf16_stream_m16k128s4, 64, 8, PREFILL_GEMM_STREAM_K128S4_SMEM_M16},
      {16384, 2048, 1, true, "llama gate_up silu", gemm_bf16_stream_m16k128s4_silu, 64, 1, PREFILL_GEMM_STREAM_K128S4_SMEM_M16},
  };
  const GK cands[2] = {gemm_bf16_stream_m16_n32k256s3, gemm_bf16_stream_m16_n32k256s4};
  const GK cands_silu[2] = {gemm_bf16_stream_m16_n32k256s3_silu, gemm_bf16_stream_m16_n32k256s4_silu};
  const int smem[2] = {PREFILL_GEMM_STREAM_N32K256S3_SMEM_M16, PREFILL_GEMM_STREAM_N32K256S4_SMEM_M16};
  for (int i = 0; i < 2; i++) {
    CK(cudaFuncSetAttribute(cands[i], cudaFuncAttributeMaxDynamicSharedMemorySize, smem[i]));
    CK(cudaFuncSetAttribute(cands_silu[i], cudaFuncAttributeMaxDynamicSharedMemorySize, smem[i]));
  }
  for (const Sh &sh : shapes) {
    const int m = 16, n = sh.n, k = sh.k, S = sh.splits, SB = sh.bundled_splits;
    auto A = rand_bf16((size_t)m * k, r, 1.f), Wt = rand_bf16((size_t)n * k, r, std::sqrt(3.f / k));
    Dev<uint16_t> dA(A), dW(Wt), dC((size_t)m * n);
    Dev<float> dP((size_t)std::max(S, SB) * m * n);
    Dev<int32_t> dm = dev_scalar(10);
    const GemmParams p{dA.p, dW.p, dC.p, S > 1 ? dP.p : nullptr, dm.p, m, n, k, k, k, sh.silu ? n / 2 : n, S};
    const GemmParams pb{dA.p, dW.p, dC.p, SB > 1 ? dP.p : nullptr, dm.p, m, n, k, k, k, sh.silu ? n / 2 : n, SB};
    const std::string tag = std::string(sh.what) + " n" + std::to_string(n) + " k" + std::to_string(k) + " s" + std::to_string(S);
    const dim3 grid(n / PREFILL_GEMM_STREAM_N32_BN, 1, S), block(PREFILL_GEMM_STREAM_THREADS);
    CK(cudaFuncSetAttribute(sh.bundled, cudaFuncAttributeMaxDynamicSharedMemorySize, sh.bundled_smem));
    for (int i = 0; i < 2; i++)
      record_ring_pair(std::string(i == 0 ? "n32k256s3 " : "n32k256s4 ") + tag + " == n32 six stages bits (m_dev 10)", grid, p,
                       sh.silu ? gemm_bf16_stream_m16_n32_silu : gemm_bf16_stream_m16_n32, PREFILL_GEMM_STREAM_N32_SMEM_M16,
                       sh.silu ? cands_silu[i] : cands[i], smem[i], dC, dP);
    const double tb = time_us([&](int) { launch_ex(sh.bundled, dim3(n / sh.bundled_bn, 1, SB), block, sh.bundled_smem, 0, true, pb); });
    record(tag + " bundled kernel (time only)", Cmp{true, 0.0, 0, 1}, tb,
           "PDL back to back; bundled tile n" + std::to_string(sh.bundled_bn) + " s" + std::to_string(SB) + " | its planes " +
               std::to_string(SB > 1 ? SB * m * n * 4 / 1024 : 0) + " KB vs " + std::to_string(S > 1 ? S * m * n * 4 / 1024 : 0) + " KB at s" +
               std::to_string(S));
  }
}

// ================================================================ attention folded into o (v74)
// gemm_bf16_stream_m16_n32_attn: o at <= 16 rows computing the attention of its k range (two q heads) from the qkv rows
// itself (fresh prompts: every key is one of the batch's rows). Kernel: its fp32 partial planes summed against a float64
// attention (bf16-rounded, as the attention kernel writes it) times W_o; the same bits twice; rows >= T untouched; the
// cache, block table, tile map and attention output pointers null (never read). Chain: the plan's bucket-16 chain with
// every layer's attention dropped and its o replaced, against the plan's chain (layer 0's caches bit for bit: written
// before any attention; later tensors within tolerance: another softmax order), deterministic eager / PDL / graph, and
// both timed as graph replays, alternating.
// One attention-into-o kernel on a model's o shape (hidden H == QH * 64, KVH kv heads, S splits): its fp32 partial planes summed
// against a float64 attention (bf16-rounded, as the attention kernel writes it) times W_o; the same bits twice; rows >= T
// untouched; the cache, block table, tile map and attention output pointers null (never read). At [10]: its time, PDL back to
// back, against the plain o it replaces fed a ready A (o_alone).
typedef void (*AttnOKernel)(GemmAttnParams);
static void attn_o_kernel_cases(const char *label, int H, int QH, int KVH, int S, AttnOKernel kern, int bn, int smem,
                                const std::function<void(const GemmParams &)> &o_alone) {
  const int MC = 16, D = 64, W = (QH + 2 * KVH) * D, G = QH / KVH;
  const float scale_log2 = 0.125f * 1.4426950408889634f;
  Rng r(74);
  const auto Wo = rand_bf16((size_t)H * H, r, std::sqrt(3.f / H));
  Dev<uint16_t> dW(Wo);
  Dev<float> dP((size_t)S * MC * H);
  const std::vector<std::vector<int>> batches = {{10}, {4, 6}, {3, 5, 2, 6}, {16}, {1}, std::vector<int>(16, 1), {1, 15}};
  for (const auto &lens : batches) {
    const int ns = (int)lens.size();
    std::vector<int32_t> qs(1, 0), kl;
    for (int l : lens) { qs.push_back(qs.back() + l); kl.push_back(l); }
    const int T = qs.back();
    while ((int)qs.size() < MC + 1) qs.push_back(T);
    kl.resize(MC, 0);
    const auto qkv = rand_bf16((size_t)MC * W, r, 2.f);  // rows >= T hold values too: the kernel must not read them
    // float64 attention, rounded to bf16 as the attention kernel stores it, then o = attn W_o^T
    std::vector<float> att((size_t)T * H);
    for (int s = 0; s < ns; s++)
      for (int t = qs[s]; t < qs[s + 1]; t++)
        for (int h = 0; h < QH; h++) {
          const int kh = h / G;
          std::vector<double> sc;
          double mx = -INFINITY;
          for (int j = qs[s]; j <= t; j++) {
            double d = 0;
            for (int e = 0; e < D; e++) d += (double)h_bf2f(qkv[(size_t)t * W + h * D + e]) * h_bf2f(qkv[(size_t)j * W + (QH + kh) * D + e]);
            sc.push_back(d * 0.125);
            mx = std::max(mx, sc.back());
          }
          double l = 0, o[64] = {0};
          for (int j = qs[s]; j <= t; j++) {
            const double pj = std::exp(sc[j - qs[s]] - mx);
            l += pj;
            for (int e = 0; e < D; e++) o[e] += pj * h_bf2f(qkv[(size_t)j * W + (QH + KVH + kh) * D + e]);
          }
          for (int e = 0; e < D; e++) att[(size_t)t * H + h * D + e] = h_round((float)(o[e] / l));
        }
    std::vector<double> ref((size_t)T * H);
    parallel_for(T, [&](int t) {
      for (int c = 0; c < H; c++) {
        double acc = 0;
        for (int i = 0; i < H; i++) acc += (double)att[(size_t)t * H + i] * h_bf2f(Wo[(size_t)c * H + i]);
        ref[(size_t)t * H + c] = acc;
      }
    });
    Dev<uint16_t> dq(qkv);
    Dev<int32_t> dqs(qs), dkl(kl), dm = dev_scalar(T), dns = dev_scalar(ns);
    const GemmAttnParams p{GemmParams{nullptr, dW.p, nullptr, dP.p, dm.p, MC, H, H, H, H, H, S},
                           AttnParams{dq.p, nullptr, nullptr, nullptr, dqs.p, dkl.p, nullptr, nullptr, nullptr, nullptr, W, QH, KVH, D, 0, scale_log2},
                           dns.p};
    const dim3 grid(H / bn, 1, S), block(PREFILL_GEMM_STREAM_THREADS);
    auto run = [&]() {
      dP.poison();
      launch_ex(kern, grid, block, smem, 0, false, p);
      CK(cudaGetLastError());
      CK(cudaDeviceSynchronize());
      return dP.down();
    };
    const auto h1 = run(), h2 = run();
    long untouched = 0;
    for (int z = 0; z < S; z++)
      for (size_t i = (size_t)T * H; i < (size_t)MC * H; i++) {
        uint32_t u; std::memcpy(&u, &h1[(size_t)z * MC * H + i], 4); untouched += u != 0xFFFFFFFFu;
      }
    std::string sl;
    for (int l : lens) sl += (sl.empty() ? "" : ",") + std::to_string(l);
    if (ns > 4) sl = std::to_string(ns) + "x" + std::to_string(lens[0]);
    const std::string tag = std::string(label) + " [" + sl + "] s" + std::to_string(S);
    Cmp c = compare(label, (long)T * H,
                    [&](long i) { float a = h1[i]; for (int z = 1; z < S; z++) a += h1[(size_t)z * MC * H + i]; return a; },
                    [&](long i) { return ref[i]; }, 1e-2, 2e-2);
    const bool same = std::memcmp(h1.data(), h2.data(), h1.size() * 4) == 0;  // NaN poison past T: bits, not ==
    if (!same || untouched) { c.ok = false; c.fails += !same + untouched; printf("    %s: twice %s, %ld written past T\n", tag.c_str(), same ? "equal" : "DIFFER", untouched); }
    if (lens.size() == 1 && lens[0] == 10 && !getenv("PK_ATTN_O_QUICK")) {  // kernel time: the fused o against o alone (its A from attention's output)
      Dev<uint16_t> dA((size_t)MC * H);
      CK(cudaMemset(dA.p, 0, dA.n * 2));
      const GemmParams po{dA.p, dW.p, nullptr, dP.p, dm.p, MC, H, H, H, H, H, S};
      const double t_attn = time_us([&](int) { launch_ex(kern, grid, block, smem, 0, true, p); });
      const double t_o = time_us([&](int) { o_alone(po); });
      record(tag + " vs float64", c, t_attn, fmt("PDL back to back; o alone %.2f us", t_o));
    } else {
      record_bool(tag + " vs float64 (same bits twice, rows >= T untouched)", c.ok, c.fails, c.count);
    }
  }
}

static void test_attn_o() {
  printf("\n== attention folded into o's prologue (gemm_bf16_stream_m16_n32_attn / _m16_k256_attn, fresh prompts at <= 16 rows)\n");
  typedef ChainModel CM;
  const int H = CM::H;
  Rng r(74);
  // ERNIE-4.5-0.3B's o (16 q / 2 kv heads): the half-width form at k / 128 = 8 splits, two heads per block
  attn_o_kernel_cases("attn_o", H, CM::QH, CM::KVH, 8, gemm_bf16_stream_m16_n32_attn, PREFILL_GEMM_STREAM_N32_BN,
                      PREFILL_GEMM_STREAM_N32_SMEM_M16, [](const GemmParams &po) { launch_stream_n32(po, 16, 8, 0, true); });
  // Llama-3.2-1B's o (2048 x 2048, 32 q / 8 kv heads): the k256 form (v79) at k / 256 = 8 splits, a kv head's four q heads per
  // block, against the plain 16-row o it replaces at the same splits
  attn_o_kernel_cases("attn_o_k256", 2048, 32, 8, 8, gemm_bf16_stream_m16_k256_attn, PREFILL_GEMM_STREAM_BN,
                      PREFILL_GEMM_STREAM_K256_SMEM_M16, [](const GemmParams &po) { launch_stream(po, 16, 8, false, 0, true); });
  // ... and on ERNIE's o at k / 256 = 4 splits (two blocks' four heads per kv head of its group of 8)
  attn_o_kernel_cases("attn_o_k256", H, CM::QH, CM::KVH, 4, gemm_bf16_stream_m16_k256_attn, PREFILL_GEMM_STREAM_BN,
                      PREFILL_GEMM_STREAM_K256_SMEM_M16, [](const GemmParams &po) { launch_stream(po, 16, 4, false, 0, true); });

  // the chain
  if (!load_plan_ops()) {
    printf("chain skipped: set PK_OPS to `bench.jar plan --model ernie-4.5-0.3b --sizes 16,512 --max-num-seqs 16 --dump-ops FILE`\n");
    return;
  }
  const std::vector<const OpLine *> rops = plan_ops(16);
  std::vector<OpLine> sub;  // the plan's ops with each layer's attention folded into its o
  int folded = 0;
  for (size_t i = 0; i < rops.size(); i++) {
    const OpLine &o = *rops[i];
    if (o.s("kind") == "ATTENTION" && i + 1 < rops.size() && rops[i + 1]->suffix() == "o" &&
        rops[i + 1]->s("kernel") == "gemm_bf16_stream_m16_n32" && rops[i + 1]->i("splits") * 128 == H) {
      OpLine f = *rops[i + 1];
      f.f["kernel"] = "gemm_bf16_stream_m16_n32_attn";
      sub.push_back(f);
      folded++;
      i++;
      continue;
    }
    sub.push_back(o);
  }
  std::vector<const OpLine *> fops;
  for (auto &o : sub) fops.push_back(&o);
  record_bool("attn_o chain: every layer's attention folded (" + std::to_string(folded) + " of " + std::to_string(CM::L) + ")", folded == CM::L,
              folded != CM::L, 1);
  if (folded != CM::L) return;
  ChainModel M;
  cudaStream_t st;
  CK(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking));
  const bool quick = getenv("PK_ATTN_O_QUICK") != nullptr;  // sanitizer runs: the first batch, eager only
  for (const std::vector<int> &lens : {std::vector<int>{10}, std::vector<int>{4, 6}, std::vector<int>{3, 5, 2, 6}, std::vector<int>{16}}) {
    if (quick && lens.size() > 1) break;
    ChainBatch B(16, rops[0]->i("seqs"), rops[0]->i("tiles"), lens, r);
    const std::string tag = "attn_o chain T=" + std::to_string(B.T) + " seqs=" + std::to_string(B.ns);
    std::vector<std::vector<uint16_t>> ref, got;
    if (!run_chain_pair(M, B, rops, fops, st, tag, ref, got)) continue;
    const size_t kvl = (size_t)B.npages * 64 * CM::KVH * CM::D;
    {  // layer 0's caches: written by qkv before any attention
      std::vector<uint16_t> g0(got[7].begin(), got[7].begin() + kvl), r0(ref[7].begin(), ref[7].begin() + kvl);
      std::vector<uint16_t> g1(got[8].begin(), got[8].begin() + kvl), r1(ref[8].begin(), ref[8].begin() + kvl);
      record_bool(tag + " k and v cache layer 0 == plan chain", g0 == r0 && g1 == r1, (g0 != r0) + (g1 != r1), 2);
      std::vector<uint16_t> k1(got[7].begin() + kvl, got[7].begin() + 2 * kvl), rk1(ref[7].begin() + kvl, ref[7].begin() + 2 * kvl);
      record(tag + " k cache layer 1", compare_bits_or_tol("k1", k1, rk1, kvl, 3e-2, 3e-2), 0, "");
    }
    compare_forward_ends(tag, B, got, ref);
    auto same = [&](const std::string &what) {
      auto o = B.snapshot();
      record_bool(tag + " " + what, o == got, o != got, 1);
    };
    B.poison(); enqueue_chain(M, B, fops, st, false, true); CK(cudaStreamSynchronize(st)); same("eager again == eager");
    B.poison(); enqueue_chain(M, B, fops, st, true, true); CK(cudaStreamSynchronize(st)); same("eager PDL == eager");
    if (quick) continue;
    cudaGraphExec_t ge[2];  // [folded], PDL
    for (int f = 0; f < 2; f++) {
      cudaGraph_t g;
      CK(cudaStreamBeginCapture(st, cudaStreamCaptureModeThreadLocal));
      enqueue_chain(M, B, f ? fops : rops, st, true, true);
      CK(cudaStreamEndCapture(st, &g));
      CK(cudaGraphInstantiate(&ge[f], g, 0));
      CK(cudaGraphDestroy(g));
    }
    for (int rep = 0; rep < 2; rep++) {
      B.poison(); CK(cudaGraphLaunch(ge[1], st)); CK(cudaStreamSynchronize(st));
      same("graph PDL == eager #" + std::to_string(rep));
    }
    std::vector<double> us[2];
    for (int rep = 0; rep < 3; rep++)
      for (int j = 0; j < 2; j++) {  // order alternating: plan first, folded first, plan first
        const int f = rep % 2 == 0 ? j : 1 - j;
        us[f].push_back(graph_replay_us(ge[f], st));
      }
    B.poison(); CK(cudaGraphLaunch(ge[1], st)); CK(cudaStreamSynchronize(st)); same("graph PDL after timing == eager");
    printf("%s: graph PDL replay  plan chain %.1f %.1f %.1f us | attention in o %.1f %.1f %.1f us\n", tag.c_str(), us[0][0], us[0][1],
           us[0][2], us[1][0], us[1][1], us[1][2]);
    auto med = [](std::vector<double> v) { std::sort(v.begin(), v.end()); return v[1]; };
    g_rows.push_back({tag + " graph PDL, attention in o", true, 0, 0, 0, med(us[1]), fmt("plan chain %.1f us", med(us[0]))});
    for (int f = 0; f < 2; f++) CK(cudaGraphExecDestroy(ge[f]));
  }
  CK(cudaStreamDestroy(st));
}

// ---------------------------------------------------------------- the early forms against the late one (v89, v90)
// attention_prefill_wg_early and _lp issue their loads at other times than attention_prefill_wg, with its arithmetic, so
// every output must be its bits (v89's pipelined walk was checked here, s41 calls 2-3): long causal prompts (the long
// target's 1x480, every page count to 16), batches, cached prefixes, chunks over long prefixes, group 8 (ERNIE), 5 and 4
// (Llama-3.2-1B's 32 q / 8 kv), surplus grid blocks.
static void test_attention_pipe() {
  struct Cfg { int qh, kvh; };
  for (Cfg cfg : {Cfg{16, 2}, Cfg{10, 2}, Cfg{32, 8}}) {
    const std::string tag = std::to_string(cfg.qh) + "q/" + std::to_string(cfg.kvh) + "kv";
    for (auto &wl : std::vector<std::pair<std::string, std::vector<SeqSpec>>>{
             {"1x480", {{0, 480, 700}}},
             {"1x1000", {{0, 1000, 705}}},
             {"4x80", {{0, 80, 701}, {0, 80, 702}, {0, 80, 703}, {0, 80, 704}}},
             {"8x130", {{0, 130, 721}, {0, 129, 722}, {0, 128, 723}, {0, 127, 724}, {0, 65, 725}, {0, 64, 726}, {0, 63, 727}, {0, 200, 728}}},
             {"prefixes", {{300, 200, 731}, {37, 160, 732}, {1000, 64, 733}, {5, 190, 734}}},
             {"4x(768+256)", {{768, 256, 741}, {768, 256, 742}, {768, 256, 743}, {768, 256, 744}}}}) {
      for (int surplus : {0, 7}) {
        g_attn_form = 2;
        AttnOut w = run_attention(wl.second, cfg.qh, cfg.kvh, 64, 41, surplus, false, "", false);
        for (int form : {3, 4, 7}) {
          g_attn_form = form;
          AttnOut e = run_attention(wl.second, cfg.qh, cfg.kvh, 64, 41, surplus, false, "", false);
          long bad = 0;
          for (size_t i = 0; i < e.out.size(); i++) bad += e.out[i] != w.out[i];
          record_bool("attention pipe " + tag + " " + wl.first + (surplus ? " surplus" : "") + attn_form_suffix(form) +
                          " == wg bitwise", bad == 0 && count_nan(e) == 0 && !e.out.empty(), bad, (long)e.out.size());
        }
      }
    }
  }
  g_attn_form = 0;
}

#ifdef PK_ATTN_TRACE
// attn_trace (a -DPK_ATTN_TRACE build): where a block of attention_prefill_wg_early's full path spends its time, ERNIE's
// head layout (16 q / 2 kv heads of 64) on 1x480, 4x80 and 8x64, L2-warm, launches back to back without PDL (the trace is the
// last timed launch's). Per key half: entry -> tile found, -> after the wait, -> Q in registers, the loop (its steps' K wait,
// S, softmax, V wait, P V summed), the combine, the store; medians over the blocks whose tiles see the most pages and over
// all blocks. The SM clock is each block's cycles over its %globaltimer nanoseconds (median over blocks).
static int run_attn_trace() {
  g_attn_form = attn_env_form();
  printf("attn_trace form%s\n", attn_form_suffix(g_attn_form));
  const char *names[12] = {"entry->tile", "tile->waited", "waited->Q regs", "loop", "  K wait+bar", "  S", "  softmax",
                           "  V wait+bar", "  P V", "combine", "store", "block"};
  for (auto &wl : std::vector<std::pair<std::string, std::vector<SeqSpec>>>{
           {"1x480", {{0, 480, 700}}},
           {"4x80", {{0, 80, 701}, {0, 80, 702}, {0, 80, 703}, {0, 80, 704}}},
           {"8x64", {{0, 64, 711}, {0, 64, 712}, {0, 64, 713}, {0, 64, 714}, {0, 64, 715}, {0, 64, 716}, {0, 64, 717}, {0, 64, 718}}}}) {
    std::vector<unsigned long long> z((size_t)2048 * 2 * 16, 0ull);
    CK(cudaMemcpyToSymbol(pk_attn_trace, z.data(), z.size() * sizeof(unsigned long long)));
    AttnOut o = run_attention(wl.second, 16, 2, 64, 33, 0, false, "", true);
    std::vector<unsigned long long> t(z.size());
    CK(cudaMemcpyFromSymbol(t.data(), pk_attn_trace, t.size() * sizeof(unsigned long long)));
    auto at = [&](int b, int h, int i) { return t[((size_t)b * 2 + h) * 16 + i]; };
    std::vector<int> blocks;
    int maxpages = 0;
    for (int b = 0; b < 2048; b++)
      if (at(b, 0, 11) != 0) { blocks.push_back(b); maxpages = std::max(maxpages, (int)at(b, 0, 12)); }
    std::vector<double> mhz;
    unsigned long long g0 = ~0ull, g1 = 0;
    for (int b : blocks) {
      mhz.push_back((double)(at(b, 0, 11) - at(b, 0, 0)) / (double)(at(b, 0, 15) - at(b, 0, 14)) * 1e3);
      g0 = std::min(g0, at(b, 0, 14)); g1 = std::max(g1, at(b, 0, 15));
    }
    if (blocks.empty()) { printf("attn_trace %s: no full-path block traced\n", wl.first.c_str()); continue; }
    std::sort(mhz.begin(), mhz.end());
    const double per_us = mhz[mhz.size() / 2];
    printf("attn_trace %s: %.2f us alone; %zu full-path blocks, most pages %d; first entry -> last end %.2f us; SM clock %.0f MHz\n",
           wl.first.c_str(), o.us, blocks.size(), maxpages, (g1 - g0) / 1e3, per_us);
    for (int sel = 0; sel < 2; sel++) {
      for (int h = 0; h < 2; h++) {
        std::vector<std::vector<double>> v(12);
        for (int b : blocks) {
          if (sel == 0 && (int)at(b, 0, 12) != maxpages) continue;
          auto d = [&](int a, int c) { return (double)(at(b, h, c) - at(b, h, a)) / per_us; };
          v[0].push_back(d(0, 1)); v[1].push_back(d(1, 2)); v[2].push_back(d(2, 3)); v[3].push_back(d(3, 9));
          for (int i = 4; i < 9; i++) v[i].push_back(at(b, h, i) / per_us);
          v[9].push_back(d(9, 10));
          v[10].push_back(h == 0 ? d(10, 11) : 0.0);
          v[11].push_back(h == 0 ? d(0, 11) : d(0, 10));
        }
        if (v[0].empty()) continue;
        unsigned long long steps = 0;
        for (int b : blocks) if ((int)at(b, 0, 12) == maxpages) { steps = at(b, h, 13); break; }
        printf("  %s, half %d (%zu blocks; the longest tiles' steps %llu):", sel == 0 ? "longest tiles" : "all blocks", h, v[0].size(), steps);
        for (int i = 0; i < 12; i++) {
          std::sort(v[i].begin(), v[i].end());
          printf(" %s %.2f%s", names[i], v[i][v[i].size() / 2], i == 11 ? "\n" : ";");
        }
      }
    }
  }
  return 0;
}
#endif

int main(int argc, char **argv) {
  cudaDeviceProp prop;
  CK(cudaGetDeviceProperties(&prop, 0));
  printf("device: %s (sm_%d%d, %d SMs)\n", prop.name, prop.major, prop.minor, prop.multiProcessorCount);
#ifndef NO_CUBLAS
  if (cublasCreate(&g_cublas) != CUBLAS_STATUS_SUCCESS) { fprintf(stderr, "cublasCreate failed\n"); return 2; }
#endif
  CK(cudaFuncSetAttribute(attention_prefill_kh, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_ATTN_KH_SMEM));
  CK(cudaFuncSetAttribute(attention_prefill_wg, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_ATTN_WG_SMEM));
  CK(cudaFuncSetAttribute(attention_prefill_wg_early, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_ATTN_WG_SMEM));
  CK(cudaFuncSetAttribute(attention_prefill_wg_early_lp, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_ATTN_WG_SMEM));
  CK(cudaFuncSetAttribute(attention_prefill_wg_early_tma, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_ATTN_WG_SMEM));
  CK(cudaFuncSetAttribute(attention_prefill_wg_early_t32, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_ATTN_WG_SMEM));
  CK(cudaFuncSetAttribute(attention_prefill_wg_early_q4, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_ATTN_Q4_SMEM));
  CK(cudaFuncSetAttribute(attention_prefill_wg_early_t32_rope, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_ATTN_WG_SMEM));
  std::string only = argc > 1 ? argv[1] : "";
  auto want = [&](const char *n) { return only.empty() || only == n; };
  if (want("init")) test_init();
  if (want("embed")) test_embed();
  if (want("norm")) { test_rmsnorm(); test_final_norm(); }
  if (want("rope")) test_rope();
  if (want("tilemap")) test_tilemap();
  if (want("act")) { test_silu(); test_argmax(); }
  if (want("attention")) test_attention();
  if (only == "attention_q4") test_attention({6});
  if (want("attention_rope")) test_attention_rope();
  if (want("attention_pipe")) test_attention_pipe();
#ifdef PK_ATTN_TRACE
  if (only == "attn_trace") return run_attn_trace();
#endif
  if (only == "attn_one") {  // 1x480 (ERNIE's 16 q / 2 kv heads of 64) on the early wg form, timed: a target for ncu and the SASS
    g_attn_form = attn_env_form();
    const AttnOut o = run_attention({{0, 480, 700}}, 16, 2, 64, 33, 0, false, "", true);
    printf("attn_one 1x480%s: %.2f us\n", attn_form_suffix(g_attn_form), o.us);
    return 0;
  }
  CK(cudaFuncSetAttribute(gemm_bf16_large, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_LARGE_SMEM));
  CK(cudaFuncSetAttribute(gemm_bf16_large_silu, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_LARGE_SMEM));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m16, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_SMEM_M16));
  {  // the cluster-reduced forms: their smem, and clusters of 16 (o and down at 16 splits; more than the portable 8)
    void (*csum[3])(GemmParams) = {gemm_bf16_stream_m16_csum, gemm_bf16_stream_m32_csum, gemm_bf16_stream_m64_csum};
    const int sm[3] = {PREFILL_GEMM_STREAM_SMEM_M16, PREFILL_GEMM_STREAM_SMEM_M32, PREFILL_GEMM_STREAM_SMEM_M64};
    for (int i = 0; i < 3; i++) {
      CK(cudaFuncSetAttribute(csum[i], cudaFuncAttributeMaxDynamicSharedMemorySize, sm[i]));
      CK(cudaFuncSetAttribute(csum[i], cudaFuncAttributeNonPortableClusterSizeAllowed, 1));
    }
  }
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m32, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_SMEM_M32));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m64, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_SMEM_M64));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m16_n32, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_N32_SMEM_M16));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m32_n32, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_N32_SMEM_M32));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m64_n32, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_N32_SMEM_M64));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m16_n32_silu, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_N32_SMEM_M16));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m16_n32_attn, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_N32_SMEM_M16));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m16_k256_attn, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_K256_SMEM_M16));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m16_n32s9, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_N32S9_SMEM_M16));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m16s5, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_S5_SMEM_M16));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m16s5_silu, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_S5_SMEM_M16));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m16_n32s9_silu, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_N32S9_SMEM_M16));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m32_n32_silu, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_N32_SMEM_M32));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m64_n32_silu, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_N32_SMEM_M64));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m16_silu, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_SMEM_M16));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m32_silu, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_SMEM_M32));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m64_silu, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_SMEM_M64));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m16_rope, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_SMEM_M16));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m32_rope, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_SMEM_M32));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m64_rope, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_SMEM_M64));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m16_rope1, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_SMEM_M16));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m32_rope1, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_SMEM_M32));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m64_rope1, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_SMEM_M64));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m16_n32_rope, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_N32_SMEM_M16));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m32_n32_rope, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_N32_SMEM_M32));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m64_n32_rope, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_N32_SMEM_M64));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m16_n16, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_N16_SMEM_M16));
  CK(cudaFuncSetAttribute(gemm_bf16_stream_m16_n16_rope1, cudaFuncAttributeMaxDynamicSharedMemorySize, PREFILL_GEMM_STREAM_N16_SMEM_M16));
  CK(cudaFuncSetAttribute(argmax_rows_cluster, cudaFuncAttributeNonPortableClusterSizeAllowed, 1));
  if (want("silu")) test_gemm_silu();
  if (want("rope_fused")) test_rope_fused();
  if (want("fused")) test_fused();
  if (want("small")) test_small_v0();
  if (only == "argmax") { Rng r(23); test_argmax_v0(r); }
  if (want("spread")) test_rope_spread();
  if (want("csum")) test_csum();
  if (want("n32")) { test_n32(); test_ring_s5(); }
  if (only == "ringk") test_ring_k128();
  if (only == "amax") test_amax();
  if (only == "ring256") test_ring_n32k256();
  if (want("gemm")) test_gemm();
  if (want("probe")) test_probe();
  if (want("table")) test_table();
  if (want("pdl")) test_pdl();
  if (want("layer")) test_layer();
  if (want("attn_o")) test_attn_o();
  if (want("prefetch")) test_prefetch();
  if (only == "streaml2") test_stream_l2();
  CK(cudaDeviceSynchronize());

  printf("\n================================ SUMMARY ================================\n");
  printf("%-58s %-4s %10s %10s %10s  %s\n", "check", "ok", "max_err", "fails", "us", "perf");
  long nfail = 0;
  for (auto &r : g_rows) {
    printf("%-58s %-4s %10.3g %10ld %10.2f  %s\n", r.name.c_str(), r.ok ? "OK" : "FAIL", r.max_err, r.fails, r.us, r.perf.c_str());
    nfail += !r.ok;
  }
  printf("%s: %ld of %zu checks failed\n", g_all_ok ? "ALL PASSED" : "FAILURES", nfail, g_rows.size());
  return g_all_ok ? 0 : 1;
}
