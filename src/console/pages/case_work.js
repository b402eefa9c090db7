// The legal team's own work on a case, never shown to the requester: who it is assigned to
// (they also receive its alerts), and internal comments (sealed at rest, audited).
import { html, useState } from '../vendor/preact-htm.js';
import { post } from '../api.js';
import { dateTime } from '../format.js';
import { ErrorSummary, Field, describedBy, errorFor, fieldId, useSubmit } from '../ui.js';

export function Assignment({ kase, session, onDone }) {
  const [name, setName] = useState('');
  const { errors, setErrors, busy, run } = useSubmit(['assignee']);
  const works = ['intake', 'reviewer', 'approver'].some((r) => session.roles.includes(r));
  const assign = async (assignee) => {
    if (await run(() => post(`/api/v1/cases/${kase.id}/assign`, { assignee }))) {
      setName('');
      onDone();
    }
  };
  const submit = (event) => {
    event.preventDefault();
    if (!name.trim()) return setErrors([{ field: 'assignee', message: 'Enter the user name of the person to assign' }]);
    assign(name.trim());
  };
  const error = errorFor(errors, 'assignee');
  const hint = 'A staff member who takes intake, review or approval; they receive the case’s alerts.';
  return html`<div>
    <p>${kase.assignee ? html`Assigned to <strong>${kase.assignee}</strong>.` : 'Assigned to no one.'}</p>
    ${works ? html`<form onSubmit=${submit} novalidate class="inline-form">
      <${ErrorSummary} errors=${errors} />
      <div class="actions">
        ${kase.assignee !== session.user ? html`<button type="button" class="button button-secondary" disabled=${busy} onClick=${() => assign(session.user)}>Assign to me</button>` : null}
        ${kase.assignee ? html`<button type="button" class="button button-secondary" disabled=${busy} onClick=${() => assign(null)}>Unassign</button>` : null}
      </div>
      <${Field} name="assignee" label="Assign to someone else" hint=${hint} error=${error}>
        <input class="input input-medium" id=${fieldId('assignee')} value=${name} onInput=${(e) => setName(e.target.value)}
               autocomplete="off" spellcheck="false" aria-describedby=${describedBy('assignee', hint, error)} aria-invalid=${error ? 'true' : undefined} />
      </${Field}>
      <button type="submit" class="button button-secondary" disabled=${busy}>Assign</button>
    </form>` : null}
  </div>`;
}

const kMaxComment = 4000;

export function Comments({ kase, comments, onDone }) {
  const [text, setText] = useState('');
  const { errors, setErrors, busy, run } = useSubmit(['text']);
  const submit = async (event) => {
    event.preventDefault();
    if (!text.trim()) return setErrors([{ field: 'text', message: 'Enter a comment' }]);
    if (await run(() => post(`/api/v1/cases/${kase.id}/comments`, { text }))) {
      setText('');
      onDone();
    }
  };
  const error = errorFor(errors, 'text');
  const hint = `For the legal team only: never shown to the requester, and kept in the audit log. At most ${kMaxComment.toLocaleString('en')} characters (${text.length} now).`;
  return html`
    ${comments.length ? html`<ol class="comments">${comments.map((c) => html`<li class="comment">
      <p class="hint">${c.author}, ${dateTime(c.at)}</p><p class="comment-text">${c.text}</p></li>`)}</ol>`
      : html`<p>No comment yet.</p>`}
    <form onSubmit=${submit} novalidate>
      <${ErrorSummary} errors=${errors} />
      <${Field} name="text" label="Add a comment" hint=${hint} error=${error}>
        <textarea class="textarea" id=${fieldId('text')} rows="3" value=${text} onInput=${(e) => setText(e.target.value)}
                  aria-describedby=${describedBy('text', hint, error)} aria-invalid=${error ? 'true' : undefined}></textarea>
      </${Field}>
      <button type="submit" class="button button-secondary" disabled=${busy}>Add the comment</button>
    </form>`;
}
