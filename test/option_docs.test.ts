// The documented defaults agree with the schemas: every TSDoc "Default ..." of a public options
// interface states the default its schema declares (the CLI's defaults and docs/cli.md come from
// the same schemas; test/cli_help.test.ts checks docs/cli.md holds the generated help).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { DEMO_OPTIONS } from '../lib/demo/run_demo.js';
import { DEEP_LINEAR_DEMO_OPTIONS } from '../lib/demo/deep_linear_demo.js';
import { SYNTHETIC_DEMO_OPTIONS } from '../lib/demo/synthetic_demo.js';
import { ANALYZE_FILE_OPTIONS } from '../lib/io/analyze_file_options.js';
import { MONITOR_OPTIONS } from '../lib/monitor.js';
import type { OptionSchema, OptionSpec } from '../lib/option_schema.js';
import { ANALYZE_OPTIONS, GRAM2RDM_OPTIONS } from '../lib/options.js';
import { REPORT_OPTIONS } from '../lib/report/run_report.js';
import { SWEEP_REPORT_OPTIONS } from '../lib/report/sweep_report.js';
import { DEEP_LINEAR_OPTIONS } from '../lib/scenarios/deep_linear.js';
import { SYNTHETIC_SCENARIO_OPTIONS } from '../lib/scenarios/synthetic.js';
import { AGGREGATE_OPTIONS } from '../lib/stats/aggregate.js';
import { COMPARE_OPTIONS } from '../lib/stats/baselines.js';
import { KENDALL_OPTIONS } from '../lib/stats/kendall.js';
import { TRANSITION_RULE_OPTIONS } from '../lib/stats/lead_time.js';
import { SENSITIVITY_OPTIONS } from '../lib/stats/sensitivity.js';
import { SUMMARIZE_OPTIONS } from '../lib/stats/summarize.js';
import { SURROGATE_OPTIONS } from '../lib/stats/surrogate.js';
import { WARNING_OPTIONS } from '../lib/stats/warnings.js';
import { AUTO_SETTINGS_OPTIONS } from '../lib/auto_settings.js';
import { NOISE_CONTROL_OPTIONS } from '../lib/scenarios/noise_control.js';
import { FALSE_ALARM_OPTIONS } from '../lib/stats/false_alarms.js';
import { SENSITIVITY_REPORT_OPTIONS } from '../lib/report/sensitivity_report.js';
import { SWEEP_OPTIONS } from '../lib/sweep/runner.js';
import { WATCH_OPTIONS } from '../lib/watch/watch_options.js';

const root = join(import.meta.dirname, '..');

/** [source file, interface, its schema] */
const documented: [string, string, OptionSchema][] = [
  ['lib/types.ts', 'AnalyzeOptions', ANALYZE_OPTIONS],
  ['lib/gaussian.ts', 'Gram2rdmOptions', GRAM2RDM_OPTIONS],
  ['lib/io/analyze_file_options.ts', 'AnalyzeFileOptions', ANALYZE_FILE_OPTIONS],
  ['lib/monitor.ts', 'MonitorOptions', MONITOR_OPTIONS],
  ['lib/stats/warnings.ts', 'WarningOptions', WARNING_OPTIONS],
  ['lib/report/run_report.ts', 'ReportOptions', REPORT_OPTIONS],
  ['lib/report/sweep_report.ts', 'SweepReportOptions', SWEEP_REPORT_OPTIONS],
  ['lib/sweep/runner.ts', 'SweepOptions', SWEEP_OPTIONS],
  ['lib/scenarios/synthetic.ts', 'SyntheticScenarioOptions', SYNTHETIC_SCENARIO_OPTIONS],
  ['lib/scenarios/deep_linear.ts', 'DeepLinearOptions', DEEP_LINEAR_OPTIONS],
  ['lib/demo/synthetic_demo.ts', 'SyntheticDemoOptions', SYNTHETIC_DEMO_OPTIONS],
  ['lib/demo/deep_linear_demo.ts', 'DeepLinearDemoOptions', DEEP_LINEAR_DEMO_OPTIONS],
  ['lib/demo/run_demo.ts', 'DemoOptions', DEMO_OPTIONS],
  ['lib/stats/kendall.ts', 'KendallOptions', KENDALL_OPTIONS],
  ['lib/stats/aggregate.ts', 'AggregateOptions', AGGREGATE_OPTIONS],
  ['lib/stats/surrogate.ts', 'SurrogateOptions', SURROGATE_OPTIONS],
  ['lib/stats/lead_time.ts', 'TransitionRule', TRANSITION_RULE_OPTIONS],
  ['lib/stats/baselines.ts', 'CompareOptions', COMPARE_OPTIONS],
  ['lib/stats/sensitivity.ts', 'SensitivityOptions', SENSITIVITY_OPTIONS],
  ['lib/stats/summarize.ts', 'SummarizeOptions', SUMMARIZE_OPTIONS],
  ['lib/auto_settings.ts', 'AutoSettingsOptions', AUTO_SETTINGS_OPTIONS],
  ['lib/scenarios/noise_control.ts', 'NoiseControlOptions', NOISE_CONTROL_OPTIONS],
  ['lib/stats/false_alarms.ts', 'FalseAlarmOptions', FALSE_ALARM_OPTIONS],
  ['lib/report/sensitivity_report.ts', 'SensitivityReportOptions', SENSITIVITY_REPORT_OPTIONS],
  ['lib/watch/watch_options.ts', 'WatchOptions', WATCH_OPTIONS],
];

