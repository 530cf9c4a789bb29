// The History page against the real core (see run.sh): real calls through a
// real shim (rules decide them, so no popup), appearing live; filters,
// full-text search with a highlighted match, the detail panel, a rule made
// from a call and seen in Rules and in `countersign rules --json`.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { ShimClient, repo } from "./mcp.mjs";

const run = promisify(execFile);
const URL = process.env.UI_URL ?? "http://localhost:34115";
const HOME = process.env.UI_HOME;
const BIN = process.env.UI_BIN ?? `${repo}build/bin/countersign`;
const ARTIFACTS = process.env.UI_ARTIFACTS ?? `${repo}test/artifacts`;
if (!HOME) throw new Error("UI_HOME (the COUNTERSIGN_HOME of the wails dev core) is not set: run test/ui/run.sh");

const SERVER = "hist"; // a server name of its own: other test files share the core
let browser, page, shim;
const pageErrors = [];
const ruleIds = [];

async function cli(...args) {
  const { stdout } = await run(BIN, args, { env: { ...process.env, COUNTERSIGN_HOME: HOME } });
  return stdout;
}

function within(promise, ms, what) {
  let t;
  return Promise.race([
    promise.finally(() => clearTimeout(t)),
    new Promise((_, reject) => (t = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms))),
  ]);
}

const resultText = (reply) => (reply.result?.content ?? []).map((c) => c.text ?? "").join("\n");
const row = (text) => page.locator("tr.call-row", { hasText: text });

/** Makes a real call through the shim and waits for its reply. */
async function call(message) {
  return within(shim.call("echo", { message }).reply, 20_000, `echo ${message}`);
}

/** Waits for a row; on timeout says what the page and the CLI saw. */
async function rowShown(text, timeout = 10_000) {
  try {
    await row(text).first().waitFor({ timeout });
  } catch (e) {
    const body = await page.locator("body").innerText().catch((x) => `(no body: ${x})`);
    const viaCli = await cli("history", "--server", SERVER, "--json").catch((x) => `(cli failed: ${x})`);
    throw new Error(`${e.message}\n--- page text:\n${body.slice(0, 1500)}\n--- history --json:\n${String(viaCli).slice(0, 1500)}`);
  }
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Rules first, so the shim holds them when it starts: every call below is
  // decided without a popup (deny rules come before allow rules).
  for (const args of [
    ["rules", "add", "deny", "--server", SERVER, "--tool", "echo", "--arg", "message=deny-*"],
    ["rules", "add", "allow", "--server", SERVER, "--tool", "echo"],
  ]) {
    await cli(...args);
  }
  for (const r of JSON.parse(await cli("rules", "--json"))) if (r.server === SERVER) ruleIds.push(r.id);
  assert.equal(ruleIds.length, 2, "both rules added");

  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("pageerror", (e) => {
    if (String(e.stack ?? "").includes("/wails/ipc.js")) return; // wails dev's own, in a plain browser
    console.log(`# page error: ${e.stack ?? e}`);
    pageErrors.push(e);
  });
  await page.goto(URL);
  await page.getByRole("navigation", { name: "sections" }).getByRole("button", { name: "History" }).click();
  await page.getByRole("form", { name: "search history" }).waitFor({ timeout: 60_000 });

  shim = new ShimClient(BIN, SERVER, { COUNTERSIGN_HOME: HOME });
  await within(shim.initialize(), 30_000, "initialize through the shim");
  await within(shim.request("tools/list", {}).reply, 30_000, "tools/list");
});

after(async () => {
  await shim?.close();
  await browser?.close();
  for (const id of ruleIds) await cli("rules", "rm", id).catch(() => {});
  assert.deepEqual(pageErrors, [], "the page threw");
});

