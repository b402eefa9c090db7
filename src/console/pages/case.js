// A case: the request as received, the standards' decision with every finding and its
// citation, the authorized scope, the signed process documents, holds and productions, and the
// one step the signed-in person may take next. Steps the roles or the two-person rule do not
// allow are not offered; the page says who acts instead.
import { html, useEffect, useState } from '../vendor/preact-htm.js';
import { get, post } from '../api.js';
import { date, dateTime, relative, words } from '../format.js';
import { ErrorSummary, Field, Fieldset, Loading, PageHeading, Row, StateTag, StepButton, Tag, describedBy, errorFor,
         fieldId, useLoad, useSubmit } from '../ui.js';
import { Holds } from './case_holds.js';
import { Assignment, Comments } from './case_work.js';
import { ScopeEditor, initialScope, kScopeFields, narrowedScope } from './scope_editor.js';

const kSeverityKinds = { reject: 'red', pushback: 'yellow', narrow: 'blue', verify: 'yellow', note: 'grey' };

function Scope({ scope }) {
  if (!scope) return html`<p>Nothing may be produced or preserved.</p>`;
  return html`<dl class="summary">
    <${Row} term="Targets">${(scope.targets || []).map((t) => html`<div>${words(t.type)}: <code>${t.value}</code></div>`)}</${Row}>
    <${Row} term="Categories">${(scope.categories || []).map(words).join(', ')}</${Row}>
    <${Row} term="Window">${scope.window ? `${dateTime(scope.window.start)} to ${dateTime(scope.window.end)}` : ''}</${Row}>
    <${Row} term="Instants">${scope.times ? html`${scope.times.map((t) => html`<div>${dateTime(t)}</div>`)}
      <div class="hint">each ± ${scope.minutes} minutes</div>` : ''}</${Row}>
  </dl>`;
}

function Findings({ findings }) {
  if (!findings.length) return html`<p>No rule fired: the request is as the standards allow.</p>`;
  return html`<div class="table-wrap"><table class="table">
    <caption class="visually-hidden">Findings, strongest first</caption>
    <thead><tr><th scope="col">Severity</th><th scope="col">Finding</th><th scope="col">Citation</th></tr></thead>
    <tbody>${findings.map((f) => html`<tr>
      <td><${Tag} kind=${kSeverityKinds[f.severity]}>${f.severity}</${Tag}></td>
      <td>${f.message}<div class="hint"><code>${f.code}</code></div></td>
      <td>${f.citation || '—'}</td></tr>`)}</tbody>
  </table></div>`;
}

function Documents({ kase }) {
  if (!kase.documents.length) return html`<p>No signed process document is attached.</p>`;
  return html`<ul class="plain">${kase.documents.map((d) => html`<li>
    <a href=${`/api/v1/cases/${kase.id}/documents/${d.sha256}`} target="_blank" rel="noopener">${d.name}</a>${' '}
    (${Math.ceil(d.bytes / 1024)} KiB, from ${d.uploaded_by}, ${dateTime(d.uploaded_at)})
    <div class="hint">SHA-256 <code class="hash">${d.sha256}</code></div></li>`)}</ul>`;
}

function Productions({ kase, productions, session, onDone }) {
  if (!productions.length) return html`<p>Nothing has been produced.</p>`;
  const delivers = session.roles.includes('reviewer') || session.roles.includes('approver');
  return html`<div class="table-wrap"><table class="table">
    <caption class="visually-hidden">Productions</caption>
    <thead><tr><th scope="col">Production</th><th scope="col">State</th><th scope="col">By</th>
      <th scope="col">Package</th><th scope="col">Downloads</th></tr></thead>
    <tbody>${productions.map((p) => html`<tr>
      <td>${p.id}<div class="hint">${dateTime(p.at)}</div></td>
      <td>${words(p.state)}${p.reason ? html`<div class="hint">${p.reason}</div>` : null}
        ${p.state === 'producing' ? html`<${Progress} kase=${kase} production=${p} onDone=${onDone} />` : null}
        ${p.state === 'producing' && delivers ? html`<${AbortForm} kase=${kase} production=${p} onDone=${onDone} />` : null}</td>
      <td>${p.by}</td>
      <td>${p.package_sha256 ? html`${Math.ceil(p.package_bytes / 1024)} KiB<div class="hint">SHA-256 <code class="hash">${p.package_sha256}</code></div>` : '—'}</td>
      <td>${p.downloads.map((g) => html`<div>${words(g.state)}, until ${dateTime(g.expires_at)}
          ${g.state === 'open' && delivers ? html`<${StepButton} secondary label="Revoke" path=${`/api/v1/downloads/${g.id}/revoke`} onDone=${onDone} />` : null}</div>`)}
        ${p.package_sha256 && delivers ? html`<${StepButton} secondary label="Issue a download to the requester"
            path=${`/api/v1/cases/${kase.id}/productions/${p.id}/downloads`} onDone=${onDone} />` : null}</td>
    </tr>`)}</tbody>
  </table></div>`;
}

