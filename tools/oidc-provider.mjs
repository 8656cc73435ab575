// A real OpenID provider for meshenv's tests: node's `oidc-provider` (pinned in
// tools/package-lock.json) on 127.0.0.1, with the clients and people a JSON file names.
//
//   node tools/oidc-provider.mjs FILE [PORT]
//
// Prints `issuer http://127.0.0.1:PORT` once it listens (PORT 0 or none: a free one). FILE is
// read again on every request, so a test changes someone's groups, or asks for mischief, by
// rewriting it:
//
//   {
//     "clients": [{ "client_id": "meshenv", "client_secret": "...",
//                   "redirect_uris": ["http://127.0.0.1:3000/auth/oidc/test/callback"],
//                   "post_logout_redirect_uris": ["http://127.0.0.1:3000/login"] }],
//     "users": { "alice": { "email": "alice@example.com", "name": "Alice", "groups": ["ops"] } },
//     "id_token_ttl": 3600,
//     "mischief": null
//   }
//
// `mischief` makes the token endpoint hand out an ID token a relying party must refuse:
//   "aud"         another audience             "iss"     another issuer
//   "exp"         expired a minute ago         "foreign" signed by a key not in the JWKS
//   "nonce"       another nonce
// and "rotate" signs with a second key that the JWKS only starts to publish now (a key
// rotation the relying party must follow). The login page takes any password: the login
// is the account's id in `users`.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';

const [file, portArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node tools/oidc-provider.mjs FILE [PORT]');
  process.exit(2);
}
const settings = () => JSON.parse(readFileSync(file, 'utf8'));

async function key(kid) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const pub = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { privateKey, jwk, pub };
}
const current = await key('k1');
const next = await key('k2');
const foreign = await key('k1'); // the same kid, another key: only the signature tells
let rotated = false;

const server = createServer();
await new Promise((resolve) => server.listen(Number(portArg || 0), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: settings().clients,
  jwks: { keys: [current.jwk] },
  async findAccount(ctx, id) {
    const person = settings().users[id];
    if (!person) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email_verified: true, preferred_username: id, ...person };
      },
    };
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  // The scopes' claims go in the ID token itself (meshenv reads them there).
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  ttl: { IdToken: () => settings().id_token_ttl ?? 3600 },
  // No consent screen: the grant is given as asked.
  async loadExistingGrant(ctx) {
    const { Grant } = ctx.oidc.provider;
    const found = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    const grant = found
      ? await Grant.find(found)
      : new Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile groups');
    grant.addOIDCClaims(['email', 'email_verified', 'name', 'preferred_username', 'groups']);
    await grant.save();
    return grant;
  },
});

provider.use(async (ctx, nextMiddleware) => {
  await nextMiddleware();
  const mischief = settings().mischief;
  if (ctx.path === '/jwks' && (rotated || mischief === 'rotate') && ctx.body?.keys) {
    rotated = true;
    ctx.body = { keys: [...ctx.body.keys, next.pub] };
  }
  if (ctx.path !== '/token' || !mischief || !ctx.body?.id_token) return;
  const claims = decodeJwt(ctx.body.id_token);
  let signer = current;
  const now = Math.floor(Date.now() / 1000);
  switch (mischief) {
    case 'aud': claims.aud = 'someone-else'; break;
    case 'iss': claims.iss = 'http://127.0.0.1:1/elsewhere'; break;
    case 'exp': claims.iat = now - 120; claims.exp = now - 60; break;
    case 'nonce': claims.nonce = 'not-the-one-you-sent'; break;
    case 'foreign': signer = foreign; break;
    case 'rotate': signer = next; rotated = true; break;
    default: throw new Error(`unknown mischief ${mischief}`);
  }
  const body = { ...ctx.body };
  body.id_token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: signer.jwk.kid })
    .sign(signer.privateKey);
  ctx.body = body;
});

server.on('request', provider.callback());
// Whoever started this may stop reading once it has the issuer: writing on is no error.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
console.log(`issuer ${issuer}`);
process.on('SIGTERM', () => process.exit(0));
