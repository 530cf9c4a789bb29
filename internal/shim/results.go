package shim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/toolguard"
)

// Tool results are scanned for hidden instructions (invisible Unicode,
// terminal escapes, instruction-like phrases) on their way back to the
// client. The work is bounded: only the first maxExcerpt bytes are read,
// the part the history keeps, so a 256 MiB result costs what a 64 KiB one
// does, and a clean result allocates nothing. Findings go to the history
// with the call; when the core's block_flagged_results setting is on, the
// result is withheld and the client gets an isError result instead.

// scanResult returns the findings in a tools/call result as history flags,
// their text redacted like every excerpt.
func (s *shim) scanResult(result []byte) []localapi.ResultFlag {
	rs := toolguard.ScanToolResultPrefix(result, maxExcerpt)
	if len(rs.Findings) == 0 {
		return nil
	}
	flags := make([]localapi.ResultFlag, 0, len(rs.Findings))
	for _, f := range rs.Findings {
		text := f.Excerpt
		if f.Detail != "" {
			text += " — " + f.Detail
		}
		flags = append(flags, localapi.ResultFlag{Kind: string(f.Kind), Location: f.Location, Text: string(s.cfg.Redact([]byte(text)))})
	}
	return flags
}

// withheldText is what the model reads instead of a withheld result.
func withheldText(tool, server, id string, flags []localapi.ResultFlag) string {
	var kinds []string
	for _, f := range flags {
		k := strings.ReplaceAll(f.Kind, "_", " ")
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	return fmt.Sprintf("Countersign withheld the result of the call to %q on server %q: it carried hidden instructions aimed at the model (%s). "+
		"The tool did run; the user can review its result in Countersign's history (call %s). Do not retry to get around this.",
		tool, server, strings.Join(kinds, ", "), id)
}
