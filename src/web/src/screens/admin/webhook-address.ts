/**
 * Whether a webhook URL points somewhere a provider on the internet cannot reach: the
 * server builds webhook URLs from PUBLIC_URL, or from http://localhost when it is unset.
 */
export function isUnreachableFromInternet(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return true;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  // Names a public resolver never answers for.
  if (/\.(local|internal|lan|home\.arpa|test|invalid|example)$/.test(host)) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (host.includes(':')) {
    return host === '::1' || host === '::' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  }
  // A name without a dot ("caseline", a container's name) resolves only on its own network.
  return !host.includes('.');
}
