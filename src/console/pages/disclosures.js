// The disclosure log, for auditors: what the transparency report counts, one leaf per request
// received, outcome set, production and notice, each pseudonymous (a keyed hash stands for the
// case) and each proved included in the signed head in the browser (log_entries.js).
import { html } from '../vendor/preact-htm.js';
import { words } from '../format.js';
import { Tag } from '../ui.js';
import { LogEntries, Verdict } from './log_entries.js';

function DisclosureTable({ entries }) {
  return html`
    <thead><tr><th scope="col">Entry</th><th scope="col">Date</th><th scope="col">Kind</th><th scope="col">Outcome</th>
      <th scope="col">Process</th><th scope="col">Agency</th><th scope="col">Targets</th><th scope="col">Case (pseudonym)</th>
      <th scope="col">Checked</th></tr></thead>
    <tbody>${entries.map(({ index, parsed: l, included }) => html`<tr>
      <td>${index}</td><td>${l.date}</td><td>${words(l.kind)}</td>
      <td>${words(l.outcome)}${l.narrowed ? html` <${Tag} kind="blue">narrowed</${Tag}>` : null}
        ${l.accounts_with_data !== undefined ? html`<div class="hint">${l.accounts_with_data} accounts with data</div>` : null}</td>
      <td>${words(l.process_type)}${l.emergency ? html` <${Tag} kind="red">emergency</${Tag}>` : null}</td>
      <td>${words(l.agency_type)}, ${l.country}</td><td>${l.targets}</td>
      <td><code>${l.case.slice(0, 12)}…</code></td>
      <td><${Verdict} ok=${included} yes="included" no="NOT included" /></td>
    </tr>`)}</tbody>`;
}

export function DisclosureLog({ session }) {
  return html`<${LogEntries} log="disclosures" title="Disclosure log" allowed=${session.roles.includes('auditor')}
    refusal="Only auditors read the disclosure log's entries. Its signed heads are public: see Ledgers."
    check=${async () => ({})} Table=${DisclosureTable} />`;
}
