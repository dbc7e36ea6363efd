import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
  /** The status answered (null: held open). */
  status?: number | null;
}

/**
 * A webhook receiver on 127.0.0.1. `answer` decides each response status (null: never answer, to hold the
 * request open as a receiver that hangs).
 */
export async function startReceiver(answer: (n: number, r: Received) => number | null = () => 200) {
  const received: Received[] = [];
  const waiting: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const r: Received = { headers: req.headers, body, at: Date.now() };
      received.push(r);
      for (const w of waiting.splice(0)) w();
      const status = answer(received.length, r);
      r.status = status;
      if (status === null) return;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Resolves once at least `n` requests arrived. */
    async waitFor(n: number, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > end) throw new Error(`receiver got ${received.length} of ${n} requests`);
        await new Promise<void>((r) => {
          waiting.push(r);
          setTimeout(r, 100);
        });
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function eventIds(received: Received[]): string[] {
  return received.map((r) => (JSON.parse(r.body) as { id: string }).id);
}
