// The signed-in person's own account: their password, changed with the current one; their
// other sessions end (POST /api/v1/auth/password).
import { html, useState } from '../vendor/preact-htm.js';
import { ApiError, post } from '../api.js';
import { ErrorSummary, Field, PageHeading, describedBy, errorFor, fieldId, useSubmit } from '../ui.js';

const kMinimum = 12;

export function Account({ session }) {
  const [form, setForm] = useState({ current: '', fresh: '', again: '' });
  const [changed, setChanged] = useState(false);
  const { errors, setErrors, busy, run } = useSubmit(['current', 'new']);
  const submit = async (event) => {
    event.preventDefault();
    const missing = [];
    if (!form.current) missing.push({ field: 'current', message: 'Enter your password now' });
    if (form.fresh.length < kMinimum) missing.push({ field: 'new', message: `Enter a new password of at least ${kMinimum} characters` });
    else if (form.fresh !== form.again) missing.push({ field: 'again', message: 'Enter the same new password twice' });
    if (missing.length) return setErrors(missing);
    const ok = await run(() => post('/api/v1/auth/password', { current: form.current, new: form.fresh }).catch((e) => {
      if (e instanceof ApiError && e.kind === 'invalid-credentials') e.problem.field = '/current';
      throw e;
    }));
    setForm({ current: '', fresh: '', again: '' });
    setChanged(ok);
  };
  const input = (name, key, label, hint, autocomplete) => {
    const error = errorFor(errors, name);
    return html`<${Field} name=${name} label=${label} hint=${hint} error=${error}>
      <input class="input input-medium" type="password" id=${fieldId(name)} value=${form[key]} autocomplete=${autocomplete}
             onInput=${(e) => setForm({ ...form, [key]: e.target.value })}
             aria-describedby=${describedBy(name, hint, error)} aria-invalid=${error ? 'true' : undefined} />
    </${Field}>`;
  };
  return html`<div class="narrow">
    <${ErrorSummary} errors=${errors} />
    <${PageHeading} caption=${session.user}>Your account</${PageHeading}>
    <p>Roles: ${session.roles.join(', ')}.</p>
    ${changed ? html`<div class="notice" role="status"><p>Your password is changed. Your other sessions have ended.</p></div>` : null}
    <form onSubmit=${submit} novalidate>
      <h2>Change your password</h2>
      ${input('current', 'current', 'Your password now', '', 'current-password')}
      ${input('new', 'fresh', 'New password', `At least ${kMinimum} characters.`, 'new-password')}
      ${input('again', 'again', 'The new password again', '', 'new-password')}
      <button type="submit" class="button" disabled=${busy}>Change the password</button>
    </form>
  </div>`;
}
