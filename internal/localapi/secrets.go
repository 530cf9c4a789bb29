package localapi

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Secret metadata routes. Values never travel over the LocalAPI: the CLI
// and the shim read and write the keychain themselves (it is per user, like
// the socket), and the core keeps only names, notes and uses.
//
//	GET    /v1/secrets         []SecretInfo
//	PUT    /v1/secrets/{name}  SecretPut → SecretPutResult
//	DELETE /v1/secrets/{name}  204, 404 when no metadata
//	POST   /v1/secrets/uses    SecretUseReport → 204

// SecretInfo is what is known about one secret: never its value.
type SecretInfo struct {
	Name      string    `json:"name"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// LastUsedAt is the last shim launch that injected it (omitted: never).
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	// ReferencedBy lists the client config entries whose shim arguments
	// reference it, as found now.
	ReferencedBy []SecretReference `json:"referenced_by"`
	// UsedBy lists the servers launched with it, newest first.
	UsedBy []SecretUse `json:"used_by"`
}

// SecretReference is a client config entry that references a secret.
type SecretReference struct {
	Client string `json:"client"`
	Server string `json:"server"`
	Config string `json:"config"`
}

// SecretUse is a server that was launched with a secret.
type SecretUse struct {
	Server      string    `json:"server"`
	Client      string    `json:"client,omitempty"`
	FirstUsedAt time.Time `json:"first_used_at"`
	LastUsedAt  time.Time `json:"last_used_at"`
	Uses        int64     `json:"uses"`
	// Running: the shim that last launched it is still connected.
	Running bool `json:"running"`
}

// InUse reports whether removing the secret would break a server: a config
// references it or a running shim injected it.
func (s SecretInfo) InUse() bool {
	if len(s.ReferencedBy) > 0 {
		return true
	}
	for _, u := range s.UsedBy {
		if u.Running {
			return true
		}
	}
	return false
}

// SecretPut records that a secret was stored (or its value replaced). Note
// nil keeps the note of an existing secret.
type SecretPut struct {
	Note *string `json:"note,omitempty"`
}

// SecretPutResult is the answer to a SecretPut.
type SecretPutResult struct {
	Secret  SecretInfo `json:"secret"`
	Created bool       `json:"created"`
}

// SecretUseReport is sent by a shim that launched its server with secrets
// from the keychain: names only.
type SecretUseReport struct {
	Server  string   `json:"server"`
	Client  string   `json:"client,omitempty"`
	PID     int      `json:"pid"`
	Secrets []string `json:"secrets"`
}

func (h *Handler) secrets(w http.ResponseWriter, r *http.Request) {
	list, err := h.b.Secrets(r.Context())
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	if list == nil {
		list = []SecretInfo{}
	}
	writeJSON(w, list)
}

func (h *Handler) putSecret(w http.ResponseWriter, r *http.Request) {
	var req SecretPut
	if !readJSON(w, r, &req) {
		return
	}
	res, err := h.b.PutSecret(r.Context(), r.PathValue("name"), req)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, res)
}

func (h *Handler) removeSecret(w http.ResponseWriter, r *http.Request) {
	if err := h.b.RemoveSecret(r.Context(), r.PathValue("name")); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) secretUses(w http.ResponseWriter, r *http.Request) {
	var rep SecretUseReport
	if !readJSON(w, r, &rep) {
		return
	}
	if err := h.b.SecretsUsed(r.Context(), rep); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Secrets lists the metadata of every secret.
func (c *Client) Secrets(ctx context.Context) ([]SecretInfo, error) {
	var out []SecretInfo
	return out, c.do(ctx, http.MethodGet, "/v1/secrets", nil, &out)
}

// PutSecret records that the secret name was stored in the keychain.
func (c *Client) PutSecret(ctx context.Context, name string, req SecretPut) (SecretPutResult, error) {
	var out SecretPutResult
	return out, c.do(ctx, http.MethodPut, "/v1/secrets/"+url.PathEscape(name), req, &out)
}

// RemoveSecret deletes the metadata of name (the caller deletes the value
// from the keychain).
func (c *Client) RemoveSecret(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/v1/secrets/"+url.PathEscape(name), nil, nil)
}

// SecretsUsed reports that a shim launched its server with these secrets.
func (c *Client) SecretsUsed(ctx context.Context, rep SecretUseReport) error {
	return c.do(ctx, http.MethodPost, "/v1/secrets/uses", rep, nil)
}
