// The console as its people use it: real Chromium (Debian's), driven by playwright-core, against
// a real `custodian serve` on loopback, on SQLite and (when scripts/with-postgres.sh gives one
// in CUSTODIAN_TEST_POSTGRES) on PostgreSQL. Staff sign in with a password and a TOTP code, as
// the default instance requires. Every page is checked by axe-core (no serious or critical
// violation) and must raise no Content-Security-Policy violation; the main pages are saved as
// screenshots under docs/screenshots/ (from the SQLite run).
// Usage: node console_test.mjs CUSTODIAN_BINARY SOURCE_DIR
import path from 'node:path';
import { freshCode, kPassword, openPage, runOnEachStore, shoot, source, totp }
  from './browser_harness.mjs';

const kRegistryNumber = '+1-575-555-0100';  // us-nm-lcpd's in spec/agencies.example.json

async function signIn(page, instance, user) {
  const code = await freshCode(instance.totp[user]);
  await page.fill('#field-username', user);
  await page.fill('#field-password', kPassword);
  await page.fill('#field-totp', code);
  await page.click('button[type=submit]');
  await page.waitForSelector('h1:text("Queue")');
}

// The case's state as the API says, read with the page's own session.
async function stateOf(page, instance, id) {
  return (await (await page.request.get(`${instance.base}/api/v1/cases/${id}`)).json()).state;
}

