import { describe, expect, it } from 'vitest';
import {
  CompiledIntent,
  explainIntent,
  parsePattern,
  PatternError,
} from '../../workers/scoring/intent-pattern.ts';
import { normaliseText } from '../../workers/scoring/normalise-text.ts';
import { keysIn, OTHER_KEY, soundKey, soundText } from '../../workers/scoring/sound-text.ts';

const intent = (...patterns: string[]) => new CompiledIntent('t', patterns, ['阳光宽带']);
const find = (i: CompiledIntent, text: string, companies: string[] = []) =>
  i.find(soundText(normaliseText(text)), companies);

describe('intent patterns', () => {
  it('cover many wordings of one act with alternatives and gaps', () => {
    const anythingElse = intent(
      '[还有|另外] … [其他|别的|什么] … [帮|需要|问题|咨询|业务] … [吗|呢|么|没有]',
    );
    for (const said of ['还有别的能帮到您的吗', '您看还有其他问题没有', '另外还有什么需要咨询的吗']) {
      expect(find(anythingElse, said), said).not.toBeNull();
    }
    expect(find(anythingElse, '还有')).toBeNull();
  });

  it('hear words of two or more ordinary characters by sound (在见 for 再见), short ones exactly', () => {
    expect(find(intent('[再见|拜拜]'), '好的在见')).toMatchObject({ from: 2, to: 4 });
    // 懂 alone says too little: 不动产 is not 不懂 …
    expect(find(intent('[不懂|不知道]'), '不动产登记')).toBeNull();
    // … unless the author asks for it with ~.
    expect(find(intent('[~您好]'), '您号，客服中心')).not.toBeNull();
  });

  it('lets a ~ word of a scripted intent keep a stray character or lose its middle one, said exactly', () => {
    const scripted = (...patterns: string[]) => new CompiledIntent('s', patterns, [], true);
    expect(find(scripted('[~再见]'), '好的再呃见')).toMatchObject({ from: 2, to: 5 });
    expect(find(scripted('[~你好]'), '你吧好燃气公司')).not.toBeNull();
    expect(find(scripted('[~不客气]'), '不气哦')).not.toBeNull();
    // Only the characters themselves: two sounds with a gap would take 在软件 for 再见.
    expect(find(scripted('[~再见]'), '你在软件中心自己装')).toBeNull();
    // Never a hard character (or its homophone) as the stray one.
    expect(find(scripted('[~再见]'), '再不见')).toBeNull();
    expect(find(scripted('[~再见]'), '再布见')).toBeNull();
    // Nor without ~, nor in an intent that is not scripted (violations stay as said).
    expect(find(scripted('[再见]'), '好的再呃见')).toBeNull();
    expect(find(intent('[~再见]'), '好的再呃见')).toBeNull();
  });

  it('never takes 你 for 您 nor drops a negator, but lets 不 be heard as ASR writes it (部)', () => {
    expect(find(intent('您好'), '你好')).toBeNull();
    expect(find(intent('[不可以|不行]'), '可以的')).toBeNull();
    expect(find(intent('[没办法]'), '有办法')).toBeNull();
    expect(find(intent('[不知道]'), '部知道')).not.toBeNull();
  });

  it('says a =word exactly, never by sound', () => {
    expect(find(intent('[实在|如果]'), '我这不是在给你解释嘛')).not.toBeNull();
    expect(find(intent('[=实在|如果]'), '我这不是在给你解释嘛')).toBeNull();
    expect(find(intent('[=实在|如果]'), '实在不行的话')).not.toBeNull();
    expect(() => parsePattern('[=|如果]')).toThrow(PatternError);
  });

  it('hears the hard character of a short word by its syllable, its ordinary one exactly', () => {
    // ASR's 每法 / 埠懂 keep the sound of the negator, so the refusal stands …
    expect(find(intent('[没法|不懂]'), '这边也每法')).not.toBeNull();
    expect(find(intent('[没法|不懂]'), '我也埠懂')).not.toBeNull();
    // … but the ordinary character's sound alone says too little (没发货 is no 没法) …
    expect(find(intent('[没法|不懂]'), '还没发货')).toBeNull();
    expect(find(intent('[没法|不懂]'), '不动产')).toBeNull();
    // A word of one hard character is heard so among other words (ASR's 腻找 is 你找) …
    expect(find(intent('你 [找|问] …6 厂家'), '腻找热水器厂家')).not.toBeNull();
    expect(find(intent('自己 [要|不|没] …2 看清楚'), '您自己每看清楚')).not.toBeNull();
    // … never alone (泥土 is no 你), and never as another syllable (另 is no 您).
    expect(find(intent('你'), '泥土')).toBeNull();
    expect(find(intent('[你|您] 自己 看'), '另自己看')).toBeNull();
  });

  it('tolerates one stray character in longer words, not two, and never completes a word short of one', () => {
    expect(find(intent('不是我接的'), '不是我来接的')).not.toBeNull();
    expect(find(intent('不是我来接的'), '不是我来的接的')).not.toBeNull();
    expect(find(intent('不是我接的'), '不是我来了接的')).toBeNull();
    // A word that lost a character is too often another word really said.
    expect(find(intent('不是我接的'), '不是接的')).toBeNull();
    expect(find(intent('[打错电话了|你说什么]'), '这边已经在给酒店打电话了')).toBeNull();
    expect(find(intent('[打错电话了|你说什么]'), '对 要预约 你什么车')).toBeNull();
    // 不知道您 never shrinks to the 不到您 of 做不到，您可以….
    expect(find(intent('不知道您'), '不知道您是否方便')).not.toBeNull();
    expect(find(intent('不知道您'), '这个我做不到您可以申诉')).toBeNull();
  });

  it('fills slots: digits, a short name, the company from card and call', () => {
    expect(find(intent('工号 …2 {digits}'), '工号幺零二三')).not.toBeNull();
    expect(find(intent('[小|阿] {name} …2 [来啦|在的]'), '小七来啦')).not.toBeNull();
    expect(find(intent('{company}'), '您好阳光宽带')).not.toBeNull();
    expect(find(intent('{company}'), '您好星河网络')).toBeNull();
    expect(find(intent('{company}'), '您好星河网络', ['星河网络'])).not.toBeNull();
  });

  it('anchors to the start or end of a turn', () => {
    const rude = intent('^ [喂|喂喂] …3 [说话|说吧]');
    expect(find(rude, '喂，说话呀')).not.toBeNull();
    expect(find(rude, '好的，您说话吧，喂说话')).toBeNull();
  });

  it('reports offsets in the normalised text and finds every match', () => {
    const i = intent('[谢谢|感谢]');
    const sound = soundText(normaliseText('谢谢，感谢您的来电'));
    expect(i.findAll(sound).map((h) => [h.from, h.to])).toEqual([
      [0, 2],
      [2, 4],
    ]);
  });

  it("finds the same hits with a turn's sound keys (word by word, from each hit on) as with one regex", () => {
    const cases: Array<[CompiledIntent, string]> = [
      // Two words of a list match at one place: the first listed wins, as in the list's regex.
      [intent('[不知道|不知|知道]'), '不知道，我知道，不知'],
      // `^` is the start of the rest of the turn after a hit, and a pattern is tried again there.
      [intent('[您好|你好]', '^ 喂 …2 [说话|说吧]'), '你好喂说话，喂说吧'],
      // Earlier patterns win ties; heard words (在见 for 再见) and slots.
      [intent('[再见|拜拜]', '见', '工号 …2 {digits}'), '好的在见，工号1023，拜拜再见'],
      [intent('{company} …4 [您好|你好]', '[阳光|宽带]'), '阳光宽带您好，宽带阳光'],
    ];
    for (const [i, text] of cases) {
      const sound = soundText(normaliseText(text));
      const plain = i.findAll(sound, ['星河网络']);
      expect(plain.length, text).toBeGreaterThan(1);
      expect(i.findAll(sound, ['星河网络'], keysIn(sound)), text).toEqual(plain);
      expect(i.find(sound, ['星河网络'], keysIn(sound)), text).toEqual(plain[0]);
    }
  });

  it("prefilters a search in part of a turn by the whole turn's keys, and requires a word's inner 不", () => {
    // Exceptions search a few characters before or after a hit with the turn's keys.
    const i = intent('[如果|要是] …3 [不行|办不了]', '^ …2 [吗|嘛]');
    const sound = soundText(normaliseText('如果还不行的话，这边办不了吗'));
    const keys = keysIn(sound);
    for (const [from, to] of [
      [0, 5],
      [8, 14],
      [11, 14],
    ]) {
      const slice = sound.slice(2 * from, 2 * to);
      expect(i.find(slice, [], keys)).toEqual(i.find(slice));
    }
    // 办 and 了 alone (办理了) never run 办不了's regex, and give no hit either way.
    const plain = soundText(normaliseText('已经帮您办理了'));
    expect(intent('[办不了]').find(plain, [], keysIn(plain))).toBeNull();
    expect(intent('[办不了]').find(plain)).toBeNull();
  });

  it('spells a turn as (key, character) pairs, any character kept as its code unit', () => {
    const pairs = (text: string) =>
      Array.from(text, (ch) => String.fromCharCode(soundKey(ch.charCodeAt(0))) + ch).join('');
    expect(soundText('再见')).toBe(pairs('再见'));
    // A surrogate pair is two code units, each with its key; a private-use character must not pass for a key.
    const other = String.fromCharCode(OTHER_KEY);
    expect(soundText('好😀')).toBe(`${pairs('好')}${other}\ud83d${other}\ude00`);
    expect(soundText('\ue001')).toBe(`${other}\ufffd`);
    const long = '您好请问有什么可以帮您'.repeat(500);
    expect(soundText(long)).toBe(pairs(long));
  });

  it('explains which part matched, or how far a pattern got', () => {
    const i = intent('[还有|另外] … [其他|别的] … [吗|呢]');
    const [hit] = explainIntent(i, normaliseText('还有别的事吗'));
    expect(hit).toMatchObject({ matched: true, text: '还有别的事吗' });
    expect(hit.parts?.find((p) => p.token === '[其他|别的]')?.text).toBe('别的');
    const [miss] = explainIntent(i, normaliseText('还有事吗'));
    expect(miss).toMatchObject({ matched: false, matchedTokens: 1, missing: '[其他|别的]' });
  });

  it.each([
    ['[还有 … 吗]', /gap cannot be an alternative/],
    ['[还有|[别的]]', /cannot be nested/],
    ['还有 {phone}', /unknown slot \{phone\}/],
    ['[还有', /"\[" without "\]"/],
    ['… 还有', /gap at either end/],
    ['还有 ^', /"\^" must come first/],
    ['', /nothing to match/],
  ])('refuses %s with where and why', (source, message) => {
    expect(() => parsePattern(source)).toThrow(PatternError);
    expect(() => parsePattern(source)).toThrow(message);
  });
});
