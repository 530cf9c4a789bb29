package shim

import (
	"errors"
	"strings"
)

// kind is what a line of JSON-RPC is.
type kind int

const (
	kindInvalid      kind = iota // not a JSON-RPC message we can split
	kindRequest                  // method and id
	kindNotification             // method, no id
	kindResponse                 // id and result or error, no method
	kindBatch                    // a JSON array of messages
	kindEmpty                    // only whitespace
)

// message is a classified line. Raw slices point into the line.
type message struct {
	kind   kind
	method string
	id     []byte // raw id token
	params []byte // raw params value
	result []byte // raw result value
	// ambiguous marks a message two JSON parsers could read differently
	// (duplicate members the shim acts on); it is never forwarded as is.
	ambiguous bool
}

var errDuplicate = errors.New("duplicate member")

// classify splits one line. It decodes only member names and the method.
func classify(line []byte) message {
	i := skipSpace(line, 0)
	if i == len(line) {
		return message{kind: kindEmpty}
	}
	if line[i] == '[' {
		return message{kind: kindBatch}
	}
	var m message
	var seen [5]bool
	end, err := eachMember(line, i, func(key string, val []byte) error {
		if folded(key, "method", "id", "params", "result", "error") {
			// Some decoders (Go's encoding/json) match member names without
			// regard to case: "Method" could win over "method" there.
			m.ambiguous = true
		}
		slot := -1
		switch key {
		case "method":
			slot = 0
			s, ok := stringValue(val)
			if !ok {
				m.ambiguous = true
			}
			m.method = s
		case "id":
			slot = 1
			m.id = val
		case "params":
			slot = 2
			m.params = val
		case "result":
			slot = 3
			m.result = val
		case "error":
			slot = 4
		}
		if slot >= 0 {
			if seen[slot] {
				m.ambiguous = true
			}
			seen[slot] = true
		}
		return nil
	})
	if err != nil || skipSpace(line, end) != len(line) {
		return message{kind: kindInvalid}
	}
	switch {
	case seen[0] && seen[1]:
		m.kind = kindRequest
	case seen[0]:
		m.kind = kindNotification
	case seen[1] && (seen[3] || seen[4]):
		m.kind = kindResponse
	default:
		m.kind = kindInvalid
	}
	if isNull(m.id) && m.kind == kindRequest {
		// {"id": null, "method": ...} is not a valid request; some parsers
		// treat it as a notification. Either way it must not slip through.
		m.ambiguous = true
	}
	return m
}

func isNull(v []byte) bool { return len(v) == 4 && string(v) == "null" }

// callParams is what the shim reads from tools/call params.
type callParams struct {
	name          string
	args          []byte // raw arguments object ("" when absent)
	progressToken []byte // raw _meta.progressToken, nil when absent
}

// parseCallParams reads tools/call params, failing on anything a server
// could read differently (duplicate name/arguments, a non-string name).
func parseCallParams(p []byte) (callParams, error) {
	var cp callParams
	var seenName, seenArgs bool
	i := skipSpace(p, 0)
	if i == len(p) {
		return cp, errors.New("tools/call without params")
	}
	_, err := eachMember(p, i, func(key string, val []byte) error {
		if folded(key, "name", "arguments", "_meta") {
			return errDuplicate
		}
		switch key {
		case "name":
			s, ok := stringValue(val)
			if !ok || seenName {
				return errDuplicate
			}
			cp.name, seenName = s, true
		case "arguments":
			if seenArgs {
				return errDuplicate
			}
			cp.args, seenArgs = val, true
		case "_meta":
			eachMember(val, 0, func(k string, v []byte) error {
				if k == "progressToken" {
					cp.progressToken = v
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return cp, errors.New("tools/call params cannot be read unambiguously")
	}
	if !seenName {
		return cp, errors.New("tools/call without a tool name")
	}
	return cp, nil
}

// cancelledRequestID returns params.requestId of notifications/cancelled.
func cancelledRequestID(params []byte) []byte {
	var id []byte
	eachMember(params, skipSpace(params, 0), func(k string, v []byte) error {
		if k == "requestId" {
			id = v
		}
		return nil
	})
	return id
}

// resultIsError reads result.isError of a tools/call response.
func resultIsError(result []byte) bool {
	isErr := false
	eachMember(result, skipSpace(result, 0), func(k string, v []byte) error {
		if k == "isError" {
			isErr = string(v) == "true"
		}
		return nil
	})
	return isErr
}

// folded reports whether key differs from one of names only by letter case,
// which case-insensitive decoders would read as that name.
func folded(key string, names ...string) bool {
	for _, n := range names {
		if key != n && strings.EqualFold(key, n) {
			return true
		}
	}
	return false
}
