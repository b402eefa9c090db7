// The e-mailed link: #/confirm/TOKEN. The token is taken out of the address bar at once (it
// stays out of history and out of any screenshot); the requester types the password chosen at
// registration, and both are spent on confirming the address (a link alone confirms nothing:
// whoever re-registered the address meanwhile cannot set its password). The answer's ticket
// leads to setting up the authenticator app, which signs the requester in.
import { html, useEffect, useState } from '/console/vendor/preact-htm.js';
import { post } from '/console/api.js';
import { ErrorSummary, Field, PageHeading, describedBy, errorFor, fieldId, useSubmit } from '/console/ui.js';
import { Enrol } from '/console/pages/enrol.js';
import { kPortalEnrolment } from './signin.js';

export function Confirm({ token, onSignedIn }) {
  const [link, setLink] = useState(token);
  const [password, setPassword] = useState('');
  const [ticket, setTicket] = useState(null);
  const { errors, setErrors, busy, run } = useSubmit(['password']);
  useEffect(() => {
    if (!token) return;
    setLink(token);  // another link opened in the same tab
    setErrors([]);
    history.replaceState(null, '', '#/confirm');
  }, [token]);

  const heading = html`<${PageHeading}>Confirm your address</${PageHeading}>`;
  if (!link) {
    return html`<div class="narrow">${heading}<p>Open the link from the e-mail we sent you, or <a href="#/">sign in</a>.</p></div>`;
  }
  if (ticket) {
    return html`<div>
      <div class="notice" role="status"><p>Your address is confirmed. One step is left: every requester signs in with an
        authenticator app as well as a password.</p></div>
      <${Enrol} ticket=${ticket} paths=${kPortalEnrolment} onSignedIn=${(s) => { location.hash = '#/'; onSignedIn(s); }}
                onRestart=${() => { location.hash = '#/'; }} />
    </div>`;
  }
  const submit = async (event) => {
    event.preventDefault();
    if (!password) return setErrors([{ field: 'password', message: 'Enter the password you chose when you registered' }]);
    let answer = null;
    if (await run(async () => { answer = await post('/api/v1/portal/accounts/confirm', { token: link, password }); })) {
      setTicket(answer.enrolment_ticket);
    } else {
      setPassword('');
    }
  };
  const hint = 'The one you chose when you registered';
  const error = errorFor(errors, 'password');
  return html`<div class="narrow">
    <${ErrorSummary} errors=${errors} />
    ${heading}
    <p>To confirm this address, enter your password. If the page says the link or password is wrong, the link may
      have been used, have expired (links last 24 hours), or be older than your latest registration:
      <a href="#/register">register again</a> for a new one.</p>
    <form onSubmit=${submit} novalidate>
      <${Field} name="password" label="Password" hint=${hint} error=${error}>
        <input class="input" type="password" id=${fieldId('password')} value=${password} autocomplete="current-password"
               onInput=${(e) => setPassword(e.target.value)} aria-describedby=${describedBy('password', hint, error)}
               aria-invalid=${error ? 'true' : undefined} />
      </${Field}>
      <button type="submit" class="button" disabled=${busy}>Confirm the address</button>
    </form>
  </div>`;
}
