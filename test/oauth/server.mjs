#!/usr/bin/env node
// server.mjs: the real peers of Countersign's OAuth end-to-end test.
//
//   - an authorization server: oidc-provider (pinned in package.json) with
//     dynamic client registration, PKCE (required), resource indicators
//     (RFC 8707: access tokens are JWTs whose audience is the MCP server),
//     refresh tokens and revocation. Its interactions approve at once (login
//     as "test-user" and consent to what was asked), so a plain HTTP client
//     following redirects completes the browser step.
//   - an MCP server (TypeScript SDK, Streamable HTTP, stateless) behind bearer
//     auth: a request without a valid token (signature, issuer, audience,
//     expiry checked with jose against the provider's JWKS) gets 401 with
//     WWW-Authenticate: Bearer resource_metadata="...", scope="mcp:tools";
//     its protected-resource metadata (RFC 9728) is at
//     /.well-known/oauth-protected-resource/mcp. Tool "whoami" answers with
//     the token's subject and client id.
//
// Environment: AS_PORT, MCP_PORT (required), ACCESS_TTL (seconds, default 3600).
// Prints one JSON line {"issuer", "mcp"} when both listen. GET /stats on the MCP
// port returns what happened (token grants with their resource parameter,
// registrations, revocations, MCP requests), never a token.
import http from "node:http";
import Provider, { errors } from "oidc-provider";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

const asPort = Number(process.env.AS_PORT);
const mcpPort = Number(process.env.MCP_PORT);
const ttl = Number(process.env.ACCESS_TTL ?? 3600);
const issuer = `http://127.0.0.1:${asPort}`;
const resource = `http://127.0.0.1:${mcpPort}/mcp`;
const metadataURL = `http://127.0.0.1:${mcpPort}/.well-known/oauth-protected-resource/mcp`;

const stats = { grants: [], registrations: 0, revocations: [], mcp: [] };

const provider = new Provider(issuer, {
  clients: [],
  cookies: { keys: ["countersign-oauth-e2e"] },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        if (indicator !== resource) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
        return { scope: "mcp:tools", audience: resource, accessTokenTTL: ttl, accessTokenFormat: "jwt" };
      },
    },
  },
  pkce: { required: () => true },
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed("refresh_token"),
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { RefreshToken: 3600, Grant: 3600, Session: 3600, Interaction: 600, AuthorizationCode: 60 },
});
provider.proxy = false;

provider.use(async (ctx, next) => {
  await next();
  if (ctx.method !== "POST") return;
  if (ctx.path === "/token") {
    stats.grants.push({
      grant_type: ctx.oidc?.params?.grant_type ?? null,
      resource: ctx.oidc?.params?.resource ?? null,
      has_code_verifier: Boolean(ctx.oidc?.params?.code_verifier),
      status: ctx.status,
    });
  } else if (ctx.path === "/reg") {
    if (ctx.status === 201) stats.registrations++;
  } else if (ctx.path === "/token/revocation") {
    stats.revocations.push({ hint: ctx.oidc?.params?.token_type_hint ?? null, status: ctx.status });
  }
});

// Interactions approve at once: log in as test-user, then consent to the
// scopes and resource asked for.
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === "login") {
    await provider.interactionFinished(req, res, { login: { accountId: "test-user" } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const d = details.prompt.details;
  if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(" "));
  if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(" "));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const providerCallback = provider.callback();
const as = http.createServer((req, res) => {
  if (req.url.startsWith("/interaction/")) {
    interaction(req, res).catch((err) => {
      res.statusCode = 500;
      res.end(String(err?.message ?? err));
    });
    return;
  }
  providerCallback(req, res);
});

const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));

function challenge(res, error) {
  let h = `Bearer resource_metadata="${metadataURL}", scope="mcp:tools"`;
  if (error) h += `, error="${error}"`;
  res.writeHead(401, { "WWW-Authenticate": h, "Content-Type": "application/json" });
  res.end(JSON.stringify({ error: error ?? "unauthorized" }));
}

function mcpServer(claims) {
  const server = new McpServer({ name: "oauth-e2e", version: "1.0.0" });
  server.registerTool("whoami", { description: "Who the bearer token says you are", inputSchema: {} }, async () => ({
    content: [{ type: "text", text: JSON.stringify({ sub: claims.sub, client_id: claims.client_id, scope: claims.scope, aud: claims.aud }) }],
  }));
  return server;
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const s = Buffer.concat(chunks).toString("utf8");
  return s ? JSON.parse(s) : undefined;
}

const mcp = http.createServer(async (req, res) => {
  try {
    const path = new URL(req.url, resource).pathname;
    if (path === "/.well-known/oauth-protected-resource/mcp") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ resource, authorization_servers: [issuer], scopes_supported: ["mcp:tools"], bearer_methods_supported: ["header"] }));
      return;
    }
    if (path === "/stats") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(stats));
      return;
    }
    if (path !== "/mcp") {
      res.writeHead(404).end();
      return;
    }
    const auth = req.headers.authorization ?? "";
    const m = /^Bearer (.+)$/i.exec(auth);
    if (!m) {
      stats.mcp.push({ method: req.method, token: false, valid: false });
      challenge(res);
      return;
    }
    let claims;
    try {
      ({ payload: claims } = await jwtVerify(m[1], jwks, { issuer, audience: resource }));
    } catch (err) {
      stats.mcp.push({ method: req.method, token: true, valid: false, why: String(err?.code ?? err?.message) });
      challenge(res, "invalid_token");
      return;
    }
    stats.mcp.push({ method: req.method, token: true, valid: true });
    if (req.method !== "POST") {
      res.writeHead(405, { Allow: "POST" }).end();
      return;
    }
    const body = await readBody(req);
    const server = mcpServer(claims);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      transport.close();
      server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  } catch (err) {
    if (!res.headersSent) res.writeHead(500);
    res.end(String(err?.message ?? err));
  }
});

await new Promise((r) => as.listen(asPort, "127.0.0.1", r));
await new Promise((r) => mcp.listen(mcpPort, "127.0.0.1", r));
process.stdout.write(JSON.stringify({ issuer, mcp: resource }) + "\n");
