package toolguard

import (
	"slices"
	"strings"
)

// Collision is one item name offered by more than one server of a client.
type Collision struct {
	Name    string   `json:"name"`
	Servers []string `json:"servers"`
}

// Collisions returns the names that more than one server offers, given
// each server's item names (tools, or prompts: a prompt is a slash command
// in many clients), sorted by name, each with its servers sorted. A name a
// server lists twice counts once for that server (the duplicate itself is
// a FindingDuplicateName of that server's listing).
func Collisions(namesByServer map[string][]string) []Collision {
	offered := map[string][]string{}
	for server, names := range namesByServer {
		for _, n := range names {
			if !slices.Contains(offered[n], server) {
				offered[n] = append(offered[n], server)
			}
		}
	}
	var out []Collision
	for name, servers := range offered {
		if len(servers) < 2 {
			continue
		}
		slices.Sort(servers)
		out = append(out, Collision{Name: name, Servers: servers})
	}
	slices.SortFunc(out, func(a, b Collision) int { return strings.Compare(a.Name, b.Name) })
	return out
}
