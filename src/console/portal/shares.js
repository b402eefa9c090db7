// The colleagues a request is shared with: confirmed requesters of the same agency, at most
// five, added and removed by the requester who sent it. Each change is audited by the server.
import { html, useState } from '/console/vendor/preact-htm.js';
import { get, post } from '/console/api.js';
import { ErrorSummary, Field, Loading, describedBy, errorFor, fieldId, useLoad, useSubmit } from '/console/ui.js';

const kMaxShares = 5;

export function Shares({ request, session }) {
  const { data, error, loading, reload } = useLoad(() => get(`/api/v1/portal/requests/${request.id}/shares`), [request.id]);
  const [email, setEmail] = useState('');
  const { errors, setErrors, busy, run } = useSubmit(['email']);
  if (loading && !data) return html`<${Loading} what="The colleagues" />`;
  if (error) return html`<${Loading} error=${error} what="The colleagues" />`;
  const mine = request.sent_by_you;
  const add = async (event) => {
    event.preventDefault();
    if (!email.trim()) return setErrors([{ field: 'email', message: 'Enter a colleague’s e-mail address' }]);
    if (await run(() => post(`/api/v1/portal/requests/${request.id}/shares`, { email: email.trim() }))) {
      setEmail('');
      reload();
    }
  };
  const remove = async (account) => {
    if (await run(() => post(`/api/v1/portal/requests/${request.id}/shares/${account}/remove`))) reload();
  };
  const fieldError = errorFor(errors, 'email');
  const hint = `A confirmed requester of ${session.account.agency}; up to ${kMaxShares}`;
  return html`<section aria-labelledby="shares-title">
    <h2 id="shares-title">Shared with</h2>
    <${ErrorSummary} errors=${errors} />
    ${data.length ? html`<ul class="plain">${data.map((s) => html`<li>${s.name} (${s.email})
      ${mine ? html` <button type="button" class="button button-secondary" disabled=${busy} onClick=${() => remove(s.id)}>Stop sharing</button>` : null}</li>`)}</ul>`
      : html`<p>Nobody else sees this request.</p>`}
    ${mine && data.length < kMaxShares ? html`<form onSubmit=${add} novalidate>
      <${Field} name="email" label="Share with a colleague" hint=${hint} error=${fieldError}>
        <input class="input" type="email" id=${fieldId('email')} value=${email} onInput=${(e) => setEmail(e.target.value)}
               autocomplete="off" spellcheck="false" aria-describedby=${describedBy('email', hint, fieldError)}
               aria-invalid=${fieldError ? 'true' : undefined} />
      </${Field}>
      <button type="submit" class="button button-secondary" disabled=${busy}>Share</button>
    </form>` : null}
  </section>`;
}
