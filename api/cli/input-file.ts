import { ENCODING_CHOICES, encodingNamed, type Encoding } from '../ingest/read-records.ts';
import { UsageError } from './context.ts';

/** `--encoding NAME` → the encoding, or bad usage naming the choices. */
export function parseEncodingOption(name: string | undefined): Encoding | undefined {
  if (name === undefined) return undefined;
  const encoding = encodingNamed(name);
  if (!encoding) throw new UsageError(`unknown --encoding "${name}"; use one of ${ENCODING_CHOICES}`);
  return encoding;
}
