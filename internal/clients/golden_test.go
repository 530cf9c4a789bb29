package clients

var goldenCases = []struct {
	name, client string
	adapter      Adapter
	servers      []string
}{}
