# PyTorch's scaled_dot_product_attention as a contender of ./panama-attention peers (TorchPeer.java).
# Runs as a subprocess and answers one line per command on stdout:
#   shape DIR N HEADS D CAUSAL  loads DIR/{q,k,v,out}.f32 (float32, [1, N, HEADS, D]: our inputs and
#                               our output for that causal flag), runs SDPA on [1, HEADS, N, D]
#                               copies, answers "ok REL_ERR" (its output against ours); q, k, v stay
#   burst CAUSAL                one untimed call, then timed calls back to back (at least 2 and at
#                               least 60 ms, at most 50), answers "ms MEDIAN"
#   quit
# The first line it prints is "ready TORCH_VERSION", or "error REASON" when torch cannot be used.
import statistics
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except Exception as e:  # no torch here: say why, the harness goes on without this peer
    print("error cannot import torch/numpy with %s: %s" % (sys.executable, e), flush=True)
    sys.exit(0)

torch.set_num_threads(int(sys.argv[1]))
print("ready " + torch.__version__, flush=True)
q = k = v = None


def call(causal):
    return F.scaled_dot_product_attention(q, k, v, is_causal=causal)


for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    if words[0] == "quit":
        break
    if words[0] == "shape":
        folder, n, heads, d, causal = words[1], int(words[2]), int(words[3]), int(words[4]), words[5] == "1"

        def load(name):
            a = np.fromfile(folder + "/" + name + ".f32", dtype=np.float32).reshape(1, n, heads, d)
            return torch.from_numpy(a).permute(0, 2, 1, 3).contiguous()

        q, k, v, ours = load("q"), load("k"), load("v"), load("out")
        with torch.no_grad():
            got = call(causal)
        err = float(torch.linalg.vector_norm(got - ours) / torch.linalg.vector_norm(got))
        print("ok %.3e" % err, flush=True)
    elif words[0] == "burst":
        causal = words[1] == "1"
        with torch.no_grad():
            call(causal)
            times = []
            start = time.perf_counter()
            while len(times) < 50 and (len(times) < 2 or time.perf_counter() - start < 0.06):
                t0 = time.perf_counter()
                call(causal)
                times.append(time.perf_counter() - t0)
        print("ms %.6f" % (statistics.median(times) * 1e3), flush=True)
    else:
        print("error unknown command " + words[0], flush=True)
