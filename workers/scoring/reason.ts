/**
 * What scoring decided and why, stored as a code plus parameters (never as
 * prose), and turned into zh-CN or English words only at the edges (API, CLI,
 * the web app) — the way RecordingErrorCode works for the pipeline.
 * A reason may carry the reason it qualifies (`cause`): "uncertain evidence"
 * wraps what the evidence would have shown.
 */
export type ReasonParams = Record<string, string | number>;

export interface Reason {
  code: ReasonCode;
  params?: ReasonParams;
  cause?: Reason;
}

export type Locale = 'zh-CN' | 'en';

type Template = (p: ReasonParams) => string;

const CATALOGUE = {
  found: { en: (p) => `found: ${p.what}`, zh: (p) => `已找到：${p.what}` },
  not_found: { en: (p) => `not found: ${p.what}`, zh: (p) => `未找到：${p.what}` },
  found_forbidden: {
    en: (p) => `found what must not occur: ${p.what}`,
    zh: (p) => `出现不应出现的内容：${p.what}`,
  },
  not_triggered: { en: (p) => `not triggered: ${p.what}`, zh: (p) => `未触发：${p.what}` },
  no_forbidden_phrase: { en: () => 'no forbidden phrase', zh: () => '无服务忌语' },
  forbidden_phrase: { en: (p) => `forbidden phrase: ${p.phrases}`, zh: (p) => `服务忌语：${p.phrases}` },
  no_bare_refusal: { en: () => 'no bare refusal', zh: () => '无生硬拒绝' },
  no_suspected_violation: { en: () => 'no turn reads like a violation', zh: () => '无疑似服务忌语' },
  suspected_violation: {
    en: (p) =>
      `${p.count} turn(s) read like a violation the rules did not name: for a human to judge` +
      (p.threshold === undefined ? '' : ` (noisy transcript: threshold lowered to ${p.threshold})`),
    zh: (p) =>
      `${p.count} 句疑似服务忌语（规则未命中），请人工判断` +
      (p.threshold === undefined ? '' : `（转写噪声较大，阈值降至 ${p.threshold}）`),
  },
  bare_refusal: { en: (p) => `bare refusal: ${p.phrases}`, zh: (p) => `生硬拒绝：${p.phrases}` },
  no_violation: { en: () => 'no violation', zh: () => '无违规' },
  violation: { en: (p) => `violation: ${p.intents}`, zh: (p) => `违规：${p.intents}` },
  /** Every hit was cleared by an exception (params.exceptions lists which). */
  all_excused: {
    en: (p) => `no violation (not counted: ${p.exceptions})`,
    zh: (p) => `无违规（不计：${p.exceptions}）`,
  },
  uncertain_evidence: { en: () => 'uncertain evidence', zh: () => '证据不确定' },
  low_asr_confidence: { en: () => 'low ASR confidence', zh: () => '语音识别置信度低' },
  call_shorter_than: { en: (p) => `call shorter than ${p.seconds} s`, zh: (p) => `通话短于 ${p.seconds} 秒` },
  no_agent_speech: { en: () => 'no agent speech', zh: () => '无坐席语音' },
  not_for_direction: {
    en: (p) => `not applicable to ${p.direction} calls`,
    zh: (p) => `不适用于${p.direction === 'outbound' ? '呼出' : '呼入'}电话`,
  },
  not_for_speaker_mode: {
    en: (p) => `not applicable to ${p.mode} calls`,
    zh: (p) => `不适用于${p.mode === 'mono' ? '单声道' : '双声道'}录音`,
  },
  unknown_rule: { en: () => 'unknown rule', zh: () => '未知规则' },
  no_long_silence: {
    en: (p) => `no silence of ${p.seconds} s or more`,
    zh: (p) => `无 ${p.seconds} 秒以上的静音`,
  },
  holds_ok: {
    en: (p) => `${p.count} hold(s) announced and closed`,
    zh: (p) => `${p.count} 次等待均已告知并致谢`,
  },
  hold_problems: {
    en: (p) => `${p.count} hold(s) without announcement or thanks (first at ${p.at} s)`,
    zh: (p) => `${p.count} 次等待未告知或未致谢（首次在 ${p.at} 秒）`,
  },
  no_dead_air: { en: () => 'no dead air', zh: () => '无冷场' },
  silences_announced: {
    en: (p) => `${p.count} long silence(s), all announced holds`,
    zh: (p) => `${p.count} 次长静音，均已告知等待`,
  },
  dead_air: {
    en: (p) => `${p.count} silence(s) over ${p.maxS} s`,
    zh: (p) => `${p.count} 次静音超过 ${p.maxS} 秒`,
  },
  overtalk: {
    en: (p) => `overtalk ${p.totalS} s in ${p.count} overlap(s)`,
    zh: (p) => `抢话 ${p.totalS} 秒，共 ${p.count} 次`,
  },
  no_separate_channels: {
    en: () => 'mono call: overtalk needs separate channels',
    zh: () => '单声道录音无法判断抢话',
  },
  little_agent_speech: { en: () => 'under 10 s of agent speech', zh: () => '坐席语音不足 10 秒' },
  speech_rate: {
    en: (p) => `${p.cpm} characters/min (${p.within === 1 ? 'within' : 'outside'} ${p.min}–${p.max})`,
    zh: (p) => `语速 ${p.cpm} 字/分钟（${p.within === 1 ? '在' : '超出'} ${p.min}–${p.max} 范围）`,
  },
  no_speech: { en: () => 'no speech', zh: () => '无语音' },
  talk_share: {
    en: (p) => `agent talks ${p.percent}% of the time`,
    zh: (p) => `坐席说话占比 ${p.percent}%`,
  },
  speaker_roles_uncertain: {
    en: (p) => `who is the agent is uncertain (confidence ${p.confidence}; ${p.note})`,
    zh: (p) => `坐席与客户的身份判断不确定（置信度 ${p.confidence}；${p.note}）`,
  },
  speaker_roles_unknown: {
    en: () => 'speakers were not assigned: agent items cannot be judged',
    zh: () => '未区分说话人：无法评判坐席项目',
  },
  uncertain_items: {
    en: (p) => `uncertain evidence for: ${p.items}`,
    zh: (p) => `以下项目证据不确定：${p.items}`,
  },
} satisfies Record<string, { en: Template; zh: Template }>;

