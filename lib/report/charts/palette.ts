// Colours shared by the charts, so a group has the same colour in every chart of a report.

/** Tableau 10, then Tableau 20's lighter partners: distinct colours for up to 20 groups (then they repeat). */
const GROUP_COLOURS = [
  '#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac',
  '#9ecae9', '#ffbf79', '#88d27a', '#ff9d98', '#a0cbc7', '#f2cf5b', '#d6a5c9', '#fcbfd2', '#d8b5a5', '#79706e',
];

/** Warning spans, the transition and the SHC peak. */
export const MARK_COLOURS = { warning: '#f58518', transition: '#c0392b', peak: '#222222', window: '#4c78a8' } as const;

/**
 * The colour scale of the group field: one fixed colour per group, in `domain` order.
 *
 * @example
 * ```ts
 * groupScale(['A', 'B']); // { domain: ['A', 'B'], range: ['#4c78a8', '#f58518'] }
 * ```
 */
export function groupScale(domain: readonly string[]): { domain: string[]; range: string[] } {
  return { domain: [...domain], range: domain.map((_, k) => GROUP_COLOURS[k % GROUP_COLOURS.length]) };
}

/**
 * Distinct groups in order of first appearance.
 *
 * @example
 * ```ts
 * groupDomain(['B', 'A', 'B']); // ['B', 'A']
 * ```
 */
export function groupDomain(groups: readonly string[]): string[] {
  return [...new Set(groups)];
}
