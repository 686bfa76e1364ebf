import 'uplot/dist/uPlot.min.css';
import './style.css';
import { el, inFrame } from './dom.js';
import { formatHash, parseHash, type Route } from './hash.js';
import { rangePicker } from './range.js';
import { onThemeChange, themeToggle } from './theme.js';
import { board } from './views/board.js';
import { drilldown } from './views/drilldown.js';
import { explore } from './views/explore.js';
import { overview } from './views/overview.js';
import type { View, ViewContext } from './views/view.js';

/** Copies the URL of the current view (its state is all in the hash) to share it. */
function shareButton(): HTMLButtonElement {
  const b = el('button', { type: 'button', class: 'share', 'data-testid': 'share', title: 'Copy a link to this view' }, 'Share');
  b.addEventListener('click', () => {
    const done = (text: string): void => {
      b.textContent = text;
      setTimeout(() => (b.textContent = 'Share'), 1500);
    };
    if (navigator.clipboard) navigator.clipboard.writeText(location.href).then(() => done('Link copied'), () => window.prompt('Link to this view', location.href));
    else window.prompt('Link to this view', location.href);
  });
  return b;
}

const banner = el('div', { class: 'banner', 'data-testid': 'connection-banner', role: 'status', hidden: '' }, 'Connection to Vitals lost: reconnecting… (charts resume and fill the gap when it is back)');
const brand = el('a', { class: 'brand', href: '#/', title: 'Connected' }, el('span', { class: 'dot' }), 'Vitals');
const pickerSlot = el('span', { class: 'picker-slot' });
const nav = el(
  'nav',
  { class: 'nav', 'aria-label': 'Views' },
  el('a', { href: '#/', 'data-view': 'overview' }, 'Overview'),
  el('a', { href: '#/explore', 'data-view': 'explore' }, 'Explore'),
  el('a', { href: '#/panel/histograms', 'data-view': 'histograms' }, 'Histograms'),
  el('a', { href: '#/board', 'data-view': 'board' }, 'Board'),
);
const main = el('main', { id: 'main', tabindex: '-1' });
document.body.replaceChildren(
  el('header', { class: 'top' }, brand, nav, pickerSlot, shareButton(), themeToggle()),
  banner,
  main,
);

let view: View | undefined;
let route: Route = parseHash(location.hash);

/** Shows or hides the connection banner; the dot next to the name turns amber while disconnected. */
function setBanner(down: boolean): void {
  inFrame(banner, () => {
    banner.hidden = !down;
    brand.classList.toggle('down', down);
    brand.title = down ? 'Disconnected: reconnecting' : 'Connected';
  });
}

function go(r: Route, replace = false): void {
  const h = formatHash(r);
  if (replace) {
    route = r;
    history.replaceState(null, '', h);
  } else if (h === location.hash) render();
  else location.hash = h;
}

function render(): void {
  view?.stop();
  route = parseHash(location.hash);
  setBanner(false);
  const ctx: ViewContext = { main, range: route.range, banner: setBanner, go };
  pickerSlot.replaceChildren(
    rangePicker(route.range, (range) => {
      route = { ...route, range };
      history.replaceState(null, '', formatHash(route));
      view?.setRange(range);
    }),
  );
  const current = route.view === 'panel' && route.id === 'histograms' ? 'histograms' : route.view === 'panel' ? 'overview' : route.view;
  for (const a of nav.querySelectorAll('a')) a.toggleAttribute('aria-current', a.dataset.view === current);
  switch (route.view) {
    case 'overview':
      view = overview(ctx);
      break;
    case 'panel':
      view = drilldown(ctx, route.id);
      break;
    case 'explore':
      view = explore(ctx, route.q);
      break;
    case 'board':
      view = board(ctx, route.qs);
      break;
  }
  document.title = route.view === 'overview' ? 'Vitals' : `Vitals · ${route.view === 'panel' ? route.id : route.view}`;
}

onThemeChange(() => view?.restyle());
window.addEventListener('hashchange', render);
render();
