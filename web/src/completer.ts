import { labelNames, labelValues } from './api.js';
import { completionContext, FUNCTIONS, rankCandidates, type CompletionContext } from './complete.js';
import { el } from './dom.js';

const cache = new Map<string, Promise<string[]>>();

function cached(key: string, load: () => Promise<string[]>): Promise<string[]> {
  let p = cache.get(key);
  if (!p) {
    p = load().catch(() => {
      cache.delete(key);
      return [];
    });
    cache.set(key, p);
  }
  return p;
}

async function candidates(c: CompletionContext): Promise<string[]> {
  switch (c.kind) {
    case 'metric':
      return (await cached('__name__', () => labelValues('__name__'))).concat(FUNCTIONS);
    case 'label':
      return cached(`labels:${c.metric ?? ''}`, () => labelNames(c.metric)).then((ls) => ls.filter((l) => l !== '__name__'));
    case 'value':
      return cached(`values:${c.label}:${c.metric ?? ''}`, () => labelValues(c.label, c.metric));
    case 'none':
      return [];
  }
}

/**
 * Completion for a PromQL textarea: metric and function names, label names inside `{}` and
 * `by (...)`, a label's values inside quotes. Arrow keys choose, Tab or Enter takes, Escape closes.
 */
export function attachCompleter(input: HTMLTextAreaElement): HTMLElement {
  const list = el('ul', { class: 'completions', role: 'listbox', hidden: '', 'data-testid': 'completions' });
  let items: string[] = [];
  let active = 0;
  let ctx: CompletionContext = { kind: 'none' };
  let seq = 0;

  const render = (): void => {
    list.replaceChildren(
      ...items.map((it, i) => {
        const li = el('li', { role: 'option', 'aria-selected': String(i === active), class: i === active ? 'active' : undefined }, it);
        li.addEventListener('mousedown', (e) => {
          e.preventDefault();
          accept(i);
        });
        return li;
      }),
    );
    list.hidden = items.length === 0;
    list.querySelector('.active')?.scrollIntoView({ block: 'nearest' });
  };

  const close = (): void => {
    items = [];
    render();
  };

  const accept = (i: number): void => {
    const it = items[i];
    if (it === undefined || ctx.kind === 'none') return;
    const pos = input.selectionStart;
    const text = input.value;
    const insert = ctx.kind === 'metric' && FUNCTIONS.includes(it) ? `${it}(` : it;
    input.value = text.slice(0, ctx.from) + insert + text.slice(pos);
    const at = ctx.from + insert.length;
    input.setSelectionRange(at, at);
    close();
    input.dispatchEvent(new Event('input'));
  };

  const refresh = async (): Promise<void> => {
    const mine = ++seq;
    ctx = completionContext(input.value, input.selectionStart);
    if (ctx.kind === 'none' || (ctx.kind === 'metric' && ctx.prefix === '')) return close();
    const c = ctx;
    const all = await candidates(c);
    if (mine !== seq) return;
    items = rankCandidates(all, c.prefix).filter((x) => x !== c.prefix || c.kind === 'value');
    active = 0;
    render();
  };

  input.addEventListener('input', () => void refresh());
  input.addEventListener('blur', close);
  input.addEventListener('keydown', (e) => {
    if (list.hidden) {
      if (e.key === ' ' && e.ctrlKey) {
        e.preventDefault();
        void refresh();
      }
      return;
    }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
      render();
    } else if ((e.key === 'Tab' || e.key === 'Enter') && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      e.stopImmediatePropagation();
      accept(active);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  });
  return list;
}
