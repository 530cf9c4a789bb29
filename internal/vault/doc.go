// Package vault owns keychain access, secret references and redaction.
//
// Secret values live only in the operating system's keychain (macOS
// Keychain, Windows Credential Manager, a Linux Secret Service), reached
// through the [Keychain] interface; [OSKeychain] is the real implementation
// (service "countersign", account = secret name). Values larger than one
// keychain item allows are split into chunks the same way on every OS, so
// the chunking that Windows needs is exercised by the Linux tests too.
//
// References such as "GITHUB_TOKEN=secret:github" (shim --env) and
// "Authorization: Bearer secret:linear" (shim --header) are parsed and
// resolved here; resolution fails closed and never yields an empty value.
//
// A [Redactor] masks stored secret values (as «secret:NAME») and
// secret-shaped strings such as API keys, JWTs and private keys (as
// «redacted») in byte slices before they reach SQLite, logs, exports or a
// popup, and tells the policy which stored secrets a tool call's arguments
// contain.
//
// The package never writes a value to disk, to a log or into an error
// message, and imports no other internal package. Metadata about secrets
// (notes, references, last use) is not kept here: it belongs to the store.
package vault
