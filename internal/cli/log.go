package cli

import (
	"log/slog"
	"os"
	"strings"
)

// logLevel reads COUNTERSIGN_LOG (debug, info, warn, error); info by default.
func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(os.Getenv("COUNTERSIGN_LOG")))); err != nil {
		return slog.LevelInfo
	}
	return l
}
