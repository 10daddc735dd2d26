/**
 * Kubernetes MicroTime (Lease renewTime, events.k8s.io eventTime): RFC 3339 with exactly six fractional digits.
 * `Date.toISOString()` gives three, which the API server rejects with 400.
 */
export function formatMicroTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** RFC 3339 with whole seconds, as metav1.Time (conditions, event timestamps) serialises. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
