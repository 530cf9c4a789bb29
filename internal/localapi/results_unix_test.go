//go:build linux || darwin

package localapi

import (
	"context"
	"testing"
)

func (b *backend) ResultSettings(ctx context.Context) (ResultSettings, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.results, nil
}

func (b *backend) SetResultSettings(ctx context.Context, s ResultSettings) (ResultSettings, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.results = s
	return s, nil
}

func TestResultSettingsCrossTheSocket(t *testing.T) {
	c := NewClient(serve(t, newBackend()))
	defer c.Close()
	ctx := context.Background()
	for _, want := range []bool{false, true, false} {
		if want {
			if _, err := c.SetResultSettings(ctx, ResultSettings{BlockFlagged: true}); err != nil {
				t.Fatal(err)
			}
		} else if _, err := c.SetResultSettings(ctx, ResultSettings{}); err != nil {
			t.Fatal(err)
		}
		got, err := c.ResultSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.BlockFlagged != want {
			t.Errorf("block_flagged_results = %v, want %v", got.BlockFlagged, want)
		}
	}
}
