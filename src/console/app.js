// The console (docs/console.md): a staff member signs in, and every page after talks to the
// API as that session. Pages are addressed by the URL's fragment (#/cases/C-2026-000001), so
// the server serves one page and no address carries anything beyond a case id.
import { html, render, useState, useEffect } from './vendor/preact-htm.js';
import { useRoute, useSession } from './shell.js';
import { dateTime, relative } from './format.js';
import { SignIn } from './pages/signin.js';
import { Queue } from './pages/queue.js';
import { CasePage } from './pages/case.js';
import { AuditLog } from './pages/audit.js';
import { DisclosureLog } from './pages/disclosures.js';
import { Ledgers } from './pages/ledgers.js';
import { Reports } from './pages/reports.js';
import { Agencies } from './pages/agencies.js';
import { Standards } from './pages/standards.js';
import { Alerts } from './pages/alerts.js';
import { Users } from './pages/users.js';
import { Tokens } from './pages/tokens.js';
import { Requesters } from './pages/requesters.js';
import { Account } from './pages/account.js';
import { Vault } from './pages/vault.js';

// The pages a fragment names besides a case: each with its title, who sees it in the
// navigation (roles; everyone when none; nobody when hidden), and what it shows.
const kPages = {
  queue: { path: '/', title: 'Queue', Page: Queue },
  alerts: { path: '/alerts', title: 'Alerts', Page: Alerts },
  reports: { path: '/reports', title: 'Reports', Page: Reports },
  ledgers: { path: '/ledgers', title: 'Ledgers', Page: Ledgers },
  vault: { path: '/vault', title: 'Vault', Page: Vault },
  audit: { path: '/audit', title: 'Audit log', Page: AuditLog, roles: ['auditor'] },
  disclosures: { path: '/disclosures', title: 'Disclosure log', Page: DisclosureLog, roles: ['auditor'] },
  agencies: { path: '/agencies', title: 'Agencies', Page: Agencies },
  standards: { path: '/standards', title: 'Standards', Page: Standards },
  users: { path: '/users', title: 'Users', Page: Users, roles: ['admin'] },
  requesters: { path: '/requesters', title: 'Requesters', Page: Requesters, roles: ['admin', 'intake'] },
  tokens: { path: '/tokens', title: 'Tokens', Page: Tokens, roles: ['admin'] },
  account: { path: '/account', title: 'Your account', Page: Account, hidden: true },
};

// The page a fragment names: { page, id }.
function route(hash) {
  const path = hash.startsWith('#/') ? hash.slice(1) : '/';
  const kase = path.match(/^\/cases\/(C-\d{4}-\d{6})$/);
  if (kase) return { page: 'case', id: kase[1] };
  const found = Object.keys(kPages).find((name) => kPages[name].path === (path || '/'));
  return { page: found || 'missing' };
}

const kSession = { session: '/api/v1/auth/session', logout: '/api/v1/auth/logout', factors: ['/api/v1/auth/'] };

// Sessions do not slide: five minutes before the end, the console says so.
const kWarnBeforeMs = 5 * 60 * 1000;

function ExpiryWarning({ session }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15000);
    return () => clearInterval(timer);
  }, []);
  const left = new Date(session.expires_at).getTime() - now;
  if (left > kWarnBeforeMs) return null;
  return html`<div class="notice notice-warning" role="status">
    Your session ends at ${dateTime(session.expires_at)} (${relative(session.expires_at, now)}).
    Finish what you are doing, then sign out and in again.</div>`;
}

// A demo instance (custodian demo) signs staff in by password alone: every page says so.
function DemoBanner() {
  return html`<div class="notice notice-warning" role="note">Demo instance: second factors are off.</div>`;
}

function Header({ session, onSignOut, current }) {
  return html`
    <header class="header">
      <a class="skip-link" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>Skip to main content</a>
      <div class="header-inner">
        <a class="brand" href="#/">custodian</a>
        ${session ? html`
          <nav aria-label="Console">
            <ul class="nav">${Object.values(kPages)
              .filter((p) => !p.hidden && (!p.roles || p.roles.some((r) => session.roles.includes(r))))
              .map((p) => html`<li><a href=${'#' + p.path} aria-current=${p === current ? 'page' : undefined}>${p.title}</a></li>`)}</ul>
          </nav>
          <div class="who">
            <a href="#/account" aria-current=${current === kPages.account ? 'page' : undefined}>${session.user} <span class="roles">(${session.roles.join(', ')})</span></a>
            <button type="button" class="button button-secondary" onClick=${onSignOut}>Sign out</button>
          </div>` : null}
      </div>
    </header>`;
}

function Missing() {
  return html`<h1>Page not found</h1><p><a href="#/">Go to the queue</a>.</p>`;
}

function App() {
  const { session, adopt, unreachable, signOut } = useSession(kSession);
  const where = useRoute(route);

  let page;
  if (session === undefined) page = html`<p class="loading" role="status">Loading…</p>`;
  else if (session === null) page = html`<${SignIn} onSignedIn=${adopt} trouble=${unreachable} />`;
  else if (where.page === 'case') page = html`<${CasePage} id=${where.id} session=${session} />`;
  else if (kPages[where.page]) page = html`<${kPages[where.page].Page} session=${session} />`;
  else page = html`<${Missing} />`;

  useEffect(() => {
    const title = where.page === 'case' ? where.id : kPages[where.page] ? kPages[where.page].title : 'Page not found';
    document.title = (session ? title : 'Sign in') + ' – custodian';
  }, [where, session]);

  return html`
    <${Header} session=${session} onSignOut=${signOut} current=${kPages[where.page]} />
    <main id="main" class="main" tabindex="-1">
      ${session && session.demo ? html`<${DemoBanner} />` : null}
      ${session ? html`<${ExpiryWarning} session=${session} />` : null}
      ${page}
    </main>`;
}

render(html`<${App} />`, document.getElementById('console'));
