// Sign-in: a name, a password and the code of the user's authenticator app (TOTP), unless the
// instance lets staff sign in without one (auth.require_totp = false). A right password of a
// person with no app yet leads to setting one up (enrol.js).
import { html, useState } from '../vendor/preact-htm.js';
import { post, ApiError } from '../api.js';
import { ErrorSummary, Field, PageHeading, describedBy, errorFor, fieldId } from '../ui.js';
import { Enrol } from './enrol.js';

// Staff sign in by user name; the portal passes its own (requesters sign in by e-mail address).
const kStaff = {
  path: '/api/v1/auth/login',
  name: { key: 'username', label: 'User name', missing: 'Enter your user name', autocomplete: 'username' },
  wrong: 'The name, password or code is wrong',
};

export function SignIn({ onSignedIn, trouble, who = kStaff, children }) {
  const name = who.name.key;
  const messages = {
    'invalid-credentials': ['password', who.wrong],
    'too-many-attempts': ['', 'Too many sign-in attempts from here. Wait a minute, then try again'],
  };
  const [form, setForm] = useState({ [name]: '', password: '', totp: '' });
  const [errors, setErrors] = useState(trouble ? [{ field: '', message: trouble.message }] : []);
  const [busy, setBusy] = useState(false);
  const [ticket, setTicket] = useState(null);  // a first sign-in's enrolment ticket
  const set = (name) => (event) => setForm({ ...form, [name]: event.target.value });

  const submit = async (event) => {
    event.preventDefault();
    const missing = [];
    if (!form[name].trim()) missing.push({ field: name, message: who.name.missing });
    if (!form.password) missing.push({ field: 'password', message: 'Enter your password' });
    if (form.totp && !/^\d{6}$/.test(form.totp.trim())) {
      missing.push({ field: 'totp', message: 'Enter the 6 digits your authenticator app shows' });
    }
    setErrors(missing);
    if (missing.length) return;
    setBusy(true);
    try {
      const body = { [name]: form[name].trim(), password: form.password };
      if (form.totp.trim()) body.totp = form.totp.trim();
      onSignedIn(await post(who.path, body));
    } catch (e) {
      if (e instanceof ApiError && e.problem.enrolment_ticket) return setTicket(e.problem.enrolment_ticket);
      const known = e instanceof ApiError && messages[e.kind];
      setErrors([known ? { field: known[0], message: known[1] } : { field: '', message: e.message }]);
      setForm({ ...form, password: '', totp: '' });
    } finally {
      setBusy(false);
    }
  };

  const field = (name, label, hint, attributes) => {
    const error = errorFor(errors, name);
    return html`<${Field} name=${name} label=${label} hint=${hint} error=${error}>
      <input class="input" id=${fieldId(name)} name=${name} value=${form[name]} onInput=${set(name)}
             aria-describedby=${describedBy(name, hint, error)} aria-invalid=${error ? 'true' : undefined}
             ...${attributes} />
    </${Field}>`;
  };

  if (ticket) {
    return html`<${Enrol} ticket=${ticket} paths=${who.enrol} onSignedIn=${onSignedIn} onRestart=${() => {
      setTicket(null);
      setErrors([]);
      setForm({ [name]: form[name], password: '', totp: '' });
    }} />`;
  }
  return html`
    <div class="narrow">
      <${ErrorSummary} errors=${errors} />
      <${PageHeading}>Sign in</${PageHeading}>
      <form onSubmit=${submit} novalidate>
        ${field(name, who.name.label, '', { autocomplete: who.name.autocomplete, spellcheck: false, autocapitalize: 'none' })}
        ${field('password', 'Password', '', { type: 'password', autocomplete: 'current-password' })}
        ${field('totp', 'Code from your authenticator app', '6 digits; it changes every 30 seconds',
                { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 6, class: 'input input-short' })}
        <button type="submit" class="button" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
      ${children}
    </div>`;
}
