import * as OpenCC from 'opencc-js/t2cn';

/**
 * Text phrases Whisper is known to produce on silence or noise: credits and
 * sign-offs from the subtitled videos it was trained on. A segment consisting
 * of one of these (give or take punctuation) is dropped. Plain "Thank you" /
 * 谢谢 are not listed: callers really say them.
 */
export const silencePhrases: readonly string[] = [
  '字幕由Amara.org社区提供',
  '小编字幕由Amara.org社区提供',
  '请不吝点赞 订阅 转发 打赏支持明镜与点点栏目',
  '请不吝点赞订阅转发打赏支持明镜与点点栏目',
  '明镜与点点栏目',
  '中文字幕志愿者',
  '字幕志愿者',
  '优优独播剧场——YoYo Television Series Exclusive',
  '谢谢观看',
  '感谢观看',
  '谢谢大家观看',
  '下集更精彩',
  '请订阅我的频道',
  '欢迎订阅',
  'Thank you for watching',
  'Thanks for watching',
  'Please subscribe',
  'Subtitles by the Amara.org community',
];

const toSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });
const normalizedPhrases = new Set(silencePhrases.map((p) => normalize(toSimplified(p))));

export interface CleanOptions {
  /** 'zh' turns on Traditional→Simplified conversion. */
  language: string;
  /** A unit repeated more than this many times in a row is cut back to this many. */
  maxRepeats?: number;
}

/** Pure: the guards applied to every ASR segment's text. Returns '' when nothing worth keeping is left. */
export function cleanAsrText(text: string, options: CleanOptions): string {
  let cleaned = text.trim();
  if (options.language.toLowerCase().startsWith('zh')) cleaned = toSimplified(cleaned);
  cleaned = cutRepetition(cleaned, options.maxRepeats ?? 3);
  if (isSilencePhrase(cleaned)) return '';
  return cleaned;
}

export function isSilencePhrase(text: string): boolean {
  const key = normalize(text);
  return key === '' || normalizedPhrases.has(key);
}

/**
 * Cuts runaway repetition, Whisper's other failure on long or noisy audio:
 * any unit of 1–20 characters repeated back to back more than `maxRepeats`
 * times ("好的好的好的好的好的…", "thank you thank you …") keeps `maxRepeats` copies.
 */
export function cutRepetition(text: string, maxRepeats: number): string {
  const pattern = new RegExp(`(.{1,20}?)\\1{${maxRepeats},}`, 'gsu');
  return text.replace(pattern, (_match, unit: string) => unit.repeat(maxRepeats));
}

/** Case, spaces and punctuation do not make a phrase different. */
function normalize(text: string): string {
  return text.toLowerCase().replace(/[\s\p{P}\p{S}]/gu, '');
}
