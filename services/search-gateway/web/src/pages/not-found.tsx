import { useEffect } from 'preact/hooks';

export function NotFoundPage() {
  useEffect(() => void (document.title = 'Not found · MyRAGDB'), []);
  return (
    <section class="page narrow">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{location.pathname}</code>. <a href="/">Search</a> or see the{' '}
        <a href="/repositories">repositories</a>.
      </p>
    </section>
  );
}
