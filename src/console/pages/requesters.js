// Requester accounts, for administrators and intake: who may use the portal, of which agency,
// and where each account stands. An account is suspended here (its sessions and tokens end at
// once; it can do nothing until reinstated); the portal makes and confirms accounts itself.
import { html } from '../vendor/preact-htm.js';
import { get } from '../api.js';
import { dateTime, words } from '../format.js';
import { Loading, PageHeading, StepButton, Tag, useLoad } from '../ui.js';

const kStateTags = { active: 'green', unconfirmed: 'yellow', suspended: 'red' };

export function Requesters({ session }) {
  const { data, error, loading, reload } = useLoad(() => Promise.all([get('/api/v1/requesters'), get('/api/v1/agencies')]), []);
  const heading = html`<${PageHeading}>Requesters</${PageHeading}>`;
  if (loading && !data) return html`${heading}<${Loading} what="The requesters" />`;
  if (error) return html`${heading}<${Loading} error=${error} what="The requesters" />`;
  const [accounts, agencies] = data;
  const agencyName = (id) => (agencies.find((a) => a.id === id) || { name: id }).name;
  const admin = session.roles.includes('admin');
  return html`${heading}
    <p class="lede">Officers who registered in the portal with an address at their agency’s domains.
      ${admin ? ' Suspending an account ends its sessions and tokens at once.' : ''}</p>
    ${accounts.length ? html`<div class="table-wrap"><table class="table">
      <caption class="visually-hidden">Requester accounts</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Address</th><th scope="col">Agency</th>
        <th scope="col">State</th><th scope="col">Registered</th>${admin ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : null}</tr></thead>
      <tbody>${accounts.map((a) => html`<tr>
        <td>${a.name}</td><td>${a.email}</td><td>${agencyName(a.agency_id)}</td>
        <td><${Tag} kind=${kStateTags[a.state]}>${words(a.state)}</${Tag}></td>
        <td>${dateTime(a.created_at)}</td>
        ${admin ? html`<td class="row-actions">${a.state === 'suspended'
          ? html`<${StepButton} secondary label="Reinstate" path=${`/api/v1/requesters/${a.id}/reinstate`} onDone=${reload} />`
          : html`<${StepButton} secondary label="Suspend" path=${`/api/v1/requesters/${a.id}/suspend`} onDone=${reload} />`}</td>` : null}
      </tr>`)}</tbody></table></div>` : html`<p>No requester has registered yet.</p>`}`;
}
