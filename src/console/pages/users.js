// Staff users, for administrators: who holds which roles, where their alerts are mailed,
// whether a second factor is enrolled, and who is disabled or locked out. An administrator
// adds a user (the server makes the first password and shows it once; the user sets up their
// authenticator at first sign-in), changes roles and addresses, disables and enables, and
// resets a lost second factor. Every change is an audited step; the server keeps the last
// enabled administrator from being removed.
import { html, useState } from '../vendor/preact-htm.js';
import { get, post, put } from '../api.js';
import { ErrorSummary, Field, Fieldset, Loading, PageHeading, Tag, describedBy, errorFor, fieldId, useLoad,
         useSubmit } from '../ui.js';

const kRoles = ['intake', 'reviewer', 'approver', 'auditor', 'admin'];
const kRoleHints = {
  intake: 'enters requests and records callbacks', reviewer: 'reviews against the standards, places and ends holds',
  approver: 'approves a reviewed case (never their own)', auditor: 'reads the audit and disclosure logs',
  admin: 'manages users, tokens, agencies and standards',
};

function RoleBoxes({ roles, error, onChange }) {
  return html`<${Fieldset} name="roles" legend="Roles" error=${error}>
    ${kRoles.map((role, i) => html`<div class="check">
      <input type="checkbox" id=${i === 0 ? fieldId('roles') : fieldId('roles-' + role)} checked=${roles.includes(role)}
             onChange=${(e) => onChange(e.target.checked ? [...roles, role] : roles.filter((r) => r !== role))} />
      <label for=${i === 0 ? fieldId('roles') : fieldId('roles-' + role)}>${role} <span class="hint">${kRoleHints[role]}</span></label>
    </div>`)}
  </${Fieldset}>`;
}

function TextInput({ name, label, hint, value, errors, onInput, attributes = {} }) {
  const error = errorFor(errors, name);
  return html`<${Field} name=${name} label=${label} hint=${hint} error=${error}>
    <input class="input input-medium" id=${fieldId(name)} value=${value} onInput=${(e) => onInput(e.target.value)}
           aria-describedby=${describedBy(name, hint, error)} aria-invalid=${error ? 'true' : undefined} ...${attributes} />
  </${Field}>`;
}

function AddUser({ onAdded, onCancel }) {
  const [form, setForm] = useState({ name: '', email: '', roles: [] });
  const { errors, setErrors, busy, run } = useSubmit(['name', 'email', 'roles']);
  const submit = async (event) => {
    event.preventDefault();
    const missing = [];
    if (!form.name.trim()) missing.push({ field: 'name', message: 'Enter a user name' });
    if (!form.roles.length) missing.push({ field: 'roles', message: 'Choose at least one role' });
    if (missing.length) return setErrors(missing);
    let added;
    const body = { name: form.name.trim(), roles: form.roles, email: form.email.trim() || null };
    if (await run(async () => { added = await post('/api/v1/users', body); })) onAdded(added);
  };
  return html`<form onSubmit=${submit} novalidate class="panel" aria-labelledby="add-user-title">
    <h2 id="add-user-title">Add a staff user</h2>
    <${ErrorSummary} errors=${errors} />
    <${TextInput} name="name" label="User name" hint="Lower-case letters, digits, dots, dashes and underscores."
      value=${form.name} errors=${errors} onInput=${(name) => setForm({ ...form, name })}
      attributes=${{ autocomplete: 'off', spellcheck: false, autocapitalize: 'none' }} />
    <${TextInput} name="email" label="E-mail address (optional)" hint="Where their alerts are mailed."
      value=${form.email} errors=${errors} onInput=${(email) => setForm({ ...form, email })} attributes=${{ type: 'email' }} />
    <${RoleBoxes} roles=${form.roles} error=${errorFor(errors, 'roles')} onChange=${(roles) => setForm({ ...form, roles })} />
    <div class="actions">
      <button type="submit" class="button" disabled=${busy}>Add the user</button>
      <button type="button" class="button button-secondary" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}

// A user's roles and address, changed together from one form.
function EditUser({ user, onDone, onCancel }) {
  const [form, setForm] = useState({ roles: user.roles, email: user.email || '' });
  const { errors, setErrors, busy, run } = useSubmit(['roles', 'email']);
  const submit = async (event) => {
    event.preventDefault();
    if (!form.roles.length) return setErrors([{ field: 'roles', message: 'Choose at least one role' }]);
    const name = encodeURIComponent(user.name);
    const saved = await run(async () => {
      await put(`/api/v1/users/${name}/roles`, { roles: form.roles });
      if ((user.email || '') !== form.email.trim()) await put(`/api/v1/users/${name}/email`, { email: form.email.trim() || null });
    });
    if (saved) onDone();
  };
  return html`<form onSubmit=${submit} novalidate class="panel" aria-labelledby="edit-user-title">
    <h2 id="edit-user-title">Change ${user.name}</h2>
    <${ErrorSummary} errors=${errors} />
    <${RoleBoxes} roles=${form.roles} error=${errorFor(errors, 'roles')} onChange=${(roles) => setForm({ ...form, roles })} />
    <${TextInput} name="email" label="E-mail address" hint="Where their alerts are mailed; empty for the console only."
      value=${form.email} errors=${errors} onInput=${(email) => setForm({ ...form, email })} attributes=${{ type: 'email' }} />
    <div class="actions">
      <button type="submit" class="button" disabled=${busy}>Save</button>
      <button type="button" class="button button-secondary" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}

