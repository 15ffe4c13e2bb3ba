import { ConfigError } from '../../models/config.ts';
import { IngestFileError } from '../ingest/read-records.ts';
import { SamplingRequestError } from '../../sampling/run-sampling.ts';
import { ReplayError } from '../../sampling/replay-run.ts';
import { demoDataCommand } from './commands/demo-data.ts';
import { importTranscriptsCommand } from './commands/import-transcripts.ts';
import { ingestCommand } from './commands/ingest.ts';
import { rosterCommand } from './commands/roster.ts';
import { sampleCommand } from './commands/sample.ts';
import { scoresCommand } from './commands/scores.ts';
import { EXIT, UsageError, withDatabase } from './context.ts';

const HELP = `callqa — call-centre QA

  callqa ingest <file.csv|file.jsonl> [--recordings DIR]   register calls (话单)
  callqa roster <file.csv|file.jsonl>                      load agents and teams
  callqa scores months|outcomes <file>                     load recorded QA scores
  callqa import-transcripts <file.jsonl>                   transcripts made elsewhere (skip ASR)
  callqa demo-data [--months 2026-09,2026-10] [--agents 50] [--teams 5]
                   [--calls-per-day 40] [--seed 1] [--out demo-calls.csv] [--ingest]
  callqa sample --month YYYY-MM [--through ISO-TIME] [--seed TEXT]
  callqa sample list | show <run-id> [--agent ID] | replay <run-id>
  callqa migrate                                           apply database migrations

Configuration comes from the environment (see .env.example).`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  ingest: ingestCommand,
  roster: rosterCommand,
  scores: scoresCommand,
  'demo-data': demoDataCommand,
  'import-transcripts': importTranscriptsCommand,
  sample: sampleCommand,
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
    const known = [ConfigError, IngestFileError, SamplingRequestError, ReplayError].some(
      (k) => error instanceof k,
    );
    process.stderr.write(`callqa ${name}: ${known ? (error as Error).message : (error as Error).stack}\n`);
    return EXIT.failed;
  }
}

process.exitCode = await main(process.argv.slice(2));
