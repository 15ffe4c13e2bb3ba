import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { defaultZh } from '../scoring/helpers.ts';

const run = promisify(execFile);

/** The CLI as a user runs it: a child process, its output and its exit code. */
async function callqa(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'api/cli/main.ts', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('callqa scorecard', () => {
  it('test prints per-rule precision, recall and F1 at each CER and passes the quality gate', async () => {
    const result = await callqa(
      'scorecard',
      'test',
      'test/scoring/labelled/default-zh-v1.yaml',
      'test/scoring/labelled/default-zh.jsonl',
      '--cer',
      '0,0.1',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/rule\s+labelled\s+fails\s+precision\s+recall\s+F1/);
    expect(result.stdout).toMatch(/simulated CER 0\.1/);
    expect(result.stdout).toMatch(/greeting-hello\s+240/);
  });

  it('check names the file, the path inside it and what is wrong', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'callqa-card-'));
    const file = join(dir, 'broken.yaml');
    await writeFile(
      file,
      'id: Broken Card\nversion: 1\nlanguage: zh\nname: x\npassThreshold: 80\nitems: []\n',
    );
    const result = await callqa('scorecard', 'check', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken\.yaml/);
    expect(result.stderr).toMatch(/id/);
    expect(result.stderr).toMatch(/items/);
  });

  it('bad usage exits 2 with the usage text', async () => {
    const result = await callqa('scorecard', 'test');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/usage:/);
  });

  it('a path that does not exist is named in one line, without a stack trace', async () => {
    const result = await callqa(
      'scorecard',
      'test',
      'workers/scoring/scorecards/default-zh.yaml',
      'no-such.jsonl',
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      "callqa scorecard: ENOENT: no such file or directory, stat 'no-such.jsonl'",
    );
  });
});

