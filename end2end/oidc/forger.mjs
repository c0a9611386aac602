// A deliberately dishonest OpenID Connect provider for Hale's refusal tests:
// a real provider never issues a bad ID token, so this one does, one flaw per
// issuer path. Each issuer http://127.0.0.1:<port>/<mode> serves discovery,
// a JWKS, an authorization endpoint that sends the browser straight back with
// a code, and a token endpoint whose ID token has the flaw of <mode>:
//   good         a valid token (proves the refusals below come from the flaw)
//   unknown-key  signed by a key that is not in the JWKS (with the JWKS key's kid)
//   wrong-aud    issued for another client
//   expired      expired an hour ago
//   wrong-nonce  carries a nonce the client never sent
//   alg-none     unsigned (alg "none")
// Prints one JSON line with its base URL.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

const MODES = ['good', 'unknown-key', 'wrong-aud', 'expired', 'wrong-nonce', 'alg-none'];
const published = await generateKeyPair('RS256');
const stranger = await generateKeyPair('RS256');
const jwk = { ...(await exportJWK(published.publicKey)), kid: 'published', alg: 'RS256', use: 'sig' };
const codes = new Map(); // code -> { mode, nonce, clientId }

const server = http.createServer(async (req, res) => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const url = new URL(req.url, base);
  const [, mode, ...rest] = url.pathname.split('/');
  const path = rest.join('/');
  const issuer = `${base}/${mode}`;
  const json = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (!MODES.includes(mode)) return json(404, { error: 'unknown mode' });
  if (path === '.well-known/openid-configuration') {
    return json(200, {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
    });
  }
  if (path === 'jwks') return json(200, { keys: [jwk] });
  if (path === 'authorize') {
    const code = randomUUID();
    codes.set(code, {
      mode,
      nonce: url.searchParams.get('nonce'),
      clientId: url.searchParams.get('client_id'),
    });
    const back = new URL(url.searchParams.get('redirect_uri'));
    back.searchParams.set('code', code);
    back.searchParams.set('state', url.searchParams.get('state'));
    res.writeHead(302, { location: back.toString() });
    return res.end();
  }
  if (path === 'token' && req.method === 'POST') {
    let body = '';
    for await (const chunk of req) body += chunk;
    const form = new URLSearchParams(body);
    const grant = codes.get(form.get('code'));
    codes.delete(form.get('code'));
    if (!grant) return json(400, { error: 'invalid_grant' });
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: `forged-${mode}`,
      email: `forged-${mode}@provider.example`,
      email_verified: true,
      nonce: mode === 'wrong-nonce' ? 'not-the-nonce' : grant.nonce,
    };
    let idToken;
    if (mode === 'alg-none') {
      const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
      idToken = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({
        ...claims, iss: issuer, aud: grant.clientId, iat: now, exp: now + 300,
      })}.`;
    } else {
      idToken = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'published' })
        .setIssuer(issuer)
        .setAudience(mode === 'wrong-aud' ? 'someone-else' : grant.clientId)
        .setIssuedAt(mode === 'expired' ? now - 7200 : now)
        .setExpirationTime(mode === 'expired' ? now - 3600 : now + 300)
        .sign(mode === 'unknown-key' ? stranger.privateKey : published.privateKey);
    }
    return json(200, { access_token: randomUUID(), token_type: 'Bearer', expires_in: 300, id_token: idToken });
  }
  return json(404, { error: 'not found' });
});

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ base: `http://127.0.0.1:${server.address().port}` }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
