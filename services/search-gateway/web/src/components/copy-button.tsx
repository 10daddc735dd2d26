import { useState } from 'preact/hooks';

/** Copies `text` to the clipboard and says so, visibly and to screen readers. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <>
      <button
        class="secondary"
        onClick={() =>
          void navigator.clipboard.writeText(text).then(
            () => {
              setState('copied');
              setTimeout(() => setState('idle'), 2000);
            },
            () => setState('failed'),
          )
        }
      >
        {state === 'copied' ? 'Copied' : label}
      </button>
      <span class={state === 'failed' ? 'field-error' : 'visually-hidden'} role="status">
        {state === 'copied' ? 'Copied to the clipboard' : ''}
        {state === 'failed' ? 'The browser refused the clipboard: select the text and copy it' : ''}
      </span>
    </>
  );
}
