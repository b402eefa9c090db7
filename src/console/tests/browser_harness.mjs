// What the browser tests of the console and the portal share: a fresh instance of a real
// `custodian serve` on loopback (its staff users with TOTP, the example registry, an SMTP sink),
// pages of real Chromium watched for script errors and Content-Security-Policy violations,
// axe-core's verdict, screenshots, TOTP codes as an authenticator app computes them, and the
// checks' tally.
// Both tests run as: node TEST.mjs CUSTODIAN_BINARY SOURCE_DIR
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export const [binary, source] = process.argv.slice(2);
const tools = createRequire(path.join(source, '.cache/browser/node_modules/'));
const { chromium } = tools('playwright-core');
const axeSource = fs.readFileSync(tools.resolve('axe-core/axe.min.js'), 'utf8');
export const screenshots = path.join(source, 'docs/screenshots');
export const kPassword = 'console test password';

const failures = [];
function check(what, holds, detail = '') {
  if (!holds) failures.push(`${what}${detail ? ': ' + detail : ''}`);
  return holds;
}

// RFC 6238 TOTP of an otpauth:// URI's secret (base32), as an authenticator app computes it.
export function totp(uri, at = Date.now()) {
  const params = new URL(uri).searchParams;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of params.get('secret').replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / Number(params.get('period') || 30))));
  const mac = createHmac((params.get('algorithm') || 'SHA1').toLowerCase(), key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** Number(params.get('digits') || 6))
    .padStart(Number(params.get('digits') || 6), '0');
}

// A fresh instance: its users (TOTP enrolled), the example registry, cases entered by intake.
export class Instance {
  constructor(postgres) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian_console_test_'));
    this.data = path.join(this.dir, 'data');
    this.env = { ...process.env, CUSTODIAN_KEY_FILE: path.join(this.dir, 'master.key') };
    // Seven people sign in from this one address within a few minutes, as an office behind NAT.
    let config = '[production]\nservice_name = "Example Mail (console test)"\n[auth]\nsign_in_attempts_per_minute = 60\n';
    if (postgres) {
      const database = 'console_' + path.basename(this.dir).replace(/\W/g, '_').toLowerCase();
      const made = spawnSync('psql', [postgres, '-q', '-c', `CREATE DATABASE ${database}`], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error('psql: ' + made.stderr);
      fs.mkdirSync(this.data, { recursive: true });
      config = `[cases]\nstore = "postgresql:${postgres.replace('dbname=postgres', 'dbname=' + database)}"\n` + config;
      fs.writeFileSync(path.join(this.data, 'custodian.toml'), config);
    }
    this.cli('init');
    if (!postgres) fs.writeFileSync(path.join(this.data, 'custodian.toml'), config);
    this.cli('agencies', 'import', '--actor', 'setup', path.join(source, 'spec/agencies.example.json'));
    this.totp = {};
    for (const [name, roles] of [['intake', ['intake']], ['reviewer', ['reviewer']], ['approver', ['approver']],
                                 ['dual', ['reviewer', 'approver']], ['auditor', ['auditor']], ['admin', ['admin']]]) {
      this.cli('user', 'add', name, ...roles.flatMap((r) => ['--role', r]), '--email', `${name}@example.org`,
               '--actor', 'setup', { stdin: kPassword + '\n' });
      this.totp[name] = JSON.parse(this.cli('user', 'totp', name, '--actor', 'setup')).otpauth_uri;
    }
  }

  cli(...args) {
    const options = typeof args[args.length - 1] === 'object' ? args.pop() : {};
    const done = spawnSync(binary, [...args, '--data', this.data], { env: this.env, input: options.stdin,
                                                                     encoding: 'utf8', timeout: 300000 });
    if (done.status !== 0) throw new Error(`custodian ${args.join(' ')}: exit ${done.status}: ${done.stderr}`);
    return done.stdout;
  }

  // Enters a request document (an example, edited by `edit`) as intake; returns the case id.
  submit(example, edit = (d) => d) {
    const document = edit(JSON.parse(fs.readFileSync(path.join(source, 'examples/requests', example + '.json'), 'utf8')));
    const file = path.join(this.dir, example + '.json');
    fs.writeFileSync(file, JSON.stringify(document));
    return JSON.parse(this.cli('case', 'submit', '--actor', 'intake', file)).id;
  }

  // An SMTP server on loopback (src/server/smtp_sink.py) that the instance mails its alerts to.
  async startMail() {
    this.mail = path.join(this.dir, 'mail');
    fs.mkdirSync(this.mail);
    // Debian's Python, which has python3-aiosmtpd (scripts/setup.sh --tests).
    this.sink = spawn('/usr/bin/python3', [path.join(source, 'src/server/smtp_sink.py'), this.mail],
                      { stdio: ['ignore', 'ignore', 'inherit'] });
    const portFile = path.join(this.mail, 'port');
    for (let i = 0; i < 300 && !fs.existsSync(portFile) && this.sink.exitCode === null; ++i) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const port = fs.readFileSync(portFile, 'utf8').trim();
    fs.appendFileSync(path.join(this.data, 'custodian.toml'),
                      `[mail]\nsmtp = "127.0.0.1:${port}"\nfrom = "custodian@example.org"\ntls = "none"\n`);
  }

  // The messages the SMTP server took: { to, data }.
  mailed() {
    return fs.readdirSync(this.mail).filter((f) => /^message-\d+\.json$/.test(f))
      .map((f) => JSON.parse(fs.readFileSync(path.join(this.mail, f), 'utf8')));
  }