export type ReasonCode = keyof typeof CATALOGUE;

export const REASON_CODES = Object.keys(CATALOGUE) as ReasonCode[];

export function reason(code: ReasonCode, params?: ReasonParams, cause?: Reason): Reason {
  return { code, ...(params ? { params } : {}), ...(cause ? { cause } : {}) };
}

/** Words for a stored reason; strings stored before reasons became codes are shown as they are. */
export function renderReason(stored: Reason | string, locale: Locale = 'en'): string {
  if (typeof stored === 'string') return stored;
  const entry = (CATALOGUE as Record<string, { en: Template; zh: Template } | undefined>)[stored.code];
  const params = locale === 'en' ? (stored.params ?? {}) : inChinese(stored.params ?? {});
  const text = entry ? entry[locale === 'en' ? 'en' : 'zh'](params) : stored.code;
  if (!stored.cause) return text;
  return `${text}${locale === 'en' ? ': ' : '：'}${renderReason(stored.cause, locale)}`;
}

/** The default cards' intent names, for people reading zh-CN; others are shown as their id. */
const INTENT_WORDS: Record<string, string> = {
  hello: '问候',
  identify: '自报单位/工号',
  offer: '主动询问需求',
  'anything-else': '询问是否还有其他需要',
  thanks: '致谢',
  farewell: '道别/祝福',
  'customer-reopens': '客户再次提问',
  refusal: '推脱拒绝（没办法/办不了）',
  ignorance: '一问三不知（不知道/不清楚）',
  shirking: '推诿（不归我管）',
  'brush-off': '搪塞（打错了/他不在）',
  impatience: '不耐烦',
  blame: '指责客户',
  'rude-opener': '生硬开头（喂）',
  threat: '威胁',
  abuse: '辱骂',
  'ni-address': '称客户为“你”',
  hold: '等待告知',
  'hold-thanks': '等待致谢',
  apology: '致歉',
};
const SPEAKER_WORDS: Record<string, string> = {
  agent: '坐席',
  customer: '客户',
  both: '双方',
  any: '任一方',
};

/**
 * zh-CN words for the parameters scoring stores in English-shaped descriptors
 * ("intent hello / identify (agent)", "any of [您好, 请] (agent)", "shirking"):
 * intent ids and speakers become words; phrases stay as they were said.
 */
function inChinese(params: ReasonParams): ReasonParams {
  const out: ReasonParams = { ...params };
  const intentName = (id: string) => INTENT_WORDS[id.trim()] ?? id.trim();
  if (typeof out.intents === 'string')
    out.intents = out.intents
      .split(/\s*,\s*/)
      .map(intentName)
      .join('、');
  if (typeof out.what === 'string') {
    out.what = out.what
      .replace(/intent ([\w-]+(?: \/ [\w-]+)*)/g, (_m, ids: string) =>
        ids.split(' / ').map(intentName).join('或'),
      )
      .replace(/ ?\((agent|customer|both|any)\)/g, (_m, who: string) => `（${SPEAKER_WORDS[who]}）`)
      .replace(/\bany of \[/g, '任一[')
      .replace(/\ball of \[/g, '全部[')
      .replace(/\b(\d+) of \[/g, '其中 $1 项[')
      .replace(/\bnot /g, '没有')
      .replace(/ near /g, ' 附近 ')
      .replace(/ and /g, ' 且 ')
      .replace(/ or /g, ' 或 ');
  }
  return out;
}

/** Exception names as the default cards define them, for people; others are shown as their id. */
const EXCEPTION_WORDS: Record<string, { en: string; zh: string }> = {
  conditional: { en: 'conditional', zh: '条件句' },
  question: { en: 'question', zh: '询问' },
  'third-party': { en: 'third party', zh: '第三方' },
  'rule-consequence': { en: 'rule or consequence', zh: '规则说明' },
  redirect: { en: 'where it can be done', zh: '指引办理渠道' },
  quotation: { en: "the customer's words", zh: '复述客户原话' },
  'about-customer': { en: "the customer's knowledge", zh: '指客户' },
  'polite-set-phrase': { en: 'polite set phrase', zh: '礼貌用语' },
  'unclear-thing': { en: 'something unclear, not the agent', zh: '指事物不清楚' },
  apology: { en: 'an apology', zh: '致歉' },
  'greeting-you': { en: 'greeting', zh: '问候语' },
};

/** "not counted: conditional" for a hit an exception cleared. */
export function renderException(name: string, locale: Locale = 'en'): string {
  const words = EXCEPTION_WORDS[name];
  const label = words ? words[locale === 'en' ? 'en' : 'zh'] : name;
  return locale === 'en' ? `not counted: ${label}` : `不计：${label}`;
}

/** "borderline: conditional" for a hit a borderline exception sent to a human instead of clearing it. */
export function renderBorderline(name: string, locale: Locale = 'en'): string {
  const words = EXCEPTION_WORDS[name];
  const label = words ? words[locale === 'en' ? 'en' : 'zh'] : name;
  return locale === 'en' ? `borderline: ${label}` : `待定：${label}`;
}
