package shim

import "bytes"

// batch handles a JSON-RPC batch. A batch without tool calls goes through
// untouched. Otherwise each tools/call in it is taken out and decided like
// a call of its own (its response then arrives as a single message), as is
// each list request (so its result is reviewed), and
// the rest is forwarded as a batch of their original bytes. MCP 2025-06-18
// dropped batches; this path exists so they cannot smuggle a call past
// approval.
func (s *shim) batch(line []byte) error {
	var elems [][]byte
	calls := 0
	_, err := eachElement(line, skipSpace(line, 0), func(v []byte) error {
		elems = append(elems, v)
		if m := classify(v); m.kind == kindInvalid || m.kind == kindBatch || m.ambiguous || m.method == "tools/call" || listMethods[m.method] != "" {
			calls++
		}
		return nil
	})
	if err != nil || len(elems) == 0 {
		s.cfg.Log.Warn("blocked a batch from the client that is not valid JSON-RPC")
		return s.toClient.write(rpcError(nil, -32700, "Parse error: Countersign could not read this batch, so it was not forwarded"))
	}
	if calls == 0 {
		return s.toServer.write(line)
	}
	var rest [][]byte
	for _, e := range elems {
		m := classify(e)
		switch {
		case m.kind == kindInvalid || m.kind == kindBatch || m.ambiguous:
			s.cfg.Log.Warn("blocked an unreadable message inside a batch")
			if m.kind == kindRequest && !isNull(m.id) {
				if err := s.toClient.write(rpcError(m.id, -32600, "Invalid Request: Countersign could not read this message unambiguously, so it was not forwarded")); err != nil {
					return err
				}
			}
		case m.method == "tools/call" && m.kind == kindRequest:
			single := append(append([]byte(nil), e...), '\n')
			if err := s.call(single, classify(single)); err != nil {
				return err
			}
		case m.method == "tools/call":
			s.cfg.Log.Warn("blocked a tools/call sent as a notification inside a batch")
		case m.kind == kindRequest && listMethods[m.method] != "":
			// Sent alone so its result is reviewed like any other list.
			single := append(append([]byte(nil), e...), '\n')
			if err := s.clientMessage(single); err != nil {
				return err
			}
		default:
			rest = append(rest, e)
		}
	}
	if len(rest) == 0 {
		return nil
	}
	out := append([]byte{'['}, bytes.Join(rest, []byte{','})...)
	return s.toServer.write(append(out, ']', '\n'))
}
