import { useState } from 'preact/hooks';

/** A form's submit: busy while it runs, the error it ended with (shown by the form), the default submit prevented. */
export function useFormAction(work: () => Promise<void>): {
  busy: boolean;
  error: unknown;
  onSubmit: (event: Event) => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const onSubmit = (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    work()
      .catch((thrown: unknown) => setError(thrown))
      .finally(() => setBusy(false));
  };
  return { busy, error, onSubmit };
}
