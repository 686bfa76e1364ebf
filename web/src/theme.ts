import { el, forgetCssVars } from './dom.js';

type Choice = 'system' | 'dark' | 'light';
const KEY = 'vitals-theme';
const listeners: (() => void)[] = [];

function effective(c: Choice): 'dark' | 'light' {
  if (c !== 'system') return c;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function apply(c: Choice): void {
  document.documentElement.dataset.theme = effective(c);
  forgetCssVars();
  for (const l of listeners) l();
}

/** Calls `f` after every theme change (charts redraw with the new colours). */
export function onThemeChange(f: () => void): void {
  listeners.push(f);
}

/** Applies the saved or system theme and returns the toggle button (system → dark → light). */
export function themeToggle(): HTMLButtonElement {
  let choice = (localStorage.getItem(KEY) as Choice | null) ?? 'system';
  const b = el('button', { type: 'button', class: 'theme', 'data-testid': 'theme' });
  const label = (): void => {
    b.textContent = choice === 'system' ? '◐ auto' : choice === 'dark' ? '☾ dark' : '☀ light';
    b.title = `Theme: ${choice} (click to change)`;
    b.setAttribute('aria-label', b.title);
  };
  b.addEventListener('click', () => {
    choice = choice === 'system' ? (effective('system') === 'dark' ? 'light' : 'dark') : choice === 'dark' ? 'light' : 'system';
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
    apply(choice);
    label();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => apply(choice));
  apply(choice);
  label();
  return b;
}
