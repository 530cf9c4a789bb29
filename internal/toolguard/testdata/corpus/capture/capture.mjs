// Captures tools/list, prompts/list and resources/templates/list results from an MCP server over stdio.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const [outPrefix, cmd, ...args] = process.argv.slice(2);
const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
let buf = '';
const pending = new Map();
child.stdout.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    if (!line.trim()) continue;
    const msg = JSON.parse(line);
    if (msg.id !== undefined && pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); }
  }
});
let next = 1;
function req(method, params) {
  const id = next++;
  child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
  return new Promise((res) => pending.set(id, res));
}
const init = await req('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'countersign-corpus', version: '0' } });
child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
for (const [method, file] of [['tools/list', 'tools'], ['prompts/list', 'prompts'], ['resources/templates/list', 'resource_templates']]) {
  const r = await req(method, {});
  if (r.error) { console.error(method, r.error.message); continue; }
  writeFileSync(`${outPrefix}.${file}.json`, JSON.stringify(r.result, null, 2) + '\n');
}
console.error('server', JSON.stringify(init.result.serverInfo));
child.kill();
