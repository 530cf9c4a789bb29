package autostart

import (
	"encoding/xml"
	"strings"
	"testing"
)

// The LaunchAgent is a well-formed plist whose ProgramArguments are the app
// (characters XML reserves escaped) and the tray flag.
func TestLaunchAgentPlist(t *testing.T) {
	const exe = "/Applications/Count & <Sign>.app/Contents/MacOS/countersign-desktop"
	dec := xml.NewDecoder(strings.NewReader(launchAgent(exe)))
	dec.Strict = true
	var stringsSeen []string
	inString := false
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			inString = v.Name.Local == "string"
		case xml.EndElement:
			inString = false
		case xml.CharData:
			if inString {
				stringsSeen = append(stringsSeen, string(v))
			}
		}
	}
	want := []string{launchAgentLabel, exe, HiddenFlag, "Interactive"}
	if strings.Join(stringsSeen, "|") != strings.Join(want, "|") {
		t.Fatalf("plist strings %q, want %q", stringsSeen, want)
	}
}

func TestWindowsRunCommand(t *testing.T) {
	if got := windowsCommand(`C:\Program Files\Countersign\countersign-desktop.exe`); got != `"C:\Program Files\Countersign\countersign-desktop.exe" --hidden` {
		t.Fatalf("Run value = %s", got)
	}
}
