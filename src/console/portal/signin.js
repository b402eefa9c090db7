// A requester signs in with the account's e-mail address, password and authenticator code;
// an account confirmed but without an app yet is led to set one up. The console's sign-in
// form, with the portal's endpoints.
import { html } from '/console/vendor/preact-htm.js';
import { SignIn as Form } from '/console/pages/signin.js';

export const kPortalEnrolment = { start: '/api/v1/portal/totp/enrolment', confirm: '/api/v1/portal/totp/confirm' };

const kRequester = {
  path: '/api/v1/portal/session',
  name: { key: 'email', label: 'E-mail address', missing: 'Enter the e-mail address of your account', autocomplete: 'email' },
  wrong: 'The address, password or code is wrong',
  enrol: kPortalEnrolment,
};

export function SignIn({ onSignedIn, trouble }) {
  return html`<${Form} onSignedIn=${onSignedIn} trouble=${trouble} who=${kRequester}>
    <h2>No account yet?</h2>
    <p>Officers of an agency in this service's registry can <a href="#/register">create an account</a> with
      their agency e-mail address. Legal process sent any other way is answered through the channels the
      service publishes.</p>
  </${Form}>`;
}
