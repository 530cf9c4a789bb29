// direct_http.mjs URL N WORKERS: the echo workload of mcpbench sent straight
// to a Streamable HTTP server with the TypeScript SDK's client transport
// (raw messages, no schema parsing, like mcpbench's own stdio client).
// Prints {"p50_ns":…,"p99_ns":…,"throughput":…} on stdout.
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, nArg, workersArg] = process.argv.slice(2);
const n = Number(nArg), workers = Number(workersArg);
const t = new StreamableHTTPClientTransport(new URL(url));
const waiting = new Map();
let next = 0;
t.onmessage = (m) => {
  const w = waiting.get(m.id);
  if (w) { waiting.delete(m.id); w(m); }
};
t.onerror = (e) => { console.error("direct_http:", e); process.exit(1); };
const req = (method, params) => new Promise((res) => {
  const id = ++next;
  waiting.set(id, res);
  t.send({ jsonrpc: "2.0", id, method, params });
});
const call = async () => {
  const m = await req("tools/call", { name: "echo", arguments: { message: "hello from mcpbench" } });
  if (!JSON.stringify(m).includes("Echo: hello from mcpbench")) {
    console.error("direct_http: unexpected response", JSON.stringify(m).slice(0, 200));
    process.exit(1);
  }
};

await t.start();
const init = await req("initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "mcpbench", version: "1" } });
t.setProtocolVersion?.(init.result.protocolVersion);
await t.send({ jsonrpc: "2.0", method: "notifications/initialized" });
for (let i = 0; i < 200; i++) await call();
const lat = new Array(n);
const begin = process.hrtime.bigint();
await Promise.all(Array.from({ length: workers }, async (_, w) => {
  for (let i = w; i < n; i += workers) {
    const s = process.hrtime.bigint();
    await call();
    lat[i] = Number(process.hrtime.bigint() - s);
  }
}));
const total = Number(process.hrtime.bigint() - begin) / 1e9;
lat.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ p50_ns: lat[Math.floor(n / 2)], p99_ns: lat[Math.floor(n * 99 / 100)], throughput: n / total }) + "\n");
await t.terminateSession?.().catch(() => {});
await t.close();
process.exit(0);
