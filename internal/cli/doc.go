// Package cli owns the countersign command line: one file per subcommand,
// the --json output shapes (stable, snake_case) and the exit codes, which
// are mapped in one place (Main): 0 ok, 1 failure, 2 usage error, 3 core not
// running. It talks to the core only through the LocalAPI client, except
// `daemon`, which hosts the core.
package cli
