// API tokens, for administrators: services that send the access log, requesters' machine
// clients (each acting for an active requester account, with its agency and address), outside
// auditors. A new token's secret is shown
// once; custodian keeps only its hash. A revoked token opens nothing from then on.
import { html, useState } from '../vendor/preact-htm.js';
import { get, post } from '../api.js';
import { dateTime, words } from '../format.js';
import { ErrorSummary, Field, Fieldset, Loading, PageHeading, Tag, describedBy, errorFor, fieldId, useLoad,
         useSubmit } from '../ui.js';

const kKinds = [['service', 'A service', 'sends subscriber records and the access log to the vault'],
                ['requester', 'A requester', 'an officer of a registered agency, using the portal'],
                ['external_auditor', 'An outside auditor', 'reads the disclosure log to recount reports']];

function CreateToken({ accounts, onCreated, onCancel }) {
  const [form, setForm] = useState({ kind: '', name: '', account: '' });
  const { errors, setErrors, busy, run } = useSubmit(['kind', 'name', 'account']);
  const set = (part) => (e) => setForm({ ...form, [part]: e.target.value });
  const submit = async (event) => {
    event.preventDefault();
    const missing = [];
    if (!form.kind) missing.push({ field: 'kind', message: 'Choose who the token is for' });
    if (!form.name.trim()) missing.push({ field: 'name', message: 'Enter a name for the token' });
    if (form.kind === 'requester' && !form.account) missing.push({ field: 'account', message: 'Choose the requester’s account' });
    if (missing.length) return setErrors(missing);
    const body = { kind: form.kind, name: form.name.trim() };
    if (form.kind === 'requester') body.account = form.account;
    let created;
    if (await run(async () => { created = await post('/api/v1/tokens', body); })) onCreated(created);
  };
  const kindError = errorFor(errors, 'kind');
  const field = (name, label, hint, input) => {
    const error = errorFor(errors, name);
    return html`<${Field} name=${name} label=${label} hint=${hint} error=${error}>${input(describedBy(name, hint, error), error)}</${Field}>`;
  };
  return html`<form onSubmit=${submit} novalidate class="panel" aria-labelledby="token-title">
    <h2 id="token-title">Make a token</h2>
    <${ErrorSummary} errors=${errors} />
    <${Fieldset} name="kind" legend="Who it is for" error=${kindError}>
      ${kKinds.map(([kind, label, hint], i) => html`<div class="radio">
        <input type="radio" name="kind" id=${i === 0 ? fieldId('kind') : fieldId('kind-' + kind)} checked=${form.kind === kind}
               onChange=${() => setForm({ ...form, kind })} />
        <label for=${i === 0 ? fieldId('kind') : fieldId('kind-' + kind)}>${label} <span class="hint">${hint}</span></label></div>`)}
    </${Fieldset}>
    ${field('name', 'Name', 'What the audit log calls its holder, such as the service or the officer.', (described, error) => html`
      <input class="input input-medium" id=${fieldId('name')} value=${form.name} onInput=${set('name')}
             aria-describedby=${described} aria-invalid=${error ? 'true' : undefined} />`)}
    ${form.kind === 'requester' ? html`
      ${field('account', 'The requester’s account', 'An active account: the token acts for it, its agency and its address.', (described, error) => html`
        <select class="select" id=${fieldId('account')} value=${form.account} onChange=${set('account')}
                aria-describedby=${described} aria-invalid=${error ? 'true' : undefined}>
          <option value="">Choose</option>${accounts.filter((a) => a.state === 'active').map((a) => html`<option value=${a.id}>${a.name} (${a.email})</option>`)}
        </select>`)}` : null}
    <div class="actions">
      <button type="submit" class="button" disabled=${busy}>Make the token</button>
      <button type="button" class="button button-secondary" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}

export function Tokens({ session }) {
  const admin = session.roles.includes('admin');
  const loaded = useLoad(async () => {
    if (!admin) return null;
    const [tokens, agencies, accounts] = await Promise.all([get('/api/v1/tokens'), get('/api/v1/agencies'),
                                                            get('/api/v1/requesters')]);
    return { tokens, agencies, accounts };
  }, [admin]);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState(null);
  const revoke = useSubmit();
  if (!admin) return html`<${PageHeading}>API tokens</${PageHeading}><p>Only administrators manage API tokens.</p>`;
  if (!loaded.data) return html`<${PageHeading}>API tokens</${PageHeading}><${Loading} error=${loaded.error} what="The tokens" />`;
  const { tokens, agencies, accounts } = loaded.data;
  const agencyName = (id) => (agencies.find((a) => a.id === id) || { name: id }).name;
  // A requester's token acts for an account: the address it acts as, beside the agency.
  const accountOf = (id) => (accounts.find((a) => a.id === id) || { email: id }).email;
  return html`
    <${PageHeading}>API tokens</${PageHeading}>
    ${created ? html`<div class="notice" role="status">
      <p><strong>The token for ${created.name} is made.</strong> Give it to its holder by a channel you trust; it is not shown again:</p>
      <p><code class="secret hash" id="new-token">${created.token}</code></p>
      <button type="button" class="button button-secondary" onClick=${() => setCreated(null)}>Done</button></div>` : null}
    ${!creating && !created ? html`<p><button type="button" class="button" onClick=${() => setCreating(true)}>Make a token</button></p>` : null}
    ${creating ? html`<${CreateToken} accounts=${accounts} onCancel=${() => setCreating(false)}
        onCreated=${(t) => { setCreated(t); setCreating(false); loaded.reload(); }} />` : null}
    <${ErrorSummary} errors=${revoke.errors} />
    ${tokens.length ? html`<div class="table-wrap"><table class="table">
      <caption class="visually-hidden">API tokens, oldest first</caption>
      <thead><tr><th scope="col">Token</th><th scope="col">For</th><th scope="col">Made</th><th scope="col">Status</th>
        <th scope="col"><span class="visually-hidden">Change</span></th></tr></thead>
      <tbody>${tokens.map((t) => html`<tr>
        <td>${t.name}<div class="hint"><code>${t.id}</code></div></td>
        <td>${words(t.kind)}${t.agency_id ? html`<div class="hint">${agencyName(t.agency_id)}</div>` : null}
          ${t.account ? html`<div class="hint">as ${accountOf(t.account)}</div>` : null}</td>
        <td>${dateTime(t.created_at)}</td>
        <td>${t.revoked ? html`<${Tag} kind="grey">revoked</${Tag}>` : 'in use'}</td>
        <td>${t.revoked ? null : html`<button type="button" class="button button-secondary" aria-label=${'Revoke ' + t.name}
            disabled=${revoke.busy} onClick=${async () => { if (await revoke.run(() => post(`/api/v1/tokens/${t.id}/revoke`))) loaded.reload(); }}>Revoke</button>`}</td>
      </tr>`)}</tbody>
    </table></div>` : html`<p>No token has been made.</p>`}`;
}
