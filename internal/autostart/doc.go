// Package autostart owns "start Countersign when I log in" on each desktop
// platform: the freedesktop autostart entry on Linux and the BSDs, a launchd
// LaunchAgent on macOS, and the per-user Run registry key on Windows. Each
// starts the desktop app with HiddenFlag, so it comes up in the tray. It
// changes nothing but that one entry, and never needs administrator rights.
package autostart

// HiddenFlag starts the desktop app in the tray with its window hidden; the
// login entry passes it.
const HiddenFlag = "--hidden"
