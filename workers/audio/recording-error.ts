/**
 * Why a recording could not be turned into audio. `permanent` tells the job
 * layer whether to fail the call at once (retrying cannot help: the file is
 * missing, corrupt or not audio) or to retry with backoff (the network or the
 * machine had a bad moment).
 */
export type RecordingErrorCode =
  | 'url_not_allowed'
  | 'not_found'
  | 'path_escape'
  | 'too_large'
  | 'too_many_redirects'
  | 'http_404'
  | 'http_4xx'
  | 'http_429'
  | 'http_5xx'
  | 'timeout'
  | 'unreachable'
  | 'empty'
  | 'corrupt'
  | 'not_audio'
  | 'no_audio_stream'
  | 'too_long'
  | 'decode_failed';

export const permanentCodes: Readonly<Record<RecordingErrorCode, boolean>> = {
  // Refused by the recording URL policy (models/recording-url-policy.ts): the configuration, not luck, decides.
  url_not_allowed: true,
  not_found: true,
  path_escape: true,
  too_large: true,
  too_many_redirects: true,
  http_404: true,
  http_4xx: true,
  http_429: false,
  http_5xx: false,
  timeout: false,
  unreachable: false,
  empty: true,
  corrupt: true,
  not_audio: true,
  no_audio_stream: true,
  too_long: true,
  // ffmpeg killed by a signal (e.g. the OOM killer) or unable to start: the machine, not the file.
  decode_failed: false,
};

export class RecordingError extends Error {
  override readonly name = 'RecordingError';
  readonly permanent: boolean;

  constructor(
    readonly code: RecordingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.permanent = permanentCodes[code];
  }
}
