// The transparency reports, for everyone: a period's counts as charts and tables, the report's
// signature checked in the browser against the published ledger key, and its three published
// forms. No personal data: a report is counts (docs/reports.md).
import { html, useState } from '../vendor/preact-htm.js';
import { get } from '../api.js';
import { words } from '../format.js';
import { Loading, PageHeading, Row, fieldId, useLoad } from '../ui.js';
import { reportVerifies } from '../proofs.js';
import { Verdict } from './log_entries.js';

// A count as published: a number, or "<N" below the suppression threshold (drawn as none).
const amount = (count) => (typeof count === 'number' ? count : 0);

// Horizontal bars, one per row, with each row's numbers written beside its bar: the chart is
// an image to a screen reader (its label says what it shows) and the table below says it all.
function BarChart({ title, rows, series }) {
  const max = Math.max(1, ...rows.flatMap((r) => series.map(([key]) => amount(r[key]))));
  const barHeight = 14;
  const rowHeight = barHeight * series.length + 10;
  const labelWidth = 160;
  const width = 640;
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${width} ${rows.length * rowHeight + 4}`} role="img" aria-label=${title} class="chart-svg">
      ${rows.map((r, i) => html`<g transform=${`translate(0 ${i * rowHeight})`}>
        <text x=${labelWidth - 8} y=${rowHeight / 2 + 4} text-anchor="end" class="chart-label">${r.label}</text>
        ${series.map(([key], s) => {
          const w = ((width - labelWidth - 60) * amount(r[key])) / max;
          return html`<rect x=${labelWidth} y=${4 + s * barHeight} width=${w} height=${barHeight - 2} class=${'chart-bar chart-bar-' + s} />
            <text x=${labelWidth + w + 6} y=${4 + s * barHeight + barHeight - 4} class="chart-value">${r[key]}</text>`;
        })}
      </g>`)}
    </svg>
    <figcaption>${title}${series.length > 1 ? html`: ${series.map(([, name], s) => html`<span class=${'chart-key chart-key-' + s}>${name}</span> `)}` : null}</figcaption>
  </figure>`;
}

function CountTable({ caption, rows, columns }) {
  return html`<div class="table-wrap"><table class="table">
    <caption class="visually-hidden">${caption}</caption>
    <thead><tr>${columns.map(([, name], i) => html`<th scope="col" class=${i ? 'numeric' : ''}>${name}</th>`)}</tr></thead>
    <tbody>${rows.map((r) => html`<tr>${columns.map(([key], i) => (i ? html`<td class="numeric">${r[key]}</td>` : html`<th scope="row">${r[key]}</th>`))}</tr>`)}</tbody>
  </table></div>`;
}

function Breakdown({ title, rows, columns }) {
  if (!rows.length) return html`<h3>${title}</h3><p>None in this period.</p>`;
  return html`<h3>${title}</h3>
    <${BarChart} title=${title} rows=${rows} series=${columns.slice(1)} />
    <${CountTable} caption=${title} rows=${rows} columns=${columns} />`;
}

function Report({ period, links, keys }) {
  const loaded = useLoad(async () => {
    const report = await get(`/api/v1/reports/${period}`);
    return { report, signed: await reportVerifies(report, keys) };
  }, [period]);
  if (!loaded.data) return html`<${Loading} error=${loaded.error} what="The report" />`;
  const { report, signed } = loaded.data;
  const t = report.totals;
  const label = (key) => (r) => ({ ...r, label: words(r[key]) });
  return html`
    <div class=${signed ? 'notice' : 'notice notice-error'} role="status">
      <p><strong>${report.period.from} to ${report.period.to}</strong>, signed with ledger key <code>${report.signature.key_id}</code>:${' '}
        <${Verdict} ok=${signed} yes="signature verified in this browser" no="signature does NOT verify" /></p>
      <p>Counted from the first ${report.tree_head.size} entries of the disclosure log.${report.suppressed_below
        ? ` Counts by country below ${report.suppressed_below} are published as “<${report.suppressed_below}”.` : ''}${' '}
        Published as <a href=${links.json}>JSON</a>, <a href=${links.csv}>CSV</a> and <a href=${links.html}>HTML</a>.</p>
    </div>
    <h3>Totals</h3>
    <dl class="summary">
      <${Row} term="Requests">${t.requests} (${t.accounts_specified} accounts specified)</${Row}>
      <${Row} term="Some data produced">${t.with_data_produced} (${t.produced_narrowed} with a narrowed scope)</${Row}>
      <${Row} term="No data found">${t.no_data}</${Row}>
      <${Row} term="Pushed back">${t.pushed_back}</${Row}>
      <${Row} term="Rejected">${t.rejected}</${Row}>
      <${Row} term="Withdrawn by the requester">${t.withdrawn}</${Row}>
      <${Row} term="Preservation requests">${t.preservation}</${Row}>
      <${Row} term="Emergency requests">${t.emergency}</${Row}>
      <${Row} term="Under a nondisclosure order">${t.under_nondisclosure}</${Row}>
      <${Row} term="Users notified">${t.user_notified}</${Row}>
      <${Row} term="National security letters">${report.national_security.letters} (${report.national_security.accounts} accounts)</${Row}>
    </dl>
    <${Breakdown} title="Requests by month" rows=${report.by_month.map(label('month'))}
      columns=${[['label', 'Month'], ['requests', 'Requests']]} />
    <${Breakdown} title="By process type" rows=${report.by_process_type.map(label('type'))}
      columns=${[['label', 'Process'], ['requests', 'Requests'], ['with_data_produced', 'Data produced']]} />
    <${Breakdown} title="By agency type" rows=${report.by_agency_type.map(label('type'))}
      columns=${[['label', 'Agency type'], ['requests', 'Requests'], ['with_data_produced', 'Data produced']]} />
    <${Breakdown} title="By country" rows=${report.by_country.map(label('country'))}
      columns=${[['label', 'Country'], ['requests', 'Requests'], ['with_data_produced', 'Data produced']]} />`;
}

export function Reports() {
  const loaded = useLoad(async () => {
    const [list, keys] = await Promise.all([get('/api/v1/reports'), get('/api/v1/keys')]);
    return { reports: list.reports, keys: keys.ledger };
  }, []);
  const [chosen, setChosen] = useState('');
  if (!loaded.data) return html`<${PageHeading}>Transparency reports</${PageHeading}><${Loading} error=${loaded.error} what="The reports" />`;
  const { reports, keys } = loaded.data;
  if (!reports.length) return html`<${PageHeading}>Transparency reports</${PageHeading}><p>No period has a report yet.</p>`;
  const period = chosen || reports[0].period;  // the list is newest first
  return html`
    <${PageHeading}>Transparency reports</${PageHeading}>
    <div class="field field-inline">
      <label for=${fieldId('period')}>Period</label>
      <select class="select" id=${fieldId('period')} value=${period} onChange=${(e) => setChosen(e.target.value)}>
        ${reports.map((r) => html`<option value=${r.period}>${r.period} (${r.from} to ${r.to})</option>`)}
      </select>
    </div>
    <${Report} period=${period} links=${reports.find((r) => r.period === period)} keys=${keys} />`;
}
