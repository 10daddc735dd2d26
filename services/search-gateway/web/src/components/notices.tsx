import type { ComponentChildren } from 'preact';
import { ApiError } from '../api.js';

/** What went wrong and what to do about it, for any error a page meets. */
export function ErrorNotice({ error, action }: { error: unknown; action?: ComponentChildren }) {
  const { title, advice } = describe(error);
  return (
    <div class="notice error" role="alert">
      <strong>{title}</strong>
      <p>{advice}</p>
      {action}
    </div>
  );
}

function describe(error: unknown): { title: string; advice: string } {
  if (!(error instanceof ApiError)) return { title: 'Something went wrong', advice: String(error) };
  switch (error.status) {
    case 0:
      return { title: 'No connection', advice: error.message };
    case 400:
      return { title: 'The request was not accepted', advice: error.message };
    case 403:
      return { title: 'Not allowed', advice: error.message };
    case 404:
      return { title: 'Not found', advice: error.message };
    case 429:
      return {
        title: 'Too many requests',
        advice: `${error.message}${error.retryAfterSeconds ? ` Try again in ${error.retryAfterSeconds} s.` : ''}`,
      };
    case 503:
      return { title: 'A store is unavailable', advice: `${error.message} The Health page shows which one.` };
    default:
      return { title: `The server answered ${error.status}`, advice: error.message };
  }
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="notice empty">
      <strong>{title}</strong>
      {children}
    </div>
  );
}
