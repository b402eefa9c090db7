// The scope editor: a reviewer narrows what the standards authorize, never widens it. Targets,
// categories and instants can only be left out; the window can only move inward. The server
// checks the narrowed scope against the authorized one (cases/narrowing.h) and says why
// anything wider is refused, beside the part at fault.
import { html } from '../vendor/preact-htm.js';
import { dateTime, words } from '../format.js';
import { Fieldset, errorFor, fieldId } from '../ui.js';

// The scope fields a refusal can name (a pointer below one of them is shown beside it).
export const kScopeFields = ['scope/targets', 'scope/categories', 'scope/window', 'scope/times'];

// A datetime-local input's value to the second: browsers leave ":00" seconds out.
const toSecond = (local) => (local.length === 16 ? local + ':00' : local);

// The editor's starting state: everything the standards authorize, kept.
export function initialScope(authorized) {
  return {
    targets: authorized.targets.map(() => true),
    categories: authorized.categories.map(() => true),
    start: authorized.window ? authorized.window.start.slice(0, 19) : '',
    end: authorized.window ? authorized.window.end.slice(0, 19) : '',
    times: (authorized.times || []).map(() => true),
  };
}

// The narrowed scope to send (only the parts changed), or null when nothing was narrowed.
export function narrowedScope(authorized, edit) {
  const scope = {};
  const kept = (list, flags) => list.filter((_, i) => flags[i]);
  if (edit.targets.some((k) => !k)) scope.targets = kept(authorized.targets, edit.targets);
  if (edit.categories.some((k) => !k)) scope.categories = kept(authorized.categories, edit.categories);
  const [start, end] = [toSecond(edit.start), toSecond(edit.end)];
  if (authorized.window && (start !== authorized.window.start.slice(0, 19) ||
                            end !== authorized.window.end.slice(0, 19))) {
    scope.window = { start: `${start}Z`, end: `${end}Z` };
  }
  if (edit.times.some((k) => !k)) scope.times = kept(authorized.times, edit.times);
  return Object.keys(scope).length ? scope : null;
}

function Checkboxes({ name, legend, hint, labels, flags, errors, onChange }) {
  const error = errorFor(errors, name);
  return html`<${Fieldset} name=${name} legend=${legend} hint=${hint} error=${error}>
    ${labels.map((label, i) => html`<div class="check">
      <input type="checkbox" id=${i === 0 ? fieldId(name) : fieldId(`${name}-${i}`)} checked=${flags[i]}
             onChange=${(e) => onChange(flags.map((f, j) => (j === i ? e.target.checked : f)))} />
      <label for=${i === 0 ? fieldId(name) : fieldId(`${name}-${i}`)}>${label}</label></div>`)}
  </${Fieldset}>`;
}

export function ScopeEditor({ authorized, edit, errors, onChange }) {
  const set = (part) => (value) => onChange({ ...edit, [part]: value });
  const windowError = errorFor(errors, 'scope/window');
  const windowHint = authorized.window &&
    `The standards authorize ${dateTime(authorized.window.start)} to ${dateTime(authorized.window.end)}; a review may only shorten it. Times are UTC.`;
  return html`<div class="scope-editor">
    <${Checkboxes} name="scope/targets" legend="Targets to produce" hint="Leave out a target to produce nothing of it."
      labels=${authorized.targets.map((t) => html`${words(t.type)}: <code>${t.value}</code>`)} flags=${edit.targets}
      errors=${errors} onChange=${set('targets')} />
    <${Checkboxes} name="scope/categories" legend="Categories to produce"
      labels=${authorized.categories.map(words)} flags=${edit.categories} errors=${errors} onChange=${set('categories')} />
    ${authorized.window ? html`<${Fieldset} name="scope/window" legend="Window" hint=${windowHint} error=${windowError}>
      <div class="date-pair">
        <div><label for=${fieldId('scope/window')}>From (UTC)</label>
          <input type="datetime-local" step="1" class="input input-medium" id=${fieldId('scope/window')} value=${edit.start}
                 onInput=${(e) => set('start')(e.target.value)} aria-invalid=${windowError ? 'true' : undefined} /></div>
        <div><label for=${fieldId('scope/window-end')}>To (UTC)</label>
          <input type="datetime-local" step="1" class="input input-medium" id=${fieldId('scope/window-end')} value=${edit.end}
                 onInput=${(e) => set('end')(e.target.value)} aria-invalid=${windowError ? 'true' : undefined} /></div>
      </div>
    </${Fieldset}>` : null}
    ${authorized.times && authorized.times.length ? html`<${Checkboxes} name="scope/times" legend="Instants to produce"
      hint=${`Each ± ${authorized.minutes} minutes.`} labels=${authorized.times.map(dateTime)} flags=${edit.times}
      errors=${errors} onChange=${set('times')} />` : null}
  </div>`;
}
