/**
 * Confirmation before any change: a native modal `<dialog>`, which the browser makes accessible (it traps
 * focus, closes on Escape, and is named by its heading) without any script of ours for those parts.
 */
import { h } from './dom';

export interface DialogField {
  readonly name: string;
  readonly label: string;
  /** @default 'text' */
  readonly type?: 'text' | 'select';
  /** For selects: value → shown text. */
  readonly options?: Readonly<Record<string, string>>;
  /** @default true */
  readonly required?: boolean;
  readonly hint?: string;
}

export interface ConfirmOptions {
  readonly title: string;
  readonly message: string;
  readonly confirmLabel: string;
  readonly fields?: readonly DialogField[];
  /** A destructive action gets the warning style on its button. @default false */
  readonly danger?: boolean;
}

let dialogCount = 0;

/** Resolves with the field values when confirmed, or undefined when cancelled. */
export function confirmAction(options: ConfirmOptions): Promise<Record<string, string> | undefined> {
  const id = `dialog-${++dialogCount}`;
  const fields = (options.fields ?? []).map((field) => {
    const inputId = `${id}-${field.name}`;
    const hintId = field.hint ? `${inputId}-hint` : undefined;
    const common = {
      id: inputId,
      name: field.name,
      required: field.required ?? true,
      'aria-describedby': hintId,
    };
    const control =
      field.type === 'select'
        ? h(
            'select',
            common,
            ...Object.entries(field.options ?? {}).map(([value, text]) => h('option', { value }, text)),
          )
        : h('input', { ...common, type: 'text', autocomplete: 'off' });
    return h(
      'div',
      { class: 'field' },
      h('label', { for: inputId }, field.label),
      control,
      hintId ? h('p', { id: hintId, class: 'hint' }, field.hint) : null,
    );
  });
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const form = h(
    'form',
    { method: 'dialog' },
    h('p', { id: `${id}-message` }, options.message),
    ...fields,
    h(
      'div',
      { class: 'actions' },
      cancel,
      h('button', { type: 'submit', class: options.danger ? 'danger' : 'primary' }, options.confirmLabel),
    ),
  );
  const dialog = h(
    'dialog',
    { 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-message` },
    h('h2', { id: `${id}-title` }, options.title),
    form,
  );
  document.body.append(dialog);

  return new Promise((resolve) => {
    let result: Record<string, string> | undefined;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      result = Object.fromEntries(
        [...new FormData(form).entries()].map(([name, value]) => [name, String(value).trim()]),
      );
      dialog.close();
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    dialog.showModal();
  });
}
