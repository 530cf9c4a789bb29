package broker

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

var idEncoding = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// NewID returns a short random id a person can type ("k3xq7bz2pa"): 50 bits,
// no look-alike characters (no l, o, 0, 1).
func NewID() string {
	var b [7]byte
	rand.Read(b[:])
	return strings.ToLower(idEncoding.EncodeToString(b[:]))[:10]
}
