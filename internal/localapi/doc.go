// Package localapi owns the core's front door: HTTP over a unix socket in a
// 0700 directory (a named pipe with a user-only ACL on Windows), its route
// table, its wire types, and the client the shim and the CLI use.
//
// Every request is checked before routing: the peer must run as the same
// user (SO_PEERCRED / LOCAL_PEERCRED), and a request carrying an Origin
// header is refused, so a web page can never reach the core even through a
// forwarded socket. The client refuses a socket whose directory belongs to
// another user or is open to others.
//
// The package holds no state of its own: handlers call a Backend that the
// core implements.
package localapi
