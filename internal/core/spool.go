package core

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/countersign/countersign/internal/localapi"
)

// ingestSpool records what shims kept while the core was away, then removes
// each file it fully recorded. A file it cannot read stays for a person to
// look at.
func (c *Core) ingestSpool(ctx context.Context) {
	dir := filepath.Join(c.home, "spool")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".jsonl") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		recs, err := readSpool(path)
		if err != nil {
			c.log.Warn("cannot read kept call records", "file", path, "err", err)
			continue
		}
		if err := c.Record(ctx, recs); err != nil {
			c.log.Warn("cannot record kept call records", "file", path, "err", err)
			continue
		}
		os.Remove(path)
		c.log.Info("recorded calls kept while the core was away", "count", len(recs))
	}
}

func readSpool(path string) ([]localapi.CallRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var recs []localapi.CallRecord
	dec := json.NewDecoder(bufio.NewReader(f))
	for dec.More() {
		var r localapi.CallRecord
		if err := dec.Decode(&r); err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	return recs, nil
}
