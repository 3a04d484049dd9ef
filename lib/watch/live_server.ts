// `rdm2 watch --serve`: an HTTP server on 127.0.0.1 that shows the run report of the windows so
// far and tells open pages (Server-Sent Events) when a newer one is ready.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Rdm2Error } from '../errors.js';
import { htmlDocument, missing } from '../report/html.js';
import { buildReport } from '../report/run_report.js';
import { LIVE_CSP, LIVE_SCRIPT, livePage } from './live_page.js';
import type { LiveWatch } from './watch.js';

/** Options of {@link startLiveServer}. */
export interface LiveServerOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Least milliseconds between two report builds (they render every chart). Default 1000. */
  minRefreshMs?: number;
  /** Called when a report build fails (the page keeps the previous one). */
  onError?: (err: unknown) => void;
}

/** A running live server. */
export interface LiveServer {
  /** `http://127.0.0.1:<port>/`. */
  url: string;
  port: number;
  /** Tells the server the watch has new windows (or ended); the report is rebuilt soon after. */
  update(live: LiveWatch): void;
  /** Waits until the report of the latest update is built and announced. */
  settled(): Promise<void>;
  /** Tells pages the watch ended, then closes every connection and the server. */
  close(): Promise<void>;
}

interface Built {
  version: number;
  html: string;
  rows: number;
  windows: number;
  warnings: number;
  lastStep: number | null;
  ended: boolean;
}

function statusText(b: Built): string {
  if (b.version === 0) return 'live: waiting for the watch to start';
  return `${b.ended ? 'ended' : 'live'}: ${b.rows} rows, ${b.windows} windows, ${b.warnings} warning${b.warnings === 1 ? '' : 's'}`;
}

/** The page before the first window is complete. */
function waitingReport(live: LiveWatch | undefined): string {
  const what = live
    ? `The first window needs W = ${live.options.window} rows; ${live.rows} read so far. The report appears here when it is complete and follows the run from then on.`
    : 'Waiting for the watch to find its loss file.';
  return htmlDocument({
    title: `rdm2 watch: ${live?.file ?? ''}`,
    subtitle: live ? `n = ${live.probes} probes, W = ${live.options.window}` : undefined,
    sections: [{ id: 'waiting', title: 'Waiting for the first window', body: missing(what) }],
    footer: 'rdm2 watch: live page. Self-contained: inline SVG and CSS, one same-origin script, no network beyond this server.',
  });
}

async function buildLive(live: LiveWatch, version: number): Promise<Built> {
  const analysis = live.analysis();
  const steps = live.steps();
  const lastStep = steps.length > 0 ? steps[steps.length - 1]! : null;
  const base = { version, rows: live.rows, windows: live.windows, warnings: live.warnings.length, lastStep, ended: live.ended };
  if (!analysis) return { ...base, html: waitingReport(live) };
  const losses = live.losses();
  const built = await buildReport(
    analysis,
    {
      ...(losses ? { losses } : {}),
      steps,
      ...(live.groups ? { groups: live.groups } : {}),
      ...(live.transition !== undefined ? { transition: live.transition } : {}),
      source: live.file,
      details: [['Watch', `${live.ended ? 'ended' : 'live'} after ${live.rows} rows`]],
    },
    { warning: live.options.warning, title: `rdm2 watch: ${live.file}`, generatedAt: `${live.ended ? 'final' : 'live'} report of ${live.rows} rows` },
  );
  // The report's footer says it runs no script; the live page runs one (its own, same-origin).
  return { ...base, html: built.html.replaceAll('Self-contained: inline SVG and CSS, no scripts, no network.', 'Live page: inline SVG and CSS, one same-origin script, no network beyond this server.') };
}

/** Only this machine's names for the server: a page elsewhere rebinding a name to 127.0.0.1 gets nothing. */
function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/**
 * Starts the live page server on 127.0.0.1 (never another interface). Routes: `/` the page,
 * `/live.js` its script, `/report.html` the current report, `/events` the update stream,
 * `/status.json` the current counts.
 *
 * @example
 * ```ts
 * const server = await startLiveServer({ port: 0 });
 * console.log(`live page: ${server.url}`);
 * await watch('runs/seed1', { window: 32, keepLosses: true, onUpdate: (live) => server.update(live) });
 * await server.close();
 * ```
 */
export async function startLiveServer(opts: LiveServerOptions = {}): Promise<LiveServer> {
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Rdm2Error('ERR_RDM2_USAGE', `port must be an integer from 0 to 65535, got ${JSON.stringify(port)}`);
  const minRefreshMs = opts.minRefreshMs ?? 1000;
  let current: Built = { version: 0, html: waitingReport(undefined), rows: 0, windows: 0, warnings: 0, lastStep: null, ended: false };
  let latest: LiveWatch | undefined;
  let dirty = false;
  let building: Promise<void> | undefined;
  let lastBuild = 0;
  let closed = false;
  const clients = new Set<ServerResponse>();

  const send = (res: ServerResponse, event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const announce = () => {
    const data = { version: current.version, rows: current.rows, windows: current.windows, warnings: current.warnings, lastStep: current.lastStep, ended: current.ended };
    for (const res of clients) send(res, 'update', data);
  };

  const rebuild = async (): Promise<void> => {
    while (dirty && latest && !closed) {
      const wait = lastBuild + minRefreshMs - Date.now();
      if (wait > 0 && !latest.ended) await new Promise((r) => setTimeout(r, wait));
      dirty = false;
      lastBuild = Date.now();
      try {
        current = await buildLive(latest, current.version + 1);
        announce();
      } catch (err) {
        opts.onError?.(err);
      }
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };
    if (!hostAllowed(req, actualPort)) {
      res.writeHead(403, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('forbidden: use http://127.0.0.1:' + actualPort + '/\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    switch (path) {
      case '/':
        res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': LIVE_CSP });
        res.end(livePage(current.html, current.version, statusText(current)));
        return;
      case '/live.js':
        res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript; charset=utf-8' }).end(LIVE_SCRIPT);
        return;
      case '/report.html':
        res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'X-Rdm2-Version': String(current.version) }).end(current.html);
        return;
      case '/status.json': {
        const { html: _html, ...status } = current;
        res.writeHead(200, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify(status));
        return;
      }
      case '/events':
        res.writeHead(200, { ...headers, 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
        res.write('retry: 2000\n\n');
        clients.add(res);
        if (current.version > 0) send(res, 'update', { version: current.version, rows: current.rows, windows: current.windows, warnings: current.warnings, lastStep: current.lastStep, ended: current.ended });
        if (current.ended) send(res, 'end', {});
        req.on('close', () => clients.delete(res));
        return;
      case '/favicon.ico':
        res.writeHead(204, headers).end();
        return;
      default:
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  };

  let actualPort = port;
  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Rdm2Error('ERR_RDM2_USAGE', `cannot serve on 127.0.0.1:${port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`, { cause: err })),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  actualPort = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${actualPort}/`,
    port: actualPort,
    update(live: LiveWatch) {
      latest = live;
      dirty = true;
      building ??= rebuild().finally(() => {
        building = undefined;
      });
    },
    async settled() {
      while (building) await building;
    },
    async close() {
      closed = true;
      while (building) await building;
      for (const res of clients) {
        send(res, 'end', {});
        res.end();
      }
      clients.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
    },
  };
}
