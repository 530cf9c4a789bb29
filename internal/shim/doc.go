// Package shim owns what runs between an MCP client and one server: the
// newline framing, the classification of each message, the interception of
// tools/call, and the server: a child process it starts and reaps, or a
// remote server it reaches over HTTP (Config.URL). Both sit behind one
// small interface (upstream.go), so everything below holds for both.
//
// A remote server is spoken to with Streamable HTTP (MCP 2025-06-18) or
// the legacy HTTP+SSE transport (2024-11-05), framed here so bytes stay
// intact (remote.go, remote_http.go, remote_sse.go, sse.go). The headers
// the CLI resolved (credentials) go only to the origin of the URL; plain
// http:// only to loopback unless allowed.
//
// The shim is byte-faithful: every message it does not have to change is
// forwarded as the exact bytes it read. It decodes member names and the
// method of each message, and more only for the few messages it acts on:
// tools/call and notifications/cancelled from the client, and the responses
// to calls it tracks from the server. A message it cannot read the way a
// server would (escaped names are decoded, duplicate members are refused,
// a tools/call inside a batch is intercepted like any other) is never let
// through as a tool call: it fails closed.
//
// List results (tools/list, prompts/list, resources/templates/list) are
// reported to the core, which pins and scans them; the items it holds are
// removed from what the client sees (the one message the shim re-encodes,
// keeping every other byte), calls to held tools are blocked and
// prompts/get of held prompts refused. With no core reachable a list is
// forwarded unchanged and reviewed once the core is back (see lists.go).
//
// Calls the rule set pushed by the core allows or denies are decided here
// without a round trip; the history hears of them asynchronously. Every
// other call waits for the core. Without a core, every tools/call is denied
// with a reason that tells the user to start Countersign, while the rest of
// the traffic keeps flowing.
//
// The shim never touches SQLite or the keychain: the CLI resolves secrets
// before Run, and the core keeps the history.
package shim
