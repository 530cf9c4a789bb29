package app

import (
	"context"
	"fmt"

	"github.com/countersign/countersign/internal/core"
	"github.com/countersign/countersign/internal/localapi"
)

// Servers is bound to the window: the wrapped servers the core sees now.
type Servers struct {
	core Core
}

// Sessions lists the connected shims (one per running wrapped server).
func (s *Servers) Sessions() ([]core.SessionInfo, error) {
	return s.core.Sessions(), nil
}

// Tools is bound to the window: pinned tool definitions and their review.
type Tools struct {
	core Core
}

// List returns the pins of server ("" for every server).
func (t *Tools) List(server string) ([]localapi.ToolPin, error) {
	pins, err := t.core.Tools(context.Background(), server)
	if err != nil {
		return nil, fmt.Errorf("list tools: %w", err)
	}
	return pins, nil
}

// Trust accepts the current definitions of held items after review.
func (t *Tools) Trust(req localapi.TrustRequest) (localapi.TrustResult, error) {
	res, err := t.core.TrustTools(context.Background(), req)
	if err != nil {
		return localapi.TrustResult{}, fmt.Errorf("trust tools of %s: %w", req.Server, err)
	}
	return res, nil
}

// Diff shows what changed in one pinned item since it was accepted; kind is
// tool, prompt or resource_template.
func (t *Tools) Diff(server, kind, name string) (localapi.ToolDiff, error) {
	d, err := t.core.ToolDiff(context.Background(), server, kind, name)
	if err != nil {
		return localapi.ToolDiff{}, fmt.Errorf("diff %s %s: %w", kind, name, err)
	}
	return d, nil
}
