package shim

import (
	"fmt"
	"time"
)

// progressEvery is how often a waiting call tells the client it is alive.
// Clients that reset their request timeout on progress then keep waiting
// for the person instead of giving up.
const progressEvery = 5 * time.Second

// keepAlive sends notifications/progress for a waiting call until stopped.
func (s *shim) keepAlive(token []byte, timeout time.Duration) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		start := time.Now()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				waited := time.Since(start).Round(time.Second)
				msg := fmt.Appendf(nil, `{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":%s,"progress":%d,"total":%d,"message":"Waiting for approval in Countersign (%s of %s)"}}`+"\n",
					token, int(waited.Seconds()), int(timeout.Seconds()), waited, timeout)
				s.toClient.write(msg)
			}
		}
	}()
	return func() { close(done) }
}
