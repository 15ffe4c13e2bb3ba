import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallReviewView } from '../../api/contracts/review.ts';
import { buildApp } from '../../api/app.ts';
import { ensureWebApp } from '../../api/web/build.ts';
import { getCall } from '../../models/call-repository.ts';
import { saveTranscript } from '../../models/pipeline-repository.ts';
import { resolveFfmpegPath } from '../../workers/audio/ffmpeg-path.ts';
import { BUILT_IN_SCORECARDS, createScorer, loadScorecards } from '../../workers/scoring-service.ts';
import { createUserToken, withToken } from '../helpers/auth.ts';
import { CHROMIUM_PATH, skipWithoutBrowser } from '../helpers/browser.ts';
import { buildCall, buildTranscript } from '../helpers/builders.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { sampleOctober } from '../helpers/review-fixtures.ts';

/**
 * The review workspace in a real browser (Debian's chromium) against a real
 * server on a real PostgreSQL: a QA reviewer signs in, opens a call from the
 * queue, plays it, jumps to a rule hit, overturns it, adds a deduction and
 * submits; a second reviewer's stale submit gets the conflict notice and the
 * new version; the call page's controls all have names and work from the
 * keyboard; an agent lands on their own calls, and opening another agent's
 * call by URL sees "not found" and none of that call's words. (The README's screenshots come from the demo:
 * test/web/demo-screenshots.ts.)
 */

const run = promisify(execFile);
const PASSWORD = 'correct horse battery staple';
/** Words only agent B's call holds: they must never reach agent A's browser. */
const B_SECRET = '乙坐席专属的通话内容';

let db: TestDatabase;
let app: FastifyInstance;
let admin: FastifyInstance;
let base: string;
let browser: Browser;
const users = { qa: 'qa-wang', qa2: 'qa-li', agentA: 'agent-a', agentB: 'agent-b' };
const problems: string[] = [];

/** 12 s of stereo: the agent (left) and the customer (right) take turns, one second each. */
async function makeRecording(path: string): Promise<void> {
  const ffmpeg = await resolveFfmpegPath();
  await run(ffmpeg, [
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    "aevalsrc='0.6*sin(2*PI*440*t)*mod(floor(t),2)|0.6*sin(2*PI*330*t)*(1-mod(floor(t),2))':d=12:s=8000",
    '-c:a',
    'pcm_s16le',
    path,
  ]);
}

