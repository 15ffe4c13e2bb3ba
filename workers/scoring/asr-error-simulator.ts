import { pinyin } from 'pinyin-pro';
import { mulberry32 } from '../../models/mulberry32.ts';
import type { Transcript } from '../../models/transcript.ts';

/**
 * Seeded ASR-error simulator for the rule harness: at a chosen character
 * error rate it substitutes homophones (another common character with the same
 * toneless pinyin — the error ASR makes most), deletes and inserts characters.
 * English text gets letter substitutions, deletions and insertions.
 */

// ~600 frequent characters of service calls (and Mandarin in general) to draw homophones from.
const COMMON =
  '的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着事其里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定见只主没公从知已已全两点开把关问情机被现回代理头意明正外气些给水实位长电力应高等重路把本相报告再较被各因此种内提边解理领所清楚客服中心号码服务帮助需要什么请问感谢来电谢谢再见您稍等查询耐久让抱歉对起麻烦业务办手机账户宽带网络费用套餐投诉处理记录联系时候明天今天马上系统问题故障维修师傅上门地址核实确认信息姓名先生女士好的嗯啊吧呢吗呀哦喂稍微一下一遍重复声音听清楚大点慢快急忙空班管无关错罗嗦烦事情原因办法知道告诉准备号码贵姓刚才已经查过看自己着本投我就挂说话节日周末新年快乐祝次方便是否如果可以帮您为工号欢迎致电很高兴能够尽力解决建议支持理解谅解合作不客气用谢应该做结束还其它进步的';

let homophones: Map<string, string[]> | undefined;

function homophoneTable(): Map<string, string[]> {
  if (homophones) return homophones;
  homophones = new Map();
  const byReading = new Map<string, string[]>();
  for (const ch of new Set(COMMON)) {
    const reading = pinyin(ch, { toneType: 'none' });
    const group = byReading.get(reading) ?? [];
    group.push(ch);
    byReading.set(reading, group);
  }
  for (const group of byReading.values()) {
    for (const ch of group)
      homophones.set(
        ch,
        group.filter((other) => other !== ch),
      );
  }
  return homophones;
}

const COMMON_CHARS = [...new Set(COMMON)];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const HAN = /\p{Script=Han}/u;

export interface SimulatorOptions {
  /** Character error rate, 0..1. */
  cer: number;
  seed: number;
}

/** Corrupts one text; `random` is shared across a call so segments differ. */
export function corruptText(text: string, cer: number, random: () => number): string {
  const table = homophoneTable();
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
    if (roll < 0.6) {
      // Substitution: a homophone when there is one, else any common character (or letter).
      const same = han ? table.get(ch) : undefined;
      out += han ? (same && same.length > 0 ? pick(same) : pick(COMMON_CHARS)) : pick([...LETTERS]);
    } else if (roll < 0.8) {
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
      text: corruptText(segment.text, options.cer, random),
    })),
  };
}
