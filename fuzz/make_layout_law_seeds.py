# Writes fuzz/corpus/layout_law/seed-PRESET: each preset with its own parameters over a small mixed layout.
import pathlib

# Presets in reference/presets/presets.hpp order, with how many parameters the fuzzer reads a mode byte for
# (properties/param_domain.hpp: numeric ones and choices no preset sets).
PRESETS = [("qwen2-vl", 2), ("qwen2-vl-hf5", 2), ("qwen2.5-vl", 3), ("qwen2.5-vl-int-truncated", 3),
           ("qwen2.5-vl-hf5", 3), ("qwen2.5-vl-hf4.49", 3), ("qwen2.5-vl-hf5.18", 3), ("qwen3-vl", 3),
           ("mrope-i", 2), ("mhrope", 2), ("videorope", 2), ("videorope-paper", 2), ("hope", 2), ("circlerope", 11),
           ("v2pe", 2), ("vanilla", 1), ("il-rope", 2), ("il-rope-paper", 2), ("omni-rope", 2), ("omni-rope-code", 2),
           ("rope-tie", 2), ("rope-tie-paper", 2)]

out = pathlib.Path(__file__).parent / "corpus" / "layout_law"
out.mkdir(exist_ok=True)
for index, (name, params) in enumerate(PRESETS):
    keep = [0] * params  # mode 0: the preset's own value
    # text:3, image 4x4 tokens, text:2, then a 3-frame 3x3 video at 2 seconds per grid (images only for RoPE-Tie)
    layout = [4, 0, 2, 2, 3, 3, 1, 1]
    layout += [2, 2, 1] if name.startswith("rope-tie") else [3, 2, 2, 2, 1, 1, 0]
    laws = [2, 1, 0, 0, 0, 1, 0, 1, 1, 0, 1, 0, 3]  # decode 3 tokens, cuts, chunk starts, rotary pairs
    (out / f"seed-{name}").write_bytes(bytes([index] + keep + layout + laws))
