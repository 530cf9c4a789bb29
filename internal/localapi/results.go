package localapi

import (
	"context"
	"net/http"
)

// Tool-result scanning: the shim scans every tools/call result it passes
// back for hidden instructions and reports what it found with the call
// (CallRecord.ResultFlags, HistoryCall.ResultFlags). Whether a flagged
// result is withheld from the client is a core setting, pushed to every
// shim with its session (SessionUpdate.Results).
//
//	GET /v1/settings/results              ResultSettings
//	PUT /v1/settings/results              ResultSettings → ResultSettings

// ResultFlag is one finding in a tools/call result: what kind of risk
// (invisible_unicode, terminal_escape, control_character, instruction,
// malformed), where in the result (content[0].text) and the offending text
// made visible (invisible characters written out), with what the excerpt
// cannot show (text hidden in tag characters) after " — ".
type ResultFlag struct {
	Kind     string `json:"kind"`
	Location string `json:"location"`
	Text     string `json:"text"`
}

// ResultSettings are the tool-result settings. BlockFlagged (the setting
// block_flagged_results, off by default) has the shim withhold a result
// with findings: the client gets an isError result saying Countersign
// withheld it, and the history records result_status "withheld".
type ResultSettings struct {
	BlockFlagged bool `json:"block_flagged_results"`
}

// ResultSettings returns the tool-result settings in force.
func (c *Client) ResultSettings(ctx context.Context) (ResultSettings, error) {
	var out ResultSettings
	return out, c.do(ctx, http.MethodGet, "/v1/settings/results", nil, &out)
}

// SetResultSettings saves the tool-result settings; every connected shim
// applies them at once.
func (c *Client) SetResultSettings(ctx context.Context, s ResultSettings) (ResultSettings, error) {
	var out ResultSettings
	return out, c.do(ctx, http.MethodPut, "/v1/settings/results", s, &out)
}

func (h *Handler) resultSettings(w http.ResponseWriter, r *http.Request) {
	s, err := h.b.ResultSettings(r.Context())
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, s)
}

func (h *Handler) setResultSettings(w http.ResponseWriter, r *http.Request) {
	var s ResultSettings
	if !readJSON(w, r, &s) {
		return
	}
	out, err := h.b.SetResultSettings(r.Context(), s)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, out)
}
