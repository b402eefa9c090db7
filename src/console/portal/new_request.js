// A new request, or an amendment of one pushed back: a form that mirrors the request
// document, section by section, with the signed process as a PDF and the attestation the
// service's standards ask of every submission. The server checks the document as it checks
// any (the same messages as the API), and each of its refusals goes beside the field it names.
import { html, useState } from '/console/vendor/preact-htm.js';
import { get, post, ApiError, Text } from '/console/api.js';
import { words } from '/console/format.js';
import { ErrorSummary, Field, Fieldset, Loading, PageHeading, describedBy, errorFor, fieldId, useLoad, useSubmit } from '/console/ui.js';
import { documentOf, emptyModel, kCategories, kInvestigationTypes, kProcessTypes, kTargetTypes, missingParts, modelOf }
  from './request_document.js';

const kFields = ['requester/officer', 'requester/badge', 'requester/phone', 'process/type', 'process/authority',
  'process/statute', 'process/issued_by', 'process/reference', 'process/issued_on', 'process/return_by', 'process/signed',
  'emergency/danger', 'emergency', 'purpose/investigation_type', 'purpose/offense', 'purpose/legal_basis',
  'purpose/factual_basis', 'purpose', 'targets', 'window', 'times', 'categories', 'nondisclosure/authority',
  'nondisclosure/until', 'nondisclosure', 'file', 'attestation_sha256'];

const kTimesHint = 'One a line, like 2026-01-31 18:00:05, in UTC';
export const kFileHint = 'Up to 20 MB';

// Sends the signed process to the case; a refusal is about the file.
export function attach(id, file) {
  return post(`/api/v1/portal/requests/${id}/documents?name=${encodeURIComponent(file.name)}`, new Text(file, 'application/pdf'))
    .catch((e) => {
      if (e instanceof ApiError) e.problem.field = '/file';
      throw e;
    });
}

export function NewRequest({ amending }) {
  const attestation = useLoad(() => get('/api/v1/portal/attestation'), []);
  const existing = useLoad(() => (amending ? get(`/api/v1/portal/requests/${amending}`) : Promise.resolve(null)), [amending]);
  const heading = html`<${PageHeading} caption=${amending}>${amending ? 'Amend the request' : 'Send a new request'}</${PageHeading}>`;
  if (attestation.loading || attestation.error) return html`${heading}<${Loading} error=${attestation.error} what="The attestation" />`;
  if (existing.loading || existing.error) return html`${heading}<${Loading} error=${existing.error} what="The request" />`;
  if (amending && existing.data.state !== 'pushed_back') {
    return html`${heading}<p>Only a request the service pushed back can be amended; ${amending} is ${words(existing.data.state)}.
      <a href=${`#/requests/${amending}`}>Back to the request</a>.</p>`;
  }
  return html`${heading}<${RequestForm} amending=${amending} attestation=${attestation.data}
    start=${existing.data ? modelOf(existing.data.request) : emptyModel()} letter=${existing.data && existing.data.pushback_letter && existing.data.pushback_letter.text} />`;
}

