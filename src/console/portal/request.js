// One request as its requester follows it: where it stands and by when, what the standards
// found, the letter of a reviewer who pushed it back (and amending it), withdrawing it, its
// documents, the colleagues it is shared with, and its packages — each downloaded once, with
// what the requester needs to check it offline.
import { html, useState } from '/console/vendor/preact-htm.js';
import { get, post } from '/console/api.js';
import { dateTime, words } from '/console/format.js';
import { ErrorSummary, Field, Loading, PageHeading, Row, StateTag, Tag, describedBy, errorFor, fieldId, useLoad, useSubmit } from '/console/ui.js';
import { attach, kFileHint } from './new_request.js';
import { Shares } from './shares.js';

// Where a requester may still withdraw: open, and nothing produced yet.
const kWithdrawable = ['received', 'verifying', 'in_review', 'pushed_back', 'reviewed', 'approved', 'awaiting_notice', 'holding'];

const kSeverityTags = { refuse: 'red', narrow: 'yellow', pushback: 'yellow', note: 'blue' };

function Findings({ findings }) {
  if (!findings || !findings.length) return html`<p>The standards found nothing to narrow or refuse.</p>`;
  return html`<ul class="plain findings">${findings.map((f) => html`<li>
    <${Tag} kind=${kSeverityTags[f.severity]}>${words(f.severity)}</${Tag}> ${f.message}
    ${f.citation ? html` <span class="hint">(${f.citation})</span>` : null}</li>`)}</ul>`;
}

function Withdraw({ id, onDone }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const { errors, busy, run } = useSubmit(['reason']);
  if (!open) {
    return html`<button type="button" class="button button-warning" onClick=${() => setOpen(true)}>Withdraw this request</button>`;
  }
  const submit = async (event) => {
    event.preventDefault();
    const body = reason.trim() ? { reason: reason.trim() } : undefined;
    if (await run(() => post(`/api/v1/portal/requests/${id}/withdraw`, body))) onDone();
  };
  const error = errorFor(errors, 'reason');
  const hint = 'Optional; the service keeps it with the case';
  return html`<form class="panel" onSubmit=${submit} novalidate aria-labelledby="withdraw-title">
    <h2 id="withdraw-title">Withdraw ${id}</h2>
    <${ErrorSummary} errors=${errors} />
    <p>Withdrawing ends the request: nothing more is produced for it, and a preservation made for it alone is
      released. It cannot be undone; send a new request if you need the records later.</p>
    <${Field} name="reason" label="Why" hint=${hint} error=${error}>
      <textarea class="textarea" rows="3" id=${fieldId('reason')} value=${reason} onInput=${(e) => setReason(e.target.value)}
                aria-describedby=${describedBy('reason', hint, error)}></textarea>
    </${Field}>
    <div class="button-group">
      <button type="submit" class="button button-warning" disabled=${busy}>Withdraw the request</button>
      <button type="button" class="button button-secondary" onClick=${() => setOpen(false)}>Keep it</button>
    </div>
  </form>`;
}

function Documents({ request, onDone }) {
  const { errors, setErrors, run, busy } = useSubmit(['file']);
  const submit = async (event) => {
    event.preventDefault();
    const file = document.getElementById(fieldId('file')).files[0];
    if (!file) return setErrors([{ field: 'file', message: 'Choose the signed process, as a PDF' }]);
    if (await run(() => attach(request.id, file))) onDone();
  };
  const error = errorFor(errors, 'file');
  const documents = request.documents || [];
  return html`<section aria-labelledby="documents-title">
    <h2 id="documents-title">Documents</h2>
    ${documents.length ? html`<ul class="plain">${documents.map((d) => html`<li>${d.name}${' '}
      <span class="hint">SHA-256 <code>${d.sha256}</code></span></li>`)}</ul>` : html`<p>No signed process is attached yet.</p>`}
    ${!request.sent_by_you || ['produced', 'closed', 'rejected', 'released', 'expired', 'withdrawn'].includes(request.state) ? null : html`
      <form onSubmit=${submit} novalidate>
        <${ErrorSummary} errors=${errors} />
        <${Field} name="file" label="Attach a signed document (PDF)" hint=${kFileHint} error=${error}>
          <input type="file" class="file" id=${fieldId('file')} accept="application/pdf"
                 aria-describedby=${describedBy('file', kFileHint, error)} aria-invalid=${error ? 'true' : undefined} />
        </${Field}>
        <button type="submit" class="button button-secondary" disabled=${busy}>Attach</button>
      </form>`}
  </section>`;
}

