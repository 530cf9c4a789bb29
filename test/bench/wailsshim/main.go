// Command wailsshim is the countersign CLI linked with Wails (GTK and
// WebKit), built only by `make bench` to show what every shim start would
// cost if the shim lived in the desktop binary (DESIGN.md, "Two builds").
package main

import (
	"context"
	"os"

	_ "github.com/wailsapp/wails/v2/pkg/application"

	"github.com/countersign/countersign/internal/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:]))
}
