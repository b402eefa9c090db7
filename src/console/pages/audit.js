// The audit log, for auditors: every entry's proof checked in the browser (log_entries.js), and
// each detail against the hash its leaf commits to.
import { html } from '../vendor/preact-htm.js';
import { dateTime, words } from '../format.js';
import { Tag } from '../ui.js';
import { detailMatches } from '../proofs.js';
import { LogEntries, Verdict } from './log_entries.js';

async function checkDetail(entry) {
  const matches = await detailMatches(entry.leaf, entry.detail);
  return { matches, bad: matches === false };
}

function AuditTable({ entries }) {
  return html`
    <thead><tr><th scope="col">Entry</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th>
      <th scope="col">Case</th><th scope="col">Checked</th></tr></thead>
    <tbody>${entries.map((e) => html`<tr>
      <td>${e.index}</td><td>${dateTime(new Date(e.parsed.at / 1000).toISOString())}</td><td>${e.parsed.actor}</td><td>${words(e.parsed.action)}</td>
      <td>${e.parsed.case ? html`<a href=${'#/cases/' + e.parsed.case}>${e.parsed.case}</a>` : '—'}</td>
      <td><${Verdict} ok=${e.included} yes="included" no="NOT included" />
        ${e.matches === null ? html` <${Tag} kind="grey">detail erased</${Tag}>`
          : html` <${Verdict} ok=${e.matches} yes="detail matches" no="detail does NOT match" />`}</td>
    </tr>`)}</tbody>`;
}

export function AuditLog({ session }) {
  return html`<${LogEntries} log="audit" title="Audit log" allowed=${session.roles.includes('auditor')}
    refusal="Only auditors read the audit log. Its signed heads are public: see Ledgers."
    check=${checkDetail} Table=${AuditTable} />`;
}
