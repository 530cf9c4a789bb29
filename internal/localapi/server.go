package localapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/policy"
)

// ErrNotFound is wrapped by Backend errors for an id that does not exist.
var ErrNotFound = errors.New("not found")

// ErrInvalid is wrapped by Backend errors for a request a person got wrong.
var ErrInvalid = errors.New("invalid request")

// maxBody bounds request bodies: held calls carry their arguments, and a
// 64 MiB argument must still reach the popup.
const maxBody = 160 << 20

// Handler serves the LocalAPI routes over b.
type Handler struct {
	b   Backend
	log *slog.Logger
	mux *http.ServeMux
}

// NewHandler builds the route table.
func NewHandler(b Backend, log *slog.Logger) *Handler {
	h := &Handler{b: b, log: log, mux: http.NewServeMux()}
	routes := map[string]http.HandlerFunc{
		"GET /v1/status":        h.status,
		"POST /v1/sessions":     h.session,
		"POST /v1/calls":        h.hold,
		"POST /v1/records":      h.records,
		"GET /v1/pending":       h.pending,
		"POST /v1/pending/{id}": h.decide,
		"GET /v1/rules":         h.rules,
		"POST /v1/rules":        h.addRule,
		"DELETE /v1/rules/{id}": h.removeRule,
		"GET /v1/events":        h.events,
		"GET /v1/history":       h.history,
		"GET /v1/calls/{id}":    h.historyCall,
		"GET /v1/export":        h.historyExport,
		"GET /v1/timeline":      h.historyEvents,
		"POST /v1/prune":        h.historyPrune,

		// secrets.go
		"GET /v1/secrets":           h.secrets,
		"PUT /v1/secrets/{name}":    h.putSecret,
		"DELETE /v1/secrets/{name}": h.removeSecret,
		"POST /v1/secrets/uses":     h.secretUses,

		// tools.go
		"POST /v1/lists":       h.reviewList,
		"GET /v1/tools":        h.tools,
		"POST /v1/tools/trust": h.trustTools,
		"GET /v1/tools/diff":   h.toolDiff,

		// results.go
		"GET /v1/settings/results": h.resultSettings,
		"PUT /v1/settings/results": h.setResultSettings,

		// signins.go
		"POST /v1/signins/needed": h.signInNeeded,
	}
	for pattern, fn := range routes {
		h.mux.HandleFunc(pattern, fn)
	}
	return h
}

// ServeHTTP refuses browser-originated requests before routing. Peer
// credentials were checked when the connection was accepted (see Listen).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Origin") != "" || r.Header.Get("Referer") != "" {
		writeError(w, http.StatusForbidden, errors.New("requests from browsers are refused"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	h.mux.ServeHTTP(w, r)
}

// Serve answers on l until ctx ends, then shuts down, giving open requests
// (held calls are cancelled by their own contexts) a moment to finish.
func Serve(ctx context.Context, l net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("localapi: serve: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		srv.Close()
	}
	<-errc
	return nil
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, h.b.Status())
}

func (h *Handler) session(w http.ResponseWriter, r *http.Request) {
	var req SessionRequest
	if !readJSON(w, r, &req) {
		return
	}
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	err := h.b.OpenSession(r.Context(), req, func(u SessionUpdate) error {
		if err := enc.Encode(u); err != nil {
			return err
		}
		if flusher != nil {
			flusher.Flush()
		}
		return nil
	})
	if err != nil && r.Context().Err() == nil {
		h.log.Warn("session ended", "server", req.Server, "err", err)
	}
}

func (h *Handler) hold(w http.ResponseWriter, r *http.Request) {
	var req CallRequest
	if !readJSON(w, r, &req) {
		return
	}
	d, err := h.b.Hold(r.Context(), req)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, d)
}

func (h *Handler) records(w http.ResponseWriter, r *http.Request) {
	var recs []CallRecord
	if !readJSON(w, r, &recs) {
		return
	}
	if err := h.b.Record(r.Context(), recs); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) pending(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, h.b.Pending())
}

func (h *Handler) decide(w http.ResponseWriter, r *http.Request) {
	var d broker.Decision
	if !readJSON(w, r, &d) {
		return
	}
	if err := h.b.Decide(r.PathValue("id"), d); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) rules(w http.ResponseWriter, r *http.Request) {
	rules, err := h.b.Rules(r.Context())
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, rules)
}

func (h *Handler) addRule(w http.ResponseWriter, r *http.Request) {
	var rule policy.Rule
	if !readJSON(w, r, &rule) {
		return
	}
	added, err := h.b.AddRule(r.Context(), rule)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, added)
}

func (h *Handler) removeRule(w http.ResponseWriter, r *http.Request) {
	if err := h.b.RemoveRule(r.Context(), r.PathValue("id")); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// events streams broker events as NDJSON until the client goes away.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	events, stop := h.b.Subscribe()
	defer stop()
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	if flusher != nil {
		flusher.Flush()
	}
	enc := json.NewEncoder(w)
	for {
		select {
		case <-r.Context().Done():
			return
		case e, ok := <-events:
			if !ok || enc.Encode(e) != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
	}
}

func statusOf(err error) int {
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, broker.ErrNotPending):
		return http.StatusNotFound
	case errors.Is(err, ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, context.Canceled):
		return 499
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, code int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(errorBody{Error: err.Error()})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil && !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, fmt.Errorf("bad request body: %w", err))
		return false
	}
	return true
}
