"""Writes the .npz inputs and config.json files of tests/tools/hf_inputs_test.cpp, as numpy and save_pretrained write them.

Run from this folder with numpy installed: python3 make_hf_fixtures.py. The outputs are committed, so the tests
need no Python; rerun only to change a fixture. Ids: 151652 <|vision_start|>, 151653 <|vision_end|>,
151655 <|image_pad|>, 151656 <|video_pad|>, 151643 the pad token; other small ids stand for text.
"""
import json

import numpy as np

VS, VE, IMG, VID, PAD = 151652, 151653, 151655, 151656, 151643


def ids(rows):
    return np.array(rows, dtype=np.int64)


# Qwen2-VL, two rows, left padded: an image (1, 4, 6) -> 2 x 3 tokens; a text-only row of 5 tokens.
np.savez(
    "qwen2vl_batch.npz",
    input_ids=ids([[11, 12, VS] + [IMG] * 6 + [VE, 13], [PAD] * 6 + [21, 22, 23, 24, 25]]),
    attention_mask=ids([[1] * 11, [0] * 6 + [1] * 5]),
    image_grid_thw=ids([[1, 4, 6]]),
)

# Qwen2.5-VL, a video (4, 4, 4) -> 4 frames of 2 x 2 at fps 2.4: second_per_grid = float32(2 / 2.4), compressed.
np.savez_compressed(
    "qwen25vl_video.npz",
    input_ids=ids([[11, VS] + [VID] * 16 + [VE, 12]]),
    attention_mask=ids([[1] * 20]),
    video_grid_thw=ids([[4, 4, 4]]),
    second_per_grid_ts=np.array([2 / 2.4], dtype=np.float32),
    pixel_values=np.zeros((64, 8), dtype=np.float32),  # present in a processor's output; never read
)

# Qwen2.5-VL, 30 frames of one token at fps 2.9 and tokens_per_second 3: the two float32 orders differ at frame 29.
np.savez(
    "qwen25vl_order.npz",
    input_ids=ids([[VS] + [VID] * 30 + [VE]]),
    video_grid_thw=ids([[30, 2, 2]]),
    second_per_grid_ts=np.array([2 / 2.9], dtype=np.float32),
)

# Qwen3-VL, right padded: row 0 a video (2, 4, 4) written per frame with timestamps of 3 and 4 tokens
# ("<0.5 seconds>", "<10.5 seconds>"); row 1 an image (1, 4, 4) only. mm_token_type_ids as 5.x processors give.
row0 = [11, 30, 31, 32, VS] + [VID] * 4 + [VE, 40, 41, 42, 43, VS] + [VID] * 4 + [VE, 12]
row1 = [VS] + [IMG] * 4 + [VE] + [PAD] * 15
types = [[2 if t == VID else 1 if t == IMG else 0 for t in row] for row in (row0, row1)]
np.savez(
    "qwen3vl_batch.npz",
    input_ids=ids([row0, row1]),
    attention_mask=ids([[1] * 21, [1] * 6 + [0] * 15]),
    image_grid_thw=ids([[1, 4, 4]]),
    video_grid_thw=ids([[2, 4, 4]]),
    mm_token_type_ids=ids(types),
)

# Text only, int32 ids: row 1 left padded to a single token.
np.savez(
    "text_only.npz",
    input_ids=np.array([[5, 6, 7, 8], [PAD, PAD, PAD, 9]], dtype=np.int32),
    attention_mask=np.array([[1, 1, 1, 1], [0, 0, 0, 1]], dtype=np.int32),
)

# A grid that needs 6 image tokens where the ids hold 5.
np.savez(
    "bad_short_image.npz",
    input_ids=ids([[11, VS] + [IMG] * 5 + [VE]]),
    image_grid_thw=ids([[1, 4, 6]]),
)


def write(name, config):
    with open(name, "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")


TOKENS = {"image_token_id": IMG, "video_token_id": VID, "vision_start_token_id": VS, "vision_end_token_id": VE}


def flat_4x(model_type, version, vision, theta=1000000.0):
    # The released Qwen2-VL / Qwen2.5-VL hub layout: text keys at the top, rope_scaling of type mrope.
    return {
        "architectures": ["X"], "model_type": model_type, "transformers_version": version, "hidden_size": 3584,
        "num_attention_heads": 28, "num_key_value_heads": 4, "vocab_size": 152064, "rope_theta": theta,
        "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]}, "vision_config": vision, **TOKENS,
    }


def nested_5x(model_type, version, vision, rope, head_dim=None):
    # The 5.x layout: text keys under text_config with rope_parameters.
    text = {"hidden_size": 3584, "num_attention_heads": 28, "num_key_value_heads": 4, "vocab_size": 152064,
            "rope_parameters": rope}
    if head_dim:
        text["head_dim"] = head_dim
    return {"model_type": model_type, "transformers_version": version, "text_config": text, "vision_config": vision, **TOKENS}


write("qwen2vl_config_4x.json", flat_4x("qwen2_vl", "4.57.6", {"spatial_merge_size": 2, "temporal_patch_size": 2}))
write("qwen2vl_config_5x.json", nested_5x("qwen2_vl", "5.24.0", {"spatial_merge_size": 2},
                                          {"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": [16, 24, 24]}))
write("qwen25vl_config_4x.json", flat_4x("qwen2_5_vl", "4.57.6", {"spatial_merge_size": 2, "tokens_per_second": 2}))
write("qwen25vl_config_5x.json", nested_5x("qwen2_5_vl", "5.24.0", {"spatial_merge_size": 2, "tokens_per_second": 2},
                                           {"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": [16, 24, 24]}))
write("qwen25vl_tps3_config.json", flat_4x("qwen2_5_vl", "4.49.0", {"spatial_merge_size": 2, "tokens_per_second": 3}))
write("qwen3vl_config_4x.json", {
    "model_type": "qwen3_vl", "transformers_version": "4.57.0", "vision_config": {"spatial_merge_size": 2},
    "text_config": {"head_dim": 128, "hidden_size": 2048, "num_attention_heads": 16, "vocab_size": 151936,
                    "rope_theta": 5000000, "rope_scaling": {"mrope_interleaved": True, "mrope_section": [24, 20, 20],
                                                            "rope_type": "default"}}, **TOKENS})
write("qwen3vl_config_5x.json", nested_5x("qwen3_vl", "5.24.0", {"spatial_merge_size": 2},
                                          {"rope_type": "default", "rope_theta": 5000000, "mrope_section": [24, 20, 20],
                                           "mrope_interleaved": True}, head_dim=128))

# Bad containers: no input_ids; float ids; a member that is not a .npy.
np.savez("bad_no_input_ids.npz", attention_mask=ids([[1, 1]]))
np.savez("bad_float_ids.npz", input_ids=np.array([[1.0, 2.0]], dtype=np.float32))
import zipfile  # noqa: E402

with zipfile.ZipFile("bad_member.npz", "w") as z:
    z.writestr("input_ids.npy", b"not an array")
    z.writestr("readme.txt", b"hello")

# A config without transformers_version (the newest rules apply) and with the 4.x keys nested as 4.5x saves them.
no_version = nested_5x("qwen2_5_vl", None, {"spatial_merge_size": 2, "tokens_per_second": 2},
                       {"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": [16, 24, 24]})
del no_version["transformers_version"]
write("qwen25vl_config_unversioned.json", no_version)
