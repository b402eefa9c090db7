// The requester's own requests and those colleagues shared with them: where each stands and
// when it is due, newest first.
import { html } from '/console/vendor/preact-htm.js';
import { get } from '/console/api.js';
import { dateTime, words } from '/console/format.js';
import { Loading, PageHeading, StateTag, useLoad } from '/console/ui.js';

// A request in one of these states is owed nothing more: its deadline no longer applies.
const kEnded = ['produced', 'closed', 'rejected', 'released', 'expired', 'withdrawn'];

export function Requests({ session }) {
  const { data, error, loading } = useLoad(() => get('/api/v1/portal/requests'), []);
  const heading = html`<${PageHeading} caption=${session.account.agency}>Your requests</${PageHeading}>`;
  if (loading || error) return html`${heading}<${Loading} error=${error} what="Your requests" />`;
  const rows = [...data].sort((a, b) => (a.received_at < b.received_at ? 1 : -1));
  return html`${heading}
    <p><a class="button" href="#/new">Send a new request</a></p>
    ${rows.length ? html`<div class="table-wrap"><table class="table">
      <caption class="visually-hidden">Your requests, newest first</caption>
      <thead><tr><th scope="col">Case</th><th scope="col" class="wide-only">Process</th><th scope="col">State</th>
        <th scope="col" class="wide-only">Received</th><th scope="col">Due</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr>
        <td><a class="nowrap" href=${`#/requests/${r.id}`}>${r.id}</a>${r.shared_by ? html`<br /><span class="hint">shared by ${r.shared_by}</span>` : null}</td>
        <td class="wide-only">${words(r.process_type)}</td>
        <td><${StateTag} state=${r.state} /></td>
        <td class="wide-only">${dateTime(r.received_at)}</td>
        <td>${kEnded.includes(r.state) ? '—' : dateTime(r.due_at)}</td></tr>`)}</tbody></table></div>`
      : html`<p>You have sent no request yet, and none is shared with you.</p>`}`;
}
