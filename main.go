// Command countersign-desktop is the Countersign desktop app: it hosts the
// core (the same one `countersign daemon` runs headless), shows the tray icon
// and the window, and brings the window forward as the approval popup.
// `countersign` with no arguments starts it; --hidden (the autostart entry)
// starts it in the tray.
//
// Wiring only: open the core, serve its LocalAPI, start the tray and the
// notifier, bind the app/ services, run Wails. The build tag webkit2_41
// selects WebKitGTK 4.1 on Linux.
package main

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	goruntime "runtime"
	"slices"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/countersign/countersign/app"
	"github.com/countersign/countersign/internal/core"
	"github.com/countersign/countersign/internal/home"
	"github.com/countersign/countersign/internal/notify"
)

//go:embed all:frontend/dist
var assets embed.FS

//go:embed build/appicon.png
var icon []byte

//go:embed build/tray/*.png
var trayIcons embed.FS

func main() {
	os.Exit(run())
}

func run() int {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if !app.GeneratingBindings && goruntime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(os.Stderr, "countersign-desktop: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); run the headless core with `countersign daemon` instead")
		return 1
	}
	hidden := slices.Contains(os.Args[1:], app.HiddenFlag)
	// Wails handles SIGINT/SIGTERM itself: it closes the window and wails.Run
	// returns, after which the deferred calls stop the LocalAPI and the core.
	ctx := context.Background()

	var c app.Core // stays nil while `wails build` generates bindings
	var cc *core.Core
	if !app.GeneratingBindings {
		var err error
		cc, err = core.Open(ctx, core.Options{Logger: log})
		if errors.Is(err, core.ErrAlreadyRunning) {
			return focusRunning()
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
		c = cc
	}

	a := app.New(c, log)
	if cc != nil {
		serveCtx, cancel := context.WithCancel(ctx)
		served := make(chan error, 1)
		go func() {
			err := cc.Serve(serveCtx)
			if err != nil && serveCtx.Err() == nil {
				log.Error("serve LocalAPI", "err", err)
				a.CoreFailed(err)
			}
			served <- err
		}()
		defer func() { cancel(); <-served }()

		n, err := notify.Connect(a.NotificationAction)
		if err != nil {
			log.Warn("no desktop notifications; waiting calls show in the window only", "err", err)
		} else {
			a.SetNotifier(n)
			defer n.Close()
		}
		// The tray's loop must start on the main goroutine before wails.Run.
		stopTray := a.RunTray(app.TrayIcons{
			Idle: readIcon("idle"), Pending: readIcon("pending"), Paused: readIcon("paused"), Error: readIcon("error"),
		})
		defer stopTray()
	}

	err := wails.Run(&options.App{
		Title:       "Countersign",
		Width:       1100,
		Height:      760,
		MinWidth:    480,
		MinHeight:   480,
		StartHidden: hidden,
		// Closing the window keeps the core and the tray running.
		HideWindowOnClose:  true,
		SingleInstanceLock: singleInstance(func() { a.FocusCall("") }),
		AssetServer:        &assetserver.Options{Assets: assets},
		OnStartup:          a.Startup,
		OnShutdown:         a.Shutdown,
		Bind:               a.Bindings(),
		Linux:              &linux.Options{Icon: icon, ProgramName: "countersign"},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "countersign-desktop: %v\n", err)
		return 1
	}
	return 0
}

// singleInstance makes a second start of the app for the same state
// directory hand over to the first one, which calls focus.
func singleInstance(focus func()) *options.SingleInstanceLock {
	id := "countersign"
	if dir, err := home.Dir(); err == nil {
		sum := sha256.Sum256([]byte(dir))
		id += "-" + hex.EncodeToString(sum[:6]) // one app per state directory
	}
	return &options.SingleInstanceLock{
		UniqueId:               id,
		OnSecondInstanceLaunch: func(options.SecondInstanceData) { focus() },
	}
}

// focusRunning runs when another core owns the socket. When that core is a
// desktop app, Wails' single-instance lock hands this start over to it (the
// running window comes forward) and exits this process. If this process
// gets the lock instead, the running core is `countersign daemon`: say so.
func focusRunning() int {
	err := wails.Run(&options.App{
		Title:              "Countersign",
		StartHidden:        true,
		SingleInstanceLock: singleInstance(func() {}),
		AssetServer:        &assetserver.Options{Assets: assets},
		OnStartup: func(ctx context.Context) {
			fmt.Fprintln(os.Stderr, "countersign-desktop: Countersign is already running as `countersign daemon`; stop it to use the desktop app, or use the CLI (`countersign pending`)")
			runtime.Quit(ctx)
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "countersign-desktop: %v\n", err)
	}
	return 1
}

func readIcon(name string) []byte {
	b, err := trayIcons.ReadFile("build/tray/" + name + ".png")
	if err != nil {
		panic(err) // embedded at build time: cannot be missing
	}
	return b
}
