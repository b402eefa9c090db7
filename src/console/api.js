// The console's one way to the API (docs/api.md): same-origin requests carrying the session
// cookie, the session's CSRF token on every change, JSON both ways. Every failure is an
// ApiError holding the problem document, so that a page shows its detail beside the field the
// problem's `field` points at.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  // The problem's kind: the last part of its type URI (".../problems/invalid-credentials").
  get kind() {
    return (this.problem.type || '').split('/').pop();
  }

  // The request-body field at fault ("/note" → "note"), or "" when the problem names none.
  get field() {
    const pointer = this.problem.field || '';
    return pointer.startsWith('/') && !pointer.startsWith('/query/') ? pointer.slice(1) : '';
  }
}

// A body that is not JSON: its text (or a File's bytes) and media type.
export class Text {
  constructor(text, type) {
    this.text = text;
    this.type = type;
  }
}

let csrfToken = '';
let whenSignedOut = () => {};
// Where a 401 refuses a factor (a sign-in, an enrolment's code, one's own password) rather than
// ending the session: the form says so.
let factorPaths = ['/api/v1/auth/'];

// The token of the session signed in (from the sign-in or session answer).
export function adoptSession(session) {
  csrfToken = session ? session.csrf : '';
}

// Called when the server no longer knows the session (it ended, or was revoked); `factors`:
// the paths whose 401 is a form's refusal instead.
export function onSignedOut(callback, factors = factorPaths) {
  whenSignedOut = callback;
  factorPaths = factors;
}

// `body`: a value sent as JSON, or a Text sent as it is (a standards file's TOML).
export async function request(method, path, body) {
  const headers = { Accept: 'application/json, application/problem+json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET') {
    headers['X-CSRF-Token'] = csrfToken;
    if (body instanceof Text) {
      headers['Content-Type'] = body.type;
      init.body = body.text;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
  }
  let answer;
  try {
    answer = await fetch(path, init);
  } catch {
    throw new ApiError(0, { title: 'The server cannot be reached',
                            detail: 'The server did not answer. Check the connection and try again.' });
  }
  if (answer.status === 204) return null;
  const type = answer.headers.get('Content-Type') || '';
  const content = type.includes('json') ? await answer.json() : await answer.text();
  if (answer.ok) return content;
  const problem = typeof content === 'object' && content ? content : { title: `HTTP ${answer.status}` };
  // A request of a signed-in page refused as unauthenticated: the session is over.
  if (answer.status === 401 && !factorPaths.some((p) => path.startsWith(p))) whenSignedOut();
  throw new ApiError(answer.status, problem);
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
export const put = (path, body) => request('PUT', path, body);
