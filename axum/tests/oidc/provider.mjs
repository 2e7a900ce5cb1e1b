// panva's oidc-provider (8.x, which supports node 20) on loopback, for tests/oidc_e2e.rs of webtoken-axum. Test use only.
//
//   node provider.mjs <port> <admin-token>
//
// Issues JWT access tokens (typ at+jwt, ES256) by client_credentials for the resource
// https://api.example (resource indicators), to the client `e2e-client` / `e2e-secret`.
// `POST /__test/rotate?keep_old=1` (header `x-admin-token: <admin-token>`) swaps in a provider
// signing with a new key: with keep_old=1 the old key stays published in the JWK Set, without
// it the old key is withdrawn. Prints `listening <issuer>` once it serves.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const adminToken = process.argv[3];
if (!Number.isInteger(port) || !adminToken) {
  console.error('usage: node provider.mjs <port> <admin-token>');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
export const RESOURCE = 'https://api.example';

function newKey() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'ES256' };
}

function build(keys) {
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'e2e-client',
      client_secret: 'e2e-secret',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    }],
    jwks: { keys },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource) => {
          if (resource !== RESOURCE) throw new Error('unknown resource');
          return {
            scope: 'read write',
            audience: RESOURCE,
            accessTokenTTL: 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
  });
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  return provider.callback();
}

let keys = [newKey()];
let handler = build(keys);

const server = createServer((req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname === '/__test/rotate') {
    if (req.method !== 'POST' || req.headers['x-admin-token'] !== adminToken) {
      res.writeHead(403).end();
      return;
    }
    const fresh = newKey();
    keys = url.searchParams.get('keep_old') === '1' ? [fresh, ...keys] : [fresh];
    handler = build(keys);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kid: fresh.kid, published: keys.map((k) => k.kid) }));
    return;
  }
  handler(req, res);
});
server.listen(port, '127.0.0.1', () => console.log(`listening ${issuer}`));
// The test's process ends this one; this bound keeps a stray provider from living on.
setTimeout(() => process.exit(0), 10 * 60 * 1000).unref();
