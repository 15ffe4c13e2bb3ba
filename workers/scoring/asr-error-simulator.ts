import { pinyin } from 'pinyin-pro';
import { mulberry32 } from '../../models/mulberry32.ts';
import type { Transcript } from '../../models/transcript.ts';
import { fuzzySyllable } from './syllable-table.ts';

/**
 * Seeded ASR-error simulator for the rule harness: at a chosen character
 * error rate it substitutes homophones (another common character with the same
 * toneless pinyin — the error ASR makes most), deletes and inserts characters
 * (60/20/20 of the errors unless told otherwise: `ErrorMix`).
 * English text gets letter substitutions, deletions and insertions.
 *
 * Substitutes are drawn from the 3,755 common characters of GB2312 level 1 as
 * well as the service-call list below: with that list alone, 41 % of the
 * corpus's characters (您 我 了 问 那 下 你 要 …) had no homophone and became a
 * random character, an error a recogniser — which decodes syllables and lets a
 * language model pick the characters — hardly makes. A character without an
 * exact homophone gets a near one (zh/z, ch/c, sh/s, n/l, in/ing, en/eng: 您 →
 * 林/宁), and only one without either a random common character.
 */

// ~600 frequent characters of service calls (and Mandarin in general) to draw homophones from.
const COMMON =
  '的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着事其里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定见只主没公从知已已全两点开把关问情机被现回代理头意明正外气些给水实位长电力应高等重路把本相报告再较被各因此种内提边解理领所清楚客服中心号码服务帮助需要什么请问感谢来电谢谢再见您稍等查询耐久让抱歉对起麻烦业务办手机账户宽带网络费用套餐投诉处理记录联系时候明天今天马上系统问题故障维修师傅上门地址核实确认信息姓名先生女士好的嗯啊吧呢吗呀哦喂稍微一下一遍重复声音听清楚大点慢快急忙空班管无关错罗嗦烦事情原因办法知道告诉准备号码贵姓刚才已经查过看自己着本投我就挂说话节日周末新年快乐祝次方便是否如果可以帮您为工号欢迎致电很高兴能够尽力解决建议支持理解谅解合作不客气用谢应该做结束还其它进步的';

/** GB2312 level 1 (byte rows 0xB0–0xD7): the 3,755 characters in common use, decoded once. */
function gb2312Level1(): string {
  const decoder = new TextDecoder('gb18030');
  const bytes: number[] = [];
  for (let hi = 0xb0; hi <= 0xd7; hi += 1) {
    for (let lo = 0xa1; lo <= (hi === 0xd7 ? 0xf9 : 0xfe); lo += 1) bytes.push(hi, lo);
  }
  return decoder.decode(Uint8Array.from(bytes));
}

interface Homophones {
  same: string[];
  near: string[];
}

interface SoundIndex {
  byReading: Map<string, string[]>;
  byNear: Map<string, string[]>;
  known: Map<string, Homophones>;
}

let soundIndex: SoundIndex | undefined;

/** The common characters that sound like `ch`: the same toneless syllable, or one accent merge away. */
function homophonesOf(ch: string): Homophones {
  if (!soundIndex) {
    const byReading = new Map<string, string[]>();
    const byNear = new Map<string, string[]>();
    for (const common of new Set(COMMON + gb2312Level1())) {
      const reading = pinyin(common, { toneType: 'none' });
      if (!/^[a-zü]+$/.test(reading)) continue;
      byReading.set(reading, [...(byReading.get(reading) ?? []), common]);
      const near = fuzzySyllable(reading);
      byNear.set(near, [...(byNear.get(near) ?? []), common]);
    }
    soundIndex = { byReading, byNear, known: new Map() };
  }
  let found = soundIndex.known.get(ch);
  if (!found) {
    const reading = pinyin(ch, { toneType: 'none' });
    const same = soundIndex.byReading.get(reading) ?? [];
    found = {
      same: same.filter((other) => other !== ch),
      near: (soundIndex.byNear.get(fuzzySyllable(reading)) ?? []).filter(
        (other) => other !== ch && !same.includes(other),
      ),
    };
    soundIndex.known.set(ch, found);
  }
  return found;
}

const COMMON_CHARS = [...new Set(COMMON)];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const HAN = /\p{Script=Han}/u;

/**
 * How the errors divide into substitutions, deletions and insertions (shares
 * of the CER, summing to 1). The default 60/20/20 is harsher than most
 * recognisers, whose errors are mostly substitutions; `callqa scorecard test
 * --asr-mix` measures a card under another mix.
 */
export interface ErrorMix {
  substitute: number;
  delete: number;
  insert: number;
}

export const DEFAULT_MIX: ErrorMix = { substitute: 0.6, delete: 0.2, insert: 0.2 };

/** Parses "60,20,20" (any scale) into an ErrorMix; null when it is not three non-negative numbers with a positive sum. */
export function parseErrorMix(text: string): ErrorMix | null {
  const parts = text.split(',').map((part) => Number(part.trim()));
  if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x) || x < 0)) return null;
  const sum = parts[0] + parts[1] + parts[2];
  if (sum <= 0) return null;
  return { substitute: parts[0] / sum, delete: parts[1] / sum, insert: parts[2] / sum };
}

export interface SimulatorOptions {
  /** Character error rate, 0..1. */
  cer: number;
  seed: number;
  mix?: ErrorMix;
}

/** Corrupts one text; `random` is shared across a call so segments differ. */
export function corruptText(
  text: string,
  cer: number,
  random: () => number,
  mix: ErrorMix = DEFAULT_MIX,
): string {
  let out = '';
  for (const ch of text) {
    const han = HAN.test(ch);
    const letter = /[a-z]/i.test(ch);
    if ((!han && !letter) || random() >= cer) {
      out += ch;
      continue;
    }
    const roll = random();
    const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
    if (roll < mix.substitute) {
      // A homophone when there is one, else a near homophone, else any common character (or letter).
      const sounds = han ? homophonesOf(ch) : undefined;
      const like = sounds && sounds.same.length > 0 ? sounds.same : sounds?.near;
      out += han ? (like && like.length > 0 ? pick(like) : pick(COMMON_CHARS)) : pick([...LETTERS]);
    } else if (roll < mix.substitute + mix.delete) {
      // Deletion.
    } else {
      out += ch + (han ? pick(COMMON_CHARS) : pick([...LETTERS]));
    }
  }
  return out;
}

export function simulateAsrErrors(transcript: Transcript, options: SimulatorOptions): Transcript {
  if (options.cer <= 0) return transcript;
  const random = mulberry32(options.seed);
  return {
    ...transcript,
    segments: transcript.segments.map((segment) => ({
      ...segment,
      text: corruptText(segment.text, options.cer, random, options.mix),
    })),
  };
}
