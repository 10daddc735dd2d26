/**
 * Client-side routing on the History API: the URL is the state (a search is shareable, back and forward work).
 * Small enough that a routing library would be most of its own weight.
 */
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());
window.addEventListener('popstate', notify);

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  notify();
}

/** The current location; re-renders the caller on every navigation. */
export function useLocation(): { path: string; params: URLSearchParams } {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((version) => version + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return { path: location.pathname, params: new URLSearchParams(location.search) };
}

/** A click on an in-app link navigates without a reload; modified clicks (new tab) keep the browser's behaviour. */
export function followLink(event: MouseEvent): void {
  const anchor = (event.target as Element | null)?.closest('a');
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
    return;
  if (anchor.target || anchor.origin !== location.origin || anchor.hasAttribute('download')) return;
  if (anchor.pathname.startsWith('/api/') || anchor.pathname.startsWith('/auth/')) return;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search + anchor.hash);
}
