// The instance's own disclosure standards (docs/policy.md): the file every decision names by
// its SHA-256, every version installed with who installed it and when, and for an
// administrator, a new version installed from a file. The server checks the file whole and
// names the line at fault; a file refused changes nothing.
import { html, useState } from '../vendor/preact-htm.js';
import { Text, get, put } from '../api.js';
import { dateTime } from '../format.js';
import { FileForm, Loading, PageHeading, Row, Tag, useLoad } from '../ui.js';

// The server's refusal names the file's line ("standards.toml:2:11: …"): said as the file's.
function install(text) {
  return put('/api/v1/standards', new Text(text, 'application/toml')).catch((e) => {
    if (e.problem) e.problem.detail = (e.problem.detail || '').replace(/^standards\.toml:(\d+):\d+: /, 'Line $1 of the file: ');
    throw e;
  });
}

function InstallForm({ onDone }) {
  return html`<${FileForm} id="install-title" title="Install new standards" label="Standards file"
    hint="A standards file in TOML (docs/policy.md). It governs every decision from now on; decisions already taken keep theirs."
    accept=".toml,application/toml,text/plain" missing="Choose a standards file" button="Install"
    send=${install} onDone=${onDone} />`;
}

export function Standards({ session }) {
  const loaded = useLoad(() => get('/api/v1/standards'), []);
  const [installing, setInstalling] = useState(false);
  if (!loaded.data) return html`<${PageHeading}>Standards</${PageHeading}><${Loading} error=${loaded.error} what="The standards" />`;
  const { current, installed } = loaded.data;
  const admin = session.roles.includes('admin');
  return html`
    <${PageHeading}>Standards</${PageHeading}>
    <p class="lede">The rules every request is decided by, as the service publishes them.</p>
    <dl class="summary">
      <${Row} term="In force"><strong>${current.name}</strong> version ${current.version}
        ${current.built_in ? html` <${Tag} kind="grey">built in</${Tag}>` : null}</${Row}>
      <${Row} term="SHA-256"><code class="hash">${current.sha256}</code></${Row}>
    </dl>
    <details><summary>The standards file</summary><pre class="json">${current.document}</pre></details>
    ${admin && !installing ? html`<p><button type="button" class="button" onClick=${() => setInstalling(true)}>Install new standards</button></p>` : null}
    ${installing ? html`<${InstallForm} onDone=${() => { setInstalling(false); loaded.reload(); }} />` : null}
    <h2>Versions installed</h2>
    ${installed.length ? html`<div class="table-wrap"><table class="table">
      <caption class="visually-hidden">Every version installed, oldest first</caption>
      <thead><tr><th scope="col">Standards</th><th scope="col">Installed</th><th scope="col">By</th><th scope="col">SHA-256</th></tr></thead>
      <tbody>${installed.map((s) => html`<tr><td>${s.name} ${s.version}</td><td>${dateTime(s.installed_at)}</td>
        <td>${s.installed_by}</td><td><code class="hash">${s.sha256}</code></td></tr>`)}</tbody>
    </table></div>` : html`<p>None: the built-in standards are in force.</p>`}`;
}
