// Command countersign-desktop is the Countersign desktop app: it hosts the
// core (the same one `countersign daemon` runs headless) and shows its
// window. `countersign` with no arguments starts it.
//
// Wiring only: open the core, serve its LocalAPI, bind the app/ services,
// run Wails. The build tag webkit2_41 selects WebKitGTK 4.1 on Linux.
package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"os"
	goruntime "runtime"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"github.com/countersign/countersign/app"
	"github.com/countersign/countersign/internal/core"
)

//go:embed all:frontend/dist
var assets embed.FS

//go:embed build/appicon.png
var icon []byte

func main() {
	os.Exit(run())
}

func run() int {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if !app.GeneratingBindings && goruntime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(os.Stderr, "countersign-desktop: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); run the headless core with `countersign daemon` instead")
		return 1
	}
	// Wails handles SIGINT/SIGTERM itself: it closes the window and wails.Run
	// returns, after which the deferred calls stop the LocalAPI and the core.
	ctx := context.Background()

	var c app.Core // stays nil while `wails build` generates bindings
	if !app.GeneratingBindings {
		cc, err := core.Open(ctx, core.Options{Logger: log})
		if errors.Is(err, core.ErrAlreadyRunning) {
			fmt.Fprintln(os.Stderr, "countersign-desktop: Countersign is already running (the desktop app or `countersign daemon`)")
			return 1
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "countersign-desktop: %v\n", err)
			return 1
		}
		defer func() {
			if err := cc.Close(); err != nil {
				log.Error("close core", "err", err)
			}
		}()
		serveCtx, cancel := context.WithCancel(ctx)
		served := make(chan error, 1)
		go func() { served <- cc.Serve(serveCtx) }()
		defer func() {
			cancel()
			if err := <-served; err != nil && !errors.Is(err, context.Canceled) {
				log.Error("serve LocalAPI", "err", err)
			}
		}()
		c = cc
	}

	a := app.New(c, log)
	err := wails.Run(&options.App{
		Title:       "Countersign",
		Width:       1100,
		Height:      760,
		MinWidth:    720,
		MinHeight:   480,
		AssetServer: &assetserver.Options{Assets: assets},
		OnStartup:   a.Startup,
		OnShutdown:  a.Shutdown,
		Bind:        a.Bindings(),
		Linux:       &linux.Options{Icon: icon, ProgramName: "countersign"},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "countersign-desktop: %v\n", err)
		return 1
	}
	return 0
}
