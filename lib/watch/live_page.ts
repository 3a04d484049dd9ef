// The live page of `rdm2 watch --serve`: the run report's page (lib/report) plus a status bar and
// one small same-origin script that swaps in the newest report whenever the server announces one
// (Server-Sent Events). No external scripts, fonts or styles: it works offline.
import { escapeHtml } from '../report/format.js';
import { REPORT_CSP } from '../report/html.js';

/** The live page's Content-Security-Policy: the report's, plus this origin's script and event stream. */
export const LIVE_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STATUS_CSS = `<style>
#rdm2-live-status { position: sticky; top: 0; z-index: 10; padding: 6px 28px; background: #fff4d6; color: #5c4400; font: 13px/1.4 system-ui, sans-serif; border-bottom: 1px solid #f0d890; }
#rdm2-live-status.ended { background: #e3f4e3; color: #1d4d1d; border-color: #a9d8a9; }
#rdm2-live-status.lost { background: #f6e0e0; color: #7a1f1f; border-color: #e0aaaa; }
</style>`;

/**
 * The script the page loads from `/live.js`. It listens to `/events`; on `update` it fetches
 * `/report.html` and replaces the page's header, contents, sections and footer with the new
 * ones, then sets `document.body.dataset.version`; on `end` it stops listening.
 */
export const LIVE_SCRIPT = `'use strict';
(() => {
  const status = document.getElementById('rdm2-live-status');
  let shown = Number(document.body.dataset.version || 0);
  let wanted = shown;
  let busy = false;
  let ended = false;
  const say = (text, cls) => { status.textContent = text; status.className = cls || ''; };
  async function refresh() {
    if (busy || wanted <= shown) return;
    busy = true;
    try {
      const res = await fetch('/report.html', { cache: 'no-store' });
      if (res.ok) {
        const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
        for (const sel of ['header.page', 'nav.toc', 'main', 'footer']) {
          const now = document.querySelector(sel);
          const next = doc.querySelector(sel);
          if (now && next) now.replaceWith(document.importNode(next, true));
        }
        shown = Number(res.headers.get('x-rdm2-version')) || wanted;
        document.body.dataset.version = String(shown);
      }
    } catch (err) {
      say('could not fetch the report: ' + err, 'lost');
    } finally {
      busy = false;
      if (wanted > shown) refresh();
    }
  }
  const events = new EventSource('/events');
  events.addEventListener('update', (e) => {
    const d = JSON.parse(e.data);
    say((d.ended ? 'ended: ' : 'live: ') + d.rows + ' rows, ' + d.windows + ' windows, ' + d.warnings + ' warning' + (d.warnings === 1 ? '' : 's') + (d.lastStep === null ? '' : ', last step ' + d.lastStep) + ' (updated ' + new Date().toLocaleTimeString() + ')', d.ended ? 'ended' : '');
    wanted = Math.max(wanted, d.version);
    refresh();
  });
  events.addEventListener('end', () => {
    ended = true;
    events.close();
    status.className = 'ended';
  });
  events.onerror = () => {
    if (!ended) say('disconnected: the watch is not running (this page shows its last state)', 'lost');
  };
})();
`;

/**
 * The page served at `/`: a report page (from `buildReport` or {@link waitingPage}) with the live
 * CSP, the status bar and the script. `version` is the report's version number.
 */
export function livePage(reportHtml: string, version: number, statusText: string): string {
  const csp = `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`;
  let html = reportHtml.includes(csp) ? reportHtml.replace(csp, `<meta http-equiv="Content-Security-Policy" content="${LIVE_CSP}">`) : reportHtml;
  html = html.replace('</head>', `<link rel="icon" href="data:,">\n${STATUS_CSS}\n<script src="/live.js" defer></script>\n</head>`);
  html = html.replace('<body>', `<body data-version="${version}">\n<div id="rdm2-live-status" role="status">${escapeHtml(statusText)}</div>`);
  return html;
}