/** Each property's TSDoc text in `name`'s declaration (own members only). */
function propertyDocs(file: string, name: string): Map<string, string> {
  const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const docs = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === name) {
      for (const m of node.members) {
        if (!ts.isPropertySignature(m) || !ts.isIdentifier(m.name)) continue;
        const text = ts
          .getJSDocCommentsAndTags(m)
          .map((d) => (typeof d.comment === 'string' ? d.comment : (d.comment ?? []).map((c) => c.text).join('')))
          .join(' ');
        docs.set(m.name.text, text.replace(/\s+/g, ' ').replace(/\\\//g, '/'));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (docs.size === 0) throw new Error(`no interface ${name} in ${file}`);
  return docs;
}

/** The ways a constant default may be written in TSDoc. */
function spellings(spec: OptionSpec): string[] {
  const d = spec.default;
  if (typeof d === 'number') {
    const out = [String(d), d.toLocaleString('en-US').replace(/,/g, ' ')];
    if (d >= 2 ** 20 && d % 2 ** 20 === 0) out.push(`${d / 2 ** 20} MiB`);
    return out;
  }
  if (typeof d === 'string') return [`'${d}'`, `\`${d}\``];
  if (typeof d === 'boolean') return [String(d)];
  return [];
}

describe('documented defaults', () => {
  for (const [file, name, schema] of documented) {
    it(`${name} (${file}): every "Default ..." in its TSDoc is the schema's`, () => {
      const docs = propertyDocs(file, name);
      for (const [field, doc] of docs) {
        const spec = schema.fields[field];
        expect(spec, `${name}.${field} has no schema entry`).toBeDefined();
        // "Default x." / "Default: x", or "x (default)" in a list of choices.
        const stated = /Default:? (.*?)(?:\.(?:\s|$)|;|$)/.exec(doc)?.[1];
        const forms = spellings(spec!);
        if (forms.length > 0) {
          // A constant default must be documented, in one of its spellings.
          const inList = forms.some((f) => doc.includes(`${f} (default)`));
          expect(stated !== undefined || inList, `${name}.${field}: TSDoc states no default, the schema's is ${forms[0]}`).toBe(true);
          if (!inList) {
            expect(
              forms.some((f) => stated!.startsWith(f)),
              `${name}.${field}: TSDoc says "Default ${stated}", the schema's default is ${forms[0]}`,
            ).toBe(true);
          }
        } else if (stated !== undefined && spec!.default === undefined && spec!.defaultDoc === undefined) {
          throw new Error(`${name}.${field}: TSDoc says "Default ${stated}" but the schema declares no default`);
        }
      }
    });
  }
});
