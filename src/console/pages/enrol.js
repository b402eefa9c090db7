// First sign-in where the instance requires a second factor: the password was right, and the
// server gave a short-lived ticket. The ticket buys a new TOTP secret, shown as a QR code (and
// as text, for typing in), and a code from the app enrols it and signs the person in.
import { html, useEffect, useState } from '../vendor/preact-htm.js';
import qrcode from '../vendor/qrcode.js';
import { post, ApiError } from '../api.js';
import { ErrorSummary, Field, Loading, PageHeading, describedBy, errorFor, fieldId } from '../ui.js';

// The QR code of `text`, drawn as SVG squares (no image data, no markup from a string), with a
// four-module quiet zone.
function QrCode({ text, label }) {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const size = qr.getModuleCount();
  let path = '';
  for (let row = 0; row < size; ++row) {
    for (let col = 0; col < size; ++col) {
      if (qr.isDark(row, col)) path += `M${col + 4} ${row + 4}h1v1h-1z`;
    }
  }
  return html`<svg class="qr" viewBox=${`0 0 ${size + 8} ${size + 8}`} role="img" aria-label=${label}>
    <rect width=${size + 8} height=${size + 8} fill="#fff" /><path d=${path} fill="#000" /></svg>`;
}

const grouped = (secret) => secret.match(/.{1,4}/g).join(' ');

// What an app typed in by hand needs besides the key, as the otpauth URI says (RFC 6238's
// defaults where it says nothing).
function settingsOf(uri) {
  const params = new URL(uri).searchParams;
  const algorithm = (params.get('algorithm') || 'SHA1').toUpperCase().replace(/^SHA(\d)/, 'SHA-$1');
  return { algorithm, digits: params.get('digits') || '6', period: params.get('period') || '30' };
}

// Staff's endpoints; the portal passes its own (same bodies and answers).
const kStaffPaths = { start: '/api/v1/auth/totp/enrolment', confirm: '/api/v1/auth/totp/confirm' };

export function Enrol({ ticket, onSignedIn, onRestart, paths = kStaffPaths }) {
  const [enrolment, setEnrolment] = useState(null);
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);
  const [expired, setExpired] = useState(false);
  useEffect(() => {
    post(paths.start, { ticket }).then(setEnrolment, (e) => {
      setExpired(e instanceof ApiError && e.kind === 'invalid-ticket');
      setErrors([{ field: '', message: e.message }]);
    });
  }, [ticket, paths]);

  const submit = async (event) => {
    event.preventDefault();
    if (!/^\d{6}$/.test(code.trim())) return setErrors([{ field: 'code', message: 'Enter the 6 digits your authenticator app shows' }]);
    setBusy(true);
    try {
      onSignedIn(await post(paths.confirm, { ticket, totp: code.trim() }));
    } catch (e) {
      const type = e instanceof ApiError ? e.kind : '';
      setExpired(type === 'invalid-ticket');
      setErrors([type === 'invalid-credentials'
        ? { field: 'code', message: 'That code is not the app’s current one. Check the app was set up with this code, then enter the code it shows now' }
        : { field: '', message: e.message }]);
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  const heading = html`<${PageHeading}>Set up your authenticator app</${PageHeading}>`;
  if (expired || (!enrolment && errors.length)) {
    return html`<div class="narrow"><${ErrorSummary} errors=${errors} />${heading}
      <p>The set-up has ended (it lasts a few minutes and is used once). Sign in again to start it afresh.</p>
      <button type="button" class="button" onClick=${onRestart}>Sign in again</button></div>`;
  }
  if (!enrolment) return html`<div class="narrow">${heading}<${Loading} what="Your set-up code" /></div>`;
  const error = errorFor(errors, 'code');
  const hint = '6 digits; it changes every 30 seconds';
  const setting = settingsOf(enrolment.otpauth_uri);
  const account = enrolment.user || enrolment.email;
  return html`<div class="narrow">
    <${ErrorSummary} errors=${errors} />
    ${heading}
    <p>This instance requires a second factor. Scan the code below with an authenticator app on your phone
      (any app for time-based one-time passwords), then enter the code it shows.</p>
    <${QrCode} text=${enrolment.otpauth_uri} label=${`QR code of the set-up key for ${account}`} />
    <details><summary>Cannot scan? Type the key in instead</summary>
      <p>Account <strong>${account}</strong>, key <code class="secret" id="totp-secret">${grouped(enrolment.secret)}</code>;
        time-based, <span id="totp-algorithm">${setting.algorithm}</span>, ${setting.digits} digits, every ${setting.period} seconds.
        Choose ${setting.algorithm} in the app: one that assumes SHA-1 shows codes that are refused.</p></details>
    <form onSubmit=${submit} novalidate>
      <${Field} name="code" label="Code from your authenticator app" hint=${hint} error=${error}>
        <input class="input input-short" id=${fieldId('code')} value=${code} onInput=${(e) => setCode(e.target.value)}
               inputmode="numeric" autocomplete="one-time-code" maxlength="6"
               aria-describedby=${describedBy('code', hint, error)} aria-invalid=${error ? 'true' : undefined} />
      </${Field}>
      <button type="submit" class="button" disabled=${busy}>Confirm and sign in</button>
    </form>
  </div>`;
}
