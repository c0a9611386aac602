// A real OpenID Connect provider (the `oidc-provider` package) for Hale's tests.
// Listens on 127.0.0.1 (PORT, default any free port) and prints one JSON line
// with its issuer. Its test client is `hale-test` / `hale-test-secret`; the
// redirect URIs come from HALE_REDIRECT_URIS (comma-separated).
// Any login name signs in (the package's development login form); the email
// is the name itself when it holds an '@', else <name>@provider.example.
import http from 'node:http';
import Provider from 'oidc-provider';

const redirectUris = (process.env.HALE_REDIRECT_URIS || '').split(',').filter(Boolean);
const server = http.createServer();

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'hale-test',
      client_secret: 'hale-test-secret',
      redirect_uris: redirectUris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
    }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    async findAccount(ctx, id) {
      const email = id.includes('@') ? id : `${id}@provider.example`;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email, email_verified: true, name: `Provider ${id.split('@')[0]}` };
        },
      };
    },
    // Consent is implied for the test client: no consent page.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    pkce: { required: () => true },
    cookies: { keys: ['hale-test-provider-cookie-key'] },
    features: { devInteractions: { enabled: true } },
  });
  provider.on('server_error', (_ctx, err) => console.error('provider error', err));
  server.on('request', provider.callback());
  console.log(JSON.stringify({ issuer }));
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
