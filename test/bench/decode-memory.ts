/**
 * Decodes one recording in a fresh process and prints, as JSON, the time, the
 * size of the decoded samples and the process's peak RSS before and after —
 * so bench:pipeline measures decode memory without its own heap in the way.
 *   node --import tsx test/bench/decode-memory.ts <recording>
 */
import { decodeAudio } from '../../workers/audio/decode.ts';
import { resolveFfmpegPath } from '../../workers/audio/ffmpeg-path.ts';

const path = process.argv[2];
const ffmpegPath = await resolveFfmpegPath();
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
// Current RSS, not maxRSS: a spawned child starts with its parent's peak on Linux.
const baselineRssMb = mb(process.memoryUsage().rss);
const started = performance.now();
const audio = await decodeAudio(path, { ffmpegPath });
const ms = Math.round(performance.now() - started);
const samplesMb = mb(audio.channels.length * audio.channels[0].length * 4);
const peakRssMb = mb(process.resourceUsage().maxRSS * 1024);
process.stdout.write(`${JSON.stringify({ ms, samplesMb, baselineRssMb, peakRssMb })}\n`);
process.exit(0);
