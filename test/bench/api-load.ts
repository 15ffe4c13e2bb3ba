/**
 * The load generator of `npm run bench:api`, in a process of its own so its
 * CPU time is read apart from the API's and PostgreSQL's (and from the
 * bench's bookkeeping). Runs autocannon at a fixed overall rate through the
 * requests of one route, in turn, and prints one JSON line: latencies,
 * statuses, bytes and its own CPU seconds.
 *
 * Usage: node --import tsx test/bench/api-load.ts LOAD.json
 * (LOAD.json: { url, connections, duration, rate, requests: [{ path, headers }] })
 */
import autocannon from 'autocannon';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

interface LoadFile {
  url: string;
  connections: number;
  duration: number;
  rate: number;
  requests: Array<{ path: string; headers: Record<string, string> }>;
}

// autocannon 9 appends every response body to a string (PipelinedRequestsQueue#addBody) for body
// checks this bench does not use; for 368 KiB of audio that decoding cost the generator 4.7 ms of
// CPU a request, more than the API spent answering. Bytes are still counted (addByteCount).
const PipelinedRequestsQueue = createRequire(import.meta.url)('autocannon/lib/pipelinedRequestsQueue.js') as {
  prototype: { addBody: (data: unknown) => void };
};
PipelinedRequestsQueue.prototype.addBody = () => {};

const load = JSON.parse(await readFile(process.argv[2], 'utf8')) as LoadFile;
const cpuBefore = process.cpuUsage();
let next = 0;
const statuses: Record<number, number> = {};
let bytes = 0;
const instance = autocannon({
  url: load.url,
  connections: load.connections,
  duration: load.duration,
  overallRate: load.rate,
  timeout: 10,
  requests: [
    {
      setupRequest: (request) => {
        const r = load.requests[next++ % load.requests.length];
        return { ...request, method: 'GET', path: r.path, headers: { ...request.headers, ...r.headers } };
      },
    },
  ],
});
instance.on('response', (_client, status, resBytes) => {
  statuses[status] = (statuses[status] ?? 0) + 1;
  bytes += resBytes;
});
const result = await instance;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    seconds: result.duration,
    non2xx: result.non2xx,
    errors: result.errors,
    latency: result.latency,
    statuses,
    bytes,
    cpuS: (cpu.user + cpu.system) / 1e6,
  })}\n`,
);
