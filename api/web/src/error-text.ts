import type { TFunction } from 'i18next';
import { ApiFailure } from './api-client.ts';

/** An error in the user's language: the API's stable code picks the words (errors.<code>). */
export function errorText(t: TFunction, error: unknown): string {
  if (error instanceof ApiFailure) {
    const key = `errors.${error.code}`;
    return (
      t(key, { message: error.message, defaultValue: '' }) ||
      t('errors.unknown', { code: error.code, message: error.message })
    );
  }
  return t('errors.unknown', { code: 'client', message: String(error) });
}
