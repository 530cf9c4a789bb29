package app

import (
	"context"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// window is what the popup and the tray do to the app's one window.
type window interface {
	Show()       // map, raise and ask for focus
	Unminimise() // out of the task bar
	Hide()
	SetAlwaysOnTop(bool) // keep above other windows while calls wait
	Size() (w, h int)
	SetSize(w, h int)
	Quit()
}

// wailsWindow is the Wails window behind ctx (the OnStartup context).
type wailsWindow struct{ ctx context.Context }

func (w wailsWindow) Show()                  { runtime.WindowShow(w.ctx) }
func (w wailsWindow) Unminimise()            { runtime.WindowUnminimise(w.ctx) }
func (w wailsWindow) Hide()                  { runtime.WindowHide(w.ctx) }
func (w wailsWindow) SetAlwaysOnTop(on bool) { runtime.WindowSetAlwaysOnTop(w.ctx, on) }
func (w wailsWindow) Size() (int, int)       { return runtime.WindowGetSize(w.ctx) }
func (w wailsWindow) SetSize(wd, h int)      { runtime.WindowSetSize(w.ctx, wd, h) }
func (w wailsWindow) Quit()                  { runtime.Quit(w.ctx) }

// Window is bound to the frontend: it reports what Go cannot see for itself.
// Wails v2 tells Go nothing when the window is hidden by its close button
// (HideWindowOnClose) or loses focus, so the frontend reports
// document.visibilityState and window focus/blur here.
type Window struct {
	popup *popup
}

// Report tells the app whether the window is visible and focused; call it
// on load and on every visibilitychange, focus and blur.
func (w *Window) Report(visible, focused bool) error {
	w.popup.report(visible, focused)
	return nil
}
