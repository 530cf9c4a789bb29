// End-to-end test of the Clients page: Debian's chromium drives the real
// Svelte UI served by `wails dev`, whose Go side reads and rewrites a real
// Claude Desktop config in the temp HOME run.sh gave it (UI_CLIENT_HOME).
// The file on disk is checked after each step: a wrap changes only the
// chosen entry, an unwrap gives back the original bytes, and a change made
// outside Countersign shows up on the page without a reload.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { repo } from "./mcp.mjs";

const URL = process.env.UI_URL ?? "http://localhost:34115";
const CLIENT_HOME = process.env.UI_CLIENT_HOME;
const BIN = process.env.UI_BIN ?? `${repo}build/bin/countersign`;
const ARTIFACTS = process.env.UI_ARTIFACTS ?? `${repo}test/artifacts`;
if (!CLIENT_HOME) throw new Error("UI_CLIENT_HOME (the HOME of the wails dev process) is not set: run test/ui/run.sh");
const CONFIG = `${CLIENT_HOME}/.config/Claude/claude_desktop_config.json`;
const SECRET = "sk-test-REPLACE-ME"; // the plaintext env value in the fixture

let browser, page;
const pageErrors = [];
let original;

const row = (name) => page.locator(`[data-client="claude-desktop"] [data-server="${name}"]`);
const badge = (name) => row(name).locator(".state");

/** The part of the file outside the "filesystem" entry (which the test wraps). */
function outsideFilesystem(text) {
  const start = text.indexOf('"filesystem"');
  const end = text.indexOf('"brave-search"');
  assert.ok(start > 0 && end > start, `entries not found in:\n${text}`);
  return [text.slice(0, start), text.slice(end)];
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  original = readFileSync(CONFIG);
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync", "--disable-background-networking"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("pageerror", (e) => {
    if (String(e.stack ?? "").includes("/wails/ipc.js")) return; // wails dev's own, in a plain browser
    pageErrors.push(e);
  });
  await page.goto(URL);
  await page.getByRole("navigation", { name: "sections" }).getByRole("button", { name: "Clients" }).click();
});

after(async () => {
  await browser?.close();
  writeFileSync(CONFIG, original); // leave the fixture as found for any later test
});

describe("clients page", () => {
  it("lists Claude Desktop with its servers, their protection and plaintext secret fields", async () => {
    await row("filesystem").waitFor({ timeout: 15_000 });
    assert.equal(await badge("filesystem").textContent(), "not protected");
    assert.equal(await badge("sqlite").textContent(), "not protected");
    assert.match(await row("brave-search").innerText(), /env\.BRAVE_API_KEY/);
    assert.ok(!(await page.locator("body").innerText()).includes(SECRET), "a secret value is on the page");
    const panel = page.locator("[data-plaintext='brave-search']");
    await panel.waitFor();
    assert.match(await panel.innerText(), /env\.BRAVE_API_KEY = ••••••/);
    assert.ok(await panel.getByRole("button", { name: "Move to keychain…" }).isEnabled());
  });

  it("previews and wraps one server; only that entry of the file changes", async () => {
    await page.getByRole("button", { name: "wrap filesystem" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    const diff = await dialog.locator("pre.diff").innerText();
    assert.match(diff, /shim/);
    assert.ok(diff.includes(BIN), `the diff does not launch ${BIN}:\n${diff}`);
    assert.ok(!diff.includes(SECRET), "the preview shows a secret value");
    assert.deepEqual(readFileSync(CONFIG), original, "the preview wrote the file");

    // Confirm has the focus: Enter confirms.
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      () => document.querySelector('[data-client="claude-desktop"] [data-server="filesystem"] .state')?.textContent === "protected",
      null,
      { timeout: 10_000 },
    );
    const now = readFileSync(CONFIG, "utf8");
    assert.notEqual(now, original.toString());
    assert.deepEqual(outsideFilesystem(now), outsideFilesystem(original.toString()), "bytes outside the wrapped entry changed");
    const entry = JSON.parse(now).mcpServers.filesystem;
    assert.equal(entry.command, BIN);
    assert.deepEqual(entry.args.slice(0, 5), ["shim", "--name", "filesystem", "--client", "claude-desktop"]);
    assert.equal(await badge("sqlite").textContent(), "not protected");
    await page.locator("[data-backup]").first().waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/ui-clients.png`, fullPage: true });
  });

  it("unwraps after the preview and the file is byte-identical to the original", async () => {
    await page.getByRole("button", { name: "unwrap filesystem" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /would be unwrapped/);
    await dialog.getByRole("button", { name: "Unwrap" }).click();
    await page.waitForFunction(
      () => document.querySelector('[data-client="claude-desktop"] [data-server="filesystem"] .state')?.textContent === "not protected",
      null,
      { timeout: 10_000 },
    );
    assert.deepEqual(readFileSync(CONFIG), original, "unwrap did not restore the exact bytes");
  });

  it("shows a server added outside Countersign without a reload", async () => {
    const added = original.toString().replace('"sqlite": {', '"added-behind-your-back": {"command": "npx", "args": ["evil"]},\n    "sqlite": {');
    writeFileSync(`${CONFIG}.tmp`, added);
    renameSync(`${CONFIG}.tmp`, CONFIG); // the way editors and clients replace files
    await row("added-behind-your-back").waitFor({ timeout: 10_000 });
    assert.equal(await badge("added-behind-your-back").textContent(), "not protected");
    assert.deepEqual(pageErrors, []);
  });
});
