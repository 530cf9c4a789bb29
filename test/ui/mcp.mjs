// mcp.mjs: a tiny MCP client speaking raw JSON lines to `countersign shim`,
// which launches the real server-everything. Raw lines (not the SDK) so the
// test knows the exact moment a tools/call is written into the shim.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export const repo = new URL("../../", import.meta.url).pathname;
const everything = `${repo}test/e2e/node_modules/@modelcontextprotocol/server-everything/dist/index.js`;

export class ShimClient {
  #next = 1;
  #waiting = new Map(); // id -> {resolve, reject}
  stderr = "";

  /** Starts `countersign shim --name NAME -- node server-everything stdio` with env. */
  constructor(bin, name, env) {
    this.proc = spawn(bin, ["shim", "--name", name, "--client", "ui-test", "--", process.execPath, everything, "stdio"], {
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.proc.stderr.on("data", (b) => (this.stderr += b));
    this.exited = new Promise((r) => this.proc.on("exit", (code) => r(code)));
    createInterface({ input: this.proc.stdout }).on("line", (line) => {
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        return; // not ours to judge here
      }
      const w = msg.id !== undefined && this.#waiting.get(msg.id);
      if (w) {
        this.#waiting.delete(msg.id);
        w.resolve(msg);
      }
    });
    this.exited.then((code) => {
      for (const w of this.#waiting.values()) w.reject(new Error(`shim exited (${code}) before answering; stderr:\n${this.stderr}`));
      this.#waiting.clear();
    });
  }

  /** Writes one request and returns {sentAt, reply} where reply resolves to the response. */
  request(method, params) {
    const id = this.#next++;
    const reply = new Promise((resolve, reject) => this.#waiting.set(id, { resolve, reject }));
    const sentAt = Date.now();
    this.proc.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
    return { id, sentAt, reply };
  }

  notify(method, params) {
    this.proc.stdin.write(JSON.stringify({ jsonrpc: "2.0", method, ...(params ? { params } : {}) }) + "\n");
  }

  async initialize() {
    const { reply } = this.request("initialize", {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "ui-test", version: "0" },
    });
    const res = await reply;
    if (res.error) throw new Error(`initialize: ${JSON.stringify(res.error)}`);
    this.notify("notifications/initialized");
    return res.result;
  }

  /** Starts a tools/call; returns {id, sentAt, reply}. */
  call(name, args) {
    return this.request("tools/call", { name, arguments: args });
  }

  async close() {
    this.proc.stdin.end();
    const t = setTimeout(() => this.proc.kill("SIGTERM"), 5000);
    await this.exited;
    clearTimeout(t);
  }
}
