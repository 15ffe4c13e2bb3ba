/**
 * Dev-time: renders a handful of demo dialogues to recordings with espeak-ng
 * (agent and customer in two voices) and ffmpeg (MP3, each side on its own channel), and writes
 * `api/demo/audio/calls.json` with each call's transcript, timed from the
 * rendered turns so the player and the transcript line up. The output is
 * committed; `callqa demo` only copies it, so nobody else needs espeak-ng.
 *
 *   node --import tsx api/demo/render-demo-audio.ts
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as prettier from 'prettier';
import { mulberry32 } from '../../models/mulberry32.ts';
import { resolveFfmpegPath } from '../../workers/audio/ffmpeg-path.ts';
import { probeAudio } from '../../workers/audio/probe-audio.ts';
import { composeDialogue, type Dialogue, type DialogueFeatures } from './compose-dialogue.ts';
import { DEMO_AUDIO_DIR, type DemoAudioCall } from './demo-audio.ts';

const run = promisify(execFile);
const RATE = 16_000;
const SEED = 20261027;

/** The calls to render: each wants a dialogue with these features (the first key that has them). */
const WANTED: Array<{
  channel: DemoAudioCall['agent_channel'];
  direction: 'inbound' | 'outbound';
  fits: (f: DialogueFeatures) => boolean;
  /** Holds and asking for details come in calls of 45 s and more. */
  targetS?: number;
}> = [
  {
    channel: 'left',
    direction: 'inbound',
    fits: (f) => f.opener === 'scripted' && f.closing === 'full' && !f.taboo,
  },
  { channel: 'left', direction: 'inbound', fits: (f) => f.taboo !== null && f.opener !== 'none' },
  { channel: 'right', direction: 'inbound', fits: (f) => f.opener === 'none' || f.opener === 'informal' },
  { channel: 'left', direction: 'inbound', fits: (f) => f.lookAlike !== null && !f.taboo },
  {
    channel: 'left',
    direction: 'inbound',
    fits: (f) => f.hold !== null && f.closing !== 'full',
    targetS: 50,
  },
  { channel: 'mono', direction: 'inbound', fits: (f) => f.opener === 'scripted' && f.slips > 0 },
];

const VOICES = {
  agent: ['-v', 'cmn+f3', '-s', '245', '-p', '62'],
  customer: ['-v', 'cmn+m3', '-s', '215', '-p', '35'],
};

