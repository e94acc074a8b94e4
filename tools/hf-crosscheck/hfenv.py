"""Put transformers release VERSION (unzipped wheel under tf/VERSION) first on sys.path,
with a huggingface_hub and tokenizers that satisfy its METADATA."""
import sys, glob, re, os
from packaging.specifiers import SpecifierSet
from packaging.version import Version
ROOT = os.environ.get('MMROPE_HFCHECK_DIR', '/tmp/hfcheck')
CANDIDATES = {'tokenizers': ['tok020', 'tok021', 'tok022', 'tok0231'],
              'huggingface_hub': ['deps_hub0', 'deps_hub1']}
def setup(v):
    meta = open(glob.glob(f'{ROOT}/tf/{v}/transformers-*.dist-info/METADATA')[0]).read()
    dirs = []
    for pkg, cands in CANDIDATES.items():
        name = pkg.replace('_', '-')
        m = re.search(rf'^Requires-Dist: {name}\s*\(?([^;\n)]*)\)?\s*$', meta, re.M)
        spec = SpecifierSet(m.group(1).replace(' ', ''))
        for c in cands:
            have = glob.glob(f'{ROOT}/{c}/{pkg}-*.dist-info')[0]
            hv = Version(os.path.basename(have)[:-len('.dist-info')].split('-')[1])
            if hv in spec:
                dirs.append(f'{ROOT}/{c}'); break
        else:
            raise RuntimeError(f'no {pkg} for {v} ({spec})')
    sys.path[:0] = [f'{ROOT}/tf/{v}'] + dirs
    return dirs