function RequestForm({ amending, attestation, start, letter }) {
  const [model, setModel] = useState(start);
  const [attested, setAttested] = useState(false);
  const [created, setCreated] = useState(null);  // a case made whose document did not go
  const { errors, setErrors, busy, run } = useSubmit(kFields);
  const set = (part, key) => (event) => {
    const value = event.target.type === 'checkbox' ? event.target.checked : event.target.value;
    setModel({ ...model, [part]: key ? { ...model[part], [key]: value } : value });
  };
  const err = (name) => errorFor(errors, name);

  const submit = async (event) => {
    event.preventDefault();
    const file = document.getElementById(fieldId('file')).files[0];
    const found = missingParts(model);
    if (!amending && !file) found.push({ field: 'file', message: 'Choose the signed process, as a PDF' });
    if (!attested) found.push({ field: 'attestation_sha256', message: 'Confirm the attestation to send the request' });
    setErrors(found);
    if (found.length) return;
    let id = amending;
    const sent = await run(async () => {
      const body = { request: documentOf(model), attestation_sha256: attestation.sha256 };
      const path = amending ? `/api/v1/portal/requests/${amending}/amend` : '/api/v1/portal/requests';
      try {
        id = (await post(path, body)).id;
      } catch (e) {
        // The document's own fields are named within the envelope: /request/process/type.
        if (e instanceof ApiError && (e.problem.field || '').startsWith('/request/')) e.problem.field = e.problem.field.slice(8);
        throw e;
      }
      if (file) {
        setCreated(id);
        await attach(id, file);
      }
    });
    if (sent) location.hash = `#/requests/${id}`;
  };

  const text = (part, key, label, hint, attributes = {}) => {
    const name = `${part}/${key}`;
    const error = err(name);
    return html`<${Field} name=${name} label=${label} hint=${hint} error=${error}>
      <input class=${attributes.class || 'input'} id=${fieldId(name)} value=${model[part][key]} onInput=${set(part, key)}
             aria-describedby=${describedBy(name, hint, error)} aria-invalid=${error ? 'true' : undefined} ...${attributes} />
    </${Field}>`;
  };
  const area = (part, key, label, hint) => {
    const name = `${part}/${key}`;
    const error = err(name);
    return html`<${Field} name=${name} label=${label} hint=${hint} error=${error}>
      <textarea class="textarea" rows="4" id=${fieldId(name)} value=${model[part][key]} onInput=${set(part, key)}
                aria-describedby=${describedBy(name, hint, error)} aria-invalid=${error ? 'true' : undefined}></textarea>
    </${Field}>`;
  };
  const choice = (part, key, label, options, hint) => {
    const name = `${part}/${key}`;
    const error = err(name);
    return html`<${Field} name=${name} label=${label} hint=${hint} error=${error}>
      <select class="select" id=${fieldId(name)} value=${model[part][key]} onChange=${set(part, key)}
              aria-describedby=${describedBy(name, hint, error)} aria-invalid=${error ? 'true' : undefined}>
        <option value="">Choose…</option>
        ${options.map((o) => html`<option value=${o}>${words(o)}</option>`)}
      </select>
    </${Field}>`;
  };
  const check = (part, key, label) => html`<div class="check">
    <input type="checkbox" id=${fieldId(`${part}/${key}`)} checked=${model[part][key]} onChange=${set(part, key)} />
    <label for=${fieldId(`${part}/${key}`)}>${label}</label></div>`;

  const setTarget = (i, key) => (event) => setModel({ ...model,
    targets: model.targets.map((t, j) => (j === i ? { ...t, [key]: event.target.value } : t)) });
  const targetsError = err('targets');
  const windowError = err('window');
  const timesError = err('times');
  const categoriesError = err('categories');
  const fileError = err('file');
  const attestError = err('attestation_sha256');

  return html`
    <${ErrorSummary} errors=${errors} />
    ${created ? html`<div class="notice notice-warning" role="status"><p>The request was received as
      <a href=${`#/requests/${created}`}>${created}</a>, but its document was not attached (see above). Attach it from the request’s page.</p></div>` : null}
    ${letter ? html`<div class="notice" role="note"><h2>What the service asked you to correct</h2><p class="letter">${letter}</p></div>` : null}
    <form onSubmit=${submit} novalidate>
      <h2>The legal process</h2>
      ${choice('process', 'type', 'Type of process', kProcessTypes)}
      ${text('process', 'authority', 'Issuing court or authority', 'Such as “Third Judicial District Court, Doña Ana County”')}
      ${text('process', 'statute', 'Statute it is issued under', 'Such as 18 U.S.C. 2703(d)')}
      ${text('process', 'issued_by', 'Issued by', 'The judge, grand jury or official who signed it')}
      ${text('process', 'reference', 'Reference or docket number')}
      <div class="date-pair">
        ${text('process', 'issued_on', 'Issued on', '', { type: 'date', class: 'input input-medium' })}
        ${text('process', 'return_by', 'Return by', '', { type: 'date', class: 'input input-medium' })}
      </div>
      ${check('process', 'signed', 'The process is signed, and the PDF below is the signed copy')}
      ${model.process.type === 'emergency' ? html`<h2>The emergency</h2>
        ${check('emergency', 'imminent', 'There is an imminent danger of death or serious physical injury')}
        ${area('emergency', 'danger', 'The danger', 'What it is, to whom, and why disclosure cannot wait for process')}` : null}

      <h2>The investigation</h2>
      ${choice('purpose', 'investigation_type', 'Kind of investigation', kInvestigationTypes)}
      ${text('purpose', 'offense', 'Offense or matter')}
      ${area('purpose', 'legal_basis', 'Legal basis', 'The statutes the request is made under')}
      ${area('purpose', 'factual_basis', 'Facts', 'Why these records are relevant to the investigation')}

      <h2>What is asked for</h2>
      <${Fieldset} name="targets" legend="Accounts and identifiers" hint="One a line; an IP address asks which accounts used it" error=${targetsError}>
        ${model.targets.map((t, i) => html`<div class="target-row">
          <label class="visually-hidden" for=${fieldId(i ? `targets-${i}-type` : 'targets-type')}>Kind of identifier ${i + 1}</label>
          <select class="select" id=${fieldId(i ? `targets-${i}-type` : 'targets-type')} value=${kTargetTypes.includes(t.type) ? t.type : 'other'}
                  onChange=${(e) => setTarget(i, 'type')({ target: { value: e.target.value === 'other' ? '' : e.target.value } })}>
            ${kTargetTypes.map((k) => html`<option value=${k}>${words(k)}</option>`)}<option value="other">other</option>
          </select>
          ${kTargetTypes.includes(t.type) ? null : html`<label class="visually-hidden" for=${fieldId(`targets-${i}-kind`)}>Other kind</label>
            <input class="input input-medium" id=${fieldId(`targets-${i}-kind`)} placeholder="kind" value=${t.type} onInput=${setTarget(i, 'type')} />`}
          <label class="visually-hidden" for=${i ? fieldId(`targets-${i}`) : fieldId('targets')}>Identifier ${i + 1}</label>
          <input class="input input-medium" id=${i ? fieldId(`targets-${i}`) : fieldId('targets')} value=${t.value} onInput=${setTarget(i, 'value')}
                 aria-invalid=${targetsError ? 'true' : undefined} />
          ${model.targets.length > 1 ? html`<button type="button" class="button button-secondary"
            onClick=${() => setModel({ ...model, targets: model.targets.filter((_, j) => j !== i) })}>Remove</button>` : null}
        </div>`)}
        <button type="button" class="button button-secondary"
                onClick=${() => setModel({ ...model, targets: [...model.targets, { type: 'account_id', value: '' }] })}>Add another</button>
      </${Fieldset}>
      <${Fieldset} name="categories" legend="Categories of records" hint="Ask only for what the process authorizes" error=${categoriesError}>
        ${kCategories.map((c, i) => html`<div class="check">
          <input type="checkbox" id=${i ? fieldId(`categories-${c}`) : fieldId('categories')} checked=${model.categories.includes(c)}
                 onChange=${(e) => setModel({ ...model, categories: e.target.checked ? [...model.categories, c] : model.categories.filter((x) => x !== c) })} />
          <label for=${i ? fieldId(`categories-${c}`) : fieldId('categories')}>${words(c)}</label></div>`)}
      </${Fieldset}>
      <${Fieldset} name="timing" legend="When" hint="Times are UTC">
        <div class="check"><input type="radio" name="timing" id=${fieldId('timing')} checked=${model.timing === 'window'}
          onChange=${() => setModel({ ...model, timing: 'window' })} /><label for=${fieldId('timing')}>A window of time</label></div>
        <div class="check"><input type="radio" name="timing" id=${fieldId('timing-times')} checked=${model.timing === 'times'}
          onChange=${() => setModel({ ...model, timing: 'times' })} /><label for=${fieldId('timing-times')}>Particular instants (± the minutes the standards allow)</label></div>
      </${Fieldset}>
      ${model.timing === 'window' ? html`<${Fieldset} name="window" legend="Window" hint="From and to, like 2026-01-31 or 2026-01-31 18:00, in UTC" error=${windowError}>
        <div class="date-pair">
          <div><label for=${fieldId('window')}>From (UTC)</label>
            <input class="input input-medium" id=${fieldId('window')} value=${model.window.start} onInput=${set('window', 'start')}
                   aria-invalid=${windowError ? 'true' : undefined} /></div>
          <div><label for=${fieldId('window-end')}>To (UTC)</label>
            <input class="input input-medium" id=${fieldId('window-end')} value=${model.window.end} onInput=${set('window', 'end')}
                   aria-invalid=${windowError ? 'true' : undefined} /></div>
        </div></${Fieldset}>` : html`<${Field} name="times" label="Instants" hint=${kTimesHint} error=${timesError}>
        <textarea class="textarea" rows="4" id=${fieldId('times')} value=${model.times} onInput=${set('times')}
                  aria-describedby=${describedBy('times', kTimesHint, timesError)} aria-invalid=${timesError ? 'true' : undefined}></textarea></${Field}>`}

      <h2>Nondisclosure</h2>
      ${check('nondisclosure', 'ordered', 'A court ordered the service not to notify the account holder')}
      ${model.nondisclosure.ordered ? html`
        ${text('nondisclosure', 'authority', 'The order’s authority', 'Such as 18 U.S.C. 2705(b)')}
        ${text('nondisclosure', 'until', 'It ends on', 'Leave empty when the order states no end', { type: 'date', class: 'input input-medium' })}` : null}

      <h2>You</h2>
      ${text('requester', 'officer', 'Officer', 'Your name and rank as on the process', { autocomplete: 'name' })}
      ${text('requester', 'badge', 'Badge or identification number')}
      ${text('requester', 'phone', 'Telephone', 'Where the service can call you back; the registry’s number is the one it trusts', { type: 'tel', autocomplete: 'tel' })}

      <h2>The signed process</h2>
      <${Field} name="file" label=${amending ? 'A corrected signed process (PDF, optional)' : 'The signed process (PDF)'}
                hint=${kFileHint} error=${fileError}>
        <input type="file" class="file" id=${fieldId('file')} accept="application/pdf"
               aria-describedby=${describedBy('file', kFileHint, fileError)} aria-invalid=${fileError ? 'true' : undefined} />
      </${Field}>

      <${Fieldset} name="attestation_sha256" legend="Attestation" error=${attestError}>
        <blockquote class="attestation">${attestation.text}</blockquote>
        <div class="check"><input type="checkbox" id=${fieldId('attestation_sha256')} checked=${attested}
          onChange=${(e) => setAttested(e.target.checked)} />
          <label for=${fieldId('attestation_sha256')}>I make this attestation, in my official capacity</label></div>
      </${Fieldset}>
      <button type="submit" class="button" disabled=${busy}>${amending ? 'Send the amended request' : 'Send the request'}</button>
    </form>`;
}
