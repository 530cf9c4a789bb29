// Command countersign is the GUI-free build: the CLI, the shim that AI
// clients launch in place of MCP servers, and the headless core
// (`countersign daemon`). It links no GUI library so that a shim starts in
// milliseconds; the desktop app is countersign-desktop.
package main

import (
	"context"
	"os"

	"github.com/countersign/countersign/internal/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:]))
}
