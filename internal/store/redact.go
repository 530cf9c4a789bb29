package store

// Redact is a function that masks secrets in an excerpt before it is
// written. It must return its input unchanged when there is nothing to mask,
// and must be safe for concurrent use.
type Redact func([]byte) []byte

// SetRedactor installs fn as the last step before any argument excerpt,
// result excerpt, note or event detail is written (nil removes it). The
// store cannot know what a secret looks like (it imports no other
// Countersign package), so the core installs the vault's redactor here; it
// applies to every write made after SetRedactor returns.
func (s *Store) SetRedactor(fn Redact) {
	if fn == nil {
		s.redactor.Store(nil)
		return
	}
	s.redactor.Store(&fn)
}

// redact runs the installed redactor, if any, on b.
func (s *Store) redact(b []byte) []byte {
	p := s.redactor.Load()
	if p == nil || len(b) == 0 {
		return b
	}
	return (*p)(b)
}

// redactCall masks the free-text fields of c in place.
func (s *Store) redactCall(c *Call) {
	if s.redactor.Load() == nil {
		return
	}
	c.Args = s.redact(c.Args)
	c.ResultExcerpt = s.redact(c.ResultExcerpt)
	if c.Note != "" {
		c.Note = string(s.redact([]byte(c.Note)))
	}
	if c.Reason != "" {
		c.Reason = string(s.redact([]byte(c.Reason)))
	}
	if len(c.ResultFlags) > 0 {
		// A copy: the caller's flags stay as they were.
		flags := make([]ResultFlag, len(c.ResultFlags))
		for i, f := range c.ResultFlags {
			f.Text = string(s.redact([]byte(f.Text)))
			flags[i] = f
		}
		c.ResultFlags = flags
	}
}
