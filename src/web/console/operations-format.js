// Small helpers the Dashboard and On-call tabs share: stylesheets once, and times as a person reads them.

/** Adds a stylesheet to the page once (the console's CSP allows same-origin stylesheets only). */
export function useStylesheet(href) {
  if (document.querySelector(`link[rel="stylesheet"][href="${href}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  document.head.append(link);
}

const timeFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

/** "Mon 7 Dec, 06:45" in the browser's zone. */
export function when(iso) {
  return timeFormat.format(new Date(iso));
}

/** "just now", "12 min ago", "3 h ago", "2 d ago", counted back from `now`. */
export function ago(iso, now = new Date().toISOString()) {
  const minutes = Math.floor((Date.parse(now) - Date.parse(iso)) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 120) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h ago`;
  return `${Math.floor(minutes / 1440)} d ago`;
}
