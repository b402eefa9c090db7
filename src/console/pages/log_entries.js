// A page of a ledger's entries, as auditors read them: the latest signed head, its signature
// and every entry's inclusion proof checked here, in the browser, against the ledger keys the
// server publishes (proofs.js). Reading a log is itself an entry of the audit log.
import { html, useState } from '../vendor/preact-htm.js';
import { get } from '../api.js';
import { dateTime } from '../format.js';
import { Loading, PageHeading, Tag, useLoad } from '../ui.js';
import { headVerifies, includedIn } from '../proofs.js';

const kPage = 50;

export function Verdict({ ok, yes, no }) {
  return ok ? html`<${Tag} kind="green">${yes}</${Tag}>` : html`<${Tag} kind="red">${no}</${Tag}>`;
}

// Entries [start, start + kPage) of `log`, the last page when start is null; `check(entry)`
// adds what a log's own entries are checked for beyond inclusion ({ bad: true } when it fails).
async function loadPage(log, start, check) {
  if (start === null) start = Math.max(0, (await get(`/api/v1/ledger/${log}/head`)).size - kPage);
  const [keys, page] = await Promise.all([get('/api/v1/keys'),
                                          get(`/api/v1/ledger/${log}/entries?start=${start}&count=${kPage}`)]);
  const head = page.tree_head;
  const signed = await headVerifies(head, keys.ledger);
  const entries = await Promise.all(page.entries.map(async (e) => {
    const entry = { ...e, parsed: JSON.parse(e.leaf), included: await includedIn(head, e.index, e.leaf, e.proof) };
    return { ...entry, ...(await check(entry)) };
  }));
  return { head, signed, entries };
}

// The page: a heading, the head's verdict, a pager, and `Table` for the entries.
export function LogEntries({ log, title, allowed, refusal, check, Table }) {
  const [start, setStart] = useState(null);
  const loaded = useLoad(async () => (allowed ? loadPage(log, start, check) : null), [log, start, allowed]);
  if (!allowed) return html`<${PageHeading}>${title}</${PageHeading}><p>${refusal}</p>`;
  if (!loaded.data) return html`<${PageHeading}>${title}</${PageHeading}><${Loading} error=${loaded.error} what=${title} />`;
  const { head, signed, entries } = loaded.data;
  const first = entries.length ? entries[0].index : 0;
  const bad = entries.filter((e) => !e.included || e.bad).length;
  return html`
    <${PageHeading}>${title}</${PageHeading}>
    <div class=${signed && !bad ? 'notice' : 'notice notice-error'} role="status">
      <p><strong>Signed head of ${head.size} entries</strong>, ${dateTime(head.timestamp)}, ledger key <code>${head.key_id}</code>:${' '}
        <${Verdict} ok=${signed} yes="signature verified in this browser" no="signature does NOT verify" /></p>
      <p>Root <code class="hash">${head.root}</code></p>
      <p>${entries.length - bad} of ${entries.length} entries shown proved included in it${bad ? html`; <strong>${bad} fail their check</strong>` : ''}.
        Entries written since this head appear once the next head is signed.</p>
    </div>
    <p class="pager">
      ${first > 0 ? html`<button type="button" class="button button-secondary" onClick=${() => setStart(Math.max(0, first - kPage))}>Earlier entries</button>` : null}
      ${first + entries.length < head.size ? html` <button type="button" class="button button-secondary" onClick=${() => setStart(first + kPage)}>Later entries</button>` : null}
    </p>
    <div class="table-wrap"><table class="table">
      <caption class="visually-hidden">${title}: entries ${first} to ${first + entries.length - 1}, each with its proof checked</caption>
      <${Table} entries=${entries} />
    </table></div>`;
}
