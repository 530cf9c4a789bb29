package localapi

import (
	"context"
	"net/http"
	"time"
)

// OAuth sign-ins a remote server needs: the shim never opens a browser
// itself; when a server needs a sign-in it answers the client with an error
// and tells the core, so the desktop app can ask the person and open the
// browser only when they agree.
//
//	POST /v1/signins/needed               SignInNeeded → 204

// SignInNeeded says a remote server needs a person to sign in.
type SignInNeeded struct {
	Server string    `json:"server"`
	Client string    `json:"client,omitempty"`
	URL    string    `json:"url"`
	At     time.Time `json:"at"`
}

// SignInNeeded tells the core that a shim's remote server needs a sign-in.
func (c *Client) SignInNeeded(ctx context.Context, s SignInNeeded) error {
	return c.do(ctx, http.MethodPost, "/v1/signins/needed", s, nil)
}

func (h *Handler) signInNeeded(w http.ResponseWriter, r *http.Request) {
	var s SignInNeeded
	if !readJSON(w, r, &s) {
		return
	}
	if err := h.b.SignInNeeded(r.Context(), s); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