function Packages({ id }) {
  const { data, error, loading } = useLoad(() => get(`/api/v1/portal/requests/${id}/productions`), [id]);
  if (loading || error) return html`<${Loading} error=${error} what="The packages" />`;
  if (!data.length) return null;
  return html`<section aria-labelledby="packages-title">
    <h2 id="packages-title">Packages</h2>
    ${data.map((p) => html`<div class="panel">
      <dl class="summary">
        <${Row} term="Produced">${dateTime(p.produced_at)}</${Row}>
        <${Row} term="Size">${p.package_bytes.toLocaleString('en')} bytes</${Row}>
        <${Row} term="SHA-256 of the package"><code class="hash">${p.package_sha256}</code></${Row}>
      </dl>
      ${p.downloads.map((g) => (g.state === 'open'
        ? html`<p><a class="button" href=${g.href} download>Download the package</a>
            <span class="hint"> It can be downloaded once, until ${dateTime(g.expires_at)}.</span></p>`
        : html`<p class="hint">A download ${words(g.state)} (${dateTime(g.expires_at)}).</p>`))}
      ${p.downloads.some((g) => g.state === 'open') ? null
        : html`<p>No download is open. Ask the service for a new one if you need the package again.</p>`}
    </div>`)}
    <details><summary>How to check a package offline</summary>
      <ol>
        <li>Its SHA-256 (<code>sha256sum</code> on Linux, <code>shasum -a 256</code> on macOS,
          <code>certutil -hashfile FILE SHA256</code> on Windows) must be the one above.</li>
        <li>Inside, <code>manifest.json</code> lists every file with its SHA-256, and <code>manifest.sig</code>
          is the service’s Ed25519 signature of it; the service’s public keys are at
          <a href="/api/v1/keys" target="_blank" rel="noopener">/api/v1/keys</a>.</li>
        <li>The package’s entry in the service’s disclosure log is proven by the inclusion proof it carries,
          against a signed tree head the service publishes at <code>/api/v1/ledger/disclosures/head</code>.</li>
        <li><code>custodian verify PACKAGE.zip --public-key keys.json</code> does all of it; the service’s
          documentation shows each step with OpenSSL and Python alone.</li>
      </ol>
    </details>
  </section>`;
}

export function RequestPage({ id, session }) {
  const { data: request, error, loading, reload } = useLoad(() => get(`/api/v1/portal/requests/${id}`), [id]);
  const heading = html`<${PageHeading} caption="Request">${id}</${PageHeading}>`;
  if (loading && !request) return html`${heading}<${Loading} what="The request" />`;
  if (error) return html`${heading}<${Loading} error=${error} what="The request" />`;
  return html`${heading}
    <dl class="summary">
      <${Row} term="State"><${StateTag} state=${request.state} /></${Row}>
      <${Row} term="Process">${words(request.process_type)}</${Row}>
      <${Row} term="Received">${dateTime(request.received_at)}</${Row}>
      <${Row} term="Due">${dateTime(request.due_at)}</${Row}>
      <${Row} term="Sent by">${request.shared_by ? request.shared_by : null}</${Row}>
    </dl>
    ${request.pushback_letter && request.state === 'pushed_back' ? html`<div class="notice notice-warning" role="note">
      <h2>The service pushed this request back</h2><p class="letter">${request.pushback_letter.text}</p>
      ${request.sent_by_you ? html`<p><a class="button" href=${`#/requests/${id}/amend`}>Amend the request</a></p>` : null}
    </div>` : null}
    <section aria-labelledby="findings-title">
      <h2 id="findings-title">What the service’s standards found</h2>
      <${Findings} findings=${request.findings} />
    </section>
    <${Packages} id=${id} />
    <${Documents} request=${request} onDone=${reload} />
    ${request.pushback_letter && request.state !== 'pushed_back' ? html`<details class="earlier-letter">
      <summary>An earlier version was pushed back: the service’s letter</summary>
      <p class="letter">${request.pushback_letter.text}</p>
    </details>` : null}
    <${Shares} request=${request} session=${session} />
    ${request.sent_by_you && kWithdrawable.includes(request.state) ? html`<section aria-labelledby="end-title">
      <h2 id="end-title">No longer needed?</h2><${Withdraw} id=${id} onDone=${reload} /></section>` : null}`;
}
