import { z } from 'zod';
import { parsePattern, PatternError } from './intent-pattern.ts';

/**
 * The scorecard document (YAML or JSON). Scorecards are data: QA staff edit
 * them, bump `version`, and every rule hit records id + version so a score can
 * always be traced to the exact rules that produced it. README.md documents
 * every field.
 */

const nonEmpty = <T extends z.ZodType>(item: T) => z.array(item).min(1, 'expected non-empty list');
const phraseText = z.string().trim().min(1, 'expected a non-empty phrase');
const unit = z.number().min(0, 'expected a number from 0 to 1').max(1, 'expected a number from 0 to 1');
const positive = z.number().positive('expected a positive number');
const count = z.number().int('expected a whole number').positive('expected a positive whole number');
const kebab = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a kebab-case id');

/** An intent pattern (intent-pattern.ts): checked here so a bad one is reported with its path. */
const patternText = z.string().superRefine((source, ctx) => {
  try {
    parsePattern(source);
  } catch (error) {
    if (!(error instanceof PatternError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
  }
});
const intentNames = z.union([kebab, nonEmpty(kebab)]).transform((v) => (Array.isArray(v) ? v : [v]));

/**
 * An exception to a violation family, looked for around each hit in the same
 * turn: `before` ends at most `within` characters before the hit, `after`
 * starts at most `within` characters after it, `turn` anywhere in the turn,
 * `overlap` covers the hit. `review: true` sends an excused hit to a human
 * instead of clearing it (borderline cases). A `blockedBy` pattern from
 * `blockWithin` characters before the hit to its end keeps it counted
 * whatever else matched: the agent's own subject between a third party and
 * the refusal (酒店这块我们办不了), or in the hit itself (司机在哪我哪知道),
 * makes it the agent's again.
 */
export const exceptionSchema = z
  .strictObject({
    before: nonEmpty(patternText).optional(),
    after: nonEmpty(patternText).optional(),
    turn: nonEmpty(patternText).optional(),
    overlap: nonEmpty(patternText).optional(),
    within: count.default(8),
    review: z.boolean().default(false),
    blockedBy: nonEmpty(patternText).optional(),
    blockWithin: count.default(3),
  })
  .refine((e) => e.before || e.after || e.turn || e.overlap, {
    message: 'expected before, after, turn and/or overlap patterns',
  });
export type ExceptionSpec = z.infer<typeof exceptionSchema>;

export const speakerScopeSchema = z.enum(['agent', 'customer', 'any']);
export type SpeakerScope = z.infer<typeof speakerScopeSchema>;

const windowEdgeSchema = z
  .strictObject({ seconds: positive.optional(), utterances: count.optional() })
  .refine((edge) => edge.seconds !== undefined || edge.utterances !== undefined, {
    message: 'expected seconds and/or utterances',
  });

/** Position window relative to the scoped speaker's own utterances (both limits must hold). */
export const windowSchema = z
  .strictObject({ first: windowEdgeSchema.optional(), last: windowEdgeSchema.optional() })
  .refine((w) => !(w.first && w.last), { message: 'expected either first or last, not both' });
export type PositionWindow = z.infer<typeof windowSchema>;

const leafOptions = {
  speaker: speakerScopeSchema.optional(),
  window: windowSchema.optional(),
  /** False friends: a hit overlapping one of these (in the same segment) does not count. */
  except: nonEmpty(phraseText).optional(),
  threshold: unit.optional(),
  pinyin: z.boolean().optional(),
};
export type LeafOptions = {
  speaker?: SpeakerScope;
  window?: PositionWindow;
  except?: string[];
  threshold?: number;
  pinyin?: boolean;
};

export type Cond =
  | ({ any: string[] } & LeafOptions)
  | ({ all: string[] } & LeafOptions)
  | ({ atLeast: number; of: Array<string | string[]> } & LeafOptions)
  | { regex: string; flags?: string; speaker?: SpeakerScope; window?: PositionWindow }
  | { intent: string[]; speaker?: SpeakerScope; window?: PositionWindow; unless?: string[] }
  | { not: Cond }
  | { and: Cond[] }
  | { or: Cond[] }
  | { near: [Cond, Cond]; within: { chars?: number; seconds?: number } };

const OPERATORS = ['any', 'all', 'atLeast', 'regex', 'intent', 'not', 'and', 'or', 'near'] as const;

function validRegex(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

export const condSchema: z.ZodType<Cond> = z.unknown().transform((value, ctx) => {
  const variants: Record<(typeof OPERATORS)[number], z.ZodType> = {
    any: z.strictObject({ any: nonEmpty(phraseText), ...leafOptions }),
    all: z.strictObject({ all: nonEmpty(phraseText), ...leafOptions }),
    atLeast: z
      .strictObject({
        atLeast: count,
        of: nonEmpty(z.union([phraseText, nonEmpty(phraseText)])),
        ...leafOptions,
      })
      .refine((c) => c.atLeast <= c.of.length, {
        message: 'atLeast is larger than the list',
        path: ['atLeast'],
      }),
    regex: z.strictObject({
      regex: z.string().refine(validRegex, { message: 'expected a valid regular expression' }),
      flags: z
        .string()
        .regex(/^[i]*$/, 'only the i flag is supported')
        .optional(),
      speaker: speakerScopeSchema.optional(),
      window: windowSchema.optional(),
    }),
    intent: z.strictObject({
      intent: intentNames,
      speaker: speakerScopeSchema.optional(),
      window: windowSchema.optional(),
      unless: nonEmpty(kebab).optional(),
    }),
    not: z.strictObject({ not: z.lazy(() => condSchema) }),
    and: z.strictObject({ and: nonEmpty(z.lazy(() => condSchema)) }),
    or: z.strictObject({ or: nonEmpty(z.lazy(() => condSchema)) }),
    near: z.strictObject({
      near: z.tuple([z.lazy(() => condSchema), z.lazy(() => condSchema)], {
        error: 'expected a list of two conditions',
      }),
      within: z
        .strictObject({ chars: count.optional(), seconds: positive.optional() })
        .refine((w) => w.chars !== undefined || w.seconds !== undefined, {
          message: 'expected chars and/or seconds',
        }),
    }),
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a condition object with one of: ${OPERATORS.join(', ')}`,
    });
    return z.NEVER;
  }
  const operators = OPERATORS.filter((op) => op in value);
  if (operators.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message:
        operators.length === 0
          ? `expected exactly one operator (${OPERATORS.join(', ')})`
          : `expected exactly one operator, found ${operators.join(' and ')}`,
    });
    return z.NEVER;
  }
  const parsed = variants[operators[0]].safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  }
  return parsed.data as Cond;
});

export const severitySchema = z.enum(['minor', 'major', 'critical']);
export type Severity = z.infer<typeof severitySchema>;

const forbiddenPhraseSchema = z.union([
  phraseText,
  z.strictObject({
    text: phraseText,
    severity: severitySchema.optional(),
    autoFail: z.boolean().optional(),
    points: z.number().min(0).optional(),
    except: nonEmpty(phraseText).optional(),
  }),
]);
export type ForbiddenPhrase = z.infer<typeof forbiddenPhraseSchema>;

export const ruleSchema = z.discriminatedUnion('kind', [
  /** Passes when the condition holds. */
  z.strictObject({ kind: z.literal('match'), cond: condSchema }),
  /** N/A unless `if` holds; then passes when `then` holds. */
  z.strictObject({ kind: z.literal('conditional'), if: condSchema, then: condSchema }),
  z.strictObject({
    kind: z.literal('greeting'),
    part: z.enum(['hello', 'identify', 'offer']),
    window: windowSchema.optional(),
  }),
  z.strictObject({
    kind: z.literal('forbidden'),
    phrases: nonEmpty(forbiddenPhraseSchema),
    speaker: speakerScopeSchema.optional(),
    window: windowSchema.optional(),
    except: nonEmpty(phraseText).optional(),
    threshold: unit.optional(),
  }),
  /**
   * Ways of speaking that break the rules (refusal, ignorance, …), each an
   * intent, cleared by named exceptions (conditional, question, …) that the
   * evidence names ("not counted: conditional").
   */
  z.strictObject({
    kind: z.literal('violation'),
    intents: intentNames,
    unless: nonEmpty(kebab).optional(),
    speaker: speakerScopeSchema.optional(),
    window: windowSchema.optional(),
  }),
  /**
   * A condition whose leaves default to the agent's closing window. With
   * `reopen` (an intent said by the customer), a closing said before the
   * customer last reopened the conversation does not count.
   */
  z.strictObject({
    kind: z.literal('closing'),
    cond: condSchema,
    window: windowSchema.optional(),
    reopen: kebab.optional(),
  }),
  /**
   * A bare refusal as a whole clause (不 / 不行 …), not 不 inside a sentence.
   * Leading fillers and trailing particles (不行的 / 不可以哦) are still bare.
   */
  z.strictObject({
    kind: z.literal('flat-no'),
    phrases: nonEmpty(phraseText),
    speaker: speakerScopeSchema.optional(),
    fillers: z.array(phraseText).optional(),
    particles: z.string().optional(),
    /** Characters of topic allowed before the refusal (退款不可以): 0 = the refusal alone. */
    topic: z.number().int().min(0).max(8).default(0),
    /**
     * Refusals that are still bare with the customer's own verb after them (不能退 answering
     * 能退吗, 不可以改的哦 answering 可以改吗): the verb must be in the customer's turn just before.
     */
    echo: z.array(phraseText).optional(),
    /** Words that sound like a bare refusal and are not one (步行 is walking, not 不行). */
    notRefusals: z.array(phraseText).optional(),
  }),
  /**
   * A learned second opinion (violation-model.ts): agent turns the named model
   * scores at or above `threshold` go to a human (status review, no deduction).
   */
  z.strictObject({
    kind: z.literal('learned'),
    model: z.string().regex(/^[a-z0-9-]+@[0-9]+$/, 'a built-in model id, e.g. violation-ngrams@1'),
    threshold: z.number().gt(0).lt(1),
    /**
     * The threshold on a transcript as noisy as ASR at 20 % CER, by the
     * model's gauge of unknown character pairs (known-pairs.ts); between
     * clean and that, the threshold moves in proportion. Absent: `threshold`
     * everywhere.
     */
    noisyThreshold: z.number().gt(0).lt(1).optional(),
    speaker: speakerScopeSchema.optional(),
  }),
  z.strictObject({
    kind: z.literal('hold-etiquette'),
    minSilenceS: positive,
    before: nonEmpty(phraseText),
    after: nonEmpty(phraseText),
    withinS: positive.default(15),
  }),
  z.strictObject({
    kind: z.literal('dead-air'),
    maxSilenceS: positive,
    /** Silences right after one of these agent phrases are announced holds, not dead air. */
    holdPhrases: nonEmpty(phraseText).optional(),
  }),
  z.strictObject({
    kind: z.literal('overtalk'),
    minOverlapS: positive.default(0.5),
    maxTotalS: positive.optional(),
    maxCount: count.optional(),
  }),
  z.strictObject({
    kind: z.literal('speech-rate'),
    minCpm: positive.optional(),
    maxCpm: positive.optional(),
  }),
  z.strictObject({
    kind: z.literal('talk-ratio'),
    minAgentShare: unit.optional(),
    maxAgentShare: unit.optional(),
  }),
]);
export type Rule = z.infer<typeof ruleSchema>;

export const directionSchema = z.enum(['inbound', 'outbound']);
/** phone: a recorded call (the default); chat: an online chat session imported as a transcript. */
export const channelSchema = z.enum(['phone', 'chat']);
export type Channel = z.infer<typeof channelSchema>;
export type Direction = z.infer<typeof directionSchema>;

export const itemSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a kebab-case id'),
    title: z.string().min(1),
    category: z.enum(['greeting', 'closing', 'forbidden', 'etiquette', 'hold', 'audio', 'script']),
    /** 扣分: points deducted when the item fails. */
    points: z.number().min(0).optional(),
    /** Share of the score in `weighted` scorecards. */
    weight: z.number().min(0).optional(),
    severity: severitySchema.default('minor'),
    autoFail: z.boolean().default(false),
    na: z
      .strictObject({
        shorterThanS: positive.optional(),
        noAgentSpeech: z.boolean().optional(),
        directions: nonEmpty(directionSchema).optional(),
        speakerModes: nonEmpty(z.enum(['stereo', 'mono'])).optional(),
      })
      .optional(),
    rule: ruleSchema,
  })
  .refine((item) => item.points !== undefined || item.weight !== undefined, {
    message: 'expected points (deduction) and/or weight',
    path: ['points'],
  });
export type ScorecardItem = z.infer<typeof itemSchema>;

export const scorecardSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a kebab-case id'),
    version: count,
    language: z.enum(['zh', 'en']),
    name: z.string().min(1),
    appliesTo: z
      .strictObject({
        teams: nonEmpty(z.string()).optional(),
        directions: nonEmpty(directionSchema).optional(),
        channels: nonEmpty(channelSchema).optional(),
      })
      .optional(),
    scoring: z.enum(['deduction', 'weighted']).default('deduction'),
    passThreshold: z.number().min(0).max(100),
    review: z
      .strictObject({ minSimilarity: unit.default(0.9), minConfidence: unit.default(0.6) })
      .default({ minSimilarity: 0.9, minConfidence: 0.6 }),
    matching: z
      .strictObject({
        threshold: unit.default(0.8),
        pinyin: z.boolean().default(true),
        minPinyinChars: count.default(2),
      })
      .default({ threshold: 0.8, pinyin: true, minPinyinChars: 2 }),
    greeting: z
      .strictObject({
        template: z.string().min(1),
        hello: nonEmpty(phraseText).optional(),
        offer: nonEmpty(phraseText).optional(),
        slots: z
          .strictObject({ company: nonEmpty(phraseText).optional(), agentNoPattern: z.string().optional() })
          .default({}),
        window: windowSchema.default({ first: { seconds: 20, utterances: 2 } }),
        threshold: unit.optional(),
      })
      .optional(),
    closingWindow: windowSchema.default({ last: { seconds: 40, utterances: 3 } }),
    /** Company, hotline and department names for the {company} slot (the call's context adds more). */
    companies: z.array(phraseText).default([]),
    /** Named intents: the ways people say one thing, as patterns (intent-pattern.ts). */
    intents: z.record(kebab, nonEmpty(patternText)).default({}),
    /** Named exceptions for violation rules (exceptionSchema). */
    exceptions: z.record(kebab, exceptionSchema).default({}),
    items: nonEmpty(itemSchema),
  })
  .superRefine((card, ctx) => {
    checkReferences(card, ctx);
    const seen = new Set<string>();
    card.items.forEach((item, index) => {
      if (seen.has(item.id)) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate item id "${item.id}"`,
          path: ['items', index, 'id'],
        });
      }
      seen.add(item.id);
      if (item.rule.kind === 'greeting' && !card.greeting) {
        ctx.addIssue({
          code: 'custom',
          message: 'greeting rules need a top-level greeting block (template)',
          path: ['items', index, 'rule'],
        });
      }
    });
  });
