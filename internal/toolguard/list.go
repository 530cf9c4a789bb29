package toolguard

import "fmt"

// listItems returns the items of a list result: the array under the
// kind's member ("tools", "prompts", "resourceTemplates"). A result
// without that member is an empty listing; one where it is not an array
// is an error.
func listItems(spec itemSpec, root *value) ([]member, error) {
	if root.kind != kindObject {
		return nil, fmt.Errorf("result is not an object")
	}
	list, ok := root.get(spec.listKey)
	if !ok {
		return nil, nil
	}
	if list.kind != kindArray {
		return nil, fmt.Errorf("%q is not an array", spec.listKey)
	}
	return list.members, nil
}

// itemKey returns the item's key (name, or uriTemplate for resource
// templates); ok is false when the item is not an object or the key is
// missing, empty or not a string.
func itemKey(spec itemSpec, v *value) (string, bool) {
	if v.kind != kindObject {
		return "", false
	}
	k, ok := v.get(spec.keyKey)
	if !ok || k.kind != kindString || k.str == "" {
		return "", false
	}
	return k.str, true
}

// hasNextCursor reports whether a list result says more pages follow.
func hasNextCursor(root *value) bool {
	c, ok := root.get("nextCursor")
	return ok && c.kind == kindString && c.str != ""
}

// FilterResult returns the list result with the items hide reports true
// for removed from its list array ("tools", "prompts" or
// "resourceTemplates" by kind). Items that have no usable key (not an
// object, no string name/uriTemplate) are always removed: they cannot be
// pinned, so they are not let through. Only the array is rewritten, and
// the kept items keep their original bytes; every other member of the
// result (including unknown ones, _meta and nextCursor) keeps its exact
// bytes. When nothing is removed the input is returned as is.
//
// Invalid JSON, duplicate keys and the like are errors: the caller must
// then withhold the result (fail closed), not forward it.
func FilterResult(kind ItemKind, result []byte, hide func(key string) bool) ([]byte, error) {
	spec, err := specFor(kind)
	if err != nil {
		return nil, fmt.Errorf("filter: %w", err)
	}
	root, release, err := parsePooled(result)
	if err != nil {
		return nil, fmt.Errorf("filter %s list: %w", kind, err)
	}
	defer release()
	out, err := filterParsed(spec, result, &root, 0, hide)
	if err != nil {
		return nil, fmt.Errorf("filter %s list: %w", kind, err)
	}
	return out, nil
}

// FilterResponse is FilterResult applied to the "result" member of a whole
// JSON-RPC response message; every other byte of the message is kept. A
// response without a result (an error response) is returned as is.
func FilterResponse(kind ItemKind, message []byte, hide func(key string) bool) ([]byte, error) {
	spec, err := specFor(kind)
	if err != nil {
		return nil, fmt.Errorf("filter: %w", err)
	}
	msg, release, err := parsePooled(message)
	if err != nil {
		return nil, fmt.Errorf("filter %s response: %w", kind, err)
	}
	defer release()
	if msg.kind != kindObject {
		return nil, fmt.Errorf("filter %s response: message is not an object", kind)
	}
	res, ok := msg.get("result")
	if !ok {
		return message, nil
	}
	inner, err := filterParsed(spec, message[res.start:res.end], res, res.start, hide)
	if err != nil {
		return nil, fmt.Errorf("filter %s response: %w", kind, err)
	}
	if len(inner) == res.end-res.start && string(inner) == string(message[res.start:res.end]) {
		return message, nil
	}
	return splice(message, res.start, res.end, inner), nil
}

// filterParsed filters src, whose parse tree is root; the tree's spans are
// offsets into a larger buffer starting base bytes before src.
func filterParsed(spec itemSpec, src []byte, root *value, base int, hide func(string) bool) ([]byte, error) {
	if root.kind != kindObject {
		return nil, fmt.Errorf("result is not an object")
	}
	list, ok := root.get(spec.listKey)
	if !ok {
		return src, nil
	}
	if list.kind != kindArray {
		return nil, fmt.Errorf("%q is not an array", spec.listKey)
	}
	keep := make([]bool, len(list.members))
	removed := false
	for i := range list.members {
		k, ok := itemKey(spec, &list.members[i].val)
		keep[i] = ok && (hide == nil || !hide(k))
		removed = removed || !keep[i]
	}
	if !removed {
		return src, nil
	}
	arr := make([]byte, 0, list.end-list.start)
	arr = append(arr, '[')
	first := true
	for i := range list.members {
		if !keep[i] {
			continue
		}
		if !first {
			arr = append(arr, ',')
		}
		first = false
		arr = append(arr, src[list.members[i].val.start-base:list.members[i].val.end-base]...)
	}
	arr = append(arr, ']')
	return splice(src, list.start-base, list.end-base, arr), nil
}

func splice(src []byte, start, end int, repl []byte) []byte {
	out := make([]byte, 0, len(src)-(end-start)+len(repl))
	out = append(out, src[:start]...)
	out = append(out, repl...)
	return append(out, src[end:]...)
}