beforeAll(async () => {
  if (skipWithoutBrowser('review workspace in a browser')) return;
  await ensureWebApp();
  db = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'callqa-web-'));
  const config = testConfig(db.url, dir);
  await mkdir(config.storageDir, { recursive: true });
  app = await buildApp({ pool: db.pool, config });
  admin = withToken(app, (await createUserToken(db.pool, 'admin')).token);
  await createUserToken(db.pool, 'qa', { username: users.qa, password: PASSWORD });
  await createUserToken(db.pool, 'qa', { username: users.qa2, password: PASSWORD });
  await createUserToken(db.pool, 'agent', { username: users.agentA, agentId: 'A1', password: PASSWORD });
  await createUserToken(db.pool, 'agent', { username: users.agentB, agentId: 'B1', password: PASSWORD });

  // Short calls (under 20 s) are all sampled; A's first has a recording, A's second has none.
  const calls = [
    buildCall({ callId: 'web-a-1', agentId: 'A1', agentName: '李娜', team: 'T1', durationS: 12 }),
    buildCall({ callId: 'web-a-2', agentId: 'A1', agentName: '李娜', team: 'T1', durationS: 9 }),
    buildCall({ callId: 'web-b-1', agentId: 'B1', agentName: '王强', team: 'T2', durationS: 10 }),
  ].map((call, i) => ({ ...call, startedAt: new Date(Date.UTC(2026, 9, 8 + i, 2)) }));
  await sampleOctober(admin, db.pool, calls);

  const transcripts = {
    'web-a-1': buildTranscript('web-a-1', {
      durationS: 12,
      source: 'import',
      segments: [
        { speaker: 'agent', start: 0, end: 3, text: '您好，客服中心，1001号为您服务，请问您需要什么帮助？' },
        { speaker: 'customer', start: 3, end: 5, text: '我想查一下我的话费' },
        { speaker: 'agent', start: 5, end: 8, text: '这事不归我管' },
        { speaker: 'customer', start: 8, end: 9.5, text: '好吧' },
        { speaker: 'agent', start: 9.5, end: 12, text: '请问您还需要其它帮助吗？感谢您的来电，再见！' },
      ],
    }),
    'web-a-2': buildTranscript('web-a-2', {
      durationS: 9,
      source: 'import',
      segments: [{ speaker: 'agent', start: 0, end: 3, text: '您好，请问您需要什么帮助？' }],
    }),
    'web-b-1': buildTranscript('web-b-1', {
      durationS: 10,
      source: 'import',
      segments: [{ speaker: 'agent', start: 0, end: 4, text: `您好，${B_SECRET}` }],
    }),
  };
  // The real scorer with the built-in cards, as the score job runs it.
  const scoreCall = await createScorer({
    pool: db.pool,
    cards: await loadScorecards([BUILT_IN_SCORECARDS]),
    timeZone: 'Asia/Shanghai',
  });
  for (const [callId, transcript] of Object.entries(transcripts)) {
    await saveTranscript(db.pool, transcript);
    await scoreCall((await getCall(db.pool, callId))!, transcript);
  }
  const wav = join(dir, 'web-a-1.wav');
  await makeRecording(wav);
  const upload = await admin.inject({
    method: 'POST',
    url: '/calls/web-a-1/recording',
    headers: { 'content-type': 'audio/wav' },
    payload: await readFile(wav),
  });
  expect(upload.statusCode, upload.body).toBe(201);
  const plan = await admin.inject({
    method: 'PUT',
    url: '/review/plans/2026-10',
    payload: { reviewers: [{ username: users.qa, quota: 10 }] },
  });
  expect(plan.statusCode, plan.body).toBe(200);

  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--autoplay-policy=no-user-gesture-required', '--mute-audio'],
  });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.drop();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  // Any script error or CSP refusal is a failure of the app, whatever the page shows.
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 40[149]/.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });
  return page;
}

async function signIn(page: Page, username: string): Promise<void> {
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await page
    .getByRole('button', { name: '登 录' })
    .or(page.getByRole('button', { name: '登录' }))
    .click();
  await page.getByTestId('current-user').getByText(username).waitFor();
}

const audioTime = (page: Page) =>
  page.$eval('[data-testid=player] audio', (a) => (a as HTMLAudioElement).currentTime);

