/**
 * The web UI's server side through HTTP like a browser: the UI served with its CSP and caching, sign-in by API key
 * and by one-time link, the session cookie and its CSRF token, scopes, revocation and sign-out, and the activity
 * and jobs the UI charts and lists. The browser suite (test/browser) drives the same server through Chromium.
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import { ADMIN_KEY, FIXTURE, useGateway } from './gateway-harness.js';

interface SignedIn {
  cookie: string;
  csrfToken: string;
}

describe('search gateway: web UI, sessions and activity', function () {
  this.timeout(60_000);
  const harness = useGateway();
  const app = () => harness.gateway.app;

  const signIn = async (apiKey: string): Promise<SignedIn> => {
    const response = await request(app()).post('/api/v1/session').send({ apiKey }).expect(201);
    const setCookie = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
    assert.equal(setCookie.length, 1, 'one session cookie');
    return { cookie: setCookie[0]!.split(';')[0]!, csrfToken: response.body.csrfToken };
  };

  const createKey = async (scopes: string[]) => {
    const response = await request(app())
      .post('/api/v1/keys')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send({ name: `web ${scopes.join('+')}`, scopes })
      .expect(201);
    return response.body as { id: string; key: string };
  };

  describe('serving the UI', () => {
    it('serves index.html for every page path under a strict CSP, and leaves the API to the API', async () => {
      for (const path of ['/', '/search?q=parseQuery', '/file?repo=x&path=y', '/repositories', '/no-such-page']) {
        const response = await request(app()).get(path).set('Accept', 'text/html').expect(200);
        assert.match(String(response.headers['content-type']), /text\/html/);
        assert.match(response.text, /<div id="app"><\/div>/);
        assert.match(response.text, /<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
        const csp = String(response.headers['content-security-policy']);
        assert.match(csp, /script-src 'self'(;|$)/);
        assert.match(csp, /style-src 'self'(;|$)/);
        assert.match(csp, /frame-ancestors 'none'/);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
        assert.equal(response.headers['cache-control'], 'no-cache');
      }
      const missing = await request(app()).get('/api/v1/nothing').set('Accept', 'text/html').expect(404);
      assert.equal(missing.body.error.code, 'not_found');
      await request(app()).get('/').set('Accept', 'application/json').expect(404);
    });

    it('serves hashed assets for a year, compressed with brotli or gzip', async () => {
      const index = await request(app()).get('/').set('Accept', 'text/html');
      const script = /src="(\/assets\/index-[\w-]+\.js)"/.exec(index.text)![1]!;
      const brotli = await request(app())
        .get(script)
        .set('Accept-Encoding', 'br')
        .buffer(true)
        .parse((res, done) => {
          res.on('data', () => undefined);
          res.on('end', () => done(null, null));
        });
      assert.equal(brotli.status, 200);
      assert.equal(brotli.headers['content-encoding'], 'br');
      assert.match(String(brotli.headers['cache-control']), /max-age=31536000.*immutable/);
      const gzip = await request(app()).get(script).set('Accept-Encoding', 'gzip').expect(200);
      assert.equal(gzip.headers['content-encoding'], 'gzip');
      assert.match(gzip.text, /createElement|jsx|preact|\w/);
      await request(app()).get('/assets/index-missing.js').expect(404);
    });
  });

  describe('sessions', () => {
    it('exchanges a valid key for an HttpOnly, SameSite=Strict cookie and refuses a bad one', async () => {
      const bad = await request(app()).post('/api/v1/session').send({ apiKey: 'not-a-key' }).expect(401);
      assert.equal(bad.headers['set-cookie'], undefined);
      await request(app()).post('/api/v1/session').send({}).expect(400);

      const response = await request(app()).post('/api/v1/session').send({ apiKey: ADMIN_KEY }).expect(201);
      const cookie = String(response.headers['set-cookie']);
      assert.match(cookie, /^myragdb_session=s%3A/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Strict/);
      assert.match(cookie, /Path=\//);
      assert.ok(!cookie.includes(ADMIN_KEY), 'the key is not in the cookie');
      assert.deepEqual(response.body.scopes, ['admin']);
      assert.equal(typeof response.body.csrfToken, 'string');

      const session = await request(app()).get('/api/v1/session').set('Cookie', cookie.split(';')[0]!).expect(200);
      assert.equal(session.body.csrfToken, response.body.csrfToken);
      assert.equal(session.headers['cache-control'], 'no-store');
      const signedOut = await request(app()).get('/api/v1/session').expect(200);
      assert.deepEqual(signedOut.body, { signedIn: false });
    });

    it('authenticates API calls by cookie; writes need the CSRF token; a forged cookie is refused', async () => {
      const { cookie, csrfToken } = await signIn(ADMIN_KEY);
      const list = await request(app()).get('/api/v1/repositories').set('Cookie', cookie).expect(200);
      assert.ok(list.body.repositories.some((repository: { name: string }) => repository.name === FIXTURE));

      const noToken = await request(app()).post('/api/v1/search').set('Cookie', cookie).send({ query: 'parseQuery' });
      assert.equal(noToken.status, 403);
      assert.match(noToken.body.error.message, /CSRF/);
      const wrongToken = await request(app())
        .post('/api/v1/search')
        .set('Cookie', cookie)
        .set('X-CSRF-Token', `${csrfToken}x`)
        .send({ query: 'parseQuery' });
      assert.equal(wrongToken.status, 403);
      const search = await request(app())
        .post('/api/v1/search')
        .set('Cookie', cookie)
        .set('X-CSRF-Token', csrfToken)
        .send({ query: 'parseQuery', mode: 'keyword' })
        .expect(200);
      assert.ok(search.body.results.length > 0);

      const [name, value] = cookie.split('=') as [string, string];
      const forged = `${name}=${value.slice(0, -2)}${value.endsWith('A') ? 'B' : 'A'}${value.slice(-1)}`;
      await request(app()).get('/api/v1/repositories').set('Cookie', forged).expect(401);
      await request(app()).get('/api/v1/repositories').set('Cookie', `${name}=unsigned-session-id`).expect(401);
    });

    it('keeps a search key out of admin routes, and revoking the key ends its sessions', async () => {
      const searchKey = await createKey(['search']);
      const { cookie, csrfToken } = await signIn(searchKey.key);
      await request(app()).get('/api/v1/repositories').set('Cookie', cookie).expect(200);
      const admin = await request(app()).get('/api/v1/keys').set('Cookie', cookie).expect(403);
      assert.equal(admin.body.error.code, 'forbidden');
      await request(app())
        .post('/api/v1/reindex')
        .set('Cookie', cookie)
        .set('X-CSRF-Token', csrfToken)
        .send({})
        .expect(403);

      await request(app())
        .delete(`/api/v1/keys/${searchKey.id}`)
        .set('Authorization', `Bearer ${ADMIN_KEY}`)
        .expect(200);
      assert.equal(
        (await request(app()).get('/api/v1/session').set('Cookie', cookie).expect(200)).body.signedIn,
        false,
      );
      const after = await request(app()).get('/api/v1/repositories').set('Cookie', cookie).expect(401);
      assert.match(after.body.error.message, /session has ended/);
    });

    it('signs out only with the CSRF token, and the old cookie is dead afterwards', async () => {
      const { cookie, csrfToken } = await signIn(ADMIN_KEY);
      const forged = await request(app()).delete('/api/v1/session').set('Cookie', cookie).expect(403);
      assert.match(forged.body.error.message, /CSRF token/);
      assert.equal((await request(app()).get('/api/v1/session').set('Cookie', cookie).expect(200)).body.signedIn, true);
      const out = await request(app())
        .delete('/api/v1/session')
        .set('Cookie', cookie)
        .set('X-CSRF-Token', csrfToken)
        .expect(204);
      assert.match(String(out.headers['set-cookie']), /myragdb_session=;.*Expires=Thu, 01 Jan 1970/);
      assert.equal(
        (await request(app()).get('/api/v1/session').set('Cookie', cookie).expect(200)).body.signedIn,
        false,
      );
      await request(app()).get('/api/v1/repositories').set('Cookie', cookie).expect(401);
    });

    it('redeems a one-time sign-in link once; a used, unknown or expired link lands on the sign-in page', async () => {
      const token = await harness.gateway.webSessions.createSignInLink('bootstrap', new Date());
      const first = await request(app()).get(`/auth/link?token=${token}`).expect(303);
      assert.equal(first.headers.location, '/');
      const cookie = String(first.headers['set-cookie']).split(';')[0]!;
      assert.equal((await request(app()).get('/api/v1/session').set('Cookie', cookie).expect(200)).body.signedIn, true);

      for (const link of [`/auth/link?token=${token}`, '/auth/link?token=unknown', '/auth/link']) {
        const again = await request(app()).get(link).expect(303);
        assert.equal(again.headers.location, '/sign-in?error=link');
        assert.equal(again.headers['set-cookie'], undefined);
      }
      const stale = await harness.gateway.webSessions.createSignInLink('bootstrap', new Date(Date.now() - 16 * 60_000));
      assert.equal(
        (await request(app()).get(`/auth/link?token=${stale}`).expect(303)).headers.location,
        '/sign-in?error=link',
      );
    });

    it('marks the key of a session used when the session makes requests, as a bearer request would', async () => {
      const key = await createKey(['search']);
      // A link signs in without presenting the key, so only the cookie request can have used it.
      const token = await harness.gateway.webSessions.createSignInLink(key.id, new Date());
      const link = await request(app()).get(`/auth/link?token=${token}`).expect(303);
      const cookie = String(link.headers['set-cookie']).split(';')[0]!;
      const lastUsed = async () =>
        (
          await request(app()).get('/api/v1/keys').set('Authorization', `Bearer ${ADMIN_KEY}`).expect(200)
        ).body.keys.find((listed: { id: string }) => listed.id === key.id)?.lastUsedAt;
      assert.equal(await lastUsed(), null);
      await request(app()).get('/api/v1/repositories').set('Cookie', cookie).expect(200);
      // Recorded in the background: a few spaced looks stay well under the key's rate limit.
      for (let look = 0; look < 10 && (await lastUsed()) === null; look++) await new Promise((r) => setTimeout(r, 200));
      assert.ok(Date.parse(await lastUsed()) > Date.now() - 60_000);
    });

    it('limits failed sign-ins per client, by key form and by link alike', async () => {
      const limited = await harness.gatewayWith({ AUTH_FAILED_ATTEMPTS_PER_15_MINUTES: '3' });
      for (let attempt = 0; attempt < 2; attempt++) {
        await request(limited.app)
          .post('/api/v1/session')
          .send({ apiKey: `wrong-${attempt}` })
          .expect(401);
      }
      await request(limited.app).get('/auth/link?token=wrong').expect(303);
      const blocked = await request(limited.app).post('/api/v1/session').send({ apiKey: ADMIN_KEY }).expect(429);
      assert.equal(blocked.body.error.code, 'rate_limited');
    });
  });

  describe('activity and jobs', () => {
    it('counts searches per minute with latency, degraded and failed searches apart, for every client', async () => {
      const before = await request(app())
        .get('/api/v1/activity?hours=1')
        .set('Authorization', `Bearer ${ADMIN_KEY}`)
        .expect(200);
      const count = (body: { points: Array<{ searches: number }> }) =>
        body.points.reduce((sum, point) => sum + point.searches, 0);
      for (const mode of ['keyword', 'hybrid', 'semantic']) {
        await request(app())
          .post('/api/v1/search')
          .set('Authorization', `Bearer ${ADMIN_KEY}`)
          .send({ query: 'parse query', mode })
          .expect(200);
      }
      // A client mistake (unknown repository) is not a server failure.
      await request(app())
        .post('/api/v1/search')
        .set('Authorization', `Bearer ${ADMIN_KEY}`)
        .send({ query: 'x', repositories: ['no-such-repository'] })
        .expect(404);
      const after = await request(app())
        .get('/api/v1/activity?hours=1')
        .set('Authorization', `Bearer ${ADMIN_KEY}`)
        .expect(200);
      assert.equal(after.body.stepMinutes, 1);
      assert.ok(after.body.points.length >= 60 && after.body.points.length <= 62, String(after.body.points.length));
      assert.equal(count(after.body) - count(before.body), 4 - 1);
      const last = after.body.points.filter((point: { searches: number }) => point.searches > 0).at(-1);
      assert.ok(last.p95Ms >= last.p50Ms && last.p50Ms > 0, JSON.stringify(last));
      assert.equal(
        after.body.points.reduce((sum: number, point: { failures: number }) => sum + point.failures, 0),
        0,
      );
      await request(app()).get('/api/v1/activity?hours=0').set('Authorization', `Bearer ${ADMIN_KEY}`).expect(400);
      await request(app()).get('/api/v1/activity').expect(401);
    });

    it('lists the newest indexing jobs and reports skipped files per reason', async () => {
      const jobs = await request(app())
        .get('/api/v1/jobs?limit=5')
        .set('Authorization', `Bearer ${ADMIN_KEY}`)
        .expect(200);
      assert.ok(jobs.body.jobs.length >= 1 && jobs.body.jobs.length <= 5);
      assert.ok(jobs.body.jobs.some((job: { repository: string; state: string }) => job.repository === FIXTURE));
      await request(app()).get('/api/v1/jobs?limit=1000').set('Authorization', `Bearer ${ADMIN_KEY}`).expect(400);
      const status = await request(app())
        .get(`/api/v1/repositories/${FIXTURE}`)
        .set('Authorization', `Bearer ${ADMIN_KEY}`)
        .expect(200);
      assert.equal(typeof status.body.skippedFiles, 'number');
      assert.equal(
        Object.values(status.body.skippedByReason as Record<string, number>).reduce((sum, count) => sum + count, 0),
        status.body.skippedFiles,
      );
    });
  });
});
