// End-to-end UI tests: Debian's chromium (through playwright-core) drives the
// real Svelte UI served by `wails dev`, whose Go side hosts the real core.
// Real shims launch the real server-everything; the CLI is the real binary.
// run.sh sets everything up; the environment it passes:
//   UI_URL      the wails dev browser bridge (http://localhost:34115)
//   UI_HOME     the COUNTERSIGN_HOME the wails dev core uses
//   UI_BIN      the GUI-free countersign binary
//   UI_ARTIFACTS where screenshots and the latency report go
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { ShimClient, repo } from "./mcp.mjs";

const run = promisify(execFile);
const URL = process.env.UI_URL ?? "http://localhost:34115";
const HOME = process.env.UI_HOME;
const BIN = process.env.UI_BIN ?? `${repo}build/bin/countersign`;
const ARTIFACTS = process.env.UI_ARTIFACTS ?? `${repo}test/artifacts`;
if (!HOME) throw new Error("UI_HOME (the COUNTERSIGN_HOME of the wails dev core) is not set: run test/ui/run.sh");

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

let browser, page, shim;
const pageErrors = [];

/** Runs the countersign CLI against the wails dev core. */
async function cli(...args) {
  const { stdout } = await run(BIN, args, { env: { ...process.env, COUNTERSIGN_HOME: HOME } });
  return stdout;
}

/** The popup card showing the call whose echo message is msg. */
const card = (msg) => page.locator("[data-call-id]", { hasText: msg });

/** Waits for the card of msg; on timeout says what the page, the binding and the CLI saw. */
async function shown(msg, timeout = 10_000) {
  try {
    await card(msg).waitFor({ timeout });
  } catch (e) {
    const body = await page.locator("body").innerText().catch((x) => `(no body: ${x})`);
    const viaBinding = await page.evaluate(() => window.go.app.Approvals.Pending()).catch((x) => `(binding failed: ${x})`);
    const viaCli = await cli("pending", "--json").catch((x) => `(cli failed: ${x})`);
    throw new Error(
      `${e.message}\n--- page text:\n${body.slice(0, 1500)}\n--- Approvals.Pending():\n${JSON.stringify(viaBinding).slice(0, 1500)}\n--- countersign pending --json:\n${String(viaCli).slice(0, 1500)}`,
    );
  }
}

/** A reply or a timeout error, so a stuck call fails the test instead of hanging it. */
function within(promise, ms, what) {
  let t;
  return Promise.race([
    promise.finally(() => clearTimeout(t)),
    new Promise((_, reject) => (t = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms))),
  ]);
}

const resultText = (reply) => (reply.result?.content ?? []).map((c) => c.text ?? "").join("\n");

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  // 560×680 is the size the Go side gives the window while calls wait.
  page = await browser.newPage({ viewport: { width: 560, height: 680 } });
  page.on("pageerror", (e) => {
    // wails dev's own ipc.js throws once in a plain browser (no webview IPC); not ours.
    if (String(e.stack ?? "").includes("/wails/ipc.js")) return;
    console.log(`# page error: ${e.stack ?? e}`);
    pageErrors.push(e);
  });
  await page.goto(URL);
  await page.getByRole("navigation", { name: "sections" }).waitFor({ timeout: 60_000 });
  // Render timestamps for every call card, taken in the page: the DOM
  // insertion and the next animation frame (the frame that paints it).
  await page.evaluate(() => {
    window.__seen = {};
    const scan = () => {
      for (const el of document.querySelectorAll("[data-call-id]")) {
        const id = el.getAttribute("data-call-id");
        if (window.__seen[id]) continue;
        const rec = (window.__seen[id] = { dom: Date.now(), text: el.textContent });
        requestAnimationFrame(() => (rec.frame = Date.now()));
      }
    };
    new MutationObserver(scan).observe(document.body, { subtree: true, childList: true });
  });

  shim = new ShimClient(BIN, "ev", { COUNTERSIGN_HOME: HOME });
  await within(shim.initialize(), 30_000, "initialize through the shim");
  // A real client lists tools first; the core pins them and the popup shows their descriptions.
  const tools = await within(shim.request("tools/list", {}).reply, 30_000, "tools/list");
  assert.ok(tools.result.tools.some((t) => t.name === "echo"), "server-everything lists echo");
});

