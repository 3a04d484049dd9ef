// The one answer to "which python has torch": RDM2_PYTHON when set, else /usr/bin/python3 (Debian's
// python3-torch, python3-numpy, python3-pytest, python3-h5py and python3-protobuf install there; the
// `python3` first on PATH may be another interpreter without them). Used by `npm test` (the pytest
// stage), every TypeScript test that runs python, and `npm run record:real`.
import { spawnSync } from 'node:child_process';

/** The python interpreter that runs rdm2's PyTorch examples and their tests. */
export function torchPython() {
  return process.env.RDM2_PYTHON || '/usr/bin/python3';
}

/**
 * Checks that `python` imports torch, numpy and pytest. Returns `{ ok: true, versions }` with
 * their versions, or `{ ok: false, why }` with one sentence saying what is missing and how to fix it.
 * @param {string} [python]
 * @returns {{ ok: true, python: string, versions: { python: string, torch: string, numpy: string, pytest: string } } | { ok: false, python: string, why: string }}
 */
export function checkTorchPython(python = torchPython()) {
  const code = 'import json, platform, numpy, pytest, torch; print(json.dumps({"python": platform.python_version(), "torch": torch.__version__, "numpy": numpy.__version__, "pytest": pytest.__version__}))';
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8' });
  if (r.error) return { ok: false, python, why: `cannot run ${python} (${r.error.message}); install Debian's python3-torch, python3-numpy and python3-pytest, or set RDM2_PYTHON to a python that has them` };
  if (r.status !== 0) {
    const last = (r.stderr.trim().split('\n').pop() ?? '').trim();
    return { ok: false, python, why: `${python} cannot import torch, numpy and pytest (${last}); install Debian's python3-torch, python3-numpy and python3-pytest, or set RDM2_PYTHON to a python that has them` };
  }
  return { ok: true, python, versions: JSON.parse(r.stdout) };
}
