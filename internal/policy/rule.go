package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
)

// Action is what a rule or verdict does with a call.
type Action string

const (
	Allow Action = "allow"
	Deny  Action = "deny"
	Ask   Action = "ask"
)

// ParseAction accepts "allow", "deny" or "ask".
func ParseAction(s string) (Action, error) {
	switch a := Action(s); a {
	case Allow, Deny, Ask:
		return a, nil
	}
	return "", fmt.Errorf("unknown action %q (want allow, deny or ask)", s)
}

// Rule matches calls by client, server, tool and argument values. Empty
// Client and Tool match everything; Server is required. Server and Tool are
// globs in the syntax of path.Match ("read_*").
type Rule struct {
	ID        string     `json:"id"`
	Action    Action     `json:"action"`
	Client    string     `json:"client,omitempty"`
	Server    string     `json:"server"`
	Tool      string     `json:"tool,omitempty"`
	Args      []ArgCond  `json:"args,omitempty"`
	Note      string     `json:"note,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// Validate reports what is wrong with a rule a person wrote.
func (r Rule) Validate() error {
	if _, err := ParseAction(string(r.Action)); err != nil {
		return err
	}
	if r.Server == "" {
		return errors.New("a rule needs a server (use '*' for every server)")
	}
	for _, g := range []string{r.Server, r.Tool, r.Client} {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("invalid glob %q", g)
		}
	}
	for _, c := range r.Args {
		if err := c.validate(); err != nil {
			return fmt.Errorf("invalid argument condition %s: %w", c, err)
		}
	}
	return nil
}

// Expired reports whether the rule has stopped applying at now.
func (r Rule) Expired(now time.Time) bool {
	return r.ExpiresAt != nil && !now.Before(*r.ExpiresAt)
}

// Matches reports whether the rule applies to call at now.
func (r *Rule) Matches(c *Call, now time.Time) bool {
	if r.Expired(now) || !glob(r.Server, c.Server) || !glob(r.Tool, c.Tool) || !glob(r.Client, c.Client) {
		return false
	}
	if len(r.Args) == 0 {
		return true
	}
	args, ok := c.decodedArgs()
	if !ok {
		return false // arguments we cannot read never satisfy a narrowed rule
	}
	for _, cond := range r.Args {
		v, isNum, ok := lookup(args, cond.Path)
		if !ok || !cond.matches(v, isNum) {
			return false
		}
	}
	return true
}

// normalize cleans a value that looks like a path, so "/work/../etc/passwd"
// is matched as "/etc/passwd". A path that climbs above its start ("../x")
// can never satisfy a condition: where it lands depends on the server.
func normalize(v string) (string, bool) {
	if !strings.ContainsAny(v, `/\`) {
		return v, v != ".."
	}
	p := strings.ReplaceAll(v, `\`, "/")
	clean := path.Clean(p)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", false
	}
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean, true
}

// isLiteral reports whether a pattern has no glob syntax (and is not empty,
// which matches everything).
func isLiteral(pattern string) bool {
	return pattern != "" && !strings.ContainsAny(pattern, "*?[\\")
}

// glob matches an empty pattern against everything.
func glob(pattern, s string) bool {
	if pattern == "" || pattern == "*" {
		return true
	}
	if isLiteral(pattern) {
		return pattern == s
	}
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

// lookup walks dot-separated keys and returns the scalar found there as
// text, and whether it is a JSON number.
func lookup(args map[string]any, p string) (string, bool, bool) {
	var cur any = args
	for _, key := range strings.Split(p, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false, false
		}
		if cur, ok = m[key]; !ok {
			return "", false, false
		}
	}
	switch v := cur.(type) {
	case string:
		return v, false, true
	case json.Number:
		return v.String(), true, true
	case bool:
		return fmt.Sprint(v), false, true
	}
	return "", false, false
}
