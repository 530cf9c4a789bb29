//go:build bindings

package app

// TrayIcons are the tray's PNG icons (see tray.go).
type TrayIcons struct {
	Idle, Pending, Paused, Error []byte
}

// RunTray does nothing in the binding-generation run of `wails build`.
func (a *App) RunTray(TrayIcons) (stop func()) { return func() {} }