function Notices({ notices }) {
  if (!notices.length) return html`<p>No notice to a user is queued for this case.</p>`;
  return html`<div class="table-wrap"><table class="table">
    <caption class="visually-hidden">Notices to users</caption>
    <thead><tr><th scope="col">Account</th><th scope="col">When</th><th scope="col">State</th><th scope="col">Sent</th></tr></thead>
    <tbody>${notices.map((n) => html`<tr>
      <td><code>${n.account_id}</code></td>
      <td>${words(n.timing)}${n.not_before ? html`<div class="hint">not before ${n.not_before}</div>` : null}</td>
      <td>${words(n.state)}${n.last_error ? html`<div class="hint">${n.attempts} attempts; last: ${n.last_error}</div>` : null}</td>
      <td>${n.sent_at ? dateTime(n.sent_at) : '—'}</td></tr>`)}</tbody>
  </table></div>`;
}

// A nondisclosure order (18 U.S.C. 2705(b)) delays the notice to the user: a reviewer records
// the end the order states, or that it states none; waiting notices move with it.
function NondisclosureForm({ kase, onDone }) {
  const [form, setForm] = useState({ until: '', open: false });
  const { errors, setErrors, busy, run } = useSubmit(['until']);
  const submit = async (event) => {
    event.preventDefault();
    if (!form.open && !form.until) return setErrors([{ field: 'until', message: 'Enter the date the order ends, or say it states none' }]);
    const body = { until: form.open ? null : form.until };
    if (await run(() => post(`/api/v1/cases/${kase.id}/nondisclosure`, body))) onDone();
  };
  const error = errorFor(errors, 'until');
  const hint = 'The last day the order forbids telling the user, as the order states it.';
  return html`<form onSubmit=${submit} novalidate aria-labelledby="order-title">
    <h3 id="order-title">Record a nondisclosure order</h3>
    <${ErrorSummary} errors=${errors} />
    <${Field} name="until" label="The order ends on" hint=${hint} error=${error}>
      <input type="date" class="input input-medium" id=${fieldId('until')} value=${form.until} disabled=${form.open}
             onInput=${(e) => setForm({ ...form, until: e.target.value })}
             aria-describedby=${describedBy('until', hint, error)} aria-invalid=${error ? 'true' : undefined} />
    </${Field}>
    <div class="check"><input type="checkbox" id=${fieldId('until-none')} checked=${form.open}
        onChange=${(e) => setForm({ ...form, open: e.target.checked })} />
      <label for=${fieldId('until-none')}>The order states no end</label></div>
    <button type="submit" class="button button-secondary" disabled=${busy}>Record the order</button>
  </form>`;
}

// Where a running production is, asked again every few seconds (each ask is an audited read)
// until it has ended; then the page reloads.
const kProgressEveryMs = 5000;