  // Serves on a port the system picks, read from the server's own "serving" line: a port found
  // free beforehand could be taken by another test's server before this one binds it.
  async serve() {
    this.log = path.join(this.dir, 'serve.log');
    const start = fs.existsSync(this.log) ? fs.statSync(this.log).size : 0;
    const out = fs.openSync(this.log, 'a');
    this.server = spawn(binary, ['serve', '--data', this.data, '--listen', '127.0.0.1:0'],
                        { env: this.env, stdio: ['ignore', out, out] });
    this.port = null;
    for (let i = 0; i < 600 && this.server.exitCode === null; ++i) {
      const served = /^custodian: serving http:\/\/127\.0\.0\.1:(\d+)\/api\/v1 /m
        .exec(fs.readFileSync(this.log).subarray(start).toString());
      if (served) this.port = Number(served[1]);
      try {
        if (this.port && (await fetch(`${this.base}/api/v1/keys`)).ok) return;
      } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('custodian serve did not start: ' + fs.readFileSync(this.log, 'utf8'));
  }

  get base() { return `http://127.0.0.1:${this.port}`; }

  async close() {
    for (const child of [this.server, this.sink]) {
      if (!child || child.exitCode !== null) continue;
      const ended = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await ended;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// A browser page of the console, watching for what must never happen on one: a script error, a
// Content-Security-Policy violation.
const opened = [];
export async function openPage(browser, instance, viewport = { width: 1280, height: 900 }, address = '/') {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  opened.push(page);
  page.faults = [];
  page.on('pageerror', (e) => page.faults.push('script error: ' + e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) page.faults.push(m.text());
  });
  await page.goto(instance.base + address);
  return page;
}

// axe-core's serious and critical violations on the page as it is now.
async function accessible(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(`axe: ${what} has no serious or critical violation`, bad.length === 0,
        bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('; '));
  return result.violations.length;
}

export async function shoot(page, name, save) {
  if (save) await page.screenshot({ path: path.join(screenshots, name + '.png'), fullPage: true });
}

// Runs `scenario` on a fresh instance on SQLite (saving screenshots), then on PostgreSQL when
// scripts/with-postgres.sh gives one, and exits with the tally. The scenario gets the browser,
// the instance, `say(what, holds, detail)` (a check named for the store), `where(what)`, `axe(page,
// what)` (no serious or critical finding on the page as it is) and `save` (take screenshots).
// A scenario that throws fails with the pages as they were and the server's log.
export async function runOnEachStore(name, scenario) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const once = async (store, postgres, save) => {
    const instance = new Instance(postgres);
    const where = (what) => `[${store}] ${what}`;
    const say = (what, holds, detail) => check(where(what), holds, detail);
    let violations = 0;
    const axe = async (page, what) => { violations += await accessible(page, where(what)); };
    try {
      await scenario({ browser, instance, where, say, axe, save });
    } catch (e) {
      for (const [i, p] of opened.filter((p) => !p.isClosed()).entries()) {
        await p.screenshot({ path: path.join(os.tmpdir(), `${name}_failure_${i}.png`), fullPage: true }).catch(() => {});
      }
      check(where('the run'), false, e.stack + '\n' + (instance.log ? fs.readFileSync(instance.log, 'utf8').slice(-2000) : ''));
    } finally {
      await instance.close();
    }
    console.log(`${name} [${store}]: done, ${violations} minor accessibility findings`);
  };
  try {
    fs.mkdirSync(screenshots, { recursive: true });
    await once('sqlite', null, true);
    if (process.env.CUSTODIAN_TEST_POSTGRES) await once('postgres', process.env.CUSTODIAN_TEST_POSTGRES, false);
  } finally {
    await browser.close();
  }
  for (const f of failures) console.log('FAIL ' + f);
  console.log(failures.length ? `${name}: ${failures.length} failed` : `${name}: every check held`);
  process.exit(failures.length ? 1 : 0);
}

// The server takes each TOTP code once: a second sign-in with the same secret waits for the
// next 30-second step, as a person would.
const usedSteps = new Map();
export async function freshCode(uri) {
  const step = () => Math.floor(Date.now() / 30000);
  if (usedSteps.get(uri) === step()) await new Promise((r) => setTimeout(r, (step() + 1) * 30000 - Date.now() + 200));
  usedSteps.set(uri, step());
  return totp(uri);
}

// A signed-in API client: a session cookie and its CSRF token, as a browser holds them.
// `login` signs in (path and body), `answer` is the sign-in's answer ({ csrf, … }).
export async function apiSession(base, loginPath, body) {
  const signedIn = await fetch(base + loginPath, { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                                  body: JSON.stringify(body) });
  if (!signedIn.ok) throw new Error(`${loginPath}: ${signedIn.status} ${await signedIn.text()}`);
  const cookie = signedIn.headers.get('set-cookie').split(';')[0];
  const { csrf } = await signedIn.json();
  const call = async (method, route, payload) => {
    const headers = { Cookie: cookie, 'X-CSRF-Token': csrf };
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    const answer = await fetch(base + route, { method, headers, body: payload === undefined ? undefined : JSON.stringify(payload) });
    const text = await answer.text();
    return { status: answer.status, body: text && /json/.test(answer.headers.get('content-type') || '') ? JSON.parse(text) : text };
  };
  return { get: (route) => call('GET', route), post: (route, payload) => call('POST', route, payload) };
}

// A staff user of the instance, signed in over the API.
export async function staffApi(instance, user) {
  return apiSession(instance.base, '/api/v1/auth/login',
                    { username: user, password: kPassword, totp: await freshCode(instance.totp[user]) });
}
