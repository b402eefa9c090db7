// The requester's own requests and those colleagues shared with them: where each stands and
// when it is due, newest first.
import { html } from '/console/vendor/preact-htm.js';
import { get } from '/console/api.js';
import { dateTime, words } from '/console/format.js';
import { Loading, PageHeading, StateTag, useLoad } from '/console/ui.js';

export function Requests({ session }) {
  const { data, error, loading } = useLoad(() => get('/api/v1/portal/requests'), []);
  const heading = html`<${PageHeading} caption=${session.account.agency_id}>Your requests</${PageHeading}>`;
  if (loading || error) return html`${heading}<${Loading} error=${error} what="Your requests" />`;
  const rows = [...data].sort((a, b) => (a.received_at < b.received_at ? 1 : -1));
  return html`${heading}
    <p><a class="button" href="#/new">Send a new request</a></p>
    ${rows.length ? html`<table class="table">
      <caption class="visually-hidden">Your requests, newest first</caption>
      <thead><tr><th scope="col">Case</th><th scope="col">Process</th><th scope="col">State</th>
        <th scope="col">Received</th><th scope="col">Due</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr>
        <td><a href=${`#/requests/${r.id}`}>${r.id}</a>${r.shared_by ? html`<br /><span class="hint">shared by ${r.shared_by}</span>` : null}</td>
        <td>${words(r.process_type)}</td>
        <td><${StateTag} state=${r.state} /></td>
        <td>${dateTime(r.received_at)}</td>
        <td>${dateTime(r.due_at)}</td></tr>`)}</tbody></table>`
      : html`<p>You have sent no request yet, and none is shared with you.</p>`}`;
}