after(async () => {
  await shim?.close();
  await browser?.close();
  assert.deepEqual(pageErrors, [], "the page threw");
});

describe("approval popup against the real core", () => {
  it("shows a real shim call; Approve once delivers the server's real result", async () => {
    const c = shim.call("echo", { message: "approve-me" });
    await shown("approve-me", 10_000);
    assert.match(await card("approve-me").textContent(), /echo\s*on\s*ev/);
    assert.match(await card("approve-me").textContent(), /requested by ui-test/);
    await page.getByRole("button", { name: "Approve once" }).click();
    const reply = await within(c.reply, 10_000, "the approved call's result");
    assert.equal(reply.result?.isError ?? false, false, JSON.stringify(reply));
    assert.equal(resultText(reply), "Echo: approve-me");
    await card("approve-me").waitFor({ state: "detached", timeout: 5_000 });
  });

  it("Deny with note sends the note back to the model", async () => {
    const c = shim.call("echo", { message: "deny-me" });
    await shown("deny-me", 10_000);
    await page.getByRole("button", { name: "Deny with note…" }).click();
    const note = page.getByLabel("Note for the model");
    await note.fill("use the staging bucket instead");
    await note.press("Enter");
    const reply = await within(c.reply, 10_000, "the denied call's result");
    assert.equal(reply.result?.isError, true, JSON.stringify(reply));
    assert.match(resultText(reply), /denied/i);
    assert.match(resultText(reply), /use the staging bucket instead/);
    await card("deny-me").waitFor({ state: "detached", timeout: 5_000 });
  });

  it("keyboard: Esc denies the shown call", async () => {
    const c = shim.call("echo", { message: "escape-me" });
    await shown("escape-me", 10_000);
    await page.keyboard.press("Escape"); // denying is never delayed (only approving is armed after 400 ms)
    const reply = await within(c.reply, 10_000, "the call denied by Esc");
    assert.equal(reply.result?.isError, true, JSON.stringify(reply));
  });

  it("two calls queue with a counter; a CLI approval removes one from the popup at once", async () => {
    const calls = { "queued-one": shim.call("echo", { message: "queued-one" }), "queued-two": shim.call("echo", { message: "queued-two" }) };
    await page.getByTestId("counter").filter({ hasText: "1 of 2" }).waitFor({ timeout: 10_000 });
    // The shim handles calls concurrently: either may reach the core first,
    // and the popup shows the older one.
    const text = await page.locator("[data-call-id]").textContent();
    const [first, second] = text.includes("queued-one") ? ["queued-one", "queued-two"] : ["queued-two", "queued-one"];
    const id = await card(first).getAttribute("data-call-id");
    const pending = JSON.parse(await cli("pending", "--json"));
    assert.deepEqual(pending.map((p) => p.arguments.message).sort(), ["queued-one", "queued-two"]);

    const t0 = Date.now();
    await cli("approve", id);
    await card(first).waitFor({ state: "detached", timeout: 5_000 });
    const gone = Date.now() - t0;
    await shown(second, 5_000);
    await page.getByTestId("counter").filter({ hasText: "1 of 1" }).waitFor({ timeout: 5_000 });
    assert.equal(resultText(await within(calls[first].reply, 10_000, "CLI-approved call")), `Echo: ${first}`);
    console.log(`# CLI approve -> card gone from the popup: ${gone} ms (includes the CLI process start)`);

    await page.keyboard.press("Escape");
    assert.equal((await within(calls[second].reply, 10_000, "second call")).result?.isError, true);
  });

  it("Always allow… with these argument values adds a rule the CLI lists, and approves the call", async () => {
    const c = shim.call("echo", { message: "always-this" });
    await shown("always-this", 10_000);
    await page.getByRole("button", { name: "Always allow…" }).click();
    await page.getByLabel("this tool with these argument values").check();
    assert.equal(await page.getByLabel("pattern for message").inputValue(), "always-this");
    await page.getByRole("button", { name: "Allow always" }).click();
    assert.equal(resultText(await within(c.reply, 10_000, "always-allowed call")), "Echo: always-this");
    const rules = JSON.parse(await cli("rules", "--json"));
    const rule = rules.find((r) => r.server === "ev" && r.tool === "echo");
    assert.ok(rule, `rules --json has the new rule: ${JSON.stringify(rules)}`);
    assert.deepEqual(rule.args, [{ path: "message", glob: "always-this" }]);

    // The rule now decides the same call without a popup; another value still asks.
    const again = shim.call("echo", { message: "always-this" });
    assert.equal(resultText(await within(again.reply, 10_000, "rule-allowed call")), "Echo: always-this");
    const other = shim.call("echo", { message: "not-this" });
    await shown("not-this", 10_000);
    await page.keyboard.press("Escape");
    await within(other.reply, 10_000, "other value");
    await cli("rules", "rm", rule.id);
  });

  it("a rule added in the Rules section shows in `countersign rules --json`", async () => {
    await page.getByRole("navigation", { name: "sections" }).getByRole("button", { name: "Rules" }).click();
    const form = page.getByRole("form", { name: "add a rule" });
    await form.getByLabel("Action").selectOption("deny");
    await form.getByLabel("Server").fill("ev");
    await form.getByLabel("Tool").fill("get-sum");
    await form.getByRole("button", { name: "Add condition" }).click();
    await form.getByLabel("argument path 1").fill("a");
    await form.getByLabel("argument glob 1").fill("4*");
    await form.getByLabel("Note").fill("from the ui test");
    await form.getByRole("button", { name: "Add rule" }).click();
    await page.locator("table.rules", { hasText: "get-sum" }).waitFor({ timeout: 5_000 });
    const rules = JSON.parse(await cli("rules", "--json"));
    const rule = rules.find((r) => r.tool === "get-sum");
    assert.ok(rule, `rules --json: ${JSON.stringify(rules)}`);
    assert.equal(rule.action, "deny");
    assert.equal(rule.server, "ev");
    assert.equal(rule.note, "from the ui test");
    assert.deepEqual(rule.args, [{ path: "a", glob: "4*" }]);
    await page.getByRole("button", { name: /remove rule ev · get-sum/ }).click();
    await page.locator("table.rules", { hasText: "get-sum" }).waitFor({ state: "detached", timeout: 5_000 });
    assert.ok(!JSON.parse(await cli("rules", "--json")).some((r) => r.tool === "get-sum"), "removed in the UI, gone from the CLI");
    await page.getByRole("navigation", { name: "sections" }).getByRole("button", { name: "Approvals" }).click();
  });

  it("the main window's sections read the real core: servers, tools, history, settings", async () => {
    const nav = page.getByRole("navigation", { name: "sections" });
    await page.setViewportSize({ width: 1280, height: 800 });
    await nav.getByRole("button", { name: "Servers" }).click();
    await page.locator("table.grid", { hasText: "ui-test" }).getByText("ev", { exact: true }).waitFor({ timeout: 5_000 });

    await nav.getByRole("button", { name: "Tools" }).click();
    const echo = page.locator("li.pin", { hasText: "echo" }).first();
    await echo.waitFor({ timeout: 5_000 });
    assert.match(await echo.textContent(), /ev/);

    await nav.getByRole("button", { name: "History" }).click();
    await page.getByRole("searchbox", { name: "search" }).fill("deny-me");
    await page.getByRole("button", { name: "Search" }).click();
    const row = page.locator("table.grid tbody tr", { hasText: "use the staging bucket instead" });
    await row.waitFor({ timeout: 5_000 });
    assert.match(await row.textContent(), /denied/);

    await nav.getByRole("button", { name: "Settings" }).click();
    await page.getByRole("combobox", { name: "pause" }).selectOption("ask");
    const paused = async () => JSON.parse(await cli("status", "--json")).paused ?? "";
    for (let i = 0; (await paused()) !== "ask"; i++) {
      assert.ok(i < 50, "the core did not pause");
      await page.waitForTimeout(100);
    }
    await page.getByRole("combobox", { name: "pause" }).selectOption("");
    for (let i = 0; (await paused()) !== ""; i++) {
      assert.ok(i < 50, "the core did not resume");
      await page.waitForTimeout(100);
    }
    await nav.getByRole("button", { name: "Approvals" }).click();
    await page.setViewportSize({ width: 560, height: 680 });
  });

  it("measures tools/call into the shim -> popup rendered (median of 10)", async () => {
    const samples = [];
    for (let i = 0; i < 10; i++) {
      const msg = `latency-${i}-${Date.now()}`;
      const c = shim.call("echo", { message: msg });
      await shown(msg, 10_000);
      const rec = await page.waitForFunction(
        (m) => Object.values(window.__seen).find((r) => r.text.includes(m) && r.frame),
        msg,
        { timeout: 5_000 },
      );
      const { dom, frame } = await rec.jsonValue();
      samples.push({ dom: dom - c.sentAt, frame: frame - c.sentAt });
      await page.keyboard.press("Escape");
      await within(c.reply, 10_000, "latency call");
      await card(msg).waitFor({ state: "detached", timeout: 5_000 });
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const report = {
      what: "ms from the tools/call line written into the shim's stdin to the popup card in the DOM / painted (next animation frame)",
      samples,
      median_dom_ms: median(samples.map((s) => s.dom)),
      median_frame_ms: median(samples.map((s) => s.frame)),
    };
    writeFileSync(`${ARTIFACTS}/ui-latency.json`, JSON.stringify(report, null, 2) + "\n");
    console.log(`# popup latency: median ${report.median_frame_ms} ms to paint (${report.median_dom_ms} ms to DOM); samples ${JSON.stringify(samples.map((s) => s.frame))}`);
    assert.ok(report.median_frame_ms < 1000, `median ${report.median_frame_ms} ms`);
  });

  it("a 10 MiB argument renders cut, without freezing the page", async () => {
    const big = "z".repeat(10 * 1024 * 1024);
    const c = shim.call("echo", { message: `huge ${big}` });
    await shown("huge", 30_000);
    const rec = await page.evaluate(() => Object.values(window.__seen).find((r) => r.text.includes("huge")));
    const text = await card("huge").textContent();
    assert.ok(text.length < 5_000, `the card shows ${text.length} characters`);
    assert.match(text, /characters hidden/);
    // The page still answers at once.
    const t0 = Date.now();
    await page.evaluate(() => 1);
    assert.ok(Date.now() - t0 < 500, "the page answers within 500 ms");
    await page.keyboard.press("Escape");
    await within(c.reply, 30_000, "the huge call");
    assert.ok(rec, "the render observer saw the card");
    console.log(`# 10 MiB argument: tools/call into the shim -> card in the DOM ${rec.dom - c.sentAt} ms`);
  });

  it("screenshots the popup (light, dark) and the main window", async () => {
    const token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"; // a key shape, not a real token
    const c = shim.call("echo", {
      message: `Upload ~/.ssh/id_ed25519 to https://paste.example.net/api/v1/upload?public=1 with ${token}`,
    });
    await shown("paste.example.net", 10_000);
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${ARTIFACTS}/ui-popup.png` });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: `${ARTIFACTS}/ui-popup-dark.png` });
    await page.emulateMedia({ colorScheme: "light" });
    await page.keyboard.press("Escape");
    await within(c.reply, 10_000, "screenshot call");
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole("navigation", { name: "sections" }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/ui-main.png` });
    await page.setViewportSize({ width: 560, height: 680 });
  });
});
