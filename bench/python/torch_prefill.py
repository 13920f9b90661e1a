#!/usr/bin/env python3
"""PyTorch baseline for `bench.jar prefill`: the same dense decoder shape (random bf16 weights),
one prompt or an equal-length batch (--batches 4x80), end to end (token ids from the host in, first token back on the host), eager PyTorch
and torch.compile (default) and torch.compile(mode="reduce-overhead"), which replays CUDA graphs.

    python3 bench/python/torch_prefill.py --model ernie-4.5-0.3b --prompt-lens 10,480 --json results/torch-....json

Writes a JSON with a meta block (argv, device, driver, torch/CUDA versions, git SHA if known, timestamp)
and per prompt length (or batch) and mode: p50/p90/p99/max in ns over --iterations host-timed forwards.
"""
import argparse, json, os, platform, subprocess, sys, time, datetime

import torch
import torch.nn.functional as F

PRESETS = {
    # hidden, layers, q heads, kv heads, head dim, ffn, vocab, rope theta, eps, qkv bias
    "ernie-4.5-0.3b": (1024, 18, 16, 2, 64, 3072, 103424, 500000.0, 1e-5, False),
    "qwen2.5-0.5b": (896, 24, 14, 2, 64, 4864, 151936, 1000000.0, 1e-6, True),
    "llama-3.2-1b": (2048, 16, 32, 8, 64, 8192, 128256, 500000.0, 1e-5, False),
    "ernie-4.5-21b-a3b-attn": (2560, 28, 20, 4, 128, 3072, 103424, 500000.0, 1e-5, False),
}


