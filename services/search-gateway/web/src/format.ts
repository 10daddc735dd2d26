/** Display formatting shared by the pages. */

export function formatCount(value: number): string {
  return new Intl.NumberFormat().format(value);
}

const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "3 minutes ago", "in 2 days"; "never" for null. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of units)
    if (Math.abs(seconds) >= size) return RELATIVE.format(Math.round(seconds / size), unit);
  return RELATIVE.format(seconds, 'second');
}

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** `repository/path:12-20`, the reference people paste into chats and tickets. */
export function fileReference(repository: string, path: string, start?: number, end?: number): string {
  if (start === undefined) return `${repository}/${path}`;
  return `${repository}/${path}:${start}${end !== undefined && end !== start ? `-${end}` : ''}`;
}

export function fileHref(params: {
  repository: string;
  path: string;
  start?: number;
  end?: number;
  language?: string;
  from?: string;
}): string {
  const query = new URLSearchParams({ repo: params.repository, path: params.path });
  if (params.start !== undefined) query.set('start', String(params.start));
  if (params.end !== undefined) query.set('end', String(params.end));
  if (params.language) query.set('language', params.language);
  if (params.from) query.set('from', params.from);
  return `/file?${query.toString()}`;
}
