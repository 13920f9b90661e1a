# s29: heat the GPU from another process. heat.py SECONDS PERIOD_MS: an 8192^3 bf16 matrix product (~1.4 ms on an
# H200) every PERIOD_MS ms (0: back to back) for SECONDS seconds; prints "ready" once its first product ran.
import sys, time, torch
secs, period = float(sys.argv[1]), float(sys.argv[2]) / 1e3
a = torch.randn(8192, 8192, device='cuda', dtype=torch.bfloat16); b = torch.randn_like(a)
(a @ b); torch.cuda.synchronize(); print('ready', flush=True)
end = time.time() + secs; n = 0
while time.time() < end:
    t = time.time(); a @ b; torch.cuda.synchronize(); n += 1
    if period > 0: time.sleep(max(0.0, period - (time.time() - t)))
print('products', n, flush=True)