describe('callqa scorecard explain and callqa score', () => {
  it('explain shows which pattern matched where, and names an exception', async () => {
    const result = await callqa(
      'scorecard',
      'explain',
      'workers/scoring/scorecards/default-zh.yaml',
      '如果重启还是没办法的话，我帮您报修',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✓ refusal: "没办法" at \d+–\d+ by .* — not counted: conditional/);
  });

  it('explain --intent says how far each pattern got when none matched', async () => {
    const result = await callqa(
      'scorecard',
      'explain',
      'workers/scoring/scorecards/default-zh.yaml',
      '还有',
      '--intent',
      'anything-else',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✗ anything-else: .* part\(s\) matched, nothing for/);
  });

  it('test on the corpus directory gates on its test half and prints the three measures', async () => {
    const result = await callqa(
      'scorecard',
      'test',
      'workers/scoring/scorecards/default-zh.yaml,workers/scoring/scorecards/default-zh-chat.yaml',
      'test/scoring/corpus',
      '--misses',
      '0',
    );
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/corpus: 210 dialogues, CER 0 %/);
    expect(result.stdout).toMatch(/forbidden turns\s+P 0\.\d+/);
  });

  it('test takes several corpora, comma-separated, as one set', async () => {
    const result = await callqa(
      'scorecard',
      'test',
      'workers/scoring/scorecards/default-zh.yaml,workers/scoring/scorecards/default-zh-chat.yaml',
      'test/scoring/corpus,test/scoring/corpus-blind',
      '--misses',
      '0',
    );
    expect(result.stdout).toMatch(/: 402 dialogues, CER 0 %/);
  });

  it('train writes a model from the dev halves, prints the cross-validated table, and never learns from a test half', async () => {
    // --out may name a directory that does not exist yet (learned/ beside a card).
    const out = join(await mkdtemp(join(tmpdir(), 'callqa-train-')), 'learned', 'm.json');
    const trained = await callqa(
      'scorecard',
      'train',
      'test/scoring/corpus',
      '--id',
      'try-it@1',
      '--out',
      out,
    );
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(/try-it@1: \d+ agent turns, \d+ violations \(dev\)/);
    const stored = JSON.parse(await readFile(out, 'utf8'));
    expect(stored).toMatchObject({ id: 'try-it@1', kind: 'violation-ngrams', trainedOn: { split: 'dev' } });
    const cv = await callqa(
      'scorecard',
      'train',
      'test/scoring/corpus',
      '--id',
      'try-it@1',
      '--cv',
      'workers/scoring/scorecards/default-zh.yaml,workers/scoring/scorecards/default-zh-chat.yaml',
    );
    expect(cv.code, cv.stderr).toBe(0);
    expect(cv.stdout).toMatch(/rules alone +P 0\.\d+ +R 0\.\d+/);
    expect(cv.stdout).toMatch(/rules \+ model ≥ 0\.98 +P/);
    // Each channel's own rows, for each card's own threshold.
    expect(cv.stdout).toMatch(/\nphone: \d+ agent turns, \d+ violations\n +rules alone +P/);
    expect(cv.stdout).toMatch(/\nchat: \d+ agent turns, \d+ violations\n +rules alone +P/);
    const test = await callqa('scorecard', 'train', 'test/scoring/corpus', '--id', 'x@1', '--split', 'test');
    expect(test.code).toBe(2);
    expect(test.stderr).toMatch(/never learns from a test half/);
    expect((await callqa('scorecard', 'train', 'test/scoring/corpus', '--id', 'no-version')).code).toBe(2);
    const units = await callqa(
      'scorecard',
      'train',
      'test/scoring/corpus',
      '--id',
      'x@1',
      '--units',
      'words',
    );
    expect(units.code).toBe(2);
    expect(units.stderr).toMatch(/--units is one of characters, syllables, both/);
  });

  it('score prints one JSON result per line with reasons as codes and words, and refuses bad lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'callqa-score-'));
    const file = join(dir, 'transcripts.jsonl');
    const segments = (texts: Array<[string, string]>) =>
      texts.map(([speaker, text], i) => ({ speaker, start: i * 4, end: i * 4 + 3, text }));
    await writeFile(
      file,
      [
        {
          call_id: 'p1',
          segments: segments([
            ['agent', '您好，工号1023为您服务，请问有什么可以帮您'],
            ['customer', '网断了'],
            ['agent', '这个我们这边没办法'],
            ['agent', '感谢您的来电，再见'],
          ]),
        },
        {
          call_id: 'c1',
          channel: 'chat',
          segments: segments([
            ['agent', '亲，在的~'],
            ['agent', '不能哦亲'],
          ]),
        },
        { call_id: 'bad', channel: 'fax', segments: segments([['agent', '您好']]) },
      ]
        .map((line) => JSON.stringify(line))
        .join('\n'),
    );
    const result = await callqa('score', file, '--lang', 'zh-CN');
    expect(result.code).toBe(3);
    const [phone, chat, bad] = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(phone.scorecard).toEqual({ id: 'default-zh', version: defaultZh().card.version });
    const refusal = phone.items.find((i: { id: string }) => i.id === 'forbidden-refusal');
    expect(refusal).toMatchObject({ status: 'fail', reason: { code: 'violation' } });
    expect(refusal.reason_text).toMatch(/^违规/);
    expect(refusal.evidence[0]).toMatchObject({ segment: 2, speaker: 'agent', matched: '没办法' });
    expect(chat.scorecard.id).toBe('default-zh-chat');
    expect(chat.items.find((i: { id: string }) => i.id === 'no-flat-no').status).toBe('fail');
    expect(bad).toMatchObject({ line: 3, rejected: [{ code: 'transcript_invalid_channel' }] });
  });

  it('score --card takes a card file as well as a directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'callqa-score-'));
    const file = join(dir, 'transcripts.jsonl');
    const segments = [{ speaker: 'agent', start: 0, end: 3, text: '您好，请问有什么可以帮您' }];
    await writeFile(file, `${JSON.stringify({ call_id: 'p1', segments })}\n`);
    const result = await callqa('score', file, '--card', 'test/scoring/labelled/default-zh-v1.yaml');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).scorecard).toEqual({ id: 'default-zh', version: 1 });
  });
});
