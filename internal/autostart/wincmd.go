package autostart

// windowsCommand is the Run value for exe: the path quoted (it may hold
// spaces, e.g. C:\Program Files\...) and the tray flag. Plain text, so it is
// checked on any platform.
func windowsCommand(exe string) string { return `"` + exe + `" ` + HiddenFlag }
