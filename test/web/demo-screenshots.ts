/**
 * The README's screenshots, taken from the demo (real espeak-ng audio, the
 * demo's transcripts and plan) in Debian's chromium:
 *
 *   npm start                      # in one terminal (or any data dir)
 *   npm run callqa -- demo --reset-passwords    # note demo-qa1's and demo-agent's passwords
 *   node --import tsx test/web/demo-screenshots.ts --url http://127.0.0.1:3000 \
 *     --qa demo-qa1:<password> --agent demo-agent:<password>
 *
 * Writes docs/screenshots/{login,queue,call,review-submitted,call-en,agent-home,agent-call}.png
 * (1440×900). It submits one review as the QA user, so use a throwaway data dir.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    qa: { type: 'string' },
    agent: { type: 'string' },
    call: { type: 'string', default: 'DEMO-AUDIO-02' },
    agentCall: { type: 'string', default: 'DEMO-AUDIO-04' },
    out: { type: 'string', default: join(import.meta.dirname, '..', '..', 'docs', 'screenshots') },
  },
});
if (!values.qa || !values.agent) throw new Error('--qa user:password and --agent user:password are required');
const [qaUser, qaPassword] = values.qa.split(/:(.*)/s);
const [agentUser, agentPassword] = values.agent.split(/:(.*)/s);
const base = values.url.replace(/\/$/, '');
await mkdir(values.out, { recursive: true });

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const shot = async (page: Page, name: string) => {
  await page.waitForTimeout(400); // let charts and waveforms finish their entry animation
  await page.screenshot({ path: join(values.out!, `${name}.png`) });
  process.stdout.write(`${name}.png\n`);
};

async function signIn(page: Page, username: string, password: string) {
  await page.goto(`${base}/app/login`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.getByTestId('current-user').getByText(username).waitFor();
}

async function openCall(page: Page, callId: string) {
  await page.goto(`${base}/app/calls/${callId}`);
  await page.getByTestId('transcript').locator('.segment-text').first().waitFor();
  await page.waitForFunction(() => {
    const audio = document.querySelector<HTMLAudioElement>('[data-testid=player] audio');
    return audio !== null && audio.readyState >= 2;
  });
}

try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${base}/app/login`);
  await page.getByLabel('用户名').waitFor();
  await shot(page, 'login');

  await signIn(page, qaUser, qaPassword);
  await page.getByTestId('plan-progress').waitFor();
  await page.getByTestId('chart').locator('canvas').waitFor();
  await page.locator('.ant-table-row').first().waitFor();
  await shot(page, 'queue');

  await openCall(page, values.call!);
  // Play a few seconds so the transcript follows, then jump to the first hit.
  await page.getByTestId('play-pause').click();
  await page.waitForTimeout(3500);
  await page.getByTestId('play-pause').click();
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('n');
  await shot(page, 'call');

  // A review: overturn the current hit, submit.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('o');
  await page.getByTestId('submit-review').click();
  await page.getByTestId('review-saved').waitFor();
  await shot(page, 'review-submitted');

  // The same page in English.
  await page.evaluate(() => localStorage.setItem('callqa.language', 'en'));
  await page.reload();
  await page.getByTestId('transcript').locator('.segment-text').first().waitFor();
  await shot(page, 'call-en');
  await context.close();

  const agentContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const agentPage = await agentContext.newPage();
  await signIn(agentPage, agentUser, agentPassword);
  // An agent's home: their own calls.
  await agentPage.getByTestId('my-calls-table').locator('.ant-table-row').first().waitFor();
  await shot(agentPage, 'agent-home');
  await openCall(agentPage, values.agentCall!);
  await shot(agentPage, 'agent-call');
  await agentContext.close();
} finally {
  await browser.close();
}
