// The queue: every open case, emergencies first, then by deadline (overdue and due within a
// day marked), filtered by what a person triages by. A search asks the server, which matches
// a case id, an agency or its reference, a requester, or a target value by its keyed index
// (audited; the answer shows no target), over closed cases too. The filters and the search
// live in the page, never in the address: nothing about a case is written into a URL.
import { html, useState } from '../vendor/preact-htm.js';
import { get, post } from '../api.js';
import { dateTime, relative, words } from '../format.js';
import { Loading, PageHeading, StateTag, Tag, fieldId, useLoad } from '../ui.js';
import { RecentAlerts } from './alerts.js';

// Emergencies first, then the earliest deadline (a case without one last), then the oldest.
function byUrgency(a, b) {
  if (a.emergency !== b.emergency) return a.emergency ? -1 : 1;
  const due = (c) => (c.due_at ? new Date(c.due_at).getTime() : Infinity);
  if (due(a) !== due(b)) return due(a) - due(b);
  return new Date(a.received_at) - new Date(b.received_at);
}

const kAll = '';

function Select({ name, label, value, options, onChange }) {
  return html`<div class="field field-inline">
    <label for=${fieldId(name)}>${label}</label>
    <select class="select" id=${fieldId(name)} value=${value} onChange=${(e) => onChange(e.target.value)}>
      <option value=${kAll}>All</option>
      ${options.map(([v, text]) => html`<option value=${v}>${text}</option>`)}
    </select>
  </div>`;
}

function Check({ name, label, checked, onChange }) {
  return html`<div class="check">
    <input type="checkbox" id=${fieldId(name)} checked=${checked} onChange=${(e) => onChange(e.target.checked)} />
    <label for=${fieldId(name)}>${label}</label>
  </div>`;
}

const kNoOne = '-';

