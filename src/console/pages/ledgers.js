// The ledgers' signed heads, for everyone (they are public): the latest heads of the audit log
// and of the disclosure log, each signature checked in the browser against the published
// ledger keys, and each head proved consistent with the one before it (RFC 9162: the log
// only grew; nothing written was changed or removed).
import { html } from '../vendor/preact-htm.js';
import { get } from '../api.js';
import { dateTime } from '../format.js';
import { Loading, PageHeading, useLoad } from '../ui.js';
import { consistent, headVerifies } from '../proofs.js';
import { Verdict } from './log_entries.js';

const kShown = 20;
const kLogs = [['audit', 'Audit log', 'every action anyone took, and every read of personal data'],
               ['disclosures', 'Disclosure log', 'every request, outcome, production and notice, counted by the transparency report']];

// Every signed head of `log` (the API answers at most 1,000 at a time, from a size on).
async function allHeads(log) {
  const heads = [];
  for (let from = 0; ; ) {
    const page = (await get(`/api/v1/ledger/${log}/heads?from=${from}`)).heads;
    heads.push(...page);
    if (page.length < 1000) return heads;
    from = page[page.length - 1].size + 1;
  }
}

async function checkLog(log, keys) {
  const heads = (await allHeads(log)).slice(-kShown);
  return Promise.all(heads.map(async (head, i) => {
    const signed = await headVerifies(head, keys);
    const before = heads[i - 1];
    if (!before || before.size === 0) return { head, signed, extends: null };  // nothing to extend
    const proof = await get(`/api/v1/ledger/${log}/consistency?first=${before.size}&second=${head.size}`);
    return { head, signed, extends: await consistent(before, head, proof.proof) };
  }));
}

function Heads({ rows }) {
  if (!rows.length) return html`<p>No head has been signed yet.</p>`;
  return html`<div class="table-wrap"><table class="table">
    <caption class="visually-hidden">Signed heads, oldest first</caption>
    <thead><tr><th scope="col">Signed</th><th scope="col">Entries</th><th scope="col">Root</th><th scope="col">Key</th>
      <th scope="col">Signature</th><th scope="col">Consistent with the head before</th></tr></thead>
    <tbody>${rows.map(({ head, signed, extends: ext }) => html`<tr>
      <td>${dateTime(head.timestamp)}</td><td>${head.size}</td><td><code class="hash">${head.root}</code></td>
      <td><code>${head.key_id}</code></td>
      <td><${Verdict} ok=${signed} yes="verified" no="does NOT verify" /></td>
      <td>${ext === null ? '—' : html`<${Verdict} ok=${ext} yes="proved" no="NOT consistent" />`}</td>
    </tr>`)}</tbody>
  </table></div>`;
}

export function Ledgers() {
  const loaded = useLoad(async () => {
    const keys = (await get('/api/v1/keys')).ledger;
    return Promise.all(kLogs.map(([log]) => checkLog(log, keys)));
  }, []);
  if (!loaded.data) return html`<${PageHeading}>Ledgers</${PageHeading}><${Loading} error=${loaded.error} what="The ledgers" />`;
  return html`
    <${PageHeading}>Ledgers</${PageHeading}>
    <p class="lede">Each log is a Merkle tree (RFC 9162) whose heads the instance signs. This page checks, in your
      browser, each of the last ${kShown} heads' signatures against the published ledger keys, and that each head's tree
      extends the one before it.</p>
    ${kLogs.map(([log, title, what], i) => html`
      <section aria-labelledby=${'log-' + log}><h2 id=${'log-' + log}>${title}</h2>
        <p class="hint">${what}.</p><${Heads} rows=${loaded.data[i]} /></section>`)}`;
}