// What a new user is told once: their first password, never shown again.
function Added({ added, onClose }) {
  return html`<div class="notice" role="status">
    <p><strong>${added.user.name} is added.</strong> Give them this first password by a channel you trust; it is not shown again:</p>
    <p><code class="secret" id="new-password">${added.password}</code></p>
    <p>They sign in with it, set up their authenticator app, and change the password under Your account.</p>
    <button type="button" class="button button-secondary" onClick=${onClose}>Done</button>
  </div>`;
}

export function Users({ session }) {
  const admin = session.roles.includes('admin');
  const loaded = useLoad(async () => (admin ? get('/api/v1/users') : null), [admin]);
  const [mode, setMode] = useState(null);  // 'add', a user's name, or null
  const [added, setAdded] = useState(null);
  const step = useSubmit();
  if (!admin) return html`<${PageHeading}>Staff users</${PageHeading}><p>Only administrators manage staff users.</p>`;
  if (!loaded.data) return html`<${PageHeading}>Staff users</${PageHeading}><${Loading} error=${loaded.error} what="The users" />`;
  const done = () => {
    setMode(null);
    loaded.reload();
  };
  const act = async (path) => {
    if (await step.run(() => post(path))) loaded.reload();
  };
  const editing = loaded.data.find((u) => u.name === mode);
  return html`
    <${PageHeading}>Staff users</${PageHeading}>
    ${added ? html`<${Added} added=${added} onClose=${() => setAdded(null)} />` : null}
    ${mode === null && !added ? html`<p><button type="button" class="button" onClick=${() => setMode('add')}>Add a staff user</button></p>` : null}
    ${mode === 'add' ? html`<${AddUser} onAdded=${(a) => { setAdded(a); done(); }} onCancel=${() => setMode(null)} />` : null}
    ${editing ? html`<${EditUser} user=${editing} onDone=${done} onCancel=${() => setMode(null)} />` : null}
    <${ErrorSummary} errors=${step.errors} />
    <div class="table-wrap"><table class="table">
      <caption class="visually-hidden">Staff users by name</caption>
      <thead><tr><th scope="col">User</th><th scope="col">Roles</th><th scope="col">E-mail</th><th scope="col">Second factor</th>
        <th scope="col">Status</th><th scope="col"><span class="visually-hidden">Change</span></th></tr></thead>
      <tbody>${loaded.data.map((u) => {
        const path = `/api/v1/users/${encodeURIComponent(u.name)}`;
        return html`<tr>
          <td>${u.name}${u.name === session.user ? html` <span class="hint">(you)</span>` : null}</td>
          <td>${u.roles.join(', ')}</td><td>${u.email || '—'}</td>
          <td>${u.totp ? 'enrolled' : html`<${Tag} kind="yellow">not yet</${Tag}>`}</td>
          <td>${u.disabled ? html`<${Tag} kind="grey">disabled</${Tag}>` : u.locked ? html`<${Tag} kind="red">locked out</${Tag}>` : 'active'}</td>
          <td class="row-actions">
            <button type="button" class="button button-secondary" aria-label=${'Change ' + u.name} onClick=${() => setMode(u.name)}>Change</button>
            ${u.disabled
              ? html`<button type="button" class="button button-secondary" aria-label=${'Enable ' + u.name} disabled=${step.busy} onClick=${() => act(path + '/enable')}>Enable</button>`
              : html`<button type="button" class="button button-secondary" aria-label=${'Disable ' + u.name} disabled=${step.busy} onClick=${() => act(path + '/disable')}>Disable</button>`}
            ${u.totp ? html`<button type="button" class="button button-secondary" aria-label=${'Reset the second factor of ' + u.name}
                disabled=${step.busy} onClick=${() => act(path + '/totp/reset')}>Reset second factor</button>` : null}
          </td></tr>`;
      })}</tbody>
    </table></div>`;
}
