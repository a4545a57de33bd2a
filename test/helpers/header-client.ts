// A client that keeps cookies and, like a browser, can act on an answer's headers alone: a browser
// follows a 303, or asks for a page's images, before the answer's last byte is in. Several calls
// may be in flight at once over one cookie jar, as two tabs of one browser are.
import http from 'node:http';

export interface HeaderAnswer {
  status: number;
  location?: string;
  /** The session cookies this answer set (name=value), in order. */
  setCookies: string[];
  body: string;
}

export function headerClient(url: string) {
  const jar = new Map<string, string>();
  let token = '';
  const send = (method: string, path: string, form?: Record<string, string | string[]>, onHeaders = false) =>
    new Promise<HeaderAnswer>((resolve, reject) => {
      const body = form ? new URLSearchParams(Object.entries(form).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString() : undefined;
      const r = http.request(`${url}${path}`, {
        method,
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), accept: 'text/html', ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}) },
      }, (res) => {
        const setCookies: string[] = [];
        for (const c of res.headers['set-cookie'] ?? []) {
          const [pair] = c.split(';');
          const i = pair!.indexOf('=');
          jar.set(pair!.slice(0, i), pair!.slice(i + 1));
          setCookies.push(pair!);
        }
        const head = { status: res.statusCode!, location: res.headers.location, setCookies };
        if (onHeaders) {
          res.resume();
          return resolve({ ...head, body: '' });
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ ...head, body: text }));
      });
      r.on('error', reject);
      r.end(body);
    });
  const remember = (html: string) => {
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (m) token = m[1]!;
  };
  return {
    /** A whole page (read to its last byte, which express-session holds back until its save is done). */
    async get(path: string) {
      const res = await send('GET', path);
      remember(res.body);
      return res;
    },
    /** A GET answered as soon as its headers are in (a page's image, a redirect followed at once). */
    head: (path: string) => send('GET', path, undefined, true),
    /** Posts a form with the last page's CSRF token and hands back the answer as soon as its headers are in. */
    post: (path: string, form: Record<string, string | string[]>) => send('POST', path, { _csrf: token, ...form }, true),
    /** The session id this browser holds now (unsigned), as the captchas table keys it. */
    sessionId(cookieName: string): string {
      const raw = decodeURIComponent(jar.get(cookieName) ?? '');
      return raw.slice(2, raw.lastIndexOf('.'));
    },
  };
}
