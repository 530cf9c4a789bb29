package toolguard

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// serverDigestLen is how many hex digits of the SHA-256 a server identity
// keeps (128 bits: a second preimage is out of reach).
const serverDigestLen = 32

// ServerID identifies a wrapped local server: its configured name, "#",
// and a digest of its exact command line (argv, each argument kept
// distinct, so ["a b"] and ["a", "b"] differ). A different binary or
// different arguments under the same name is a different server. The
// command line may hold secrets; only its digest is kept.
func ServerID(name string, commandLine []string) string {
	h := sha256.New()
	h.Write([]byte("cmd\x00"))
	for _, arg := range commandLine {
		// Length-prefix each argument so no two argv collide.
		var n [8]byte
		l := uint64(len(arg))
		for i := range n {
			n[i] = byte(l >> (8 * i))
		}
		h.Write(n[:])
		h.Write([]byte(arg))
	}
	return name + "#" + hex.EncodeToString(h.Sum(nil))[:serverDigestLen]
}

// RemoteServerID identifies a wrapped remote server: its configured name,
// "#", and a digest of its exact URL (no normalisation: a different URL is
// a different server). A URL and a command line never share a digest.
func RemoteServerID(name, url string) string {
	sum := sha256.Sum256([]byte("url\x00" + url))
	return name + "#" + hex.EncodeToString(sum[:])[:serverDigestLen]
}

// ServerName returns the configured name part of a server identity made by
// ServerID or RemoteServerID.
func ServerName(serverID string) string {
	if i := strings.LastIndexByte(serverID, '#'); i >= 0 {
		return serverID[:i]
	}
	return serverID
}
