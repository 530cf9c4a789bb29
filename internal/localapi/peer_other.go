//go:build !linux && !darwin && !windows

package localapi

import (
	"errors"
	"net"
)

// peerUID is not implemented on this platform, so every peer is refused:
// failing closed beats trusting the directory mode alone.
func peerUID(*net.UnixConn) (int, error) {
	return -1, errors.New("peer credentials are not supported on this platform")
}