async function main(): Promise<void> {
  const ffmpeg = await resolveFfmpegPath({ explicit: process.env.FFMPEG_PATH || undefined });
  const work = await mkdtemp(join(tmpdir(), 'callqa-demo-audio-'));
  const calls: DemoAudioCall[] = [];
  const used = new Set<string>();
  try {
    for (const [index, wanted] of WANTED.entries()) {
      const callId = `DEMO-AUDIO-${String(index + 1).padStart(2, '0')}`;
      const dialogue = findDialogue(wanted, used);
      const file = `${callId.toLowerCase()}.mp3`;
      const segments = await render(ffmpeg, work, dialogue, wanted.channel, join(DEMO_AUDIO_DIR, file));
      const probe = await probeAudio(ffmpeg, `file:${join(DEMO_AUDIO_DIR, file)}`);
      if (!probe.ok || probe.probe.durationS === null) throw new Error(`cannot read back ${file}`);
      calls.push({
        call_id: callId,
        file,
        duration_s: Math.ceil(probe.probe.durationS * 10) / 10,
        agent_channel: wanted.channel,
        direction: wanted.direction,
        features: dialogue.features,
        segments,
      });
      process.stdout.write(`${file}: ${probe.probe.durationS.toFixed(1)} s, ${segments.length} turns\n`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const path = join(DEMO_AUDIO_DIR, 'calls.json');
  const options = await prettier.resolveConfig(path);
  await writeFile(path, await prettier.format(JSON.stringify(calls), { ...options, parser: 'json' }));
}

function findDialogue(wanted: (typeof WANTED)[number], used: Set<string>): Dialogue {
  for (let n = 1; n < 5000; n++) {
    const key = `audio-${n}`;
    if (used.has(key)) continue;
    const dialogue = composeDialogue({
      key,
      seed: SEED,
      targetS: wanted.targetS ?? 40,
      agentId: '1001',
      agentName: '王芳',
      direction: wanted.direction,
    });
    if (wanted.fits(dialogue.features) && dialogue.turns.length <= 12) {
      used.add(key);
      return dialogue;
    }
  }
  throw new Error('no dialogue has the wanted features');
}

/** Speaks each turn, lays the turns out with short pauses (a few seconds for a hold), encodes. */
async function render(
  ffmpeg: string,
  work: string,
  dialogue: Dialogue,
  channel: DemoAudioCall['agent_channel'],
  out: string,
): Promise<DemoAudioCall['segments']> {
  const random = mulberry32(dialogue.turns.length * 7919 + dialogue.turns[0].said.length);
  const clips: Float32Array[] = [];
  for (const [i, turn] of dialogue.turns.entries()) {
    const wav = join(work, `turn-${i}.wav`);
    await run('espeak-ng', [...VOICES[turn.speaker], '-w', wav, turn.said]);
    clips.push(await readSpeech(ffmpeg, wav));
  }
  const segments: DemoAudioCall['segments'] = [];
  let at = 0.4 + random() * 0.6;
  const placed: Array<{ start: number; clip: Float32Array; speaker: 'agent' | 'customer' }> = [];
  for (const [i, turn] of dialogue.turns.entries()) {
    if (i > 0) at += turn.afterHold ? 4 + random() * 2 : 0.3 + random() * 0.6;
    const start = Math.round(at * RATE) / RATE;
    const end = start + clips[i].length / RATE;
    placed.push({ start, clip: clips[i], speaker: turn.speaker });
    segments.push({
      speaker: channel === 'mono' ? 'unknown' : turn.speaker,
      start: round2(start),
      end: round2(end),
      text: turn.heard,
      confidence: turn.confidence,
    });
    at = end;
  }
  const total = Math.ceil((at + 0.8) * RATE);
  const agent = new Float32Array(total);
  const customer = new Float32Array(total);
  for (const { start, clip, speaker } of placed) {
    (speaker === 'agent' || channel === 'mono' ? agent : customer).set(clip, Math.round(start * RATE));
  }
  const channels = channel === 'mono' ? [agent] : channel === 'left' ? [agent, customer] : [customer, agent];
  const raw = join(work, 'call.f32');
  await writeFile(raw, interleave(channels));
  await run(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    ...['-f', 'f32le', '-ar', String(RATE), '-ac', String(channels.length), '-i', raw],
    // MP3 with two independent channels: Opus at a few hundred KB folds stereo speech into both channels.
    ...['-c:a', 'libmp3lame', '-b:a', channels.length === 1 ? '8k' : '16k', '-joint_stereo', '0'],
    ...['-map_metadata', '-1', '-fflags', '+bitexact', out],
  ]);
  return segments;
}

/** A clip as 16 kHz float samples, espeak's leading and trailing silence trimmed. */
async function readSpeech(ffmpeg: string, wav: string): Promise<Float32Array> {
  const pcm = join(`${wav}.f32`);
  await run(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-i',
    wav,
    '-f',
    'f32le',
    '-ac',
    '1',
    '-ar',
    String(RATE),
    pcm,
  ]);
  const bytes = await readFile(pcm);
  const samples = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  let first = 0;
  let last = samples.length - 1;
  while (first < last && Math.abs(samples[first]) < 0.01) first++;
  while (last > first && Math.abs(samples[last]) < 0.01) last--;
  return samples.slice(first, last + 1);
}

function interleave(channels: Float32Array[]): Buffer {
  const frames = channels[0].length;
  const out = new Float32Array(frames * channels.length);
  for (let f = 0; f < frames; f++)
    for (let c = 0; c < channels.length; c++) out[f * channels.length + c] = channels[c][f];
  return Buffer.from(out.buffer);
}

const round2 = (n: number) => Math.round(n * 100) / 100;

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
