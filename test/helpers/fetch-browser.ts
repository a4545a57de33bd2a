// A browser as a platform process on a real port meets it (the smoke test's `npm start`, the crash
// and restart tests' child processes): cookies kept, the CSRF token of the last page sent with
// each form, redirects not followed so the test reads every 303.
/** A cookie-keeping browser over fetch for a platform on a real port: the CSRF token of the last page, redirects not followed. */
export class Browser {
  private cookies = new Map<string, string>();
  private token = '';
  constructor(private readonly base: string) {}

  async req(method: 'GET' | 'POST', p: string, form?: Record<string, string>) {
    const res = await fetch(this.base + p, {
      method, redirect: 'manual',
      headers: {
        accept: 'text/html', cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams({ _csrf: this.token, ...form }).toString() : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const [k, ...v] = kv!.split('=');
      this.cookies.set(k!, v.join('='));
    }
    const body = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(body);
    if (m) this.token = m[1]!;
    return { status: res.status, location: res.headers.get('location'), retryAfter: res.headers.get('retry-after'), body };
  }

  async login(username: string, password: string) {
    await this.req('GET', '/login');
    return this.req('POST', '/login', { username, password });
  }
}
