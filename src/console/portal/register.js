// Registration: an address at one of the agency's registered domains, a name and a password.
// The answer is the same whether or not the address has an account already (the e-mail that
// follows says which), so the page never tells anyone who has one.
import { html, useState } from '/console/vendor/preact-htm.js';
import { post } from '/console/api.js';
import { ErrorSummary, Field, PageHeading, describedBy, errorFor, fieldId, useSubmit } from '/console/ui.js';

const kFields = ['email', 'name', 'password'];

export function Register() {
  const [form, setForm] = useState({ email: '', name: '', password: '', again: '' });
  const [sentTo, setSentTo] = useState('');
  const { errors, setErrors, busy, run } = useSubmit(kFields);
  const set = (key) => (event) => setForm({ ...form, [key]: event.target.value });

  const submit = async (event) => {
    event.preventDefault();
    const missing = [];
    if (!/^[^@\s]+@[^@\s]+$/.test(form.email.trim())) missing.push({ field: 'email', message: 'Enter your agency e-mail address, like name@agency.gov' });
    if (!form.name.trim()) missing.push({ field: 'name', message: 'Enter your name as it appears on process you sign or serve' });
    if (!form.password) missing.push({ field: 'password', message: 'Choose a password' });
    else if (form.password !== form.again) missing.push({ field: 'again', message: 'The two passwords are not the same' });
    setErrors(missing);
    if (missing.length) return;
    const body = { email: form.email.trim(), name: form.name.trim(), password: form.password };
    if (await run(() => post('/api/v1/portal/accounts', body))) setSentTo(body.email);
    else setForm({ ...form, password: '', again: '' });
  };

  const field = (key, label, hint, attributes) => {
    const error = errorFor(errors, key);
    return html`<${Field} name=${key} label=${label} hint=${hint} error=${error}>
      <input class="input" id=${fieldId(key)} value=${form[key]} onInput=${set(key)}
             aria-describedby=${describedBy(key, hint, error)} aria-invalid=${error ? 'true' : undefined} ...${attributes} />
    </${Field}>`;
  };

  if (sentTo) {
    return html`<div class="narrow">
      <${PageHeading}>Check your e-mail</${PageHeading}>
      <div class="notice" role="status"><p>We sent a message to <strong>${sentTo}</strong>. Open the link in it within
        24 hours to confirm the address; then you set up an authenticator app and sign in.</p></div>
      <p>No message after a few minutes? Check the address, and your spam folder, then <a href="#/register"
        onClick=${() => setSentTo('')}>register again</a>. If the address already has an account, the message says so.</p>
    </div>`;
  }
  return html`<div class="narrow">
    <${ErrorSummary} errors=${errors} />
    <${PageHeading}>Create an account</${PageHeading}>
    <p>For officers of an agency in this service's registry. Every request you send is checked against the
      law and the service's published standards; a request from an address outside your agency's domains is
      not accepted here.</p>
    <form onSubmit=${submit} novalidate>
      ${field('email', 'Agency e-mail address', 'An address at one of your agency’s registered domains', { type: 'email', autocomplete: 'email', spellcheck: false, autocapitalize: 'none' })}
      ${field('name', 'Full name', '', { autocomplete: 'name' })}
      ${field('password', 'Password', 'At least 12 characters; a passphrase of several words is best', { type: 'password', autocomplete: 'new-password' })}
      ${field('again', 'Password again', '', { type: 'password', autocomplete: 'new-password' })}
      <button type="submit" class="button" disabled=${busy}>Create the account</button>
    </form>
    <p><a href="#/">Back to sign in</a></p>
  </div>`;
}
