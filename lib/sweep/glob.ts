// Glob patterns over relative POSIX paths: `**` (any number of directories), `*`, `?`, `[abc]`,
// `[!abc]` and `{a,b}`. Hand-written: Node 20 has no glob matcher in its standard library.
import { Rdm2Error } from '../errors.js';

function escapeRegExpChar(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

/** Compiles a glob pattern to a regular expression matching whole relative paths (`a/b/c.npy`). */
export function globToRegExp(pattern: string): RegExp {
  if (pattern === '' || pattern.startsWith('/')) {
    throw new Rdm2Error('ERR_RDM2_USAGE', `pattern ${JSON.stringify(pattern)} must be a non-empty glob relative to the sweep root, e.g. '**/losses.npy'`);
  }
  let re = '';
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        const atStart = i === 0 || pattern[i - 1] === '/';
        if (atStart && pattern[i + 2] === '/') {
          re += '(?:[^/]+/)*';
          i += 2;
          continue;
        }
        if (atStart && i + 2 === pattern.length) {
          re += '.*';
          i += 1;
          continue;
        }
      }
      re += '[^/]*';
    } else if (ch === '?') {
      re += '[^/]';
    } else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new Rdm2Error('ERR_RDM2_USAGE', `pattern ${JSON.stringify(pattern)}: unclosed '[' at character ${i + 1}`);
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (ch === '{') {
      braces++;
      re += '(?:';
    } else if (ch === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (ch === ',' && braces > 0) {
      re += '|';
    } else {
      re += escapeRegExpChar(ch);
    }
  }
  if (braces > 0) throw new Rdm2Error('ERR_RDM2_USAGE', `pattern ${JSON.stringify(pattern)}: unclosed '{'`);
  return new RegExp(`^${re}$`);
}
