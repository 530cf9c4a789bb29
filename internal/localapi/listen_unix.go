//go:build !windows

package localapi

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/countersign/countersign/internal/home"
)

// Listen takes the single-instance lock beside socket and listens on it.
// It returns ErrAlreadyRunning when another core holds the lock. The
// returned listener accepts only peers running as the current user, and
// releases the lock when closed.
func Listen(socket string) (net.Listener, error) {
	dir := filepath.Dir(socket)
	if err := home.EnsurePrivate(dir); err != nil {
		return nil, fmt.Errorf("localapi: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, "core.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("localapi: lock: %w", err)
	}
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (socket %s)", ErrAlreadyRunning, socket)
		}
		return nil, fmt.Errorf("localapi: lock: %w", err)
	}
	// We hold the lock, so a socket file left here is stale.
	if err := os.Remove(socket); err != nil && !errors.Is(err, os.ErrNotExist) {
		lock.Close()
		return nil, fmt.Errorf("localapi: remove stale socket: %w", err)
	}
	if len(socket) > maxSocketPath {
		lock.Close()
		return nil, fmt.Errorf("localapi: socket path %s is %d bytes, longer than the OS allows (%d): use a shorter COUNTERSIGN_HOME", socket, len(socket), maxSocketPath)
	}
	l, err := net.Listen("unix", socket)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("localapi: listen: %w", err)
	}
	if err := os.Chmod(socket, 0o600); err != nil {
		l.Close()
		lock.Close()
		return nil, fmt.Errorf("localapi: %w", err)
	}
	return &peerListener{Listener: l, lock: lock, uid: os.Getuid()}, nil
}

// maxSocketPath is the portable bound on sun_path (104 on macOS, 108 on Linux).
const maxSocketPath = 103

type peerListener struct {
	net.Listener
	lock *os.File
	uid  int
}

// Accept drops connections from other users before any byte is read.
func (l *peerListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		uc, ok := c.(*net.UnixConn)
		if !ok {
			c.Close()
			continue
		}
		uid, err := peerUID(uc)
		if err != nil || uid != l.uid {
			c.Close()
			continue
		}
		return c, nil
	}
}

func (l *peerListener) Close() error {
	err := l.Listener.Close()
	l.lock.Close()
	return err
}

// dial connects to the socket after checking it is ours.
func dial(socket string) (net.Conn, error) {
	fi, err := os.Lstat(socket)
	if errors.Is(err, os.ErrNotExist) {
		return nil, &coreDown{addr: socket}
	}
	if err != nil {
		return nil, fmt.Errorf("localapi: %w", err)
	}
	if err := home.CheckPrivate(filepath.Dir(socket), false); err != nil {
		return nil, fmt.Errorf("localapi: refusing to use the socket: %w", err)
	}
	if err := checkOwner(fi); err != nil {
		return nil, err
	}
	c, err := net.Dial("unix", socket)
	if err != nil {
		if errors.Is(err, unix.ECONNREFUSED) || errors.Is(err, unix.ENOENT) {
			return nil, &coreDown{addr: socket}
		}
		return nil, fmt.Errorf("localapi: %w", err)
	}
	return c, nil
}

func checkOwner(fi os.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("localapi: cannot tell who owns the socket: %w", home.ErrNotPrivate)
	}
	if int(st.Uid) != os.Getuid() {
		return fmt.Errorf("localapi: refusing the socket: it belongs to uid %d, not to you (uid %d): %w", st.Uid, os.Getuid(), home.ErrNotPrivate)
	}
	return nil
}
