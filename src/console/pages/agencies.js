// The agency registry: who may ask, the e-mail domains that vouch for a requester, and the
// number staff call back (never one a request gives). Staff read it; an administrator edits an
// agency, adds or removes one, or imports a whole registry file (spec/agencies.example.json's
// form). Every change replaces the registry as one audited step; the server checks it whole.
import { html, useState } from '../vendor/preact-htm.js';
import { ApiError, get, put } from '../api.js';
import { words } from '../format.js';
import { ErrorSummary, Field, FileForm, Loading, PageHeading, describedBy, errorFor, fieldId, useLoad,
         useSubmit } from '../ui.js';

const kTypes = ['federal', 'state', 'local', 'foreign', 'private'];
const kFields = ['id', 'name', 'country', 'jurisdiction', 'type', 'domains', 'phone'];
const kBlank = { id: '', name: '', country: '', jurisdiction: '', type: '', domains: '', phone: '' };

// The registry with `agency` in place `index` (appended when index is the length).
function replaced(agencies, index, agency) {
  const out = agencies.slice();
  out[index] = agency;
  return out;
}

// The server names a registry's fault by its place in the document and a pointer
// ("registry:1:69: /3/phone: …"): a fault of the agency edited goes beside the form's field.
async function putEditing(list, index) {
  try {
    return await put('/api/v1/agencies', list);
  } catch (e) {
    const at = e instanceof ApiError && (e.problem.detail || '').match(/(?:^|: )\/(\d+)(\/\w+)?(?:\/\d+)?: (.*)$/);
    if (at && Number(at[1]) === index) {
      throw new ApiError(e.status, { ...e.problem, field: at[2] || '', detail: at[3] });
    }
    throw e;
  }
}

function TextField({ name, label, hint, value, errors, onInput, width = 'input', readOnly }) {
  const error = errorFor(errors, name);
  return html`<${Field} name=${name} label=${label} hint=${hint} error=${error}>
    <input class=${width} id=${fieldId(name)} value=${value} readOnly=${readOnly} onInput=${(e) => onInput(e.target.value)}
           aria-describedby=${describedBy(name, hint, error)} aria-invalid=${error ? 'true' : undefined} />
  </${Field}>`;
}

