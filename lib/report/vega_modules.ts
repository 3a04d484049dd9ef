// Vega and Vega-Lite are loaded on first use, so importing the package (for analysis
// only) does not pay for the chart renderer.
import type * as VegaModule from 'vega';
import type * as VegaLiteModule from 'vega-lite';

export interface VegaModules {
  vega: typeof VegaModule;
  vegaLite: typeof VegaLiteModule;
}

let loading: Promise<VegaModules> | undefined;

/** Vega and Vega-Lite, imported once. */
export function loadVega(): Promise<VegaModules> {
  loading ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({ vega, vegaLite }));
  return loading;
}
