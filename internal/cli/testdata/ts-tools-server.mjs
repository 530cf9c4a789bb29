// A stdio MCP server built on the real TypeScript SDK, for
// toolguard_e2e_test.go. It offers one tool whose name and description come
// from the environment, so a test can change the description between runs:
//
//   MCP_SDK_DIR  absolute path of the @modelcontextprotocol/sdk package
//   TOOL_NAME    the tool's name
//   TOOL_DESC    the tool's description
//
// Calling the tool answers "called TOOL_NAME", or TOOL_RESULT when set.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const sdk = process.env.MCP_SDK_DIR;
const name = process.env.TOOL_NAME;
const description = process.env.TOOL_DESC;
if (!sdk || !name || description === undefined) {
  console.error("ts-tools-server: MCP_SDK_DIR, TOOL_NAME and TOOL_DESC are required");
  process.exit(2);
}
const esm = (p) => pathToFileURL(join(sdk, "dist", "esm", p)).href;
const { McpServer } = await import(esm("server/mcp.js"));
const { StdioServerTransport } = await import(esm("server/stdio.js"));

const server = new McpServer({ name: "ts-tools-server", version: "1.0.0" });
server.registerTool(name, { description }, async () => ({
  content: [{ type: "text", text: process.env.TOOL_RESULT ?? `called ${name}` }],
}));
await server.connect(new StdioServerTransport());