function Progress({ kase, production, onDone }) {
  const [status, setStatus] = useState(null);
  useEffect(() => {
    let timer;
    let stopped = false;
    const ask = async () => {
      try {
        const now = await get(`/api/v1/cases/${kase.id}/productions/${production.id}`);
        if (stopped) return;
        setStatus(now);
        if (now.outcome === 'running') timer = setTimeout(ask, kProgressEveryMs);
        else if (now.outcome !== 'unfinished') onDone();
      } catch (e) {
        if (!stopped) setStatus({ outcome: 'unknown', message: e.message });
      }
    };
    ask();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [kase.id, production.id]);
  if (!status) return null;
  if (status.outcome === 'running') {
    return html`<div class="hint" role="status">${words(status.phase)}: ${status.events} events written</div>`;
  }
  if (status.outcome === 'unfinished') {
    return html`<div class="hint">Not running on this server (it stopped before the package was made); end it, then start it again.</div>`;
  }
  return status.message ? html`<div class="hint">${status.message}</div>` : null;
}

// Staff end a production before its package is made, with the reason the audit log keeps.
function AbortForm({ kase, production, onDone }) {
  const [reason, setReason] = useState('');
  const { errors, setErrors, busy, run } = useSubmit(['reason']);
  const submit = async (event) => {
    event.preventDefault();
    if (!reason.trim()) return setErrors([{ field: 'reason', message: 'Say why the production is ended' }]);
    const path = `/api/v1/cases/${kase.id}/productions/${production.id}/abort`;
    if (await run(() => post(path, { reason: reason.trim() }))) onDone();
  };
  const error = errorFor(errors, 'reason');
  return html`<form onSubmit=${submit} novalidate class="inline-form">
    <${ErrorSummary} errors=${errors} />
    <${Field} name="reason" label="Why end this production" error=${error}>
      <input class="input" id=${fieldId('reason')} value=${reason} onInput=${(e) => setReason(e.target.value)}
             aria-describedby=${describedBy('reason', '', error)} aria-invalid=${error ? 'true' : undefined} />
    </${Field}>
    <button type="submit" class="button button-warning" disabled=${busy}>End the production</button>
  </form>`;
}

// A read is an entry like a step; the timeline shows the steps unless asked for the reads.
const isRead = (action) => /^(view|list|read)_/.test(action);

function Timeline({ entries }) {
  const [reads, setReads] = useState(false);
  const shown = reads ? entries : entries.filter((e) => !isRead(e.action));
  return html`<div class="check">
      <input type="checkbox" id=${fieldId('reads')} checked=${reads} onChange=${(e) => setReads(e.target.checked)} />
      <label for=${fieldId('reads')}>Show the reads too (${entries.length - entries.filter((e) => !isRead(e.action)).length})</label>
    </div>
    <div class="table-wrap"><table class="table">
    <caption class="visually-hidden">The audit log's entries for this case, oldest first</caption>
    <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Entry</th></tr></thead>
    <tbody>${shown.map((e) => html`<tr class=${isRead(e.action) ? 'row-quiet' : ''}>
      <td>${dateTime(e.at)}</td><td>${e.actor}</td><td>${words(e.action)}</td><td>${e.seq}</td></tr>`)}</tbody>
  </table></div>`;
}

// Who acts next on a case in `state` (docs/cases.md, "Who acts").
const kNext = {
  received: 'intake', verifying: 'an intake or review officer (the requester’s callback)',
  in_review: 'a reviewer', reviewed: 'an approver other than the reviewer and whoever entered it',
  approved: 'a reviewer or approver (production)', awaiting_notice: 'the notice period',
  producing: 'the production running', produced: 'a reviewer or approver (delivery, closing)',
  pushed_back: 'the requester (an amended request)', holding: 'a reviewer (release) or the hold’s end',
};

function ReviewForm({ kase, onDone }) {
  const authorized = kase.decision.authorized;
  const [form, setForm] = useState({ decision: '', note: '', letter: '', narrowing: false,
                                     scope: authorized ? initialScope(authorized) : null });
  const { errors, setErrors, busy, run } = useSubmit(['decision', 'letter', 'note', ...kScopeFields]);
  const submit = async (event) => {
    event.preventDefault();
    if (!form.decision) return setErrors([{ field: 'decision', message: 'Choose what you recommend' }]);
    const pushback = form.decision === 'pushback';
    if (pushback && !form.letter.trim()) {
      return setErrors([{ field: 'letter', message: 'Write to the requester what to correct' }]);
    }
    const body = { decision: form.decision };
    if (pushback) body.letter = form.letter.trim();
    if (form.note.trim()) body.note = form.note.trim();
    const scope = form.decision === 'approve' && form.narrowing && narrowedScope(authorized, form.scope);
    if (scope) body.scope = scope;
    if (await run(() => post(`/api/v1/cases/${kase.id}/review`, body))) onDone();
  };
  const decisionError = errorFor(errors, 'decision');
  const noteError = errorFor(errors, 'note');
  const noteHint = 'Internal, for staff: required when you depart from the standards’ recommendation; the requester never sees it.';
  const letterError = errorFor(errors, 'letter');
  const letterHint = 'What the requester must correct before you review the request again. The requester reads it in the portal.';
  const choices = [['approve', 'Approve', 'Recommend approval; an approver then decides'],
                   ['pushback', 'Push back', 'Ask the requester for a corrected request'],
                   ['reject', 'Reject', 'Refuse the request']];
  return html`<form onSubmit=${submit} novalidate>
    <${ErrorSummary} errors=${errors} />
    <${Fieldset} name="decision" legend="Your review" error=${decisionError}>
      ${choices.map(([value, label, hint], i) => html`<div class="radio">
        <input type="radio" name="decision" value=${value} id=${i === 0 ? fieldId('decision') : fieldId('decision-' + value)}
               checked=${form.decision === value} onChange=${() => setForm({ ...form, decision: value })} />
        <label for=${i === 0 ? fieldId('decision') : fieldId('decision-' + value)}>${label} <span class="hint">${hint}</span></label>
      </div>`)}
    </${Fieldset}>
    ${form.decision === 'approve' && authorized ? html`<div class="check">
        <input type="checkbox" id=${fieldId('narrowing')} checked=${form.narrowing}
               onChange=${(e) => setForm({ ...form, narrowing: e.target.checked })} />
        <label for=${fieldId('narrowing')}>Narrow the scope the standards authorize</label></div>
      ${form.narrowing ? html`<${ScopeEditor} authorized=${authorized} edit=${form.scope} errors=${errors}
          onChange=${(scope) => setForm({ ...form, scope })} />` : null}` : null}
    ${form.decision === 'pushback' ? html`<${Field} name="letter" label="Letter to the requester" hint=${letterHint} error=${letterError}>
      <textarea class="textarea" id=${fieldId('letter')} rows="6" value=${form.letter}
                onInput=${(e) => setForm({ ...form, letter: e.target.value })}
                aria-describedby=${describedBy('letter', letterHint, letterError)} aria-invalid=${letterError ? 'true' : undefined}></textarea>
    </${Field}>` : null}
    <${Field} name="note" label="Internal note (optional)" hint=${noteHint} error=${noteError}>
      <textarea class="textarea" id=${fieldId('note')} rows="4" value=${form.note}
                onInput=${(e) => setForm({ ...form, note: e.target.value })}
                aria-describedby=${describedBy('note', noteHint, noteError)} aria-invalid=${noteError ? 'true' : undefined}></textarea>
    </${Field}>
    <button type="submit" class="button" disabled=${busy}>Record review</button>
  </form>`;
}

// The requester's callback: staff call the number the agency registry holds, never one the
// request gives, and record that call; the number they enter must be the registry's.
function CallbackForm({ kase, agency, onDone }) {
  const [form, setForm] = useState({ phone: '', note: '' });
  const { errors, setErrors, busy, run } = useSubmit(['phone', 'note']);
  if (!agency) {
    return html`<p>The requester's agency is not in the registry, so there is no number to call back. An
      administrator adds the agency to the registry first.</p>`;
  }
  const submit = async (event) => {
    event.preventDefault();
    if (!form.phone.trim()) return setErrors([{ field: 'phone', message: 'Enter the number you called' }]);
    const body = { phone: form.phone.trim() };
    if (form.note.trim()) body.note = form.note.trim();
    if (await run(() => post(`/api/v1/cases/${kase.id}/verify-requester`, body))) onDone();
  };
  const phoneError = errorFor(errors, 'phone');
  const phoneHint = `Call ${agency.name} on the number the registry holds: ${agency.phone}. Never call a number the request gives.`;
  return html`<form onSubmit=${submit} novalidate>
    <${ErrorSummary} errors=${errors} />
    <p>Nothing is produced until the requester is confirmed by a call back to its agency.</p>
    <${Field} name="phone" label="Number you called" hint=${phoneHint} error=${phoneError}>
      <input class="input input-medium" id=${fieldId('phone')} type="tel" value=${form.phone} autocomplete="off"
             onInput=${(e) => setForm({ ...form, phone: e.target.value })}
             aria-describedby=${describedBy('phone', phoneHint, phoneError)} aria-invalid=${phoneError ? 'true' : undefined} />
    </${Field}>
    <${Field} name="note" label="Note (optional)" hint="Whom you spoke to, and what they confirmed.">
      <textarea class="textarea" id=${fieldId('note')} rows="3" value=${form.note}
                onInput=${(e) => setForm({ ...form, note: e.target.value })} aria-describedby=${describedBy('note', true, '')}></textarea>
    </${Field}>
    <button type="submit" class="button" disabled=${busy}>Record the call</button>
  </form>`;
}

function NextStep({ kase, session, agency, onDone }) {
  const has = (role) => session.roles.includes(role);
  if (kase.state === 'verifying' && (has('intake') || has('reviewer'))) {
    return html`<${CallbackForm} kase=${kase} agency=${agency} onDone=${onDone} />`;
  }
  if (kase.state === 'in_review' && has('reviewer')) return html`<${ReviewForm} kase=${kase} onDone=${onDone} />`;
  if (kase.state === 'reviewed' && has('approver')) {
    const reviewer = kase.review.reviewer;
    if (session.user === reviewer || session.user === kase.entered_by) {
      return html`<div class="notice"><p><strong>Another approver must approve this case.</strong>${' '}
        You ${session.user === reviewer ? 'reviewed it' : 'entered it'}, and one person may not take two steps
        of the same disclosure (the two-person rule).</p></div>`;
    }
    return html`<p>${reviewer} recommends approval. Approving lets a reviewer or approver produce the records in the authorized scope.</p>
      <${StepButton} label="Approve" path=${`/api/v1/cases/${kase.id}/approve`} onDone=${onDone} />`;
  }
  if (kase.state === 'approved' && (has('reviewer') || has('approver'))) {
    return html`<p>The case is approved: produce the records in the authorized scope.</p>
      <${StepButton} label="Start production" path=${`/api/v1/cases/${kase.id}/productions`} onDone=${onDone} />`;
  }
  if (kase.state === 'withdrawn') return html`<p>The requester withdrew the request: the case has ended.</p>`;
  const who = kNext[kase.state];
  return html`<p>${who ? `Nothing for you to do now: the case waits for ${who}.` : 'The case is closed.'}</p>`;
}

export function CasePage({ id, session }) {
  const loaded = useLoad(async () => {
    const [kase, productions, agencies, notices, timeline, comments] = await Promise.all([
      get(`/api/v1/cases/${id}`), get(`/api/v1/cases/${id}/productions`), get('/api/v1/agencies'),
      get(`/api/v1/notices?case=${id}`), get(`/api/v1/cases/${id}/timeline`), get(`/api/v1/cases/${id}/comments`)]);
    return { kase, productions, agencies, notices, timeline, comments };
  }, [id]);
  if (!loaded.data) return html`<${PageHeading}>${id}</${PageHeading}><${Loading} error=${loaded.error} what="The case" />`;
  const { kase, productions, agencies, notices, timeline, comments } = loaded.data;
  const request = kase.request;
  const agency = agencies.find((a) => a.id === kase.agency_id);
  const decision = kase.decision;
  return html`
    <p><a href="#/" class="back">Back to the queue</a></p>
    <${PageHeading} caption=${agency ? agency.name : request.requester.agency}>${kase.id}</${PageHeading}>
    <p class="tags"><${StateTag} state=${kase.state} />
      ${kase.emergency ? html` <${Tag} kind="red">emergency</${Tag}>` : null}
      ${kase.overdue ? html` <${Tag} kind="red">overdue</${Tag}>` : kase.due_soon ? html` <${Tag} kind="yellow">due soon</${Tag}>` : null}
      ${kase.requester_verified ? null : html` <${Tag} kind="yellow">requester not verified</${Tag}>`}</p>

    <section aria-labelledby="next-step"><h2 id="next-step">Next step</h2>
      <${NextStep} kase=${kase} session=${session} agency=${agency} onDone=${loaded.reload} /></section>

    <section aria-labelledby="assignment"><h2 id="assignment">Assignment</h2>
      <${Assignment} kase=${kase} session=${session} onDone=${loaded.reload} /></section>

    <section aria-labelledby="decision"><h2 id="decision">Decision: ${words(decision.action)}</h2>
      <p class="hint">Taken ${dateTime(kase.decision_taken.at)} (${kase.decision_taken.reason})${decision.standards ? html` under the standards <code>${decision.standards.name}</code> version ${decision.standards.version}` : ''}.</p>
      <h3>Findings</h3><${Findings} findings=${decision.findings || []} />
      <h3>Authorized scope</h3><${Scope} scope=${decision.authorized} />
      ${kase.review.narrowed_scope ? html`<h3>Narrowed by the reviewer</h3><${Scope} scope=${kase.review.narrowed_scope} />` : null}
      ${kase.withdrawal ? html`<h3>Withdrawn by the requester</h3>
        <p class="hint">On ${dateTime(kase.withdrawal.at)}${kase.withdrawal.reason ? ', saying:' : ', without a reason.'}</p>
        ${kase.withdrawal.reason ? html`<blockquote class="letter">${kase.withdrawal.reason}</blockquote>` : null}` : null}
      ${kase.review.letter ? html`<h3>Letter to the requester</h3>
        <p class="hint">Written ${dateTime(kase.review.letter.at)} with the latest pushback; the requester reads it in the portal.</p>
        <blockquote class="letter">${kase.review.letter.text}</blockquote>` : null}
      <h3>Notice to the user</h3>
      <p>${decision.notice && decision.notice.required ? `Required (${words(decision.notice.when)})` : 'Not required'}${decision.notice && decision.notice.not_before ? `, not before ${decision.notice.not_before}` : ''}.</p>
    </section>

    <section aria-labelledby="request"><h2 id="request">The request as received</h2>
      <dl class="summary">
        <${Row} term="Received">${dateTime(kase.received_at)} (${words(kase.entry)}, entered by ${kase.entered_by})</${Row}>
        <${Row} term="Due">${kase.due_at ? `${dateTime(kase.due_at)} (${relative(kase.due_at)})` : 'no deadline'}</${Row}>
        <${Row} term="Process">${words(request.process.type)}${request.process.reference ? `, ${request.process.reference}` : ''}</${Row}>
        <${Row} term="Issued by">${[request.process.issued_by, request.process.authority].filter(Boolean).join(', ')}${request.process.issued_on ? ` on ${request.process.issued_on}` : ''}</${Row}>
        <${Row} term="Return by">${request.process.return_by ? date(request.process.return_by) : ''}</${Row}>
        <${Row} term="Requester">${[request.requester.officer, request.requester.agency].filter(Boolean).join(', ')}
          <div class="hint">${request.requester.email}</div></${Row}>
        <${Row} term="Verified">${kase.verifications.length
          ? kase.verifications.map((v) => html`<div>${words(v.method)} by ${v.by}, ${dateTime(v.at)}${v.note ? html`<div class="hint">${v.note}</div>` : null}</div>`)
          : kase.requester_verified ? 'By the agency’s registered e-mail domain' : 'Not yet'}</${Row}>
        <${Row} term="Investigation">${request.purpose ? words(request.purpose.investigation_type) : ''}</${Row}>
        <${Row} term="Targets">${request.targets.map((t) => html`<div>${words(t.type)}: <code>${t.value}</code></div>`)}</${Row}>
        <${Row} term="Categories">${request.categories.map(words).join(', ')}</${Row}>
        <${Row} term="Request SHA-256"><code class="hash">${kase.request_sha256}</code></${Row}>
        <${Row} term="Attestation">${kase.attestation ? html`By ${kase.attestation.by}, ${dateTime(kase.attestation.at)}
          (version ${kase.attestation.version})<details><summary>What the requester attested</summary>
          <blockquote class="attestation">${kase.attestation.text}</blockquote></details>`
          : 'None: entered by staff'}</${Row}>
      </dl>
      <h3>Signed process document</h3><${Documents} kase=${kase} />
      <details><summary>The whole request document</summary><pre class="json">${JSON.stringify(request, null, 2)}</pre></details>
    </section>

    <section aria-labelledby="holds"><h2 id="holds">Preservation holds</h2>
      <${Holds} kase=${kase} session=${session} onDone=${loaded.reload} /></section>

    <section aria-labelledby="notices"><h2 id="notices">Notices to users</h2>
      ${kase.notice_wait_until ? html`<p>Production waits until ${dateTime(kase.notice_wait_until)} after the notice.</p>` : null}
      <${Notices} notices=${notices} />
      ${decision.notice && decision.notice.required && session.roles.includes('reviewer') && kase.state !== 'closed'
        ? html`<${NondisclosureForm} kase=${kase} onDone=${loaded.reload} />` : null}</section>

    <section aria-labelledby="productions"><h2 id="productions">Productions</h2>
      <${Productions} kase=${kase} productions=${productions} session=${session} onDone=${loaded.reload} /></section>

    <section aria-labelledby="comments"><h2 id="comments">Internal comments</h2>
      <${Comments} kase=${kase} comments=${comments} onDone=${loaded.reload} /></section>

    <section aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>
      <p class="hint">Every entry of the audit log for this case, each a leaf of the signed audit log; the reads are shown on request.</p>
      <${Timeline} entries=${timeline} /></section>`;
}
