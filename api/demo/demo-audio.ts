import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordingFileName, RECORDINGS_DIR } from '../recordings/store-recording.ts';
import type { DialogueFeatures } from './compose-dialogue.ts';
import type { TranscriptRecord } from './demo-transcript.ts';

/** The committed demo recordings and `calls.json` (made by render-demo-audio.ts). */
export const DEMO_AUDIO_DIR = fileURLToPath(new URL('./audio/', import.meta.url));

/** One rendered call: its recording, its length and its transcript, timed from the recording. */
export interface DemoAudioCall {
  call_id: string;
  file: string;
  duration_s: number;
  agent_channel: 'left' | 'right' | 'mono';
  direction: 'inbound' | 'outbound';
  features: DialogueFeatures;
  segments: TranscriptRecord['segments'];
}

export async function loadDemoAudio(): Promise<DemoAudioCall[]> {
  return JSON.parse(await readFile(join(DEMO_AUDIO_DIR, 'calls.json'), 'utf8')) as DemoAudioCall[];
}

/**
 * Copies a demo recording to where uploaded recordings live
 * (`<storage>/recordings/<file name>`, store-recording.ts), so it is read and
 * streamed like any uploaded one. Returns the path relative to the storage dir.
 */
export async function placeDemoRecording(storageDir: string, call: DemoAudioCall): Promise<string> {
  const name = recordingFileName(call.call_id, 'mp3');
  await mkdir(join(storageDir, RECORDINGS_DIR), { recursive: true });
  await copyFile(join(DEMO_AUDIO_DIR, call.file), join(storageDir, RECORDINGS_DIR, name));
  return `${RECORDINGS_DIR}/${name}`;
}
