// Does an origin match a CSP source list (the server's frame-ancestors)? Covers the forms the
// allow-list takes: 'self', '*', a scheme ("https:"), and host sources with an optional scheme,
// a leading "*." wildcard and a port or ":*".

function hostMatches(pattern, host) {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

function defaultPort(scheme) {
  return scheme === 'https:' ? '443' : scheme === 'http:' ? '80' : '';
}

export function sourceMatches(source, origin, selfOrigin) {
  if (source === "'self'") return origin === selfOrigin;
  if (source.startsWith("'")) return false; // 'none' and keywords that grant no origin
  let target;
  try {
    target = new URL(origin);
  } catch {
    return false;
  }
  if (source === '*') return target.protocol === 'http:' || target.protocol === 'https:';
  if (/^[a-z][a-z0-9+.-]*:$/i.test(source)) return target.protocol === source.toLowerCase();
  const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*|(?:\*\.)?[^:/]+)(?::(\d+|\*))?\/?$/i.exec(source);
  if (!m) return false;
  const [, scheme, host, port] = m;
  const targetPort = target.port || defaultPort(target.protocol);
  if (scheme) {
    if (`${scheme.toLowerCase()}:` !== target.protocol) return false;
  } else if (target.protocol !== 'https:' && target.protocol !== selfProtocol(selfOrigin)) {
    return false;
  }
  if (host !== '*' && !hostMatches(host.toLowerCase(), target.hostname)) return false;
  if (port === '*') return true;
  return (port || defaultPort(scheme ? `${scheme.toLowerCase()}:` : target.protocol)) === targetPort;
}

function selfProtocol(selfOrigin) {
  return new URL(selfOrigin).protocol;
}

// The shapes the server's parser (server/ancestors.py) lets through. A list holding anything else
// was not written by that parser (an old server, a hand-made file, a proxy's rewrite), so none of
// it is trusted: a stray "*" after a broken token must not open the frame to every site.
const SOURCE = /^(?:'self'|'none'|[a-z][a-z0-9+.-]*:|(?:[a-z][a-z0-9+.-]*:\/\/)?(?:\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(?:\d{1,5}|\*))?)$/i;

export function validSourceList(sources) {
  return Array.isArray(sources) && sources.every((s) => typeof s === 'string' && SOURCE.test(s));
}

/** Fails closed: a missing or malformed list allows nobody. */
export function originAllowed(sources, origin, selfOrigin) {
  if (!validSourceList(sources)) return false;
  return sources.some((source) => sourceMatches(source, origin, selfOrigin));
}