describe.skipIf(skipWithoutBrowser('review workspace in a browser'))('review workspace in a browser', () => {
  it('a QA reviewer plays a call, overturns a hit, adds a deduction and submits version 1', async () => {
    const view: CallReviewView = (await admin.inject({ method: 'GET', url: '/calls/web-a-1/review' })).json();
    const failed = view.score!.items.find((item) => item.status === 'fail' && item.evidence.length > 0)!;
    expect(failed, 'the scorer found a counted hit').toBeDefined();
    const hit = failed.evidence.find((h) => h.excusedBy === null)!;

    const page = await newPage();
    await page.goto(`${base}/`);
    await page.waitForURL(`${base}/app/login`);
    await page.getByLabel('用户名').waitFor();
    await signIn(page, users.qa);

    // The queue: the month's plan with its chart, A's calls assigned to this reviewer.
    await page.getByTestId('plan-progress').waitFor();
    await page.getByTestId('chart').locator('canvas').waitFor();
    await page.getByRole('link', { name: /web-a-1/ }).waitFor();
    await page.getByRole('link', { name: /web-a-1/ }).click();
    await page.waitForURL(`${base}/app/calls/web-a-1`);

    // The player: the waveform is decoded (regions drawn) and playing moves the audio on.
    await page.getByTestId('transcript').locator('.segment-text', { hasText: '这事不归我管' }).waitFor();
    await page.waitForFunction(() => {
      const audio = document.querySelector<HTMLAudioElement>('[data-testid=player] audio');
      return audio !== null && audio.readyState >= 2 && audio.duration > 11;
    });
    await page.getByTestId('play-pause').click();
    await page.waitForFunction(
      () => document.querySelector<HTMLAudioElement>('[data-testid=player] audio')!.currentTime > 0.5,
    );
    await page.getByTestId('play-pause').click();
    expect(await audioTime(page)).toBeGreaterThan(0.5);

    // N jumps to the next rule hit; the transcript and the scorecard show it.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('n');
    const active = page.locator('.evidence .hit.active');
    await active.waitFor();
    const activeId = await active.getAttribute('data-hit');
    const target = view
      .score!.items.flatMap((i) => i.evidence.map((h) => ({ id: `${i.itemId}#${h.index}`, h })))
      .find((x) => x.id === activeId)!;
    expect(Math.abs((await audioTime(page)) - target.h.start)).toBeLessThan(0.3);
    // Clicking a hit's time seeks to it.
    await page.locator(`[data-hit="${failed.itemId}#${hit.index}"] button`).first().click();
    await page.waitForFunction(
      (start) =>
        Math.abs(
          document.querySelector<HTMLAudioElement>('[data-testid=player] audio')!.currentTime - start,
        ) < 0.3,
      hit.start,
    );

    // O overturns the current hit (the one just clicked).
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('o');
    await page
      .locator(`[data-hit="${failed.itemId}#${hit.index}"] button[aria-pressed="true"]`)
      .getByText('已推翻')
      .waitFor();

    // A deduction the machine missed, its time span prefilled from the playback position.
    await page.getByTestId('add-deduction').click();
    const dialog = page.getByRole('dialog');
    const note = dialog.getByLabel('扣分说明');
    await note.fill('未核实客户身份');
    await expect.poll(() => note.inputValue()).toBe('未核实客户身份');
    const start = Number(await dialog.getByLabel('开始（秒）').inputValue());
    expect(Math.abs(start - hit.start)).toBeLessThan(0.5);
    await dialog.getByRole('button', { name: /添\s*加/ }).click();
    // The dialog closes once the form is valid and the deduction is in the draft.
    await dialog.waitFor({ state: 'hidden' });
    await page
      .getByTestId('added-deductions')
      .getByText(/未核实客户身份/)
      .waitFor();

    const computed = await page
      .getByTestId('computed-score')
      .locator('.ant-statistic-content-value')
      .innerText();
    await page.getByTestId('submit-review').click();
    const saved = page.getByTestId('review-saved');
    await saved.waitFor();
    expect(await saved.innerText()).toContain('v1');
    expect(await saved.innerText()).toContain(computed);
    await page
      .getByTestId('review-history')
      .getByText(/v1 · qa-wang/)
      .waitFor();

    // The database and the API agree with the page.
    const { rows } = await db.pool.query(
      `select version, reviewer, computed_score::float as computed, final_score::float as final_score
       from call_reviews where call_id = 'web-a-1'`,
    );
    expect(rows).toHaveLength(1);
    // The page's live total is the server's: the same rules computed it on both sides.
    expect(rows[0]).toEqual({
      version: 1,
      reviewer: users.qa,
      computed: Number(computed),
      final_score: Number(computed),
    });
    const after: CallReviewView = (
      await admin.inject({ method: 'GET', url: '/calls/web-a-1/review' })
    ).json();
    expect(after.reviews[0]).toMatchObject({ version: 1, reviewer: users.qa, finalScore: Number(computed) });
    expect(after.reviews[0].addedDeductions).toEqual([
      expect.objectContaining({ itemId: failed.itemId, comment: '未核实客户身份' }),
    ]);
    const decided = after.reviews[0].items.find((item) => item.itemId === failed.itemId)!;
    expect(decided.hits).toContainEqual({ index: hit.index, verdict: 'overturn' });
    expect(after.outcome).toMatchObject({ source: 'review', score: Number(computed) });
    await page.context().close();
  });

  it('shows why a call has no recording, and the rest of the page still works', async () => {
    const page = await newPage();
    await page.goto(`${base}/app/calls/web-a-2`);
    await signIn(page, users.qa);
    await page.waitForURL(`${base}/app/calls/web-a-2`);
    await page.getByTestId('no-recording').getByText('这通电话没有录音').waitFor();
    await page
      .getByTestId('transcript')
      .locator('.segment-text', { hasText: '请问您需要什么帮助' })
      .waitFor();
    await page.getByTestId('score-items').waitFor();
    await page.context().close();
  });

  it('a second reviewer on the same call gets the conflict notice and the page shows the new version', async () => {
    const [first, second] = [await newPage(), await newPage()];
    for (const [page, username] of [
      [first, users.qa],
      [second, users.qa2],
    ] as const) {
      await page.goto(`${base}/app/calls/web-a-2`);
      await signIn(page, username);
      await page.waitForURL(`${base}/app/calls/web-a-2`);
      await page.getByTestId('submit-review').waitFor();
    }
    const before = (
      await db.pool.query(`select count(*)::int as n from call_reviews where call_id = 'web-a-2'`)
    ).rows[0].n as number;
    await first.getByTestId('submit-review').click();
    await first.getByTestId('review-saved').waitFor();

    // The second reviewer saw the call before that version: their submit is refused with words, not lost silently.
    await second.getByTestId('submit-review').click();
    const notice = second.getByRole('dialog').filter({ hasText: '这通电话已被他人复核' });
    await notice.getByText('其他人已先复核了这通电话').waitFor();
    // The page has reloaded to the version the first reviewer saved.
    await second
      .getByTestId('review-history')
      .getByText(new RegExp(`v${before + 1} · ${users.qa}`))
      .waitFor();
    await notice.getByRole('button').click();
    await notice.waitFor({ state: 'detached' });
    // On the new version their review goes through as the next one.
    await second.getByTestId('submit-review').click();
    await second
      .getByTestId('review-saved')
      .getByText(`v${before + 2}`)
      .waitFor();
    const { rows } = await db.pool.query(
      `select version, reviewer from call_reviews where call_id = 'web-a-2' order by version`,
    );
    expect(rows.slice(before)).toEqual([
      { version: before + 1, reviewer: users.qa },
      { version: before + 2, reviewer: users.qa2 },
    ]);
    await first.context().close();
    await second.context().close();
  });

  it('the call page: every control has a name, Tab walks the review form, shortcuts stay quiet while typing', async () => {
    const page = await newPage();
    await page.goto(`${base}/app/calls/web-a-1`);
    await signIn(page, users.qa);
    await page.waitForURL(`${base}/app/calls/web-a-1`);
    await page.getByTestId('submit-review').waitFor();
    await page.waitForFunction(
      () => document.querySelector<HTMLAudioElement>('[data-testid=player] audio')!.readyState >= 2,
    );

    // The accessibility tree as a screen reader gets it: no control without a name.
    const tree = await page.locator('body').ariaSnapshot();
    const controls = tree
      .split('\n')
      .map((line) => line.trim())
      .filter((line) =>
        /^- (button|link|textbox|combobox|checkbox|switch|spinbutton|slider|radio|tab|searchbox)\b/.test(
          line,
        ),
      );
    expect(controls.length).toBeGreaterThan(15);
    expect(controls.filter((line) => !/^- \w+ "[^"]*\S[^"]*"/.test(line))).toEqual([]);

    // Typing n, c, o and space in the comment types them: no hit is picked, nothing plays.
    const comment = page.getByLabel('复核意见');
    await comment.click();
    await page.keyboard.type('n c o ');
    expect(await comment.inputValue()).toBe('n c o ');
    expect(await page.locator('.evidence .hit.active').count()).toBe(0);
    expect(await page.$eval('[data-testid=player] audio', (a) => (a as HTMLAudioElement).paused)).toBe(true);

    // Tab goes on through the form in reading order: final score, pass switch, exemplary mark, submit.
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement as HTMLElement;
        return {
          label:
            element.getAttribute('aria-label') ??
            element.closest('label')?.textContent?.trim() ??
            element.closest('[data-testid]')?.getAttribute('data-testid') ??
            element.tagName,
          outline: getComputedStyle(element).outlineStyle,
        };
      });
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      order.push((await focused()).label);
    }
    expect(order).toEqual(['最终得分', '是否合格', '优秀录音', 'submit-review']);
    // Keyboard focus shows: the submit button has an outline now.
    expect((await focused()).outline).not.toBe('none');

    // Space on the focused pass switch toggles it (the play shortcut leaves it alone).
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    const toggle = page.getByRole('switch', { name: '是否合格' });
    const was = await toggle.getAttribute('aria-checked');
    await page.keyboard.press(' ');
    expect(await toggle.getAttribute('aria-checked')).not.toBe(was);
    expect(await page.$eval('[data-testid=player] audio', (a) => (a as HTMLAudioElement).paused)).toBe(true);
    await page.context().close();
  });

  it('an agent lands on their own calls, newest first, and reads one without a review form', async () => {
    const page = await newPage();
    const scripts: string[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('.js')) scripts.push(response.url());
    });
    await page.goto(`${base}/app/`);
    await page.getByLabel('用户名').waitFor();
    // The sign-in page loads neither the chart library nor the waveform player.
    const loaded = await Promise.all(scripts.map((url) => fetch(url).then((r) => r.text())));
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((code) => /echarts|wavesurfer/i.test(code))).toEqual([]);

    await signIn(page, users.agentA);
    await page.getByRole('heading', { name: '我的通话' }).waitFor();
    const table = page.getByTestId('my-calls-table');
    await table.getByRole('link', { name: /web-a-1/ }).waitFor();
    const links = await table.getByRole('link').allInnerTexts();
    expect(links).toEqual(['web-a-2', 'web-a-1']);
    expect(await page.content()).not.toContain('web-b-1');
    await table.getByRole('link', { name: /web-a-2/ }).click();
    await page.waitForURL(`${base}/app/calls/web-a-2`);
    await page.getByTestId('score-items').waitFor();
    expect(await page.getByTestId('review-form').count()).toBe(0);
    expect(await page.getByRole('button', { name: /返回队列/ }).count()).toBe(0);
    await page.getByRole('button', { name: /返回我的通话/ }).click();
    await page.waitForURL(new RegExp(`^${base}/app/?$`));
    await table.getByRole('link', { name: /web-a-2/ }).waitFor();
    await page.context().close();
  });

  it("an agent opening another agent's call by URL sees not found and none of its words", async () => {
    const page = await newPage();
    await page.goto(`${base}/app/calls/web-b-1`);
    await signIn(page, users.agentA);
    await page.waitForURL(`${base}/app/calls/web-b-1`);
    await page.getByTestId('not-found').getByText('没有找到这通电话').waitFor();
    expect(await page.content()).not.toContain(B_SECRET);
    // Their own call opens.
    await page.goto(`${base}/app/calls/web-a-2`);
    await page
      .getByTestId('transcript')
      .locator('.segment-text', { hasText: '请问您需要什么帮助' })
      .waitFor();
    expect(await page.getByText('您可以查看这通电话，但不能复核。').count()).toBe(1);
    await page.context().close();
  });

  it('ran without a script error or a refused resource (CSP)', () => {
    expect(problems).toEqual([]);
  });
});