function AgencyForm({ agencies, index, onDone, onCancel }) {
  const existing = agencies[index];
  const [form, setForm] = useState(existing ? { ...existing, domains: existing.domains.join(', ') } : kBlank);
  const { errors, setErrors, busy, run } = useSubmit(kFields);
  const set = (name) => (value) => setForm({ ...form, [name]: value });
  const submit = async (event) => {
    event.preventDefault();
    const missing = ['id', 'name', 'country', 'jurisdiction', 'type', 'phone'].filter((f) => !form[f].trim());
    if (missing.length) return setErrors(missing.map((f) => ({ field: f, message: `Enter the agency’s ${words(f)}` })));
    if (!existing && agencies.some((a) => a.id === form.id.trim())) {
      return setErrors([{ field: 'id', message: `An agency with the id ${form.id.trim()} is already in the registry` }]);
    }
    const agency = { id: form.id.trim(), name: form.name.trim(), country: form.country.trim().toUpperCase(),
                     jurisdiction: form.jurisdiction.trim(), type: form.type,
                     domains: form.domains.split(/[\s,]+/).filter(Boolean), phone: form.phone.trim() };
    if (await run(() => putEditing(replaced(agencies, index, agency), index))) onDone();
  };
  const typeError = errorFor(errors, 'type');
  return html`<form onSubmit=${submit} novalidate class="panel" aria-labelledby="agency-form-title">
    <h2 id="agency-form-title">${existing ? `Edit ${existing.name}` : 'Add an agency'}</h2>
    <${ErrorSummary} errors=${errors} />
    <${TextField} name="id" label="Id" hint="How requests and tokens name the agency; it cannot change once used."
      value=${form.id} errors=${errors} onInput=${set('id')} width="input input-medium" readOnly=${!!existing} />
    <${TextField} name="name" label="Name" value=${form.name} errors=${errors} onInput=${set('name')} />
    <${TextField} name="country" label="Country" hint="Two letters (ISO 3166-1), such as US." value=${form.country}
      errors=${errors} onInput=${set('country')} width="input input-short" />
    <${TextField} name="jurisdiction" label="Jurisdiction" hint="Such as US-NY, or US for a federal agency." value=${form.jurisdiction}
      errors=${errors} onInput=${set('jurisdiction')} width="input input-medium" />
    <${Field} name="type" label="Type" error=${typeError}>
      <select class="select" id=${fieldId('type')} value=${form.type} onChange=${(e) => set('type')(e.target.value)}
              aria-describedby=${describedBy('type', '', typeError)} aria-invalid=${typeError ? 'true' : undefined}>
        <option value="">Choose</option>${kTypes.map((t) => html`<option value=${t}>${t}</option>`)}
      </select>
    </${Field}>
    <${TextField} name="domains" label="E-mail domains" hint="A requester writing from one of these is taken as the agency’s; separate them with commas."
      value=${form.domains} errors=${errors} onInput=${set('domains')} />
    <${TextField} name="phone" label="Callback number" hint="The number staff call to confirm a request; from the agency’s own published directory."
      value=${form.phone} errors=${errors} onInput=${set('phone')} width="input input-medium" />
    <div class="actions">
      <button type="submit" class="button" disabled=${busy}>${existing ? 'Save the agency' : 'Add the agency'}</button>
      <button type="button" class="button button-secondary" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}

// A registry file read in the browser and sent whole; a file that is not JSON is refused
// here, naming where, and anything else by the server, naming the agency and field.
function importRegistry(text) {
  let registry;
  try {
    registry = JSON.parse(text);
  } catch (e) {
    return Promise.reject(new ApiError(400, { title: 'Not JSON', detail: `The file is not JSON: ${e.message}` }));
  }
  return put('/api/v1/agencies', registry);
}

function ImportForm({ onDone }) {
  return html`<${FileForm} id="import-title" title="Import a registry" label="Registry file"
    hint="A JSON array of agencies, as spec/agencies.example.json shows. It replaces the whole registry."
    accept="application/json,.json" missing="Choose a registry file" button="Import and replace"
    send=${importRegistry} onDone=${onDone} />`;
}

export function Agencies({ session }) {
  const loaded = useLoad(() => get('/api/v1/agencies'), []);
  const [editing, setEditing] = useState(null);  // an index, the length for a new one, or null
  const [importing, setImporting] = useState(false);
  const [removing, setRemoving] = useState(null);
  const removal = useSubmit();
  const admin = session.roles.includes('admin');
  if (!loaded.data) return html`<${PageHeading}>Agencies</${PageHeading}><${Loading} error=${loaded.error} what="The registry" />`;
  const agencies = loaded.data;
  const done = () => {
    setEditing(null);
    setImporting(false);
    setRemoving(null);
    loaded.reload();
  };
  const remove = async (index) => {
    if (await removal.run(() => put('/api/v1/agencies', agencies.filter((_, i) => i !== index)))) done();
  };
  return html`
    <${PageHeading}>Agencies</${PageHeading}>
    <p class="lede">${agencies.length} ${agencies.length === 1 ? 'agency' : 'agencies'} in the registry. A requester is confirmed by
      their agency’s e-mail domain or by a call to the number here.</p>
    ${admin && editing === null && !importing ? html`<div class="actions">
      <button type="button" class="button" onClick=${() => setEditing(agencies.length)}>Add an agency</button>
      <button type="button" class="button button-secondary" onClick=${() => setImporting(true)}>Import a registry file</button></div>` : null}
    ${editing !== null ? html`<${AgencyForm} agencies=${agencies} index=${editing} onDone=${done} onCancel=${() => setEditing(null)} />` : null}
    ${importing ? html`<${ImportForm} onDone=${done} />` : null}
    <${ErrorSummary} errors=${removal.errors} />
    ${agencies.length ? html`<div class="table-wrap"><table class="table">
      <caption class="visually-hidden">The agency registry</caption>
      <thead><tr><th scope="col">Agency</th><th scope="col">Type</th><th scope="col">Jurisdiction</th>
        <th scope="col">E-mail domains</th><th scope="col">Callback number</th>${admin ? html`<th scope="col"><span class="visually-hidden">Change</span></th>` : null}</tr></thead>
      <tbody>${agencies.map((a, i) => html`<tr>
        <td>${a.name}<div class="hint"><code>${a.id}</code></div></td><td>${a.type}</td><td>${a.jurisdiction} (${a.country})</td>
        <td>${a.domains.join(', ') || '—'}</td><td>${a.phone}</td>
        ${admin ? html`<td class="row-actions">${removing === i
          ? html`<span>Remove ${a.name}?</span>
              <button type="button" class="button button-warning" disabled=${removal.busy} onClick=${() => remove(i)}>Yes, remove</button>
              <button type="button" class="button button-secondary" onClick=${() => setRemoving(null)}>Keep</button>`
          : html`<button type="button" class="button button-secondary" onClick=${() => setEditing(i)} aria-label=${'Edit ' + a.name}>Edit</button>
              <button type="button" class="button button-secondary" onClick=${() => setRemoving(i)} aria-label=${'Remove ' + a.name}>Remove</button>`}</td>` : null}
      </tr>`)}</tbody>
    </table></div>` : html`<p>The registry is empty.${admin ? ' Add an agency or import a registry file.' : ''}</p>`}`;
}
