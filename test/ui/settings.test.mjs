// The Settings page's approval timeouts against the real core (see run.sh):
// a default and a per-server value set in the page reach a real shim started
// without --timeout, whose held call then waits exactly that long (the
// deadline the core gives it, read with `countersign pending --json`).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { ShimClient, repo } from "./mcp.mjs";

const run = promisify(execFile);
const URL = process.env.UI_URL ?? "http://localhost:34115";
const HOME = process.env.UI_HOME;
const BIN = process.env.UI_BIN ?? `${repo}build/bin/countersign`;
const ARTIFACTS = process.env.UI_ARTIFACTS ?? `${repo}test/artifacts`;
if (!HOME) throw new Error("UI_HOME (the COUNTERSIGN_HOME of the wails dev core) is not set: run test/ui/run.sh");
const CLIENT_HOME = process.env.UI_CLIENT_HOME;
if (!CLIENT_HOME) throw new Error("UI_CLIENT_HOME (the HOME of the wails dev process) is not set: run test/ui/run.sh");

const SERVER = "tmo"; // a server name of its own: other test files share the core
let browser, page, shim;
const pageErrors = [];

async function cli(...args) {
  const { stdout } = await run(BIN, args, { env: { ...process.env, COUNTERSIGN_HOME: HOME } });
  return stdout;
}

async function settings() {
  await page.getByRole("navigation", { name: "sections" }).getByRole("button", { name: "Settings" }).click();
  await page.getByRole("form", { name: "default timeout" }).waitFor({ timeout: 30_000 });
}

/** The wait the core gave the held call of SERVER, in seconds. */
async function heldWait() {
  for (let i = 0; i < 100; i++) {
    const p = JSON.parse(await cli("pending", "--json")).find((c) => c.server === SERVER);
    if (p) return { id: p.id, seconds: Math.round((Date.parse(p.deadline) - Date.parse(p.requested_at)) / 1000) };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no held call of ${SERVER}; shim stderr:\n${shim.stderr}`);
}

before(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("pageerror", (e) => {
    if (String(e.stack ?? "").includes("/wails/ipc.js")) return; // wails dev's own, in a plain browser
    pageErrors.push(e);
  });
  await page.goto(URL);
  await settings();
});

after(async () => {
  await shim?.close();
  // leave the shared core as the other test files expect it
  await settings().catch(() => {});
  await page?.getByRole("textbox", { name: "default timeout" }).fill("").catch(() => {});
  await page?.getByRole("form", { name: "default timeout" }).getByRole("button", { name: "Save" }).click().catch(() => {});
  const auto = page?.getByRole("checkbox", { name: "Wrap new servers automatically" });
  if (await auto?.isChecked().catch(() => false)) await auto.uncheck().catch(() => {});
  await browser?.close();
  assert.deepEqual(pageErrors, [], "the page threw");
});

describe("approval timeouts against the real core", () => {
  it("refuses text that is not a duration", async () => {
    await page.getByRole("textbox", { name: "default timeout" }).fill("soon");
    await page.getByRole("form", { name: "default timeout" }).getByRole("button", { name: "Save" }).click();
    await page.getByRole("alert").filter({ hasText: '"soon" is not a timeout' }).waitFor({ timeout: 5_000 });
  });

  it("a per-server value reaches a shim started without --timeout", async () => {
    await page.getByRole("textbox", { name: "default timeout" }).fill("2m");
    await page.getByRole("form", { name: "default timeout" }).getByRole("button", { name: "Save" }).click();
    await page.getByRole("textbox", { name: "server name" }).fill(SERVER);
    await page.getByRole("textbox", { name: "server timeout" }).fill("1m30s");
    await page.getByRole("button", { name: "Set for this server" }).click();
    await page.getByRole("table", { name: "timeouts per server" }).getByRole("row", { name: /tmo 1m30s/ }).waitFor({ timeout: 5_000 });

    shim = new ShimClient(BIN, SERVER, { COUNTERSIGN_HOME: HOME });
    await shim.initialize();
    const held = shim.call("echo", { message: "timeout-check" });
    const { id, seconds } = await heldWait();
    assert.equal(seconds, 90, "the held call waits the per-server timeout");
    await cli("deny", id);
    const reply = await held.reply;
    assert.equal(reply.result?.isError, true, JSON.stringify(reply));
  });

  it("removing the server's value falls back to the default", async () => {
    await settings();
    await page.getByRole("button", { name: `remove the timeout of ${SERVER}` }).click();
    await page.getByRole("table", { name: "timeouts per server" }).waitFor({ state: "detached", timeout: 5_000 });
    // The core pushes the change to the running shim asynchronously: a call
    // made in that instant may still get the old value, so call until the
    // new one is in force (each held call is denied before the next).
    let seconds;
    for (let i = 0; i < 25 && seconds !== 120; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 200));
      const held = shim.call("echo", { message: `timeout-default-${i}` });
      const w = await heldWait();
      await cli("deny", w.id);
      await held.reply;
      seconds = w.seconds;
    }
    assert.equal(seconds, 120, "the held call waits the default timeout");
    await page.reload();
    await settings();
    assert.equal(await page.getByRole("textbox", { name: "default timeout" }).inputValue(), "2m", "the default is kept by the core");
  });

  it("with auto-wrap on, a server added to a client config is wrapped at once", async () => {
    await settings();
    await page.getByRole("checkbox", { name: "Wrap new servers automatically" }).check();
    const cfg = `${CLIENT_HOME}/.cursor/mcp.json`;
    mkdirSync(`${CLIENT_HOME}/.cursor`, { recursive: true });
    writeFileSync(cfg, '{\n  "mcpServers": {\n    "auto-fs": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"] }\n  }\n}\n');
    let entry;
    for (let i = 0; i < 100; i++) {
      entry = JSON.parse(readFileSync(cfg, "utf8")).mcpServers["auto-fs"];
      if (entry.command.endsWith("/countersign")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(entry.command.endsWith("/countersign"), `not wrapped within 10 s: ${JSON.stringify(entry)}`);
    assert.deepEqual(entry.args.slice(0, 5), ["shim", "--name", "auto-fs", "--client", "cursor"]);
    assert.deepEqual(entry.args.slice(-4), ["npx", "-y", "@modelcontextprotocol/server-filesystem", "/tmp"]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/ui-settings.png`, fullPage: true });
    await page.getByRole("checkbox", { name: "Wrap new servers automatically" }).uncheck();
  });
});
