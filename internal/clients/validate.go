package clients

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"

	"github.com/pelletier/go-toml/v2"
	"github.com/tailscale/hujson"
	"gopkg.in/yaml.v3"
)

// decodeAny decodes a whole file the way the format's own parser sees it.
func decodeAny(f Format, src []byte) (any, error) {
	if len(bytes.TrimSpace(bytes.TrimPrefix(src, bom))) == 0 {
		return nil, nil
	}
	var out any
	switch f {
	case FormatJSON:
		// Standardize rewrites the parsed buffer in place: parse a copy.
		v, err := hujson.Parse(append([]byte(nil), maskBOM(src)...))
		if err != nil {
			return nil, err
		}
		v.Standardize()
		d := json.NewDecoder(bytes.NewReader(v.Pack()))
		d.UseNumber()
		if err := d.Decode(&out); err != nil {
			return nil, err
		}
	case FormatTOML:
		var m map[string]any
		if err := toml.Unmarshal(maskBOM(src), &m); err != nil {
			return nil, err
		}
		out = m
	case FormatYAML:
		if err := yaml.Unmarshal(src, &out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// validate re-parses out and checks that it equals src except for the
// launch fields of the rewritten entries, which must now hold exactly the
// wrapped (or unwrapped) argv; and that a standard JSON file stays
// standard JSON.
func validate(src, out []byte, a Adapter, es []*entry, opts WrapOptions, unwrap bool, argsDeleted map[*entry]bool,
	migs map[*entry]*migration, remotes map[*entry]*remoteWrap) error {
	before, err := decodeAny(a.Format, src)
	if err != nil {
		return fmt.Errorf("decode original: %w", err)
	}
	after, err := decodeAny(a.Format, out)
	if err != nil {
		return fmt.Errorf("decode result: %w", err)
	}
	if a.Format == FormatJSON {
		v1, _ := hujson.Parse(maskBOM(src))
		v2, _ := hujson.Parse(maskBOM(out))
		if v1.IsStandard() && !v2.IsStandard() {
			return fmt.Errorf("result is no longer standard JSON")
		}
	}
	for _, e := range es {
		if rw := remotes[e]; rw != nil {
			if err := rw.expect(before, remoteArgv(opts, e.Name, rw)); err != nil {
				return err
			}
			continue
		}
		if unwrap && e.Transport == TransportRemote {
			// restored from the journal: the entry may be anything it was
			// before; everything around it must be unchanged
			was, err1 := lookup(before, e.path)
			now, err2 := lookup(after, e.path)
			if err1 != nil || err2 != nil {
				return fmt.Errorf("entry %q: %v %v", e.Name, err1, err2)
			}
			clear(was)
			maps.Copy(was, now)
			continue
		}
		l := e.launch
		argv, _ := launchArgv(l)
		var want []string
		if unwrap {
			want = argv[wrappedAt(argv)+1:]
		} else {
			want = append([]string{opts.ShimPath}, shimPrefix(e.Name, opts.ClientID, migs[e].shimEnv())...)
			want = append(want, argv...)
		}
		if mg := migs[e]; mg != nil {
			if err := mg.applyTo(before); err != nil {
				return err
			}
		}
		holder, err := lookup(before, l.holderPath)
		if err != nil {
			return err
		}
		switch {
		case l.argv:
			holder[l.cmdKey] = toAny(want)
		case unwrap && argsDeleted[e]:
			if len(want) != 1 {
				return fmt.Errorf("record removes args of %q but the wrapped entry has arguments", e.Name)
			}
			holder[l.cmdKey] = want[0]
			delete(holder, "args")
		default:
			holder[l.cmdKey] = want[0]
			holder["args"] = toAny(want[1:])
		}
	}
	if !reflect.DeepEqual(before, after) {
		return fmt.Errorf("decoded result differs from the expected document")
	}
	// the rewritten entries must read back in their new state
	_, now, err := parseEntries(out, a)
	if err != nil {
		return fmt.Errorf("re-parse result: %w", err)
	}
	for _, e := range es {
		for _, n := range now {
			if n.Locator == e.Locator && n.Wrapped == unwrap {
				return fmt.Errorf("entry %q is not %s after the edit", e.Name, map[bool]string{true: "unwrapped", false: "wrapped"}[unwrap])
			}
		}
	}
	return nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// lookup walks a decoded document along path and returns the object there.
func lookup(doc any, path []any) (map[string]any, error) {
	cur := doc
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("path %v: not an object", path)
			}
			cur = m[k]
		case int:
			l, ok := cur.([]any)
			if !ok || k >= len(l) {
				return nil, fmt.Errorf("path %v: not a list", path)
			}
			cur = l[k]
		}
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("path %v: not an object", path)
	}
	return m, nil
}
