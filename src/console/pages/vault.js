// The vault as everyone may see it: counts, the days the access log holds, the retention
// periods in force and the holds that keep data beyond them. Never personal data
// (GET /api/v1/vault/status).
import { html } from '../vendor/preact-htm.js';
import { get } from '../api.js';
import { Loading, PageHeading, Row, useLoad } from '../ui.js';

const count = (n) => n.toLocaleString('en');

function size(bytes) {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit ? value.toFixed(1) : value} ${units[unit]}`;
}

export function Vault() {
  const loaded = useLoad(() => get('/api/v1/vault/status'), []);
  if (!loaded.data) return html`<${PageHeading}>Vault</${PageHeading}><${Loading} error=${loaded.error} what="The vault's status" />`;
  const v = loaded.data;
  return html`
    <${PageHeading}>Vault</${PageHeading}>
    <p class="lede">What the vault holds, encrypted: nothing of it is readable except through an approved case.</p>
    <h2>Access log</h2>
    <dl class="summary">
      <${Row} term="Events">${count(v.events)}${v.unsealed_events ? ` (${count(v.unsealed_events)} not yet sealed into a segment)` : ''}</${Row}>
      <${Row} term="Days held">${v.oldest_day ? `${v.oldest_day} to ${v.newest_day} (${count(v.partitions)} days)` : 'none'}</${Row}>
      <${Row} term="Kept for">${count(v.access_log_retention_days)} days, as the standards say; then deleted unless a hold keeps it</${Row}>
      <${Row} term="Segments">${count(v.segments)}</${Row}>
    </dl>
    <h2>Subscriber records</h2>
    <dl class="summary">
      <${Row} term="Accounts">${count(v.accounts)} with records; ${count(v.deleted_accounts)} deleted (their keys destroyed)</${Row}>
      <${Row} term="Versions">${count(v.subscriber_versions)}; superseded ones kept for ${count(v.subscriber_retention_days)} days</${Row}>
    </dl>
    <h2>Preservation</h2>
    <dl class="summary">
      <${Row} term="Holds in force">${count(v.active_holds)}</${Row}>
      <${Row} term="On disk">${size(v.bytes_on_disk)}</${Row}>
    </dl>`;
}
