package autostart

import (
	"encoding/xml"
	"strings"
)

// launchAgentLabel names the macOS LaunchAgent.
const launchAgentLabel = "dev.countersign.desktop"

// launchAgent is the ~/Library/LaunchAgents plist that launchd loads at the
// next login: it runs exe in the tray once (no KeepAlive: quitting from the
// tray stays quit). It is plain text so it can be written and checked on
// any platform.
func launchAgent(exe string) string {
	esc := func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s)) // writes to a Builder: cannot fail
		return b.String()
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + launchAgentLabel + `</string>
	<key>ProgramArguments</key>
	<array>
		<string>` + esc(exe) + `</string>
		<string>` + HiddenFlag + `</string>
	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
`
}
