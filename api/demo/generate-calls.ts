import { CALL_FIELDS } from '../../models/call-record.ts';
import { mulberry32 } from '../../models/mulberry32.ts';

export interface DemoOptions {
  /** 'YYYY-MM' months to generate, in order. */
  months: string[];
  agents: number;
  teams: number;
  /** Average calls an agent answers on a working day. */
  callsPerDay: number;
  seed: number;
  /** No calls after this day (so the current month stops at today). */
  until?: Date;
  /** Share of outbound calls (default 0.15). */
  outboundShare?: number;
}

export interface DemoCall {
  call_id: string;
  agent_id: string;
  agent_name: string;
  team: string;
  started_at: string;
  duration_s: number;
  direction: 'inbound' | 'outbound';
  recording: string;
  agent_channel: 'left' | 'right' | 'mono';
}

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈';
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '霞',
  '平',
  '刚',
  '桂英',
  '婷',
  '雪',
  '晨',
  '欣怡',
  '子涵',
  '浩然',
  '思远',
  '佳琪',
];
const TEAMS = ['一组', '二组', '三组', '四组', '五组', '六组', '七组', '八组', '九组', '十组'];

/**
 * Synthetic call detail records shaped like a real inbound centre: agents in
 * teams working shifts of about five days a week (fewer calls at weekends),
 * traffic from 08:00 to 21:00 China time peaking mid-morning and mid-afternoon,
 * and durations from a log-normal (median ≈ 100 s) plus customers hanging up in
 * the first seconds, so several percent of calls are under 20 s and a long
 * tail runs past 300 s. The same options always give the same calls.
 */
export function* generateDemoCalls(options: DemoOptions): Generator<DemoCall> {
  const random = mulberry32(options.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const agents = Array.from({ length: options.agents }, (_, i) => ({
    id: String(1001 + i),
    name: SURNAMES[i % SURNAMES.length] + GIVEN[Math.floor(random() * GIVEN.length)],
    team:
      options.teams <= TEAMS.length
        ? TEAMS[i % options.teams]
        : `T${String((i % options.teams) + 1).padStart(3, '0')}`,
    pace: 0.6 + random() * 0.8,
    restDay: Math.floor(random() * 7),
    channel: (random() < 0.75 ? 'left' : random() < 0.5 ? 'right' : 'mono') as DemoCall['agent_channel'],
  }));
  let serial = 0;
  for (const month of options.months) {
    const [year, mon] = month.split('-').map(Number);
    const days = new Date(Date.UTC(year, mon, 0)).getUTCDate();
    for (let day = 1; day <= days; day++) {
      if (options.until && Date.UTC(year, mon - 1, day) > options.until.getTime()) return;
      const weekday = new Date(Date.UTC(year, mon - 1, day)).getUTCDay();
      const dayLoad = weekday === 0 || weekday === 6 ? 0.5 : 1;
      for (const agent of agents) {
        if (weekday === agent.restDay || (weekday + 1) % 7 === agent.restDay) continue;
        const calls = Math.round(options.callsPerDay * agent.pace * dayLoad * (0.8 + random() * 0.4));
        for (let k = 0; k < calls; k++) {
          serial += 1;
          const secondOfDay = workingSecond(random);
          const duration = callDuration(random, normal);
          const callId = `D${month.replace('-', '')}${String(serial).padStart(9, '0')}`;
          yield {
            call_id: callId,
            agent_id: agent.id,
            agent_name: agent.name,
            team: agent.team,
            started_at: localIso(year, mon, day, secondOfDay),
            duration_s: duration,
            direction: random() < 1 - (options.outboundShare ?? 0.15) ? 'inbound' : 'outbound',
            recording: '',
            agent_channel: agent.channel,
          };
        }
      }
    }
  }
}

/** Two peaks (10:00, 15:00) between 08:00 and 21:00. */
function workingSecond(random: () => number): number {
  const peak = random() < 0.55 ? 10 : 15;
  let hour = peak + (random() + random() + random() - 1.5) * 3;
  hour = Math.min(20.99, Math.max(8, hour));
  return Math.floor(hour * 3600);
}

function callDuration(random: () => number, normal: () => number): number {
  if (random() < 0.05) return Math.round((2 + random() * 17) * 10) / 10; // hang-ups and wrong numbers
  const seconds = Math.exp(Math.log(100) + 0.75 * normal());
  return Math.round(Math.min(3 * 3600, Math.max(5, seconds)) * 10) / 10;
}

function localIso(year: number, month: number, day: number, second: number): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(second / 3600);
  const m = Math.floor((second % 3600) / 60);
  return `${year}-${p(month)}-${p(day)}T${p(h)}:${p(m)}:${p(second % 60)}+08:00`;
}

export function toCsvLine(call: DemoCall): string {
  return CALL_FIELDS.map((f) => String(call[f])).join(',');
}
