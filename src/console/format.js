// How the console writes instants, deadlines and names: every instant in UTC, said so, as the
// records and the productions state them (a legal team quotes one clock).

const pad = (n) => String(n).padStart(2, '0');

// "2026-03-12 14:05 UTC"; "" for none.
export function dateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
         `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

// "2026-03-12"
export function date(iso) {
  return iso ? dateTime(iso).slice(0, 10) : '';
}

// How far an instant is from now, in words: "in 3 days", "2 hours ago".
export function relative(iso, now = Date.now()) {
  if (!iso) return '';
  const minutes = Math.round((new Date(iso).getTime() - now) / 60000);
  const size = Math.abs(minutes);
  const [count, unit] = size < 60 ? [size, 'minute'] : size < 2880 ? [Math.round(size / 60), 'hour']
                                                                   : [Math.round(size / 1440), 'day'];
  const words = `${count} ${unit}${count === 1 ? '' : 's'}`;
  return minutes >= 0 ? `in ${words}` : `${words} ago`;
}

// A name from the API's vocabulary as words: "in_review" → "in review".
export function words(name) {
  return String(name ?? '').replaceAll('_', ' ');
}