class Decoder(torch.nn.Module):
    def __init__(self, hidden, layers, qh, kvh, hd, ffn, vocab, theta, eps, bias, max_len=4096):
        super().__init__()
        g = torch.Generator(device="cuda").manual_seed(1)
        def w(rows, cols):
            a = (3.0 / cols) ** 0.5
            return ((torch.rand(rows, cols, device="cuda", generator=g) * 2 - 1) * a).to(torch.bfloat16)
        self.qh, self.kvh, self.hd, self.eps, self.ffn = qh, kvh, hd, eps, ffn
        self.emb = ((torch.rand(vocab, hidden, device="cuda", generator=g) * 2 - 1)).to(torch.bfloat16)
        self.final_norm = torch.ones(hidden, device="cuda", dtype=torch.bfloat16)
        self.layers = []
        for _ in range(layers):
            self.layers.append(dict(
                n1=torch.ones(hidden, device="cuda", dtype=torch.bfloat16),
                qkv=w((qh + 2 * kvh) * hd, hidden),
                qkv_b=(torch.zeros((qh + 2 * kvh) * hd, device="cuda", dtype=torch.bfloat16) if bias else None),
                o=w(hidden, qh * hd),
                n2=torch.ones(hidden, device="cuda", dtype=torch.bfloat16),
                gu=w(2 * ffn, hidden),
                down=w(hidden, ffn)))
        inv = 1.0 / (theta ** (torch.arange(0, hd, 2, device="cuda", dtype=torch.float64) / hd))
        ang = torch.arange(max_len, device="cuda", dtype=torch.float64)[:, None] * inv[None, :]
        self.cos = ang.cos().float()
        self.sin = ang.sin().float()

    def rope(self, x, pos):  # x [T, H, D]
        c = self.cos[pos][:, None, :]
        s = self.sin[pos][:, None, :]
        x1, x2 = x[..., : self.hd // 2].float(), x[..., self.hd // 2:].float()
        return torch.cat([x1 * c - x2 * s, x2 * c + x1 * s], dim=-1).to(torch.bfloat16)

    def forward(self, ids):  # ids [B, T] int64 on the GPU: B prompts of T tokens (B = 1: one prompt)
        B, T = ids.shape
        pos = torch.arange(T, device=ids.device)
        x = self.emb[ids]
        for L in self.layers:
            h = F.rms_norm(x, (x.shape[-1],), L["n1"], self.eps)
            qkv = F.linear(h, L["qkv"], L["qkv_b"])
            q, k, v = qkv.split([self.qh * self.hd, self.kvh * self.hd, self.kvh * self.hd], dim=-1)
            q = self.rope(q.reshape(B * T, self.qh, self.hd), pos.repeat(B)).view(B, T, self.qh, self.hd).transpose(1, 2)
            k = self.rope(k.reshape(B * T, self.kvh, self.hd), pos.repeat(B)).view(B, T, self.kvh, self.hd).transpose(1, 2)
            v = v.view(B, T, self.kvh, self.hd).transpose(1, 2)
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
            x = x + F.linear(a.transpose(1, 2).reshape(B, T, -1), L["o"])
            h = F.rms_norm(x, (x.shape[-1],), L["n2"], self.eps)
            gu = F.linear(h, L["gu"])
            x = x + F.linear(F.silu(gu[..., : self.ffn]) * gu[..., self.ffn:], L["down"])
        last = F.rms_norm(x[:, -1], (x.shape[-1],), self.final_norm, self.eps)
        return torch.argmax(F.linear(last, self.emb), dim=-1)  # [B] first tokens


def percentiles(ns):
    s = sorted(ns)
    def q(p):
        return s[min(len(s) - 1, max(0, int(round(p * len(s) + 0.5)) - 1))]
    return {"p50": q(0.50), "p90": q(0.90), "p99": q(0.99), "max": s[-1], "mean": sum(s) / len(s), "count": len(s)}


def time_mode(fn, host_ids, warmup, iters):
    for _ in range(warmup):
        fn(host_ids.cuda(non_blocking=True)).cpu()
    out = []
    for _ in range(iters):
        t = time.perf_counter_ns()
        fn(host_ids.cuda(non_blocking=True)).cpu()  # .cpu() syncs: first tokens on the host
        out.append(time.perf_counter_ns() - t)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="ernie-4.5-0.3b", choices=sorted(PRESETS))
    ap.add_argument("--prompt-lens", default="10,480")
    ap.add_argument("--batches", default="", help="equal-length batches like bench.jar prefill --batch, e.g. 4x80,8x16")
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--modes", default="eager,compile,compile-cudagraphs")
    ap.add_argument("--json", required=True)
    ap.add_argument("--git-sha", default=os.environ.get("PREFILLBENCH_GIT_SHA", "unknown"))
    args = ap.parse_args()
    torch.backends.cuda.matmul.allow_bf16_reduced_precision_reduction = False
    model = Decoder(*PRESETS[args.model])
    shapes = [(1, int(x), None) for x in args.prompt_lens.split(",") if x.strip()]
    for b in [x.strip() for x in args.batches.split(",") if x.strip()]:
        s_, t_ = b.lower().split("x")
        shapes.append((int(s_), int(t_), b))
    fns = {"eager": model.forward}
    if "compile" in args.modes.split(","):
        fns["compile"] = torch.compile(model.forward, mode="default", dynamic=False)
    if "compile-cudagraphs" in args.modes.split(","):
        fns["compile-cudagraphs"] = torch.compile(model.forward, mode="reduce-overhead", dynamic=False)
    results = []
    for nseq, n, label in shapes:
        ids = torch.randint(0, PRESETS[args.model][6], (nseq, n), dtype=torch.int64).pin_memory()
        row = {"tokens": nseq * n}
        if label:
            row["batch"] = label
        for name, fn in fns.items():
            if name not in args.modes.split(","):
                continue
            t0 = time.perf_counter()
            ns = time_mode(fn, ids, args.warmup, args.iterations)
            row[name] = percentiles(ns)
            row[name]["warmupAndTimingSeconds"] = time.perf_counter() - t0
            print(f"{args.model} {label or n:>5} tokens {name:20s} p50 {row[name]['p50']/1e6:.3f} ms  p90 {row[name]['p90']/1e6:.3f}", flush=True)
        results.append(row)
    smi = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"], capture_output=True, text=True).stdout.strip()
    doc = {"schema": "prefillbench/torch-baseline/v1", "complete": True,
           "meta": {"tool": "bench/python/torch_prefill.py", "argv": sys.argv, "gitSha": args.git_sha,
                    "torch": torch.__version__, "cudaRuntime": torch.version.cuda, "driverVersion": smi,
                    "python": platform.python_version(), "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat()},
           "devices": [{"index": 0, "name": torch.cuda.get_device_name(0),
                        "sms": torch.cuda.get_device_properties(0).multi_processor_count}],
           "config": {"model": args.model, "warmup": args.warmup, "iterations": args.iterations},
           "results": results}
    tmp = args.json + ".partial"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
    os.replace(tmp, args.json)


if __name__ == "__main__":
    main()
