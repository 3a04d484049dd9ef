// Types of scripts/python.mjs, for the TypeScript tests that import it.
export interface TorchPythonVersions {
  python: string;
  torch: string;
  numpy: string;
  pytest: string;
}
export declare function torchPython(): string;
export declare function checkTorchPython(python?: string): { ok: true; python: string; versions: TorchPythonVersions } | { ok: false; python: string; why: string };
