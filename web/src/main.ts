import { h, message } from './dom.js';
import { caPage } from './pages/ca.js';
import { entryPage } from './pages/entry.js';
import { logPage } from './pages/log.js';
import { searchPage } from './pages/search.js';
import { v2EntryPage } from './pages/v2-entry.js';

/**
 * The explorer is one static page with hash routes, so the server needs no routes of its own for it:
 * `#/search/<q>`, `#/entry/<id>`, `#/index/<n>`, `#/v2/<n>` (Rekor v2), `#/log`, `#/ca`.
 */
async function route(): Promise<void> {
  const [page = '', ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  // A fresh view per navigation: a slower page still loading for an earlier hash renders into a detached node.
  const main = h('div', { 'data-view': page || 'search' });
  document.getElementById('main')!.replaceChildren(main);
  const arg = decodeURIComponent(rest.join('/'));
  for (const a of document.querySelectorAll('nav a')) {
    a.toggleAttribute(
      'aria-current',
      a.getAttribute('data-page') === (page === 'entry' || page === 'index' || page === 'v2' ? '' : page),
    );
  }
  try {
    switch (page) {
      case '':
      case 'search':
        return searchPage(main, arg);
      case 'entry':
        return await entryPage(main, { id: arg });
      case 'index':
        if (!/^[0-9]+$/.test(arg)) throw new Error('the log index must be a number');
        return await entryPage(main, { index: Number(arg) });
      case 'v2':
        if (!/^[0-9]+$/.test(arg)) throw new Error('the Rekor v2 log index must be a number');
        return await v2EntryPage(main, Number(arg));
      case 'log':
        return await logPage(main);
      case 'ca':
        return await caPage(main);
      default:
        main.replaceChildren(h('h1', {}, 'Not found'), message('error', `No page called “${page}”.`));
    }
  } catch (e) {
    main.replaceChildren(message('error', (e as Error).message));
  } finally {
    window.scrollTo(0, 0);
  }
}

window.addEventListener('hashchange', () => void route());
void route();
