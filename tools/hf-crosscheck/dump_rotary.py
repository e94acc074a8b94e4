"""Dumps transformers' own Qwen2-VL or Qwen3-VL rotary code (CPU, fp32 or eager bf16) for `mmrope check`: x, positions, y.

Usage: venv/bin/python dump_rotary.py qwen2-vl|qwen3-vl VERSION f32|bf16 OUT_DIR [BUG]. Uses the work folder of README.md (hfenv.py puts the
release on sys.path). Writes OUT_DIR/x.npy ([batch, heads, tokens, head_dim]: HF's q layout, bf16 as uint16 bits),
OUT_DIR/y.npy (the rotated q) and OUT_DIR/pos.npy ([3, batch, tokens] int64). Positions are random at every
magnitude up to 1e6; head_dim 128; Qwen2-VL: rope_theta 1e6, mrope_section [16, 24, 24] (chunked); Qwen3-VL (5.x):
rope_theta 5e6, mrope_section [24, 20, 20] (interleaved). Seeded: reruns agree.
With BUG, transformers is given wrong inputs while pos.npy keeps the right positions, so y is a real output with
that bug planted: axis-swap (h and w exchanged), temporal-only (h = w = t), position-offset (+5),
batch-positions (row 1 given row 0's positions), allocation (Qwen2-VL given mrope_section [24, 20, 20]); y is then
written as y_BUG.npy.
"""
import sys

import hfenv

model, version, dtype, out = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
bug = sys.argv[5] if len(sys.argv) > 5 else None
hfenv.setup(version)
import numpy as np  # noqa: E402
import torch  # noqa: E402

rng = np.random.default_rng(0)
B, H, L, D = 2, 2, 24, 128
if model == "qwen3-vl":
    from transformers.models.qwen3_vl import modeling_qwen3_vl as m
    from transformers.models.qwen3_vl.configuration_qwen3_vl import Qwen3VLTextConfig

    sections = [24, 20, 20]
    text = Qwen3VLTextConfig(hidden_size=H * D, num_attention_heads=H, num_key_value_heads=H, head_dim=D)
    text.rope_parameters.update(rope_theta=5e6, mrope_section=sections)
    rotary = m.Qwen3VLTextRotaryEmbedding(config=text)
else:
    from transformers.models.qwen2_vl import modeling_qwen2_vl as m
    from transformers.models.qwen2_vl.configuration_qwen2_vl import Qwen2VLConfig

    text = getattr(Qwen2VLConfig(), "text_config", None) or Qwen2VLConfig()
    text.hidden_size, text.num_attention_heads, text.num_key_value_heads = H * D, H, H
    sections = [24, 20, 20] if bug == "allocation" else [16, 24, 24]
    if getattr(text, "rope_parameters", None) is not None:  # 5.x
        text.rope_parameters.update(rope_theta=1e6, mrope_section=sections)
    else:  # 4.x
        text.rope_theta = 1e6
        text.rope_scaling = {"type": "mrope", "rope_type": "default", "mrope_section": sections}
    rotary = m.Qwen2VLRotaryEmbedding(config=text)
centres = np.array([0, 7, 2048, 100000, 1000000])
pos = np.maximum(0, centres[rng.integers(0, 5, size=(3, B, L))] - rng.integers(0, 40, size=(3, B, L))).astype(np.int64)
q = torch.from_numpy(rng.uniform(-4, 4, size=(B, H, L, D)).astype(np.float32))
if dtype == "bf16":
    q = q.to(torch.bfloat16)
given = pos.copy()
if bug == "axis-swap":
    given[[1, 2]] = given[[2, 1]]
elif bug == "temporal-only":
    given[1] = given[0]
    given[2] = given[0]
elif bug == "position-offset":
    given += 5
elif bug == "batch-positions":
    given[:, 1] = given[:, 0]
elif bug not in (None, "allocation"):
    sys.exit("unknown bug " + bug)
cos, sin = rotary(q, torch.from_numpy(given))
if model == "qwen2-vl" and hasattr(m, "apply_multimodal_rotary_pos_emb"):  # 4.x: the sections are applied here
    y, _ = m.apply_multimodal_rotary_pos_emb(q, q, cos, sin, sections)
else:  # 5.x: cos and sin arrive recomposed
    y, _ = m.apply_rotary_pos_emb(q, q, cos, sin)


def save(name, t):
    a = t.view(torch.int16).numpy().view(np.uint16) if t.dtype == torch.bfloat16 else t.numpy()
    np.save(f"{out}/{name}.npy", a)


save("x", q)
save("y" if bug is None else "y_" + bug, y)
np.save(f"{out}/pos.npy", pos)
print("wrote", out, model, tuple(y.shape), y.dtype, "transformers", version)