async function scenario({ browser, instance, where, say, axe, save }) {
  // An emergency whose requester is not yet confirmed: its callback is the first step.
  const emergency = instance.submit('emergency-verified-narrowed', (d) => {
    delete d.verification;
    return d;
  });
  // The subpoena comes with a nondisclosure order (18 U.S.C. 2705(b)): the user's notice waits
  // for the order, so production need not wait for a notice period.
  const subpoena = instance.submit('lcpd-subpoena', (d) => {
    d.nondisclosure = { ordered: true, authority: 'Order under 18 U.S.C. 2705(b)', until: '2027-06-30' };
    return d;
  });
  const warrant = instance.submit('fbi-warrant-content');
  instance.submit('hsi-child-safety-court-order');
  instance.submit('preservation');
  // A subpoena the standards push back (its factual basis is too short): the reviewer writes
  // to the requester, who reads the letter in the portal with its own token.
  const vague = instance.submit('vague-subpoena');
  instance.cli('user', 'requester', 'add', 'r.alvarez@las-cruces.org', '--name', 'R. Alvarez', '--actor', 'setup',
               { stdin: kPassword + '\n' });
  const requesterToken = JSON.parse(instance.cli('user', 'token', 'create', '--requester', 'r.alvarez',
                                                 '--account', 'r.alvarez@las-cruces.org',
                                                 '--actor', 'setup')).token;
  await instance.startMail();
  await instance.serve();

  // Sign-in: a form with nothing in it, wrong credentials, then the right ones.
  const page = await openPage(browser, instance);
  await page.waitForSelector('h1:text("Sign in")');
  await axe(page, 'sign-in');
  await shoot(page, 'signin', save);
  await page.click('button[type=submit]');
  const links = await page.locator('.error-summary a').allTextContents();
  say('an empty sign-in lists both missing fields', links.join('|') === 'Enter your user name|Enter your password', links.join('|'));
  await page.locator('.error-summary a').first().click();
  say('an error summary link moves the focus to its field',
      await page.evaluate(() => document.activeElement.id) === 'field-username');
  await axe(page, 'sign-in with errors');
  await shoot(page, 'signin-errors', save);
  await page.fill('#field-username', 'nobody');
  await page.fill('#field-password', 'not the password');
  await page.fill('#field-totp', '123456');
  await page.click('button[type=submit]');
  await page.waitForSelector('.error-summary:has-text("The name, password or code is wrong")');
  say('a refused sign-in makes no session',
      (await page.request.get(`${instance.base}/api/v1/auth/session`)).status() === 401);
  await signIn(page, instance, 'dual');

  // The queue: the emergency first; filters narrow it.
  const firstRow = await page.locator('tbody tr').first().textContent();
  say('the queue puts the emergency first', firstRow.includes(emergency) && firstRow.includes('emergency'), firstRow);
  const rows = await page.locator('tbody tr').count();
  say('the queue lists every open case', rows === 6, String(rows));
  await axe(page, 'queue');
  await shoot(page, 'queue', save);
  await page.selectOption('#field-process', 'subpoena');
  const processes = await page.locator('tbody tr td:nth-child(3)').allTextContents();
  say('the process filter keeps only subpoenas', processes.length === 2 && processes.every((p) => p === 'subpoena'),
      processes.join('|'));
  await page.selectOption('#field-process', '');
  await page.fill('#field-search', emergency);
  await page.click('button:text-is("Search")');
  await page.waitForSelector('.lede:has-text("matches")');
  say('searching a case id finds that case alone', await page.locator('tbody tr').count() === 1);
  // A target's value finds its cases by the keyed index; the answer lists cases, not targets.
  await page.fill('#field-search', '1000042');
  await page.click('button:text-is("Search")');
  await page.waitForSelector('.lede:has-text("1000042")');
  const found = await page.locator('tbody tr td:first-child a').allTextContents();
  say('searching an account id finds the subpoena naming it', found.includes(subpoena), found.join(' '));
  say('the search answer shows no target', !(await page.locator('main').textContent()).replace(/“1000042”/, '').includes('1000042'));
  await shoot(page, 'queue-search', save);
  await page.click('button:text("Back to the open cases")');
  await page.waitForSelector('.lede:has-text("open cases")');

  // Assignment: the emergency to the person signed in, shown in the queue.
  await page.click(`tbody a[href="#/cases/${emergency}"]`);
  await page.click('button:text("Assign to me")');
  await page.waitForSelector('#assignment ~ div :text("Assigned to dual")');
  await page.fill('#field-assignee', 'nobody-here');
  await page.click('button:text-is("Assign")');
  await page.waitForSelector('#field-assignee-error');
  say('assigning an unknown person is refused beside the field, the assignee unchanged',
      (await (await page.request.get(`${instance.base}/api/v1/cases/${emergency}`)).json()).assignee === 'dual');
  // Internal comments: an empty one refused beside its field, then one kept.
  await page.click('button:text("Add the comment")');
  await page.waitForSelector('#field-text-error');
  await page.fill('#field-text', 'Called the duty sergeant; the warrant follows by Friday.');
  await page.click('button:text("Add the comment")');
  await page.waitForSelector('.comment-text:text("Called the duty sergeant; the warrant follows by Friday.")');
  say('a comment is kept with its author', (await page.locator('.comment .hint').first().textContent()).startsWith('dual'));
  await page.click('a.brand');
  await page.waitForSelector('h1:text("Queue")');
  const assigned = await page.locator(`tbody tr:has(a[href="#/cases/${emergency}"]) td:nth-child(5)`).textContent();
  say('the queue shows the assignee', assigned === 'dual', assigned);
  await page.selectOption('#field-assignee', 'dual');
  say('the assignee filter keeps the cases assigned to that person', await page.locator('tbody tr').count() === 1);
  await page.selectOption('#field-assignee', '');

  // The emergency: blocked until the callback is recorded, and only to the registry's number.
  await page.click(`tbody a[href="#/cases/${emergency}"]`);
  await page.waitForSelector('#field-phone');
  say('an unverified emergency offers no review', await page.locator('input[name=decision]').count() === 0);
  await axe(page, 'case, callback');
  await page.fill('#field-phone', '+1-575-555-0999');  // the number the request gives
  await page.click('button:text("Record the call")');
  await page.waitForSelector('#field-phone-error');
  say('a number other than the registry\'s is refused beside its field',
      (await page.locator('#field-phone-error').textContent()).length > 10);
  say('a refused callback changes nothing', await stateOf(page, instance, emergency) === 'verifying');
  await shoot(page, 'case-callback-error', save);
  await page.fill('#field-phone', kRegistryNumber);
  await page.click('button:text("Record the call")');
  await page.waitForSelector('input[name=decision]');
  say('the callback puts the case in review', await stateOf(page, instance, emergency) === 'in_review');

  // Review: nothing chosen; a departure without its note; then the recommendation.
  await axe(page, 'case, review');
  await shoot(page, 'case', save);
  await page.click('button:text("Record review")');
  await page.waitForSelector('.error-summary a:text("Choose what you recommend")');
  await page.check('#field-decision-reject');
  await page.click('button:text("Record review")');
  await page.waitForSelector('#field-note-error');
  say('rejecting what the standards would produce needs a note, said beside it',
      (await page.locator('.error-summary a').getAttribute('href')) === '#field-note');
  say('a refused review changes nothing', await stateOf(page, instance, emergency) === 'in_review');
  await axe(page, 'case, review refused');
  await shoot(page, 'case-review-error', save);
  await page.check('#field-decision');
  await page.click('button:text("Record review")');
  await page.waitForSelector('.notice:has-text("Another approver must approve")');
  say('the reviewer is not offered the approval', await page.locator('button:text-is("Approve")').count() === 0);
  say('the review is recorded', await stateOf(page, instance, emergency) === 'reviewed');
  await shoot(page, 'case-two-person', save);
  say('a direct approval by the reviewer is refused too',
      (await page.request.post(`${instance.base}/api/v1/cases/${emergency}/approve`, {
        headers: { 'X-CSRF-Token': (await (await page.request.get(`${instance.base}/api/v1/auth/session`)).json()).csrf },
      })).status() === 403);

  // Signed out, the session is gone.
  await page.click('button:text("Sign out")');
  await page.waitForSelector('h1:text("Sign in")');
  say('signing out ends the session', (await page.request.get(`${instance.base}/api/v1/auth/session`)).status() === 401);
  // A browser holds up to six connections to a server, and the server bounds each client
  // address to eight ([server] max_connections_per_address): one person's browser at a time.
  say('no script error or CSP violation', page.faults.length === 0, page.faults.join('; '));
  await page.context().close();

  // Another person approves, and starts the production.
  const approver = await openPage(browser, instance);
  await signIn(approver, instance, 'approver');
  await approver.click(`tbody a[href="#/cases/${emergency}"]`);
  await approver.click('button:text-is("Approve")');
  await approver.waitForSelector('button:text("Start production")');
  say('the approval is recorded', await stateOf(approver, instance, emergency) === 'approved');
  await approver.click('button:text("Start production")');
  await approver.waitForSelector('#productions ~ div table, section:has(#productions) table');
  say('the production is listed on the case', (await approver.locator('section:has(#productions) tbody tr').count()) === 1);
  // The server runs the production (its package stored, a download issued to the requester);
  // staff issue a new download (the open one is revoked) and revoke that one too.
  const packaged = 'section:has(#productions) tbody td:nth-child(4) code';
  for (let i = 0; i < 200 && await approver.locator(packaged).count() === 0; ++i) {
    await approver.waitForTimeout(250);
    await approver.reload();
    await approver.waitForSelector('#productions');
  }
  say('the production\'s package is listed with its SHA-256', await approver.locator(packaged).count() === 1);
  await approver.click('button:text("Issue a download to the requester")');
  await approver.waitForSelector('section:has(#productions) td:has-text("open, until")');
  await approver.click('button:text-is("Revoke")');
  await approver.waitForSelector('section:has(#productions) td:has-text("revoked, until")');
  const steps = await approver.locator('section:has(#timeline) tbody tr').allTextContents();
  say('the timeline shows the steps, not the reads', steps.every((row) => !/view |list /.test(row)), steps.join(' | '));
  await approver.check('#field-reads');
  const timeline = await approver.locator('section:has(#timeline) tbody tr').allTextContents();
  say('the timeline has every step and read, by whom',
      ['dualrecommend', 'approverapprove', 'approverissue download', 'approverrevoke download', 'approverview case']
        .every((step) => timeline.some((row) => row.replace(/^[\d-]+ [\d:]+ UTC/, '').replace(/\d+$/, '') === step)),
      timeline.join(' | '));
  await axe(approver, 'case, produced');
  await shoot(approver, 'case-produced', save);
  say('no script error or CSP violation', approver.faults.length === 0, approver.faults.join('; '));
  await approver.context().close();

  // The auditor checks the audit log in the browser: the head's signature and every entry's
  // proof; a reviewer is not shown it.
  const auditor = await openPage(browser, instance);
  await signIn(auditor, instance, 'auditor');
  await auditor.click('a[href="#/audit"]');
  await auditor.waitForSelector('.notice:has-text("Signed head of")');
  const verdict = await auditor.locator('.notice').first().textContent();
  say('the audit log\'s head is verified in the browser', verdict.includes('signature verified in this browser'), verdict);
  const checked = await auditor.locator('tbody tr').count();
  say('every audit entry shown is proved included', checked > 10 &&
      await auditor.locator('tbody td:has-text("included")').count() === checked &&
      await auditor.locator('.tag:text-matches("NOT")').count() === 0, `${checked} rows`);
  say('every detail shown matches its leaf', await auditor.locator('text=detail matches').count() > 0);
  await axe(auditor, 'audit log');
  await shoot(auditor, 'audit-log', save);
  await auditor.click('a[href="#/disclosures"]');
  await auditor.waitForSelector('h1:text("Disclosure log")');
  await auditor.waitForSelector('.notice:has-text("Signed head of")');
  const disclosed = await auditor.locator('tbody tr').count();
  say('the disclosure log\'s head verifies and every leaf shown is proved included', disclosed > 5 &&
      (await auditor.locator('.notice').first().textContent()).includes('signature verified in this browser') &&
      await auditor.locator('tbody td:has-text("included")').count() === disclosed &&
      await auditor.locator('.tag:text-matches("NOT")').count() === 0, `${disclosed} rows`);
  await axe(auditor, 'disclosure log');
  await shoot(auditor, 'disclosure-log', save);
  await auditor.click('a[href="#/ledgers"]');
  await auditor.waitForSelector('section:has(#log-disclosures) table, section:has(#log-disclosures) p');
  const heads = await auditor.locator('tbody tr').count();
  const verified = await auditor.locator('tbody .tag:text-is("verified")').count();
  const proved = await auditor.locator('tbody .tag:text-is("proved")').count();
  say('every signed head of both logs verifies, each consistent with the one before',
      heads >= 2 && verified === heads && proved >= 1 && await auditor.locator('.tag:text-matches("NOT")').count() === 0,
      `${heads} heads, ${verified} verified, ${proved} proved consistent`);
  await axe(auditor, 'ledgers');
  await shoot(auditor, 'ledgers', save);
  await auditor.click('a[href="#/reports"]');
  await auditor.waitForSelector('.notice:has-text("signed with ledger key")');
  say('the report\'s signature verifies in the browser',
      (await auditor.locator('.notice').first().textContent()).includes('signature verified in this browser'));
  const charts = await auditor.locator('figure.chart svg').count();
  say('the report is drawn as charts with their tables', charts >= 2 && await auditor.locator('table').count() === charts,
      `${charts} charts`);
  await axe(auditor, 'reports');
  await shoot(auditor, 'report', save);
  await auditor.click('a[href="#/vault"]');
  await auditor.waitForSelector('dt:text("Kept for")');
  say('the vault page says the retention in force and the holds, with no personal data',
      /\d+ days, as the standards say/.test(await auditor.locator('main').textContent()) &&
      await auditor.locator('dt:text("Holds in force")').count() === 1);
  await axe(auditor, 'vault');
  say('no script error or CSP violation', auditor.faults.length === 0, auditor.faults.join('; '));
  await auditor.context().close();

  // The overdue subpoena raised an alert: mailed to the reviewers, shown on their queue.
  const reviewer = await openPage(browser, instance);
  await signIn(reviewer, instance, 'reviewer');
  let mails = [];
  for (let i = 0; i < 100 && !mails.length; ++i) {
    mails = instance.mailed().filter((m) => m.to.includes('reviewer@example.org') && m.data.includes(subpoena));
    if (!mails.length) await reviewer.waitForTimeout(200);
  }
  say('the overdue case\'s alert is mailed to the reviewer', mails.length === 1 && /overdue/i.test(mails[0].data),
      instance.mailed().map((m) => m.to.join(',')).join(' | '));
  await reviewer.waitForSelector('#alerts-title');
  say('the reviewer\'s queue shows the overdue alert',
      await reviewer.locator(`.alert:has-text("Overdue"):has(a[href="#/cases/${subpoena}"])`).count() === 1);
  await shoot(reviewer, 'queue-alerts', save);
  await reviewer.click('a[href="#/alerts"]');
  await reviewer.waitForSelector(`.alert:has(a[href="#/cases/${subpoena}"])`);
  await axe(reviewer, 'alerts');
  await reviewer.click('a.brand');
  await reviewer.waitForSelector('h1:text("Queue")');

  // A pushback needs a letter to the requester: without one it is refused beside the letter
  // field and changes nothing; with one the portal shows the letter, never the internal note.
  say('the vague subpoena waits for review', await stateOf(reviewer, instance, vague) === 'in_review');
  await reviewer.click(`tbody a[href="#/cases/${vague}"]`);
  await reviewer.waitForSelector('input[name=decision]');
  await reviewer.check('#field-decision-pushback');
  await reviewer.waitForSelector('#field-letter');
  await reviewer.fill('#field-note', 'internal: the sergeant could not say which account');
  await reviewer.click('button:text("Record review")');
  await reviewer.waitForSelector('.field-error:has(#field-letter) .error-message');
  say('a pushback without a letter is refused beside the letter',
      (await reviewer.locator('.error-summary a').getAttribute('href')) === '#field-letter');
  say('a refused pushback changes nothing', await stateOf(reviewer, instance, vague) === 'in_review');
  await axe(reviewer, 'case, pushback letter missing');
  await shoot(reviewer, 'case-pushback-letter-error', save);
  const letter = 'Describe the facts that make these records relevant to the investigation (at least 40 characters).';
  await reviewer.fill('#field-letter', letter);
  await reviewer.click('button:text("Record review")');
  await reviewer.waitForSelector('h3:text("Letter to the requester")');
  say('a pushback with a letter pushes the case back', await stateOf(reviewer, instance, vague) === 'pushed_back');
  const portal = await fetch(`${instance.base}/api/v1/portal/requests/${vague}`,
                             { headers: { Authorization: 'Bearer ' + requesterToken } });
  const portalText = await portal.text();
  const portalView = JSON.parse(portalText);
  say('the requester reads the letter in the portal', portal.status === 200 && portalView.state === 'pushed_back' &&
      portalView.pushback_letter && portalView.pushback_letter.text === letter, portalText);
  say('the portal never shows the internal note', !portalText.includes('sergeant'), portalText);
  await reviewer.click('a:text("Back to the queue")');

  // The scope editor narrows the window, and cannot widen it.
  await reviewer.click(`tbody a[href="#/cases/${subpoena}"]`);
  await reviewer.waitForSelector('input[name=decision]');
  await reviewer.check('#field-decision');
  await reviewer.check('#field-narrowing');
  const start = await reviewer.inputValue('#field-scope\\/window');
  const end = await reviewer.inputValue('#field-scope\\/window-end');
  const shift = (local, days) => new Date(Date.parse(local + 'Z') + days * 86400000).toISOString().slice(0, 19);
  await reviewer.fill('#field-scope\\/window-end', shift(end, 1));
  await reviewer.click('button:text("Record review")');
  await reviewer.waitForSelector('.error-message:has-text("never widens")');
  say('a wider window is refused beside the window, saying why',
      (await reviewer.locator('.error-summary a').getAttribute('href')) === '#field-scope/window');
  say('a refused narrowing changes nothing', await stateOf(reviewer, instance, subpoena) === 'in_review');
  await axe(reviewer, 'case, scope refused');
  await shoot(reviewer, 'case-scope-error', save);
  await reviewer.fill('#field-scope\\/window-end', end);
  await reviewer.fill('#field-scope\\/window', shift(start, 1));
  await reviewer.click('button:text("Record review")');
  await reviewer.waitForSelector('h3:text("Narrowed by the reviewer")');
  const narrowed = (await (await reviewer.request.get(`${instance.base}/api/v1/cases/${subpoena}`)).json()).review.narrowed_scope;
  say('the narrowed window is recorded', narrowed && narrowed.window.start === shift(start, 1) + 'Z' &&
      narrowed.window.end === shift(end, 0) + 'Z', JSON.stringify(narrowed));
  say('no script error or CSP violation', reviewer.faults.length === 0, reviewer.faults.join('; '));
  await reviewer.context().close();

  // Another person approves the reviewed subpoena, produces it in the narrowed scope and
  // delivers it: the reviewer and the approver took it from intake to a delivered production.
  const second = await openPage(browser, instance);
  await signIn(second, instance, 'approver');
  await second.click(`tbody a[href="#/cases/${subpoena}"]`);
  await second.click('button:text-is("Approve")');
  await second.waitForSelector('button:text("Start production")');
  await second.click('button:text("Start production")');
  await second.waitForSelector('section:has(#productions) tbody tr');
  for (let i = 0; i < 200 && await second.locator(packaged).count() === 0; ++i) {
    await second.waitForTimeout(250);
    await second.reload();
    await second.waitForSelector('#productions');
  }
  say('the subpoena\'s package is made', await second.locator(packaged).count() === 1);
  const delivered = (await (await second.request.get(`${instance.base}/api/v1/cases/${subpoena}/productions`)).json())[0];
  say('the subpoena is delivered: a download is open to the requester',
      delivered && delivered.downloads.some((g) => g.state === 'open'), JSON.stringify(delivered && delivered.downloads));
  say('no script error or CSP violation', second.faults.length === 0, second.faults.join('; '));
  await second.context().close();

  // An administrator edits the registry and installs standards; bad input is said beside its
  // field and changes nothing.
  const admin = await openPage(browser, instance);
  await signIn(admin, instance, 'admin');
  await admin.click('a[href="#/agencies"]');
  await admin.click('button[aria-label="Edit Las Cruces Police Department"]');
  await admin.fill('#field-country', 'USA');
  await admin.click('button:text("Save the agency")');
  await admin.waitForSelector('#field-country-error');
  const registry = async () => (await (await admin.request.get(`${instance.base}/api/v1/agencies`)).json());
  say('a bad country is refused beside its field, and the registry is unchanged',
      (await registry()).find((a) => a.id === 'us-nm-lcpd').country === 'US');
  await axe(admin, 'agencies, refused');
  await shoot(admin, 'agencies-error', save);
  await admin.fill('#field-country', 'US');
  await admin.fill('#field-phone', '+1-575-555-0101');
  await admin.click('button:text("Save the agency")');
  await admin.waitForSelector('td:text("+1-575-555-0101")');
  say('an edited agency is saved', (await registry()).find((a) => a.id === 'us-nm-lcpd').phone === '+1-575-555-0101');
  await admin.click('button:text("Import a registry file")');
  await admin.setInputFiles('#field-file', { name: 'registry.json', mimeType: 'application/json', buffer: Buffer.from('[{"id": ') });
  await admin.click('button:text("Import and replace")');
  await admin.waitForSelector('#field-file-error:has-text("not JSON")');
  say('a registry file that is not JSON is refused beside its field',
      (await registry()).find((a) => a.id === 'us-nm-lcpd').phone === '+1-575-555-0101');
  await admin.setInputFiles('#field-file', path.join(source, 'spec/agencies.example.json'));
  await admin.click('button:text("Import and replace")');
  await admin.waitForSelector('td:text("+1-575-555-0100")');
  say('an imported registry replaces the registry',
      (await registry()).find((a) => a.id === 'us-nm-lcpd').phone === '+1-575-555-0100');
  await admin.click('a[href="#/standards"]');
  await admin.waitForSelector('h1:text("Standards")');
  const before = (await (await admin.request.get(`${instance.base}/api/v1/standards`)).json()).current.sha256;
  await admin.click('button:text("Install new standards")');
  await admin.setInputFiles('#field-file', { name: 'bad.toml', mimeType: 'application/toml', buffer: Buffer.from('name = "x"\nversion = \n') });
  await admin.click('button:text-is("Install")');
  await admin.waitForSelector('#field-file-error');
  say('a bad standards file is refused beside its field, and the standards are unchanged',
      (await (await admin.request.get(`${instance.base}/api/v1/standards`)).json()).current.sha256 === before);
  await axe(admin, 'standards, refused');
  await shoot(admin, 'standards-error', save);
  // Staff users: a new reviewer, whose first password is shown once; a token for a requester.
  await admin.click('a[href="#/users"]');
  await admin.click('button:text("Add a staff user")');
  await admin.click('button:text("Add the user")');
  await admin.waitForSelector('#field-roles-error');
  await admin.fill('#field-name', 'newbie');
  await admin.check('#field-roles-reviewer');
  await admin.click('button:text("Add the user")');
  await admin.waitForSelector('#new-password');
  const firstPassword = (await admin.locator('#new-password').textContent()).trim();
  say('a new user\'s first password is shown once', firstPassword.length >= 12);
  await axe(admin, 'users');
  await shoot(admin, 'users', save);
  await admin.click('a[href="#/tokens"]');
  await admin.click('button:text("Make a token")');
  await admin.check('#field-kind-requester');
  await admin.fill('#field-name', 'Det. R. Alvarez');
  await admin.click('button:text("Make the token")');
  await admin.waitForSelector('#field-account-error');
  await admin.selectOption('#field-account', { label: 'R. Alvarez (r.alvarez@las-cruces.org)' });
  await admin.click('button:text("Make the token")');
  await admin.waitForSelector('#new-token');
  const token = (await admin.locator('#new-token').textContent()).trim();
  say('a new token is shown once, and opens the portal', token.startsWith('cst_') &&
      (await fetch(`${instance.base}/api/v1/portal/requests`, { headers: { Authorization: 'Bearer ' + token } })).status === 200);
  await admin.click('button:text("Done")');
  await axe(admin, 'tokens');
  await shoot(admin, 'tokens', save);
  await admin.click('button[aria-label="Revoke Det. R. Alvarez"]');
  await admin.waitForSelector('td:has-text("revoked")');
  say('a revoked token opens nothing',
      (await fetch(`${instance.base}/api/v1/portal/requests`, { headers: { Authorization: 'Bearer ' + token } })).status === 401);
  say('no script error or CSP violation', admin.faults.length === 0, admin.faults.join('; '));
  await admin.context().close();

  // The new reviewer's first sign-in: the password, then an authenticator set up from the QR
  // code (its key read as a person would type it), then the queue.
  const newbie = await openPage(browser, instance);
  await newbie.fill('#field-username', 'newbie');
  await newbie.fill('#field-password', firstPassword);
  await newbie.click('button[type=submit]');
  await newbie.waitForSelector('svg.qr');
  await axe(newbie, 'first sign-in');
  await shoot(newbie, 'enrol', save);
  const secret = (await newbie.locator('#totp-secret').textContent()).replace(/\s/g, '');
  await newbie.fill('#field-code', '000000');
  await newbie.click('button:text("Confirm and sign in")');
  await newbie.waitForSelector('#field-code-error');
  const algorithm = (await newbie.locator('#totp-algorithm').textContent()).replace('-', '');
  await newbie.fill('#field-code', totp(`otpauth://totp/x?secret=${secret}&algorithm=${algorithm}`));
  await newbie.click('button:text("Confirm and sign in")');
  await newbie.waitForSelector('h1:text("Queue")');
  say('a first sign-in enrols the authenticator and signs in', true);
  await newbie.click('a[href="#/account"]');
  await newbie.fill('#field-current', 'not the password');
  await newbie.fill('#field-new', 'a new password of mine');
  await newbie.fill('#field-again', 'a new password of mine');
  await newbie.click('button:text("Change the password")');
  await newbie.waitForSelector('#field-current-error');
  await axe(newbie, 'account');
  say('no script error or CSP violation', newbie.faults.length === 0, newbie.faults.join('; '));
  await newbie.context().close();

  // A case on a phone's screen: one column, nothing cut.
  const phone = await openPage(browser, instance, { width: 390, height: 844 });
  await signIn(phone, instance, 'reviewer');
  say('a reviewer has no audit log in the menu', await phone.locator('a[href="#/audit"]').count() === 0);
  await phone.goto(instance.base + '/#/audit');
  await phone.waitForSelector('text=Only auditors read the audit log');
  await phone.goto(instance.base + '/#/');
  await phone.waitForSelector('h1:text("Queue")');
  // By keyboard alone: Tab to an open case's link (the warrant's), Enter opens it.
  let reached = false;
  for (let i = 0; i < 60 && !reached; ++i) {
    await phone.keyboard.press('Tab');
    reached = await phone.evaluate((href) => document.activeElement.closest('tbody') !== null &&
                                               document.activeElement.getAttribute('href') === href, `#/cases/${warrant}`);
  }
  say('the queue\'s case link is reached by Tab', reached);
  await phone.keyboard.press('Enter');
  await phone.waitForSelector('#decision');
  say('a case page opens with its heading focused, for a screen reader to announce',
      await phone.evaluate(() => document.activeElement.tagName) === 'H1');
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  say('a case page fits a phone\'s width', !wide);
  await shoot(phone, 'case-phone', save);

  say('no script error or CSP violation', phone.faults.length === 0, phone.faults.join('; '));
}

await runOnEachStore('console_browser', scenario);
