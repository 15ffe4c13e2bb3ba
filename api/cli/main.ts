import { ConfigError } from '../../models/config.ts';
import { EmbeddedPostgresError } from '../../models/embedded-postgres.ts';
import { IngestFileError } from '../ingest/read-records.ts';
import { SamplingRequestError } from '../../sampling/run-sampling.ts';
import { ReplayError } from '../../sampling/replay-run.ts';
import { ScorecardError } from '../../workers/scoring/parse-scorecard.ts';
import { demoCommand } from './commands/demo.ts';
import { demoDataCommand } from './commands/demo-data.ts';
import { importTranscriptsCommand } from './commands/import-transcripts.ts';
import { ingestCommand } from './commands/ingest.ts';
import { planCommand } from './commands/plan.ts';
import { rescoreCommand } from './commands/rescore.ts';
import { rosterCommand } from './commands/roster.ts';
import { sampleCommand } from './commands/sample.ts';
import { scorecardCommand } from './commands/scorecard.ts';
import { scoreCommand } from './commands/score.ts';
import { scoresCommand } from './commands/scores.ts';
import { statusCommand } from './commands/status.ts';
import { tokensCommand, usersCommand } from './commands/users.ts';
import { EXIT, UsageError, withDatabase } from './context.ts';

const HELP = `callqa — call-centre QA

  callqa ingest <file.csv|file.jsonl> [--recordings DIR] [--encoding utf-8|utf-16le|utf-16be|gb18030]
                                                           register calls (话单)
  callqa roster <file.csv|file.jsonl>                      load agents and teams
  callqa scores months|outcomes <file>                     load recorded QA scores
  callqa import-transcripts <file.jsonl>                   transcripts made elsewhere (skip ASR)
  callqa demo [--agents 10] [--teams 3] [--calls-per-day 20] [--seed 1] [--reset-passwords]
                                                           a scored, reviewable demo month, with users for every role
  callqa demo-data [--months 2026-09,2026-10] [--agents 50] [--teams 5]
                   [--calls-per-day 40] [--seed 1] [--out demo-calls.csv] [--ingest]
  callqa sample --month YYYY-MM [--through ISO-TIME] [--seed TEXT]
  callqa sample list | show <run-id> [--agent ID] | replay <run-id>
  callqa plan set --month YYYY-MM --reviewer USER:QUOTA [--reviewer …]   QA plan: reviewers, quotas, assignment
  callqa plan show --month YYYY-MM                         a month's plan and its progress
  callqa status [--retry [CALL_ID…]]                       pipeline progress, failures and why
  callqa scorecard check <file> | test <file> <labelled.jsonl|corpus> [--cer 0,0.1,0.2]
  callqa scorecard explain <file> "<sentence>" [--intent NAME]  which pattern matches, or why none
  callqa score <transcripts.jsonl> [--card FILE] [--format jsonl|table]  score without a database
  callqa rescore [--out report.json]                       re-score under current scorecard versions
  callqa users add <username> --role agent|qa|supervisor|admin [--agent ID] [--teams T1,T2]
                                                           add a user (password from stdin, or generated)
  callqa users list | disable <username>
  callqa tokens create <username> | list [<username>] | revoke <token-id>   API tokens (shown once)
  callqa worker                                            a BullMQ worker (needs REDIS_URL)
  callqa migrate                                           apply database migrations

Configuration comes from the environment (see .env.example).`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  ingest: ingestCommand,
  roster: rosterCommand,
  scores: scoresCommand,
  score: scoreCommand,
  demo: demoCommand,
  'demo-data': demoDataCommand,
  'import-transcripts': importTranscriptsCommand,
  sample: sampleCommand,
  plan: planCommand,
  scorecard: scorecardCommand,
  rescore: rescoreCommand,
  status: statusCommand,
  users: usersCommand,
  tokens: tokensCommand,
  migrate: () =>
    withDatabase(async ({ database, out }) => (out(`migrated ${database.description}`), EXIT.ok)),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${HELP}\n`);
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${HELP}\n`);
    return EXIT.usage;
  }
  try {
    return await command(args);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n`);
      return EXIT.usage;
    }
    // A path that is missing or unreadable is the user's input, not a bug: its message says which.
    const fileError = ['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR'].includes(
      (error as { code?: string }).code ?? '',
    );
    const known =
      fileError ||
      [
        ConfigError,
        EmbeddedPostgresError,
        IngestFileError,
        SamplingRequestError,
        ReplayError,
        ScorecardError,
      ].some((k) => error instanceof k);
    process.stderr.write(`callqa ${name}: ${known ? (error as Error).message : (error as Error).stack}\n`);
    return EXIT.failed;
  }
}

// Exit explicitly with the command's code rather than waiting for every handle to close.
process.exit(await main(process.argv.slice(2)));
