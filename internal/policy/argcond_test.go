package policy

import (
	"encoding/json"
	"testing"
)

func TestParseArgCondOperators(t *testing.T) {
	tests := []struct {
		in      string
		want    ArgCond
		wantErr bool
	}{
		{"path=/home/**", ArgCond{Path: "path", Glob: "/home/**"}, false},
		{"path~=/home/me/[a-z]+\\.txt", ArgCond{Path: "path", Op: OpRegex, Value: `/home/me/[a-z]+\.txt`}, false},
		{"mode==read", ArgCond{Path: "mode", Op: OpEq, Value: "read"}, false},
		{"n<10", ArgCond{Path: "n", Op: OpLt, Value: "10"}, false},
		{"n<=10", ArgCond{Path: "n", Op: OpLe, Value: "10"}, false},
		{"n>-1.5", ArgCond{Path: "n", Op: OpGt, Value: "-1.5"}, false},
		{"n>=1e3", ArgCond{Path: "n", Op: OpGe, Value: "1e3"}, false},
		{"q==a<b", ArgCond{Path: "q", Op: OpEq, Value: "a<b"}, false},
		{"a.b=x==y", ArgCond{Path: "a.b", Glob: "x==y"}, false},
		{"n<ten", ArgCond{}, true},
		{"n>", ArgCond{}, true},
		{"p~=(", ArgCond{}, true},
		{"p~x", ArgCond{}, true},
		{"~=x", ArgCond{}, true},
		{"<3", ArgCond{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseArgCond(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseArgCond(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err == nil && got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestArgOperators(t *testing.T) {
	cond := func(s string) ArgCond {
		c, err := ParseArgCond(s)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name  string
		conds []string
		args  string
		want  bool
	}{
		{"regex whole value", []string{`path~=/home/me/[a-z]+\.txt`}, `{"path":"/home/me/notes.txt"}`, true},
		{"regex is anchored", []string{`path~=/home/me/[a-z]+\.txt`}, `{"path":"/etc/x/home/me/a.txt.bak"}`, false},
		{"regex sees the normalised path", []string{`path~=/home/me/.*`}, `{"path":"/home/me/../../etc/passwd"}`, false},
		{"regex climbing above the start", []string{`path~=.*`}, `{"path":"../secret"}`, false},
		{"eq string", []string{"mode==read"}, `{"mode":"read"}`, true},
		{"eq string differs", []string{"mode==read"}, `{"mode":"readwrite"}`, false},
		{"eq number by value", []string{"n==10"}, `{"n":10.0}`, true},
		{"eq bool", []string{"force==false"}, `{"force":false}`, true},
		{"eq path normalised", []string{"path==/etc/passwd"}, `{"path":"/tmp/../etc/passwd"}`, true},
		{"lt", []string{"n<10"}, `{"n":9.999}`, true},
		{"lt equal", []string{"n<10"}, `{"n":10}`, false},
		{"le equal", []string{"n<=10"}, `{"n":10}`, true},
		{"gt", []string{"n>10"}, `{"n":11}`, true},
		{"ge", []string{"n>=10"}, `{"n":1e1}`, true},
		{"exact beyond float precision", []string{"n<9007199254740993"}, `{"n":9007199254740992}`, true},
		{"exact beyond float precision, equal", []string{"n<9007199254740993"}, `{"n":9007199254740993}`, false},
		{"huge exponent is huge", []string{"n>1000"}, `{"n":1e9999999999999}`, true},
		{"huge negative exponent is zero", []string{"n<0.001"}, `{"n":1e-9999999999999}`, true},
		{"huge negative number", []string{"n<0"}, `{"n":-1e9999999999999}`, true},
		{"number as a string is not a number", []string{"n<10"}, `{"n":"5"}`, false},
		{"number missing", []string{"n<10"}, `{}`, false},
		{"AND: all hold", []string{"path=/work/**", "n<=100", "mode==ro"}, `{"path":"/work/a","n":100,"mode":"ro"}`, true},
		{"AND: one fails", []string{"path=/work/**", "n<=100", "mode==ro"}, `{"path":"/work/a","n":101,"mode":"ro"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Rule{ID: "r", Action: Allow, Server: "fs"}
			for _, c := range tt.conds {
				r.Args = append(r.Args, cond(c))
			}
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := r.Matches(&Call{Server: "fs", Tool: "t", Args: json.RawMessage(tt.args)}, t0); got != tt.want {
				t.Errorf("Matches(%s) = %v, want %v", tt.args, got, tt.want)
			}
		})
	}
}

// TestArgCondJSON: a glob keeps the original shape; other operators add op
// and value; a stored rule without op reads as a glob.
func TestArgCondJSON(t *testing.T) {
	for _, tc := range []struct {
		c    ArgCond
		want string
	}{
		{ArgCond{Path: "p", Glob: "/x/**"}, `{"path":"p","glob":"/x/**"}`},
		{ArgCond{Path: "n", Op: OpLe, Value: "5"}, `{"path":"n","op":"le","value":"5"}`},
	} {
		b, err := json.Marshal(tc.c)
		if err != nil || string(b) != tc.want {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", tc.c, b, err, tc.want)
		}
		var back ArgCond
		if err := json.Unmarshal(b, &back); err != nil || back != tc.c {
			t.Errorf("round trip = %+v, %v", back, err)
		}
	}
	r := Rule{Action: Allow, Server: "fs", Args: []ArgCond{{Path: "n", Op: "between", Value: "1"}}}
	if r.Validate() == nil {
		t.Error("a rule with an unknown operator validated")
	}
}

func FuzzParseArgCond(f *testing.F) {
	for _, s := range []string{"path=/x/**", "n<=3", "p~=a+", "m==x", "a~b", "<", "x>=1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseArgCond(s)
		if err != nil {
			return
		}
		back, err := ParseArgCond(c.String())
		if err != nil || back != c {
			t.Fatalf("%q parsed to %+v, which renders %q and parses back to %+v, %v", s, c, c.String(), back, err)
		}
		c.matches("/x", false)
		c.matches("12", true)
	})
}
