// The requester portal (docs/portal.md): an officer of a registered agency makes an account,
// signs in with a password and a second factor, submits legal process and follows it to the
// package. It shares the console's pieces (api.js, ui.js) and talks only to /api/v1/portal/.
// Pages are addressed by the URL's fragment; the one address that carries a secret (the
// e-mailed confirmation link) is read once and taken out of the address bar.
import { html, render, useEffect } from '/console/vendor/preact-htm.js';
import { useRoute, useSession } from '/console/shell.js';
import { SignIn } from './signin.js';
import { Register } from './register.js';
import { Confirm } from './confirm.js';
import { Requests } from './requests.js';
import { NewRequest } from './new_request.js';
import { RequestPage } from './request.js';

// The requester's session; a 401 from a sign-in, a registration or a code is the form's
// refusal, not the session's end.
const kSession = { session: '/api/v1/portal/session', logout: '/api/v1/portal/session/logout',
                   factors: ['/api/v1/portal/session', '/api/v1/portal/accounts', '/api/v1/portal/totp/'] };

// The page a fragment names: { page, id }.
function route(hash) {
  const path = hash.startsWith('#/') ? hash.slice(1) : '/';
  let m = path.match(/^\/requests\/(C-\d{4}-\d{6})(\/amend)?$/);
  if (m) return { page: m[2] ? 'amend' : 'request', id: m[1] };
  m = path.match(/^\/confirm\/([A-Za-z0-9_-]+)$/);
  if (m) return { page: 'confirm', token: m[1] };
  const pages = { '/': 'requests', '/new': 'new', '/register': 'register', '/confirm': 'confirm' };
  return { page: pages[path] || 'missing' };
}

function Header({ session, onSignOut, demo }) {
  return html`
    <header class="header">
      <a class="skip-link" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>Skip to main content</a>
      <div class="header-inner">
        <a class="brand" href="#/">Requester portal</a>
        ${session ? html`
          <nav aria-label="Portal">
            <ul class="nav"><li><a href="#/">Your requests</a></li><li><a href="#/new">New request</a></li></ul>
          </nav>
          <div class="who">
            <span>${session.account.name} <span class="roles">(${session.account.email})</span></span>
            <button type="button" class="button button-secondary" onClick=${onSignOut}>Sign out</button>
          </div>` : null}
      </div>
    </header>
    ${demo ? html`<div class="demo-banner" role="note">Demo instance: second factors are off, and every record is made up.</div>` : null}`;
}

function Missing() {
  return html`<h1>Page not found</h1><p><a href="#/">Go to your requests</a>.</p>`;
}

function App() {
  const { session, adopt, unreachable, signOut } = useSession(kSession);
  const where = useRoute(route);

  let page;
  let title;
  if (session === undefined) {
    page = html`<p class="loading" role="status">Loading…</p>`;
  } else if (where.page === 'register' && !session) {
    [page, title] = [html`<${Register} />`, 'Create an account'];
  } else if (where.page === 'confirm') {
    [page, title] = [html`<${Confirm} token=${where.token} onSignedIn=${adopt} />`, 'Confirm your address'];
  } else if (!session) {
    [page, title] = [html`<${SignIn} onSignedIn=${adopt} trouble=${unreachable} />`, 'Sign in'];
  } else if (where.page === 'requests' || where.page === 'register') {
    [page, title] = [html`<${Requests} session=${session} />`, 'Your requests'];
  } else if (where.page === 'new') {
    [page, title] = [html`<${NewRequest} session=${session} />`, 'New request'];
  } else if (where.page === 'request') {
    [page, title] = [html`<${RequestPage} id=${where.id} session=${session} />`, where.id];
  } else if (where.page === 'amend') {
    [page, title] = [html`<${NewRequest} session=${session} amending=${where.id} />`, `Amend ${where.id}`];
  } else {
    [page, title] = [html`<${Missing} />`, 'Page not found'];
  }

  useEffect(() => {
    document.title = `${title || 'Requester portal'} – requester portal`;
  }, [title]);

  return html`
    <${Header} session=${session} onSignOut=${signOut} demo=${session && session.demo} />
    <main id="main" class="main" tabindex="-1">${page}</main>`;
}

render(html`<${App} />`, document.getElementById('portal'));
