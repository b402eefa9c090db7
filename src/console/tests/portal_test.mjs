// The requester portal as an officer uses it: real Chromium against a real `custodian serve`
// on loopback, on SQLite and on PostgreSQL (browser_harness.mjs). A detective registers with
// the agency's address, confirms it by the link the SMTP sink received, sets up an
// authenticator app, sends a subpoena with its signed PDF, reads the reviewer's push-back
// letter, amends, and downloads the package once; a requester of another agency sees none of
// it, and a second request is withdrawn. Staff take their steps over the API.
// Usage: node portal_test.mjs CUSTODIAN_BINARY SOURCE_DIR
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { apiSession, freshCode, openPage, runOnEachStore, shoot, source, staffApi }
  from './browser_harness.mjs';

const kDetective = 'r.alvarez@las-cruces.org';      // us-nm-lcpd's domain
const kColleague = 'm.ortiz@las-cruces.org';
const kOutsider = 'j.smith@fbi.gov';                 // another agency
const kRequesterPassword = 'a portal passphrase of four words';
// A PDF as small as it can be and still be one (the server checks the header and trailer).
const kPdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n' +
                         'trailer<</Root 1 0 R>>\n%%EOF\n');

// The confirmation link the sink received for `email`, newest first; its token.
async function confirmationToken(instance, email) {
  for (let i = 0; i < 150; ++i) {
    const mails = instance.mailed().filter((m) => m.to.includes(email) && /\/portal\/#\/confirm\//.test(m.data));
    if (mails.length) return mails[mails.length - 1].data.replace(/=\r?\n/g, '').match(/\/portal\/#\/confirm\/([A-Za-z0-9_-]+)/)[1];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('no confirmation mail to ' + email);
}

// A requester made over the API alone (registered, confirmed, enrolled), signed in: the
// portal's API as a script would use it. Returns the session and the otpauth URI.
async function requesterApi(instance, email, name) {
  const base = instance.base;
  const send = (route, body) => fetch(base + route, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const registered = await send('/api/v1/portal/accounts', { email, name, password: kRequesterPassword });
  if (registered.status !== 202) throw new Error(`register ${email}: ${registered.status} ${await registered.text()}`);
  const confirmed = await (await send('/api/v1/portal/accounts/confirm',
                                      { token: await confirmationToken(instance, email), password: kRequesterPassword })).json();
  const enrolment = await (await send('/api/v1/portal/totp/enrolment', { ticket: confirmed.enrolment_ticket })).json();
  const uri = enrolment.otpauth_uri;
  const enrolled = await send('/api/v1/portal/totp/confirm', { ticket: confirmed.enrolment_ticket, totp: await freshCode(uri) });
  if (!enrolled.ok) throw new Error(`enrol ${email}: ${enrolled.status} ${await enrolled.text()}`);
  const session = await apiSession(base, '/api/v1/portal/session', { email, password: kRequesterPassword, totp: await freshCode(uri) });
  return { ...session, uri };
}

async function stateOf(staff, id) {
  return (await staff.get(`/api/v1/cases/${id}`)).body.state;
}

async function scenario({ browser, instance, where, say, axe, save }) {
  await instance.startMail();
  // Where the mailed links point (the test reads the token from the link, not the host).
  fs.appendFileSync(path.join(instance.data, 'custodian.toml'), '[alerts]\nconsole_url = "https://custodian.example.org"\n');
  await instance.serve();

  // Registration: an address outside every registered domain is refused beside the field.
  const page = await openPage(browser, instance, undefined, '/portal/');
  await page.waitForSelector('h1:text("Sign in")');
  await axe(page, 'portal sign-in');
  await shoot(page, 'portal-signin', save);
  await page.click('a[href="#/register"]');
  await page.waitForSelector('h1:text("Create an account")');
  await page.fill('#field-email', 'r.alvarez@example.com');
  await page.fill('#field-name', 'Det. R. Alvarez');
  await page.fill('#field-password', kRequesterPassword);
  await page.fill('#field-again', kRequesterPassword);
  await page.click('button:text("Create the account")');
  await page.waitForSelector('#field-email-error');
  say('an address outside the registry\'s domains is refused beside the field',
      (await page.locator('.error-summary a').getAttribute('href')) === '#field-email');
  await axe(page, 'portal register, refused');
  await shoot(page, 'portal-register-error', save);
  await page.fill('#field-email', kDetective);
  await page.fill('#field-password', kRequesterPassword);
  await page.fill('#field-again', kRequesterPassword);
  await page.click('button:text("Create the account")');
  await page.waitForSelector('h1:text("Check your e-mail")');
  // Registering an address again answers the same: the page never says who has an account.
  const again = await fetch(`${instance.base}/api/v1/portal/accounts`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: kDetective, name: 'Someone else', password: 'another passphrase entirely' }) });
  say('registering a taken address answers as a new one does', again.status === 202);
  say('an unconfirmed account cannot sign in', (await fetch(`${instance.base}/api/v1/portal/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: kDetective, password: kRequesterPassword, totp: '000000' }) })).status === 401);

  // Someone else registered the address meanwhile, with a password of their own: the newest
  // link is theirs, and the owner's password does not confirm it. The owner registers again,
  // and the link of that registration, with the owner's password, does.
  const stolen = await confirmationToken(instance, kDetective);
  await page.goto(`${instance.base}/portal/#/confirm/${stolen}`);
  await page.waitForSelector('h1:text("Confirm your address")');
  // The page takes the token out of the address bar as soon as it has it.
  await page.waitForFunction(() => !location.hash.includes('/confirm/'), null, { timeout: 5000 }).catch(() => {});
  say('the confirmation token leaves the address bar', !page.url().includes(stolen), page.url());
  await page.fill('#field-password', kRequesterPassword);
  await page.click('button:text("Confirm the address")');
  await page.waitForSelector('.error-summary');
  say('a link registered with another password confirms nothing', await page.locator('svg.qr').count() === 0);
  await axe(page, 'portal confirmation, refused');
  const registered = await fetch(`${instance.base}/api/v1/portal/accounts`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: kDetective, name: 'Det. R. Alvarez', password: kRequesterPassword }) });
  say('the owner registers again', registered.status === 202);
  let token = stolen;
  for (let i = 0; i < 150 && token === stolen; ++i) {
    await new Promise((r) => setTimeout(r, 200));
    token = await confirmationToken(instance, kDetective);
  }
  await page.goto(`${instance.base}/portal/#/confirm/${token}`);
  await page.waitForSelector('h1:text("Confirm your address")');
  await page.fill('#field-password', kRequesterPassword);
  await page.click('button:text("Confirm the address")');
  await page.waitForSelector('svg.qr');
  await axe(page, 'portal enrolment');
  await shoot(page, 'portal-enrol', save);
  const secret = (await page.locator('#totp-secret').textContent()).replace(/\s/g, '');
  const algorithm = (await page.locator('#totp-algorithm').textContent()).replace('-', '');
  const detectiveUri = `otpauth://totp/x?secret=${secret}&algorithm=${algorithm}`;
  await page.fill('#field-code', await freshCode(detectiveUri));
  await page.click('button:text("Confirm and sign in")');
  await page.waitForSelector('h1:text("Your requests")');
  say('the link cannot be used twice', (await fetch(`${instance.base}/api/v1/portal/accounts/confirm`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token, password: kRequesterPassword }) })).status === 404);

  // A new request: sent empty, every missing part is named; then filled in as the subpoena.
  await page.click('a:text("Send a new request")');
  await page.waitForSelector('h1:text("Send a new request")');
  await page.click('button:text("Send the request")');
  const missing = await page.locator('.error-summary a').allTextContents();
  say('an empty request names what is missing', missing.length >= 5, missing.join(' | '));
  await axe(page, 'portal new request, refused');
  await shoot(page, 'portal-new-request-errors', save);
  // A fresh form, filled in as the subpoena.
  await page.click('a:text("Your requests")');
  await page.click('a:text("Send a new request")');
  await page.waitForSelector('h1:text("Send a new request")');
  await page.selectOption('#field-process\\/type', 'subpoena');
  await page.fill('#field-process\\/authority', 'Third Judicial District Court, Doña Ana County');
  await page.fill('#field-process\\/statute', 'NMSA 1978 § 31-6-12');
  await page.fill('#field-process\\/reference', 'GJ-2026-0311');
  await page.check('#field-process\\/signed');
  await page.selectOption('#field-purpose\\/investigation_type', 'criminal');
  await page.fill('#field-purpose\\/offense', 'Shoplifting');
  await page.fill('#field-purpose\\/legal_basis', 'Grand jury subpoena under NMSA § 31-6-12; 18 U.S.C. 2703(c)(2).');
  await page.fill('#field-purpose\\/factual_basis', 'Stolen goods.');
  await page.fill('#field-targets', '1000042');
  await page.check('#field-categories');  // basic subscriber
  await page.check('#field-categories-access_log');
  const today = new Date();
  const day = (offset) => new Date(today.getTime() + offset * 86400000).toISOString().slice(0, 10);
  await page.fill('#field-window', day(-60));
  await page.fill('#field-window-end', day(-1));
  await page.check('#field-nondisclosure\\/ordered');
  await page.fill('#field-nondisclosure\\/authority', 'Order under 18 U.S.C. 2705(b)');
  await page.fill('#field-nondisclosure\\/until', day(90));
  await page.fill('#field-requester\\/officer', 'Det. R. Alvarez');
  await page.setInputFiles('#field-file', { name: 'subpoena.pdf', mimeType: 'application/pdf', buffer: kPdf });
  await page.check('#field-attestation_sha256');
  await shoot(page, 'portal-new-request', save);
  await page.click('button:text("Send the request")');
  await page.waitForSelector('.caption:text("Request")');
  await page.waitForSelector('#documents-title');
  const id = (await page.locator('h1').textContent()).trim();
  say('the request is received with its document', /^C-\d{4}-\d{6}$/.test(id) &&
      await page.locator('#documents-title ~ ul li:has-text("subpoena.pdf")').count() === 1, id);

  // Staff push it back with a letter; the requester reads it and amends.
  const reviewer = await staffApi(instance, 'reviewer');
  const letter = 'Say how the account is connected to the theft: the facts, not the offence alone.';
  let pushed = await reviewer.post(`/api/v1/cases/${id}/review`, { decision: 'pushback', note: 'internal: thin', letter });
  say('the reviewer pushes the request back', pushed.status === 200, JSON.stringify(pushed.body));
  await page.reload();
  await page.waitForSelector('h2:text("The service pushed this request back")');
  say('the requester reads the letter, never the internal note',
      (await page.locator('.letter').textContent()) === letter && !(await page.locator('main').textContent()).includes('internal: thin'));
  await axe(page, 'portal request, pushed back');
  await shoot(page, 'portal-request-pushed-back', save);
  await page.click('a:text("Amend the request")');
  await page.waitForSelector('h1:text("Amend the request")');
  say('the amendment starts from the request as sent', await page.inputValue('#field-targets') === '1000042');
  await page.fill('#field-purpose\\/factual_basis',
                  'The account 1000042 arranged the resale of goods stolen from a store on Lohman Ave on 2026-02-02; the seller met the buyer in person (case LC-26-1187).');
  await page.check('#field-attestation_sha256');
  await page.click('button:text("Send the amended request")');
  await page.waitForSelector(`h1:text("${id}")`);
  const amended = await stateOf(reviewer, id);
  say('the amended request goes back to review', amended === 'in_review', amended);

  // Reviewed by one person, approved and produced by another; the requester downloads it once.
  const review = await reviewer.post(`/api/v1/cases/${id}/review`, { decision: 'approve' });
  say('the amended request is reviewed', review.status === 200, JSON.stringify(review.body) + ' ' +
      JSON.stringify((await reviewer.get(`/api/v1/cases/${id}`)).body.decision.findings.map((f) => f.code)));
  const approver = await staffApi(instance, 'approver');
  say('the approver approves', (await approver.post(`/api/v1/cases/${id}/approve`)).status === 200);
  say('the approver starts the production', (await approver.post(`/api/v1/cases/${id}/productions`)).status === 202);
  for (let i = 0; i < 200 && !(await page.locator('a:text("Download the package")').count()); ++i) {
    await page.waitForTimeout(250);
    await page.reload();
    await page.waitForSelector(`h1:text("${id}")`);
    await page.waitForSelector('#findings-title');
  }
  const sha = (await page.locator('code.hash').first().textContent()).trim();
  say('once amended, the old push-back letter is kept below the request, folded, not as a warning',
      await page.locator('.notice-warning').count() === 0 &&
      (await page.locator('details.earlier-letter .letter').textContent()) === letter);
  await axe(page, 'portal request, package ready');
  await shoot(page, 'portal-request-produced', save);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:text("Download the package")')]);
  const file = await download.path();
  const bytes = file ? fs.readFileSync(file) : Buffer.alloc(0);
  say('the package downloads once, and its SHA-256 is the one shown',
      bytes.length > 0 && createHash('sha256').update(bytes).digest('hex') === sha, sha);
  await page.reload();
  await page.waitForSelector('text=No download is open');
  say('a used download is not offered again', await page.locator('a:text("Download the package")').count() === 0);
  // The server mails requesters every 30 seconds: the latest state of a request not mailed yet
  // (changes in between are one message), and each package ready on its own.
  let mailedStates = [];
  for (let i = 0; i < 200; ++i) {
    mailedStates = instance.mailed().filter((m) => m.to.includes(kDetective) && m.data.includes(id));
    if (mailedStates.some((m) => m.data.includes('a package is ready'))) break;
    await page.waitForTimeout(250);
  }
  say('the requester is mailed of the request\'s state and of its package',
      mailedStates.length >= 2 && mailedStates.some((m) => m.data.includes('a package is ready')), String(mailedStates.length));
  say('no script error or CSP violation', page.faults.length === 0, page.faults.join('; '));

  // Another agency's requester sees none of it; a colleague it is shared with sees it.
  const outsider = await requesterApi(instance, kOutsider, 'J. Smith');
  const theirs = await outsider.get('/api/v1/portal/requests');
  say('another agency\'s requester lists none of it', theirs.status === 200 && theirs.body.length === 0, JSON.stringify(theirs.body));
  for (const route of [`/api/v1/portal/requests/${id}`, `/api/v1/portal/requests/${id}/productions`, `/api/v1/portal/requests/${id}/shares`]) {
    const seen = await outsider.get(route);
    say(`another agency's requester is told ${route} does not exist`, seen.status === 404 && !JSON.stringify(seen.body).includes(id),
        `${seen.status} ${JSON.stringify(seen.body)}`);
  }
  const colleague = await requesterApi(instance, kColleague, 'M. Ortiz');
  say('a colleague not shared with does not see the request', (await colleague.get(`/api/v1/portal/requests/${id}`)).status === 404);
  await page.fill('#field-email', kColleague);
  await page.click('button:text-is("Share")');
  await page.waitForSelector(`li:has-text("${kColleague}")`);
  say('a colleague shared with sees the request', (await colleague.get(`/api/v1/portal/requests/${id}`)).status === 200);

  // A second request, withdrawn from its page.
  const second = await page.context().request.post(`${instance.base}/api/v1/portal/requests`, {
    headers: { 'X-CSRF-Token': (await (await page.context().request.get(`${instance.base}/api/v1/portal/session`)).json()).csrf },
    data: { request: JSON.parse(fs.readFileSync(path.join(source, 'examples/requests/lcpd-subpoena.json'), 'utf8')),
            attestation_sha256: (await (await page.context().request.get(`${instance.base}/api/v1/portal/attestation`)).json()).sha256 } });
  const secondId = (await second.json()).id;
  say('a second request is received', second.status() === 201, String(second.status()));
  await page.goto(`${instance.base}/portal/#/requests/${secondId}`);
  await page.click('button:text("Withdraw this request")');
  await page.fill('#field-reason', 'The suspect was identified otherwise.');
  await page.click('button:text("Withdraw the request")');
  await page.waitForSelector('.tag:text("withdrawn")');
  say('the second request is withdrawn', await stateOf(reviewer, secondId) === 'withdrawn');
  say('no script error or CSP violation', page.faults.length === 0, page.faults.join('; '));

  // A phone's screen: the list fits.
  const phone = await openPage(browser, instance, { width: 390, height: 844 }, '/portal/');
  await phone.fill('#field-email', kDetective);
  await phone.fill('#field-password', kRequesterPassword);
  await phone.fill('#field-totp', await freshCode(detectiveUri));
  await phone.click('button[type=submit]');
  await phone.waitForSelector('h1:text("Your requests")');
  await phone.waitForSelector('tbody tr');
  say('both requests are listed', await phone.locator('tbody tr').count() === 2);
  say('the list fits a phone\'s width', !(await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)));
  await axe(phone, 'portal requests');
  await shoot(phone, 'portal-requests-phone', save);
  say('no script error or CSP violation', phone.faults.length === 0, phone.faults.join('; '));
}

await runOnEachStore('portal_browser', scenario);