export type Scorecard = z.infer<typeof scorecardSchema>;

/** Every intent and exception a rule names must be defined in the card. */
function checkReferences(
  card: { intents: Record<string, string[]>; exceptions: Record<string, unknown>; items: ScorecardItem[] },
  ctx: z.RefinementCtx,
): void {
  const check = (names: string[] | undefined, kind: 'intent' | 'exception', path: PropertyKey[]) => {
    const defined = kind === 'intent' ? card.intents : card.exceptions;
    for (const name of names ?? []) {
      if (!(name in defined)) {
        ctx.addIssue({ code: 'custom', message: `unknown ${kind} "${name}"`, path });
      }
    }
  };
  const walk = (cond: Cond, path: PropertyKey[]): void => {
    if ('intent' in cond) {
      check(cond.intent, 'intent', [...path, 'intent']);
      check(cond.unless, 'exception', [...path, 'unless']);
    } else if ('not' in cond) walk(cond.not, [...path, 'not']);
    else if ('and' in cond) cond.and.forEach((c, i) => walk(c, [...path, 'and', i]));
    else if ('or' in cond) cond.or.forEach((c, i) => walk(c, [...path, 'or', i]));
    else if ('near' in cond) cond.near.forEach((c, i) => walk(c, [...path, 'near', i]));
  };
  card.items.forEach((item, index) => {
    const path: PropertyKey[] = ['items', index, 'rule'];
    const rule = item.rule;
    if (rule.kind === 'match' || rule.kind === 'closing') walk(rule.cond, [...path, 'cond']);
    if (rule.kind === 'closing' && rule.reopen) check([rule.reopen], 'intent', [...path, 'reopen']);
    if (rule.kind === 'conditional') {
      walk(rule.if, [...path, 'if']);
      walk(rule.then, [...path, 'then']);
    }
    if (rule.kind === 'violation') {
      check(rule.intents, 'intent', [...path, 'intents']);
      check(rule.unless, 'exception', [...path, 'unless']);
    }
  });
}