export function Queue({ session }) {
  const [query, setQuery] = useState('');  // the search sent, or '' for the open cases
  const [typed, setTyped] = useState('');
  const loaded = useLoad(async () => {
    // A search's text goes in a body, never in an address.
    const list = query ? post('/api/v1/cases/search', { q: query }) : get('/api/v1/cases?open=true');
    const [cases, agencies] = await Promise.all([list, get('/api/v1/agencies')]);
    return { cases, query, agencies: Object.fromEntries(agencies.map((a) => [a.id, a.name])) };
  }, [query]);
  const [filter, setFilter] = useState({ state: kAll, process: kAll, agency: kAll, assignee: kAll,
                                         emergency: false, overdue: false });
  const set = (name) => (value) => setFilter({ ...filter, [name]: value });
  const search = (event) => {
    event.preventDefault();
    setQuery(typed.trim());
  };

  if (!loaded.data) return html`<${PageHeading}>Queue</${PageHeading}><${Loading} error=${loaded.error} what="The queue" />`;
  // What is shown is what the last answer was for: a search still running says so.
  const { cases, agencies, query: answered } = loaded.data;
  const agencyName = (c) => agencies[c.agency_id] || c.agency_id || 'no agency';
  const distinct = (pick) => [...new Set(cases.map(pick).filter(Boolean))].sort();
  const shown = cases.filter((c) =>
    (filter.state === kAll || c.state === filter.state) &&
    (filter.process === kAll || c.process_type === filter.process) &&
    (filter.agency === kAll || c.agency_id === filter.agency) &&
    (filter.assignee === kAll || (filter.assignee === kNoOne ? !c.assignee : c.assignee === filter.assignee)) &&
    (!filter.emergency || c.emergency) &&
    (!filter.overdue || c.overdue)).sort(byUrgency);
  const overdue = cases.filter((c) => c.overdue).length;
  const dueSoon = cases.filter((c) => c.due_soon && !c.overdue).length;
  const assignees = distinct((c) => c.assignee);
  if (!assignees.includes(session.user)) assignees.unshift(session.user);

  return html`
    <${PageHeading}>Queue</${PageHeading}>
    ${answered ? null : html`<${RecentAlerts} />`}
    <form class="filters" role="search" aria-label="Search every case" onSubmit=${search}>
      <div class="field field-inline">
        <label for=${fieldId('search')}>Search every case</label>
        <input class="input" id=${fieldId('search')} type="search" value=${typed} onInput=${(e) => setTyped(e.target.value)}
               aria-describedby=${fieldId('search') + '-hint'} />
        <p class="hint" id=${fieldId('search') + '-hint'}>A case id, agency, reference, requester, or a target (account, e-mail, phone).</p>
      </div>
      <button type="submit" class="button">Search</button>
      ${query ? html`<button type="button" class="button button-secondary" onClick=${() => { setTyped(''); setQuery(''); }}>Back to the open cases</button>` : null}
    </form>
    ${loaded.loading ? html`<p class="loading" role="status">Searching…</p>` : null}
    <p class="lede">${answered
      ? html`${cases.length} ${cases.length === 1 ? 'case matches' : 'cases match'} “${answered}”, open or closed.`
      : html`${cases.length} open ${cases.length === 1 ? 'case' : 'cases'}${overdue ? html`, <strong>${overdue} overdue</strong>` : ''}${dueSoon ? `, ${dueSoon} due within a day` : ''}.`}</p>
    <div class="filters" role="group" aria-label="Filter the list">
      <${Select} name="state" label="State" value=${filter.state} onChange=${set('state')}
                 options=${distinct((c) => c.state).map((s) => [s, words(s)])} />
      <${Select} name="process" label="Process" value=${filter.process} onChange=${set('process')}
                 options=${distinct((c) => c.process_type).map((p) => [p, words(p)])} />
      <${Select} name="agency" label="Agency" value=${filter.agency} onChange=${set('agency')}
                 options=${distinct((c) => c.agency_id).map((a) => [a, agencies[a] || a])} />
      <${Select} name="assignee" label="Assigned to" value=${filter.assignee} onChange=${set('assignee')}
                 options=${[[kNoOne, 'No one'], ...assignees.map((a) => [a, a === session.user ? `${a} (you)` : a])]} />
      <${Check} name="emergency" label="Emergencies" checked=${filter.emergency} onChange=${set('emergency')} />
      <${Check} name="overdue" label="Overdue" checked=${filter.overdue} onChange=${set('overdue')} />
    </div>
    <p class="count" role="status">${shown.length === cases.length ? '' : `${shown.length} of ${cases.length} cases shown`}</p>
    ${shown.length === 0 ? html`<p>No case matches.</p>` : html`
    <div class="table-wrap">
      <table class="table">
        <caption class="visually-hidden">${answered ? 'Cases matching the search' : 'Open cases'}, most urgent first</caption>
        <thead><tr>
          <th scope="col">Case</th><th scope="col">State</th><th scope="col">Process</th>
          <th scope="col">Agency</th><th scope="col">Assigned to</th><th scope="col">Received</th><th scope="col">Due</th>
        </tr></thead>
        <tbody>
          ${shown.map((c) => html`<tr class=${c.overdue ? 'row-overdue' : ''}>
            <td><a href=${'#/cases/' + c.id}>${c.id}</a>
              ${c.emergency ? html` <${Tag} kind="red">emergency</${Tag}>` : null}</td>
            <td><${StateTag} state=${c.state} /></td>
            <td>${words(c.process_type)}</td>
            <td>${agencyName(c)}</td>
            <td>${c.assignee || '—'}</td>
            <td><time datetime=${c.received_at}>${dateTime(c.received_at)}</time></td>
            <td>${c.due_at ? html`<time datetime=${c.due_at}>${dateTime(c.due_at)}</time>
              <span class="when">${relative(c.due_at)}</span>` : 'no deadline'}
              ${c.overdue ? html` <${Tag} kind="red">overdue</${Tag}>` : c.due_soon ? html` <${Tag} kind="yellow">due soon</${Tag}>` : null}</td>
          </tr>`)}
        </tbody>
      </table>
    </div>`}`;
}
