// The console's shared pieces, after the UK government's design system for forms: plain labels,
// a hint under the label, the error beside its field and in a summary at the top that links to
// it, one primary action per form.
import { html, useEffect, useRef, useState, useCallback } from './vendor/preact-htm.js';
import { ApiError, post } from './api.js';
import { words } from './format.js';

const sentence = (text) => text.charAt(0).toUpperCase() + text.slice(1);

// A failed submission as a form's errors: a problem whose field is one of `fields`, or lies
// within one (scope/targets/2 within scope/targets), goes beside it; any other is the form's own.
function errorsOf(error, fields) {
  if (!(error instanceof ApiError)) return [{ field: '', message: String(error.message || error) }];
  const field = fields.find((f) => error.field === f || error.field.startsWith(f + '/'));
  if (field) {
    return [{ field, message: sentence(error.problem.detail.replace(/^\/[\w/]+: /, '')) }];
  }
  return [{ field: '', message: sentence(error.problem.detail || error.problem.title) }];
}

export const fieldId = (name) => `field-${name}`;

// Focused when it appears, so that a screen reader reads it and a keyboard starts there.
export function ErrorSummary({ errors }) {
  const box = useRef(null);
  useEffect(() => {
    if (errors.length && box.current) box.current.focus();
  }, [errors]);
  if (!errors.length) return null;
  const jump = (event, field) => {
    event.preventDefault();
    const input = document.getElementById(fieldId(field));
    if (input) input.focus();
  };
  return html`
    <div class="error-summary" role="alert" tabindex="-1" ref=${box} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">There is a problem</h2>
      <ul>
        ${errors.map((e) => html`<li>${e.field
          ? html`<a href=${'#' + fieldId(e.field)} onClick=${(ev) => jump(ev, e.field)}>${e.message}</a>`
          : e.message}</li>`)}
      </ul>
    </div>`;
}

// A field's hint and error, each with the id its input's aria-describedby names.
function Messages({ name, hint, error }) {
  return html`${hint ? html`<p class="hint" id=${fieldId(name) + '-hint'}>${hint}</p>` : null}
    ${error ? html`<p class="error-message" id=${fieldId(name) + '-error'}>
      <span class="visually-hidden">Error: </span>${error}</p>` : null}`;
}

// A labelled field: `children` is the input, given id=fieldId(name) and aria-describedby=describedBy(…).
export function Field({ name, label, hint, error, children }) {
  return html`
    <div class=${error ? 'field field-error' : 'field'}>
      <label for=${fieldId(name)}>${label}</label>
      <${Messages} name=${name} hint=${hint} error=${error} />
      ${children}
    </div>`;
}

// A group of inputs under one legend (radios, check boxes, a pair of dates), with its hint and
// error; the first input takes id=fieldId(name), so that the error summary leads to it.
export function Fieldset({ name, legend, hint, error, children }) {
  return html`
    <fieldset class=${error ? 'field field-error' : 'field'} aria-describedby=${describedBy(name, hint, error)}>
      <legend>${legend}</legend>
      <${Messages} name=${name} hint=${hint} error=${error} />
      ${children}
    </fieldset>`;
}

export function describedBy(name, hint, error) {
  return [hint ? fieldId(name) + '-hint' : '', error ? fieldId(name) + '-error' : '']
    .filter(Boolean).join(' ') || undefined;
}

// The message for field `name` among `errors`, or "".
export function errorFor(errors, name) {
  const found = errors.find((e) => e.field === name);
  return found ? found.message : '';
}

// A state or a mark, in words and colour (never colour alone).
export function Tag({ kind, children }) {
  return html`<strong class=${'tag tag-' + (kind || 'plain')}>${children}</strong>`;
}

export function StateTag({ state }) {
  const kinds = { received: 'blue', verifying: 'yellow', in_review: 'blue', pushed_back: 'grey',
                  rejected: 'grey', reviewed: 'purple', approved: 'green', awaiting_notice: 'yellow',
                  producing: 'green', produced: 'green', closed: 'grey', holding: 'purple',
                  released: 'grey', expired: 'grey', withdrawn: 'grey' };
  return html`<${Tag} kind=${kinds[state]}>${words(state)}</${Tag}>`;
}

// A form's submission: `run(action)` calls the API; a refusal becomes the form's errors, each
// beside its field when it is one of `fields`. True when the action went through.
export function useSubmit(fields = []) {
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);
  const run = async (action) => {
    setBusy(true);
    try {
      await action();
      setErrors([]);
      return true;
    } catch (e) {
      setErrors(errorsOf(e, fields));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { errors, setErrors, busy, run };
}

// Loads what a page shows: { data, error, loading, reload }. A load that a newer one
// replaced is dropped.
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const generation = useRef(0);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then((data) => mine === generation.current && setState({ data, error: null, loading: false }),
                (error) => mine === generation.current && setState({ data: null, error, loading: false }));
  }, deps);
  useEffect(reload, [reload]);
  return { ...state, reload };
}

// What a page says while it loads, or when it could not load.
export function Loading({ error, what }) {
  if (error) {
    return html`<div class="notice notice-error" role="alert"><h2>${what} could not be loaded</h2>
      <p>${error.message}</p></div>`;
  }
  return html`<p class="loading" role="status">Loading ${what.toLowerCase()}…</p>`;
}

// A page's heading, focused when the page opens so that a screen reader announces it.
export function PageHeading({ children, caption }) {
  const heading = useRef(null);
  useEffect(() => {
    if (heading.current) heading.current.focus();
  }, []);
  return html`
    ${caption ? html`<span class="caption">${caption}</span>` : null}
    <h1 tabindex="-1" ref=${heading}>${children}</h1>`;
}

// A term and its value; nothing when there is no value.
export function Row({ term, children }) {
  if (children === null || children === undefined || children === '') return null;
  return html`<div class="summary-row"><dt>${term}</dt><dd>${children}</dd></div>`;
}

// A form that sends one file chosen in the browser: `send(text)` takes the file's text to the
// API. Any refusal, the server's or one `send` finds first, is about the file: beside it.
export function FileForm({ id, title, label, hint, accept, missing, button, send, onDone }) {
  const { errors, setErrors, busy, run } = useSubmit(['file']);
  const submit = async (event) => {
    event.preventDefault();
    const file = document.getElementById(fieldId('file')).files[0];
    if (!file) return setErrors([{ field: 'file', message: missing }]);
    const text = await file.text();
    const sending = () => send(text).catch((e) => {
      if (e instanceof ApiError) e.problem.field = '/file';
      throw e;
    });
    if (await run(sending)) onDone();
  };
  const error = errorFor(errors, 'file');
  return html`<form onSubmit=${submit} novalidate class="panel" aria-labelledby=${id}>
    <h2 id=${id}>${title}</h2>
    <${ErrorSummary} errors=${errors} />
    <${Field} name="file" label=${label} hint=${hint} error=${error}>
      <input type="file" class="file" id=${fieldId('file')} accept=${accept}
             aria-describedby=${describedBy('file', hint, error)} aria-invalid=${error ? 'true' : undefined} />
    </${Field}>
    <button type="submit" class="button" disabled=${busy}>${button}</button>
  </form>`;
}

// One button that takes a step, with its outcome said where the button was.
export function StepButton({ label, path, onDone, secondary }) {
  const { errors, busy, run } = useSubmit();
  const go = async () => {
    if (await run(() => post(path))) onDone();
  };
  return html`<div><${ErrorSummary} errors=${errors} />
    <button type="button" class=${secondary ? 'button button-secondary' : 'button'} disabled=${busy} onClick=${go}>${label}</button></div>`;
}

