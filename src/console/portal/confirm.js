// The e-mailed link: #/confirm/TOKEN. The token is taken out of the address bar at once (it
// stays out of history and out of any screenshot), spent on confirming the address, and the
// answer's ticket leads to setting up the authenticator app, which signs the requester in.
import { html, useEffect, useState } from '/console/vendor/preact-htm.js';
import { post, ApiError } from '/console/api.js';
import { Loading, PageHeading } from '/console/ui.js';
import { Enrol } from '/console/pages/enrol.js';
import { kPortalEnrolment } from './signin.js';

export function Confirm({ token, onSignedIn }) {
  const [state, setState] = useState({ ticket: null, error: null });
  useEffect(() => {
    if (!token) return;
    history.replaceState(null, '', '#/confirm');
    post('/api/v1/portal/accounts/confirm', { token }).then((answer) => {
      // An instance without second factors (the demo) signs the requester in at once.
      if (answer.csrf) {
        location.hash = '#/';
        return onSignedIn(answer);
      }
      setState({ ticket: answer.enrolment_ticket, error: null });
    }, (error) => setState({ ticket: null, error }));
  }, [token]);

  const heading = html`<${PageHeading}>Confirm your address</${PageHeading}>`;
  if (state.error) {
    const used = state.error instanceof ApiError && state.error.status === 404;
    return html`<div class="narrow">${heading}
      <div class="notice notice-error" role="alert"><p>${used
        ? 'This link has been used already, has expired (links last 24 hours) or is not whole. If you confirmed already, sign in; otherwise register again for a new link.'
        : state.error.message}</p></div>
      <p><a href="#/">Sign in</a> or <a href="#/register">register again</a>.</p></div>`;
  }
  if (!token && !state.ticket) {
    return html`<div class="narrow">${heading}<p>Open the link from the e-mail we sent you, or <a href="#/">sign in</a>.</p></div>`;
  }
  if (!state.ticket) return html`<div class="narrow">${heading}<${Loading} what="Your confirmation" /></div>`;
  return html`<div>
    <div class="notice" role="status"><p>Your address is confirmed. One step is left: every requester signs in with an
      authenticator app as well as a password.</p></div>
    <${Enrol} ticket=${state.ticket} paths=${kPortalEnrolment} onSignedIn=${(s) => { location.hash = '#/'; onSignedIn(s); }}
              onRestart=${() => { location.hash = '#/'; }} />
  </div>`;
}
