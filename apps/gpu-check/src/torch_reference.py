"""PyTorch reference for gpu-check: the ARM of @isoflop/models (pre-norm LLaMA blocks with RoPE, QK-norm,
SwiGLU, RMSNorm, no biases, untied head; AdamW with global-norm clipping) trained on the same shapes, timed
in fp32 (TF32 off), TF32, bf16 autocast and bf16 + torch.compile. Prints bench JSON lines
{"bench": "gpu-check", "metric", "value", "unit", ...}; gpu-check.ts runs it when torch imports."""
import argparse
import json
import math
import re
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

NORM_EPS = 1e-5
ROPE_BASE = 10_000.0


def parse_shape(spec):
    values = {k: int(v) for k, v in re.findall(r"([dLTBVHF])(\d+)", spec)}
    d = values["d"]
    return {
        "shape": spec, "d_model": d, "n_layers": values["L"], "seq_len": values["T"],
        "batch_size": values["B"], "vocab_size": values["V"],
        "n_heads": values.get("H", max(1, d // 64)), "ffn_hidden": values.get("F", 4 * d),
    }


def rms_norm(x, weight):
    # Statistics in fp32 as our graphs keep norms in fp32 under mixed precision.
    y = x.float() * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + NORM_EPS)
    return (y * weight).to(x.dtype)


class Block(nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.heads, self.hd = heads, d // heads
        self.attn_norm, self.mlp_norm = nn.Parameter(torch.ones(d)), nn.Parameter(torch.ones(d))
        self.q_norm, self.k_norm = nn.Parameter(torch.ones(self.hd)), nn.Parameter(torch.ones(self.hd))
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(d, d, bias=False) for _ in range(4))
        self.w_gate, self.w_up = nn.Linear(d, ffn, bias=False), nn.Linear(d, ffn, bias=False)
        self.w_down = nn.Linear(ffn, d, bias=False)

    def forward(self, h, cos, sin):
        b, t, d = h.shape
        a = rms_norm(h, self.attn_norm)

        def split(u):
            return u.view(b, t, self.heads, self.hd).transpose(1, 2)

        q = rotate(rms_norm(split(self.wq(a)), self.q_norm), cos, sin)
        k = rotate(rms_norm(split(self.wk(a)), self.k_norm), cos, sin)
        v = split(self.wv(a))
        attended = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        h = h + self.wo(attended.transpose(1, 2).reshape(b, t, d))
        m = rms_norm(h, self.mlp_norm)
        return h + self.w_down(F.silu(self.w_gate(m)) * self.w_up(m))


def rotate(u, cos, sin):
    # Half-split (NeoX) layout, as ropeTables in packages/models/src/transformer.ts.
    u1, u2 = u.chunk(2, dim=-1)
    cos, sin = cos.to(u.dtype), sin.to(u.dtype)
    return u * cos + torch.cat((-u2, u1), dim=-1) * sin


class Model(nn.Module):
    def __init__(self, s):
        super().__init__()
        d, hd = s["d_model"], s["d_model"] // s["n_heads"]
        self.embed = nn.Embedding(s["vocab_size"], d)
        self.blocks = nn.ModuleList(Block(d, s["n_heads"], s["ffn_hidden"]) for _ in range(s["n_layers"]))
        self.final_norm = nn.Parameter(torch.ones(d))
        self.head = nn.Linear(d, s["vocab_size"], bias=False)
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)
        angles = torch.outer(torch.arange(s["seq_len"]).float(),
                             ROPE_BASE ** (-torch.arange(0, hd, 2).float() / hd))
        self.register_buffer("cos", angles.cos().repeat(1, 2), persistent=False)
        self.register_buffer("sin", angles.sin().repeat(1, 2), persistent=False)

    def forward(self, tokens):
        h = self.embed(tokens)
        for block in self.blocks:
            h = block(h, self.cos, self.sin)
        return self.head(rms_norm(h, self.final_norm))


def bench(s, mode, warmup, steps, device):
    torch.backends.cuda.matmul.allow_tf32 = mode != "fp32"
    torch.backends.cudnn.allow_tf32 = mode != "fp32"
    torch.manual_seed(0)
    model = Model(s).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), eps=1e-8,
                                  weight_decay=0.1, fused=device == "cuda")
    forward = torch.compile(model) if mode == "bf16-compile" else model
    rows = torch.randint(0, s["vocab_size"], (s["batch_size"], s["seq_len"] + 1), device=device)
    tokens, targets = rows[:, :-1], rows[:, 1:]

    def step():
        with torch.autocast(device, dtype=torch.bfloat16, enabled=mode.startswith("bf16")):
            logits = forward(tokens)
        loss = F.cross_entropy(logits.float().view(-1, s["vocab_size"]), targets.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if device == "cuda":
            torch.cuda.synchronize()  # the whole step, optimizer included, inside its own timing
        return loss.item()  # reads the scalar back each step, as our trainer does

    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - start)
    return statistics.median(times), loss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shapes", required=True)
    parser.add_argument("--modes", default="fp32,tf32,bf16,bf16-compile")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    for spec in args.shapes.split(","):
        s = parse_shape(spec)
        for mode in args.modes.split(","):
            context = {"phase": "torch", "impl": "pytorch", "mode": mode, "device": device,
                       "gpu": name, "torch": torch.__version__, **s}
            try:
                seconds, loss = bench(s, mode, args.warmup, args.steps, device)
            except Exception as error:  # a mode that fails here (e.g. compile) is reported, not fatal
                emit("skipped", 0, "count", dict(context, reason=(str(error).splitlines() or [type(error).__name__])[0][:300]))
                continue
            finally:
                if mode == "bf16-compile" and hasattr(torch, "_dynamo"):
                    torch._dynamo.reset()  # compiled graphs hold the model's tensors
                if device == "cuda":
                    torch.cuda.empty_cache()
            tokens = s["batch_size"] * s["seq_len"]
            emit("step_time", seconds, "s", dict(context, statistic="median", timed_steps=args.steps))
            emit("tokens_per_second", tokens / seconds, "tokens/s", context)
            emit("last_loss", loss, "nats/token", dict(context, finite=math.isfinite(loss)))


def emit(metric, value, unit, context):
    print(json.dumps({"bench": "gpu-check", "metric": metric, "value": value, "unit": unit, **context}),
          flush=True)


if __name__ == "__main__":
    main()
