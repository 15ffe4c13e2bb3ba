/**
 * A failure that retrying cannot fix (missing or corrupt audio, a call that no
 * longer exists): the call fails at once with this code and reason.
 */
export class PermanentError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Errors from the media modules carry `permanent`; anything else is treated as transient. */
export function isPermanent(error: unknown): error is Error & { code: string } {
  return error instanceof PermanentError || (error as { permanent?: boolean })?.permanent === true;
}

export function failureCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'error';
}
