#!/usr/bin/env node
// driver.mjs: a real MCP client (the pinned TypeScript SDK) that the Go end-to-end
// tests steer one JSON step at a time.
//
// Usage:
//   node driver.mjs                      read steps from stdin, one JSON object per line
//   node driver.mjs --scenario FILE      run the JSON array of steps in FILE, in order
//
// Every event is printed to stdout as exactly one JSON line, so the caller can read
// them incrementally. Steps (field "op"):
//
//   connect     {command, args, env?, client_name?, sampling?, max_buffer_size?}
//               spawn command over stdio
//               and initialize; with "sampling" (a CreateMessageResult) the client
//               declares the sampling capability and answers every sampling request
//               with it. Emits {event:"connected", server, pid}.
//   list_tools  {id}                       emits {event:"tools", id, names, tools}
//   call        {id, name, arguments, timeout_ms?, progress?, fill?, digest?}
//               starts a tools/call and does not wait for it. "fill" {key, chunk, count}
//               sets arguments[key] = chunk repeated count times. "progress" asks for
//               progress notifications (the SDK adds a progress token). "digest" reports
//               sha256 and byte length of text contents instead of the texts.
//               Emits {event:"progress", id, ...} and finally {event:"result", id, ...}
//               or {event:"error", id, code, message, aborted}.
//   cancel      {id, reason?}              aborts call id (the SDK sends notifications/cancelled)
//   ping        {id}                       emits {event:"pong", id} or {event:"error", id, ...}
//   close       {}                         closes the client, emits {event:"closed"}, exits 0
//
// Unsolicited events: notification, sampling_request, transport_error, transport_closed.
// stdin EOF closes the client and exits.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CreateMessageRequestSchema } from "@modelcontextprotocol/sdk/types.js";

let client = null;
let transport = null;
const calls = new Map(); // id -> {controller, done: Promise}

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

function errorFields(err) {
  return {
    code: typeof err?.code === "number" ? err.code : null,
    message: String(err?.message ?? err),
    aborted: false,
  };
}

function sha256(text) {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

async function connect(step) {
  if (client) throw new Error("connect: already connected");
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (typeof v === "string") env[k] = v;
  }
  Object.assign(env, step.env ?? {});
  const capabilities = {};
  if (step.sampling) capabilities.sampling = {};
  client = new Client(
    { name: step.client_name ?? "countersign-e2e", version: "1.0.0" },
    { capabilities },
  );
  if (step.sampling) {
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      emit({ event: "sampling_request", params: request.params });
      return step.sampling;
    });
  }
  client.fallbackNotificationHandler = async (n) => {
    emit({ event: "notification", method: n.method, params: n.params ?? null });
  };
  client.onerror = (err) => emit({ event: "transport_error", message: String(err?.message ?? err) });
  client.onclose = () => emit({ event: "transport_closed" });
  transport = new StdioClientTransport({
    command: step.command,
    args: step.args ?? [],
    env,
    stderr: "inherit",
    // The SDK's default read limit is 10 MiB; the large-message tests need more.
    maxBufferSize: step.max_buffer_size ?? 128 * 1024 * 1024,
  });
  await client.connect(transport);
  emit({ event: "connected", server: client.getServerVersion() ?? null, pid: transport.pid });
}

function buildArguments(step) {
  const args = structuredClone(step.arguments ?? {});
  if (step.fill) args[step.fill.key] = step.fill.chunk.repeat(step.fill.count);
  return args;
}

function startCall(step) {
  if (!client) throw new Error("call: not connected");
  if (calls.has(step.id)) throw new Error(`call: duplicate id ${step.id}`);
  const controller = new AbortController();
  const options = { signal: controller.signal, timeout: step.timeout_ms ?? 60000 };
  if (step.progress) {
    options.onprogress = (p) => emit({ event: "progress", id: step.id, ...p });
  }
  const done = client
    .callTool({ name: step.name, arguments: buildArguments(step) }, undefined, options)
    .then((result) => {
      const texts = (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text);
      const out = { event: "result", id: step.id, is_error: result.isError === true };
      if (step.digest) {
        out.text_sha256 = texts.map(sha256);
        out.text_lengths = texts.map((t) => Buffer.byteLength(t, "utf8"));
      } else {
        out.texts = texts;
        out.result = result;
      }
      emit(out);
    })
    .catch((err) => emit({ event: "error", id: step.id, ...errorFields(err), aborted: controller.signal.aborted }));
  calls.set(step.id, { controller, done });
  return done;
}

async function run(step) {
  switch (step.op) {
    case "connect":
      return connect(step);
    case "list_tools": {
      const res = await client.listTools();
      emit({ event: "tools", id: step.id, names: res.tools.map((t) => t.name), tools: res.tools });
      return;
    }
    case "call":
      return startCall(step);
    case "cancel": {
      const c = calls.get(step.id);
      if (!c) throw new Error(`cancel: unknown call ${step.id}`);
      c.controller.abort(step.reason ?? "cancelled by e2e test");
      return c.done;
    }
    case "ping":
      try {
        await client.ping({ timeout: step.timeout_ms ?? 30000 });
        emit({ event: "pong", id: step.id });
      } catch (err) {
        emit({ event: "error", id: step.id, ...errorFields(err) });
      }
      return;
    case "close":
      await close();
      return;
    default:
      throw new Error(`unknown op ${JSON.stringify(step.op)}`);
  }
}

let closing = false;
async function close() {
  if (closing) return;
  closing = true;
  try {
    if (client) await client.close();
  } catch (err) {
    emit({ event: "transport_error", message: `close: ${err?.message ?? err}` });
  }
  emit({ event: "closed" });
  process.stdout.write("", () => process.exit(0));
}

async function runStep(step, awaitIt) {
  try {
    const p = run(step);
    if (awaitIt) await p;
    else p?.catch?.((err) => emit({ event: "fatal", op: step.op, id: step.id ?? null, message: String(err?.message ?? err) }));
  } catch (err) {
    emit({ event: "fatal", op: step.op, id: step.id ?? null, message: String(err?.message ?? err) });
  }
}

const scenarioIdx = process.argv.indexOf("--scenario");
if (scenarioIdx >= 0) {
  // Scenario mode: each step is awaited (a call until its result) unless "await": false.
  const steps = JSON.parse(readFileSync(process.argv[scenarioIdx + 1], "utf8"));
  for (const step of steps) await runStep(step, step.await !== false);
  await Promise.allSettled([...calls.values()].map((c) => c.done));
  await close();
} else {
  // Interactive mode: connect and cancel/close are awaited in order; calls, pings and
  // listings run concurrently so the caller can hold several calls open at once.
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let chain = Promise.resolve();
  rl.on("line", (line) => {
    if (line.trim() === "") return;
    let step;
    try {
      step = JSON.parse(line);
    } catch (err) {
      emit({ event: "fatal", op: null, id: null, message: `bad step: ${err.message}` });
      return;
    }
    const serial = step.op === "connect" || step.op === "close";
    chain = chain.then(() => runStep(step, serial));
  });
  rl.on("close", () => {
    chain = chain.then(close);
  });
}
