// A staff member's alerts (docs/cases.md, Alerts): a new emergency, a case due within a day or
// overdue, a hold or a nondisclosure order ending within a week. Each was raised for the
// people whose role acts next on its case (and its assignee), and mailed and posted when the
// instance says so; here they are listed newest first, each leading to its case.
import { html } from '../vendor/preact-htm.js';
import { get } from '../api.js';
import { dateTime, relative } from '../format.js';
import { Loading, PageHeading, Tag, useLoad } from '../ui.js';

const kKinds = {
  emergency: ['red', 'Emergency request', 'received'],
  overdue: ['red', 'Overdue', 'was due'],
  due_soon: ['yellow', 'Due within a day', 'due'],
  hold_expiring: ['purple', 'Hold ending within a week', 'ends'],
  order_expiring: ['purple', 'Nondisclosure order ending within a week', 'ends'],
};

export function AlertList({ alerts }) {
  return html`<ul class="alerts">${alerts.map((a) => {
    const [kind, title, verb] = kKinds[a.kind] || ['grey', a.kind, 'at'];
    return html`<li class="alert">
      <${Tag} kind=${kind}>${title}</${Tag}>${' '}
      <a href=${'#/cases/' + a.case_id}>${a.case_id}</a>${a.hold_id ? html`, hold ${a.hold_id}` : null}:${' '}
      ${verb} ${dateTime(a.due_at)} (${relative(a.due_at)})
      <span class="hint"> · raised ${dateTime(a.raised_at)}</span></li>`;
  })}</ul>`;
}

// Alerts raised within the last week, on the queue page: what needs a person first.
export function RecentAlerts() {
  const loaded = useLoad(() => get('/api/v1/alerts?limit=20'), []);
  if (!loaded.data) return loaded.error ? html`<${Loading} error=${loaded.error} what="Your alerts" />` : null;
  const week = Date.now() - 7 * 24 * 3600 * 1000;
  const recent = loaded.data.filter((a) => new Date(a.raised_at).getTime() >= week);
  if (!recent.length) return null;
  return html`<section class="panel" aria-labelledby="alerts-title">
    <h2 id="alerts-title">Your alerts this week (${recent.length})</h2>
    <${AlertList} alerts=${recent.slice(0, 5)} />
    ${recent.length > 5 ? html`<p><a href="#/alerts">All your alerts</a></p>` : null}
  </section>`;
}

export function Alerts() {
  const loaded = useLoad(() => get('/api/v1/alerts?limit=200'), []);
  if (!loaded.data) return html`<${PageHeading}>Alerts</${PageHeading}><${Loading} error=${loaded.error} what="Your alerts" />`;
  return html`<${PageHeading}>Alerts</${PageHeading}>
    ${loaded.data.length ? html`<${AlertList} alerts=${loaded.data} />` : html`<p>No alert has been raised for you.</p>`}`;
}
