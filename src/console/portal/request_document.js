// The request form's model and the request document (spec/legal-request.schema.json) it
// stands for, both ways: what the requester types, and the JSON the API takes. The fields
// custodian sets itself (the case id, time of receipt, channel, the agency and the account's
// address) are neither shown nor sent.

export const kProcessTypes = ['subpoena', 'administrative_subpoena', 'court_order', 'search_warrant', 'emergency',
  'preservation', 'preservation_extension', 'mlat', 'national_security_letter', 'civil_subpoena', 'letter'];
export const kInvestigationTypes = ['criminal', 'child_safety', 'civil', 'civil_immigration', 'national_security', 'emergency'];
export const kCategories = ['basic_subscriber', 'access_log', 'location', 'device', 'content'];
export const kTargetTypes = ['account_id', 'username', 'email', 'phone', 'ip'];

export function emptyModel() {
  return {
    requester: { officer: '', badge: '', phone: '' },
    process: { type: '', authority: '', statute: '', issued_by: '', reference: '', issued_on: '', return_by: '', signed: false },
    emergency: { imminent: false, danger: '' },
    purpose: { investigation_type: '', offense: '', legal_basis: '', factual_basis: '' },
    targets: [{ type: 'account_id', value: '' }],
    timing: 'window',
    window: { start: '', end: '' },
    times: '',
    categories: [],
    nondisclosure: { ordered: false, authority: '', until: '' },
  };
}

const pad = (n) => String(n).padStart(2, '0');

// An instant as the form writes it: "2026-03-01 14:05:00" (UTC).
function typed(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || '';
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
         `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

// What the requester typed as an instant, in UTC: "2026-03-01", "2026-03-01 14:05[:00]" or
// RFC 3339; null when it is none of those.
export function instant(text) {
  const t = text.trim();
  let m = t.match(/^(\d{4}-\d{2}-\d{2})$/);
  if (m) return `${m[1]}T00:00:00Z`;
  m = t.match(/^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?Z?$/);
  if (m) return `${m[1]}T${m[2]}${m[3] || ':00'}Z`;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(t) ? t : null;
}

// The form's model of a stored request document (to amend it).
export function modelOf(doc) {
  const model = emptyModel();
  const fill = (part) => {
    for (const key of Object.keys(model[part])) {
      if (doc[part] && doc[part][key] !== undefined && doc[part][key] !== null) model[part][key] = doc[part][key];
    }
  };
  ['requester', 'process', 'emergency', 'purpose', 'nondisclosure'].forEach(fill);
  if (Array.isArray(doc.targets) && doc.targets.length) model.targets = doc.targets.map((t) => ({ type: t.type, value: t.value }));
  if (Array.isArray(doc.times) && doc.times.length) {
    model.timing = 'times';
    model.times = doc.times.map(typed).join('\n');
  } else if (doc.window) {
    model.window = { start: typed(doc.window.start), end: typed(doc.window.end) };
  }
  model.categories = Array.isArray(doc.categories) ? [...doc.categories] : [];
  return model;
}

// The request document of the model: empty text left out, instants in RFC 3339. An instant
// that does not read goes as typed, for the server to name.
export function documentOf(model) {
  const clean = (part) => Object.fromEntries(Object.entries(part)
    .map(([k, v]) => [k, typeof v === 'string' ? v.trim() : v])
    .filter(([, v]) => v !== '' && v !== false));
  const doc = { requester: clean(model.requester), process: { ...clean(model.process), signed: model.process.signed } };
  if (model.process.type === 'emergency') doc.emergency = { ...clean(model.emergency), imminent: model.emergency.imminent };
  const purpose = clean(model.purpose);
  if (Object.keys(purpose).length) doc.purpose = purpose;
  doc.targets = model.targets.filter((t) => t.value.trim()).map((t) => ({ type: t.type.trim(), value: t.value.trim() }));
  if (model.timing === 'times') {
    doc.times = model.times.split('\n').filter((l) => l.trim()).map((l) => instant(l) || l.trim());
  } else if (model.window.start.trim() || model.window.end.trim()) {
    doc.window = { start: instant(model.window.start) || model.window.start.trim(),
                   end: instant(model.window.end) || model.window.end.trim() };
  }
  doc.categories = [...model.categories];
  if (model.nondisclosure.ordered) {
    doc.nondisclosure = { ordered: true, ...clean(model.nondisclosure) };
    if (!doc.nondisclosure.until) doc.nondisclosure.until = null;
  }
  return doc;
}

// What the form can say before anything is sent: what is missing or unreadable, by field.
export function missingParts(model) {
  const out = [];
  const need = (field, ok, message) => { if (!ok) out.push({ field, message }); };
  need('process/type', model.process.type, 'Choose the type of legal process');
  need('targets', model.targets.some((t) => t.value.trim()), 'Name at least one account, address or other identifier');
  need('categories', model.categories.length, 'Choose at least one category of records');
  if (model.timing === 'window' && model.process.type !== 'preservation') {
    need('window', instant(model.window.start) && instant(model.window.end),
         'Enter the window’s start and end, like 2026-01-31 or 2026-01-31 18:00 (UTC)');
  }
  if (model.timing === 'times') {
    const lines = model.times.split('\n').filter((l) => l.trim());
    need('times', lines.length && lines.every((l) => instant(l)), 'Enter one instant a line, like 2026-01-31 18:00:05 (UTC)');
  }
  if (model.process.type === 'emergency') need('emergency/danger', model.emergency.danger.trim(), 'Say what the danger is, to whom, and why it cannot wait');
  return out;
}
