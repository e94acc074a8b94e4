#!/usr/bin/env python3
"""Compare mmrope `positions --hf-inputs` against real transformers get_rope_index.

Usage:  venv/bin/python run_check.py [--cases N] VERSION [VERSION ...]
Each VERSION runs in its own python process (worker) with tf/VERSION (an unzipped wheel) first on
sys.path (see hfenv.py).  Cases are generated from seeds that depend on (model, case index) only,
so every version sees the same inputs.  Results: results/VERSION.json, cases under cases/VERSION/.
"""
import json, os, subprocess, sys, types, inspect, traceback, shutil

ROOT = os.environ.get('MMROPE_HFCHECK_DIR', '/tmp/hfcheck')
MMROPE = os.environ.get('MMROPE_BIN', f'{ROOT}/mmrope')
IMG, VID, VS, VE, PAD = 151655, 151656, 151652, 151653, 151643
FPS = [0.7, 1, 1.5, 2, 2.4, 2.9, 3, 4]
MODELS = ['qwen2_vl', 'qwen2_5_vl', 'qwen3_vl']


# ----------------------------------------------------------------------------- case generation
def gen_case(model, idx):
    import numpy as np
    rng = np.random.default_rng(hash((model, idx)) & 0xffffffff if False else (MODELS.index(model) * 100003 + idx))
    text_only = idx % 10 == 9          # 10% text-only batches
    B = int(rng.integers(1, 4))
    side = 'left' if rng.random() < 0.5 else 'right'
    rows, images, videos, spgs = [], [], [], []
    omit_spg = model == 'qwen2_5_vl' and idx % 7 == 3   # videos without second_per_grid_ts
    for b in range(B):
        toks = []
        nitems = 0 if text_only else int(rng.integers(0, 4))
        def text(lo=1, hi=7):
            toks.extend(int(x) for x in rng.integers(1000, 2001, size=int(rng.integers(lo, hi))))
        text()
        for _ in range(nitems):
            H, W = (int(2 * rng.integers(1, 5)) for _ in range(2))
            if rng.random() < 0.5:
                images.append([1, H, W])
                toks += [VS] + [IMG] * (H * W // 4) + [VE]
            else:
                T = int(rng.integers(1, 7))
                videos.append([T, H, W])
                spgs.append(float(np.float32(2.0) / np.float32(FPS[int(rng.integers(0, len(FPS)))])))
                if model == 'qwen3_vl':
                    for _f in range(T):
                        text(1, 6)     # timestamp tokens
                        toks += [VS] + [VID] * (H * W // 4) + [VE]
                else:
                    toks += [VS] + [VID] * (T * H * W // 4) + [VE]
            if rng.random() < 0.7:
                text()
        rows.append(toks)
    L = max(len(r) for r in rows) + (int(rng.integers(0, 3)) if rng.random() < 0.3 else 0)
    ids = np.full((B, L), PAD, dtype=np.int64)
    mask = np.zeros((B, L), dtype=np.int64)
    for b, r in enumerate(rows):
        if side == 'right':
            ids[b, :len(r)] = r; mask[b, :len(r)] = 1
        else:
            ids[b, L - len(r):] = r; mask[b, L - len(r):] = 1
    inp = {'input_ids': ids}
    # drop the mask sometimes when nothing is padded
    if not (mask.all() and rng.random() < 0.5):
        inp['attention_mask'] = mask
    if images:
        inp['image_grid_thw'] = np.array(images, dtype=np.int64)
    if videos:
        inp['video_grid_thw'] = np.array(videos, dtype=np.int64)
        if model == 'qwen2_5_vl' and not omit_spg:
            inp['second_per_grid_ts'] = np.array(spgs, dtype=np.float32)
    tt = np.zeros_like(ids)
    tt[ids == IMG] = 1; tt[ids == VID] = 2
    inp['mm_token_type_ids'] = tt
    return inp, side


# ----------------------------------------------------------------------------- worker
def make_config(mod_cfg, model):
    """Build the model config with the real rope settings."""
    names = {'qwen2_vl': 'Qwen2VLConfig', 'qwen2_5_vl': 'Qwen2_5_VLConfig', 'qwen3_vl': 'Qwen3VLConfig'}
    C = getattr(mod_cfg, names[model])
    cfg = C()
    # token ids (defaults already match, set anyway)
    for k, v in dict(image_token_id=IMG, video_token_id=VID, vision_start_token_id=VS, vision_end_token_id=VE).items():
        setattr(cfg, k, v)
    cfg.vision_config.spatial_merge_size = 2
    # rope settings: mrope_section of the released checkpoints
    sec = [24, 20, 20] if model == 'qwen3_vl' else [16, 24, 24]
    holders = [cfg] + ([cfg.text_config] if getattr(cfg, 'text_config', None) is not None else [])
    for h in holders:
        if hasattr(h, 'rope_parameters'):            # 5.x layout
            rp = dict(h.rope_parameters or {})
            rp.setdefault('rope_type', 'default'); rp.setdefault('rope_theta', 1000000.0)
            rp['mrope_section'] = sec
            if model == 'qwen3_vl':
                rp['mrope_interleaved'] = True
            h.rope_parameters = rp
        elif h is holders[-1]:                        # 4.x layout
            rs = dict(getattr(h, 'rope_scaling', None) or {})
            rs.setdefault('type', 'mrope' if model != 'qwen3_vl' else 'default')
            rs['mrope_section'] = sec
            if model == 'qwen3_vl':
                rs['mrope_interleaved'] = True
            h.rope_scaling = rs
    if model == 'qwen2_5_vl':
        cfg.vision_config.tokens_per_second = 2
    return cfg


def worker(version, ncases):
    sys.path.insert(0, ROOT)
    import hfenv
    deps = hfenv.setup(version)
    import numpy as np, torch, transformers, importlib
    assert transformers.__version__ == version, transformers.__file__
    out = {'version': version, 'deps': deps, 'torch': torch.__version__, 'models': {}}
    for model in MODELS:
        try:
            mod = importlib.import_module(f'transformers.models.{model}.modeling_{model}')
            mod_cfg = importlib.import_module(f'transformers.models.{model}.configuration_{model}')
        except ModuleNotFoundError:
            continue
        cls = next(c for c in vars(mod).values() if isinstance(c, type) and 'get_rope_index' in c.__dict__)
        cfg = make_config(mod_cfg, model)
        fake = types.SimpleNamespace(config=cfg)
        for name in ('get_vision_position_ids',):
            if name in cls.__dict__:
                setattr(fake, name, types.MethodType(cls.__dict__[name], fake))
        params = inspect.signature(cls.get_rope_index).parameters
        cdir = f'{ROOT}/cases/{version}/{model}'
        shutil.rmtree(cdir, ignore_errors=True); os.makedirs(cdir)
        cfg.save_pretrained(cdir)
        cfgfile = f'{cdir}/config.json'
        res = {'class': cls.__name__, 'params': list(params), 'cases': []}
        for i in range(ncases):
            inp, side = gen_case(model, i)
            if 'mm_token_type_ids' not in params:
                inp.pop('mm_token_type_ids')
            if model != 'qwen2_5_vl':
                inp.pop('second_per_grid_ts', None)
            base = f'{cdir}/case{i:03d}'
            np.savez(base + '_inputs.npz', **inp)
            rec = {'case': i, 'side': side, 'B': int(inp['input_ids'].shape[0]), 'L': int(inp['input_ids'].shape[1]),
                   'keys': sorted(inp)}
            kw = {k: torch.from_numpy(v) for k, v in inp.items()}
            try:
                with torch.no_grad():
                    pos, dl = cls.get_rope_index(fake, **kw)
                rec['hf_dtypes'] = [str(pos.dtype), str(dl.dtype)]
                hp = pos.to(torch.int64).numpy(); hd = dl.to(torch.int64).numpy().reshape(-1, 1)
                np.save(base + '_hf_pos.npy', hp); np.save(base + '_hf_deltas.npy', hd)
                rec['hf'] = 'ok'
            except Exception as e:
                rec['hf'] = 'error: ' + repr(e)[:300]
                hp = hd = None
            # mmrope
            p = subprocess.run([MMROPE, 'positions', '--hf-inputs', base + '_inputs.npz', '--hf-config', cfgfile,
                                '--transformers', version, '--output', base + '_mm_pos.npy',
                                '--deltas-output', base + '_mm_deltas.npy'], capture_output=True, text=True)
            rec['mm_rc'] = p.returncode
            if p.returncode != 0:
                rec['mm_msg'] = (p.stderr + p.stdout).strip()[-400:]
            else:
                rec['mm_msg'] = (p.stderr + p.stdout).strip()[-200:]
            if p.returncode == 0 and hp is not None:
                mp = np.load(base + '_mm_pos.npy'); md = np.load(base + '_mm_deltas.npy')
                same_shape = mp.shape == hp.shape and md.reshape(-1, 1).shape == hd.shape
                rec['pos_match'] = bool(same_shape and mp.dtype == np.int64 and (mp == hp).all())
                rec['delta_match'] = bool(same_shape and (md.reshape(-1, 1) == hd).all())
                if not same_shape:
                    rec['shape'] = [list(mp.shape), list(hp.shape), list(md.shape), list(hd.shape)]
            res['cases'].append(rec)
        out['models'][model] = res
    os.makedirs(f'{ROOT}/results', exist_ok=True)
    json.dump(out, open(f'{ROOT}/results/{version}.json', 'w'), indent=1)


def summarize(version):
    r = json.load(open(f'{ROOT}/results/{version}.json'))
    lines = []
    for m, res in r['models'].items():
        cs = res['cases']
        n = len(cs)
        hf_err = sum(c['hf'] != 'ok' for c in cs)
        refused = sum(c['mm_rc'] == 2 for c in cs)
        other_rc = sum(c['mm_rc'] not in (0, 2) for c in cs)
        both = [c for c in cs if c['hf'] == 'ok' and c['mm_rc'] == 0]
        match = sum(c['pos_match'] and c['delta_match'] for c in both)
        pos_bad = [c['case'] for c in both if not c['pos_match']]
        d_bad = [c['case'] for c in both if not c['delta_match']]
        hf_err_mm_ok = [c['case'] for c in cs if c['hf'] != 'ok' and c['mm_rc'] == 0]
        lines.append(f'{version} {m}: cases={n} compared={len(both)} match={match} pos_mismatch={pos_bad} '
                     f'delta_mismatch={d_bad} hf_error={hf_err} (mmrope produced output for {hf_err_mm_ok}) '
                     f'mmrope_refused(rc2)={refused} mmrope_other_rc={other_rc}')
    return '\n'.join(lines)


if __name__ == '__main__':
    args = sys.argv[1:]
    if args and args[0] == '--worker':
        worker(args[1], int(args[2])); sys.exit(0)
    n = 50
    if args and args[0] == '--cases':
        n = int(args[1]); args = args[2:]
    for v in args:
        p = subprocess.run([sys.executable, __file__, '--worker', v, str(n)], capture_output=True, text=True)
        if p.returncode != 0:
            print(f'{v}: worker failed\n{p.stderr[-2000:]}'); continue
        print(summarize(v), flush=True)
