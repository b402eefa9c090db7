// A case's preservation holds: what the vault keeps beyond its retention, for whom, until
// when. A reviewer releases an active hold, or extends it on the agency's renewed request (18
// U.S.C. 2703(f)(2)) within what the standards allow; the server refuses more, beside the field.
import { html, useState } from '../vendor/preact-htm.js';
import { post } from '../api.js';
import { dateTime, relative, words } from '../format.js';
import { ErrorSummary, Field, StepButton, describedBy, errorFor, fieldId, useSubmit } from '../ui.js';

function ExtendForm({ hold, onDone }) {
  const [days, setDays] = useState('90');
  const { errors, setErrors, busy, run } = useSubmit(['days']);
  const name = `days-${hold.id}`;
  const submit = async (event) => {
    event.preventDefault();
    if (!/^\d+$/.test(days.trim()) || Number(days) < 1) return setErrors([{ field: 'days', message: 'Enter a whole number of days' }]);
    if (await run(() => post(`/api/v1/holds/${hold.id}/extend`, { days: Number(days) }))) onDone();
  };
  // The form's one field has an id of its own (a case can have several holds).
  const shown = errors.map((e) => (e.field === 'days' ? { ...e, field: name } : e));
  const error = errorFor(shown, name);
  const hint = 'On the agency’s renewed request; at most what the standards allow (90 days by default).';
  return html`<form onSubmit=${submit} novalidate class="inline-form">
    <${ErrorSummary} errors=${shown} />
    <${Field} name=${name} label="Extend by (days)" hint=${hint} error=${error}>
      <input class="input input-short" id=${fieldId(name)} inputmode="numeric" value=${days} onInput=${(e) => setDays(e.target.value)}
             aria-describedby=${describedBy(name, hint, error)} aria-invalid=${error ? 'true' : undefined} />
    </${Field}>
    <button type="submit" class="button button-secondary" disabled=${busy}>Extend the hold</button>
  </form>`;
}

export function Holds({ kase, session, onDone }) {
  if (!kase.holds.length) return html`<p>No preservation hold.</p>`;
  const reviewer = session.roles.includes('reviewer');
  return html`<div class="table-wrap"><table class="table">
    <caption class="visually-hidden">Preservation holds</caption>
    <thead><tr><th scope="col">Hold</th><th scope="col">Account</th><th scope="col">State</th><th scope="col">Placed</th><th scope="col">Ends</th></tr></thead>
    <tbody>${kase.holds.map((h) => html`<tr>
      <td>${h.id}</td><td><code>${h.account_id}</code></td>
      <td>${words(h.state)}${h.extensions ? html`<div class="hint">extended ${h.extensions} ${h.extensions === 1 ? 'time' : 'times'}</div>` : null}
        ${h.state === 'active' && reviewer ? html`<${StepButton} secondary label="Release" path=${`/api/v1/holds/${h.id}/release`} onDone=${onDone} />
          <${ExtendForm} hold=${h} onDone=${onDone} />` : null}</td>
      <td>${dateTime(h.placed_at)}<div class="hint">by ${h.placed_by}</div></td>
      <td>${h.ended_at ? `${dateTime(h.ended_at)} (${h.ended_by})` : `${dateTime(h.expires_at)} (${relative(h.expires_at)})`}</td>
    </tr>`)}</tbody>
  </table></div>`;
}