describe("history page against the real core", () => {
  it("shows real calls as they are recorded, without reloading", async () => {
    for (const msg of ["hist-alpha one", "hist-beta two", "deny-gamma three"]) {
      const reply = await call(msg);
      if (msg.startsWith("deny-")) assert.equal(reply.result?.isError, true, JSON.stringify(reply));
      else assert.equal(resultText(reply), `Echo: ${msg}`);
      await rowShown(msg);
    }
    assert.match(await row("deny-gamma three").textContent(), /blocked/);
    assert.match(await row("hist-alpha one").textContent(), /approved/);
    // Newest first.
    const ids = await page.locator("tr.call-row").evaluateAll((rs) => rs.map((r) => r.textContent));
    const pos = (s) => ids.findIndex((t) => t.includes(s));
    assert.ok(pos("deny-gamma") < pos("hist-beta") && pos("hist-beta") < pos("hist-alpha"), ids.join("\n"));
  });

  it("filters by server and decision", async () => {
    await page.getByRole("textbox", { name: "server" }).fill(SERVER);
    await page.getByRole("combobox", { name: "decision" }).selectOption("blocked");
    await row("hist-alpha").waitFor({ state: "detached", timeout: 5_000 });
    await rowShown("deny-gamma three");
    assert.equal(await page.locator("tr.call-row").count(), 1);
    await page.getByRole("combobox", { name: "decision" }).selectOption("");
    await rowShown("hist-alpha one");
  });

  it("searches with every word matching and highlights it; a new matching call appears live", async () => {
    await page.getByRole("searchbox", { name: "search" }).fill("zebra");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByTestId("history-count").filter({ hasText: /^\s*0\s+matching\s+calls/ }).waitFor({ timeout: 5_000 });
    await call("hist-delta zebra");
    await call("hist-epsilon horse"); // does not match: stays out
    await rowShown("hist-delta zebra");
    assert.equal(await page.locator("tr.call-row").count(), 1);
    const mark = row("hist-delta zebra").locator("mark.hit");
    assert.deepEqual(await mark.allTextContents(), ["zebra"]);
  });

  it("opens the detail from the keyboard with the arguments and the match highlighted", async () => {
    await page.getByRole("grid", { name: "recorded calls" }).focus();
    await page.keyboard.press("Home");
    await page.keyboard.press("Enter");
    const detail = page.getByRole("complementary", { name: "call detail" });
    await detail.waitFor({ timeout: 5_000 });
    const args = detail.getByRole("tree", { name: "arguments" });
    assert.match(await args.textContent(), /message.*hist-delta zebra/s);
    assert.deepEqual(await args.locator("mark.hit").allTextContents(), ["zebra"]);
    const text = await detail.textContent();
    assert.match(text, /approved by rule/);
    assert.ok(ruleIds.some((id) => text.includes(id)), `the deciding rule's id is shown: ${text}`);
    // The result excerpt arrives with the shim's report of the result.
    await detail.getByRole("tree", { name: "result excerpt" }).getByText(/Echo: hist-delta zebra/).waitFor({ timeout: 10_000 });
    await page.keyboard.press("Escape");
    await detail.waitFor({ state: "detached", timeout: 5_000 });
    await page.keyboard.press("Enter");
    await detail.waitFor({ timeout: 5_000 });
  });

  it("makes a rule from the call, shown in Rules and in the CLI; screenshot", async () => {
    const form = page.getByRole("form", { name: "make a rule from this call" });
    await form.getByLabel("Always deny").check();
    await form.getByLabel("this tool with these argument values").check();
    assert.equal(await form.getByLabel("pattern for message").inputValue(), "hist-delta zebra");
    await form.getByRole("button", { name: "Add deny rule" }).click();
    await form.getByText(/Added rule/).waitFor({ timeout: 5_000 });
    await page.screenshot({ path: `${ARTIFACTS}/ui-history.png` });

    const rules = JSON.parse(await cli("rules", "--json"));
    const rule = rules.find((r) => r.server === SERVER && r.action === "deny" && r.args?.[0]?.glob === "hist-delta zebra");
    assert.ok(rule, `rules --json: ${JSON.stringify(rules)}`);
    ruleIds.push(rule.id);
    assert.deepEqual(rule.args, [{ path: "message", glob: "hist-delta zebra" }]);
    assert.equal(rule.tool, "echo");

    await page.getByRole("navigation", { name: "sections" }).getByRole("button", { name: "Rules" }).click();
    await page.locator("table.rules", { hasText: "message=hist-delta zebra" }).waitFor({ timeout: 5_000 });

    // The new rule decides the same call now.
    const reply = await call("hist-delta zebra");
    assert.equal(reply.result?.isError, true, JSON.stringify(reply));
  });
});
