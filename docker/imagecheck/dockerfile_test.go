// Package imagecheck tests the repository's Dockerfile without a Docker engine:
// it is parsed with BuildKit's own parser, the one docker build uses, and the
// parsed instructions are checked against the conventions the image promises
// (Jupyter Docker Stacks: non-root jovyan uid 1000, tini, start-notebook.sh,
// port 8888, token auth) and against the repository (one install path:
// docker/install.sh, the files it copies exist).
package imagecheck

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// repoRoot is two levels up from this module (docker/imagecheck).
const repoRoot = "../.."

// instruction is one parsed Dockerfile line, with ARG/ENV defaults substituted.
type instruction struct {
	cmd   string   // lower case: from, run, copy, user, ...
	args  []string // the arguments, after variable substitution
	flags []string // e.g. --chown=1000:100
	json  bool     // exec (JSON array) form
	line  int
}

// parse runs BuildKit's parser and flattens the AST. ${VAR} and $VAR are
// replaced by the defaults of earlier ARG and ENV instructions, enough for the
// simple substitutions this Dockerfile uses.
func parse(src []byte) ([]instruction, error) {
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	vars := map[string]string{}
	varRe := regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)
	subst := func(s string) string {
		return varRe.ReplaceAllStringFunc(s, func(m string) string {
			name := strings.Trim(m, "${}")
			if v, ok := vars[name]; ok {
				return v
			}
			return m
		})
	}
	var out []instruction
	for _, n := range res.AST.Children {
		in := instruction{cmd: strings.ToLower(n.Value), flags: n.Flags, json: n.Attributes["json"], line: n.StartLine}
		for a := n.Next; a != nil; a = a.Next {
			in.args = append(in.args, subst(a.Value))
		}
		switch in.cmd {
		case "arg":
			for _, a := range in.args {
				k, v, _ := strings.Cut(a, "=")
				vars[k] = v
			}
		case "env":
			// The parser gives ENV as triples: key, value (quotes kept), separator.
			for i := 0; i+1 < len(in.args); i += 3 {
				in.args[i+1] = unquote(in.args[i+1])
				vars[in.args[i]] = in.args[i+1]
			}
		}
		for i, f := range in.flags {
			in.flags[i] = subst(f)
		}
		out = append(out, in)
	}
	return out, nil
}

// check returns every way the Dockerfile breaks the image's promises.
func check(src []byte, root string) []string {
	ins, err := parse(src)
	if err != nil {
		return []string{"parse: " + err.Error()}
	}
	var problems []string
	fail := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	find := func(cmd string) []instruction {
		var r []instruction
		for _, in := range ins {
			if in.cmd == cmd {
				r = append(r, in)
			}
		}
		return r
	}
	last := func(cmd string) *instruction {
		f := find(cmd)
		if len(f) == 0 {
			return nil
		}
		return &f[len(f)-1]
	}

	if f := find("from"); len(f) != 1 || !strings.HasPrefix(f[0].args[0], "debian:bookworm") {
		fail("want one stage FROM debian:bookworm (the distribution install.sh is tested on), got %v", f)
	}

	// One install path: the image runs docker/install.sh, as root and as the notebook user.
	var installs []int
	for i, in := range ins {
		if in.cmd == "run" && strings.Contains(strings.Join(in.args, " "), "docker/install.sh") {
			installs = append(installs, i)
		}
	}
	if len(installs) == 0 {
		fail("no RUN executes docker/install.sh: the image must install through the same script as CI")
	}

	// The user: created with uid 1000, and the final USER is that user, not root.
	var userAdd bool
	for _, in := range find("run") {
		s := strings.Join(in.args, " ")
		if strings.Contains(s, "useradd") && strings.Contains(s, "1000") && strings.Contains(s, "jovyan") {
			userAdd = true
		}
	}
	if !userAdd {
		fail("no RUN useradd creates jovyan with uid 1000")
	}
	if u := last("user"); u == nil {
		fail("no USER instruction: the server would run as root")
	} else if name := u.args[0]; name != "1000" && name != "jovyan" && !strings.HasPrefix(name, "1000:") {
		fail("final USER is %q, want 1000 (jovyan)", name)
	} else {
		// Something must run as that user after the switch: the second install pass.
		afterUser := false
		for _, i := range installs {
			if ins[i].line > u.line {
				afterUser = true
			}
		}
		if !afterUser {
			fail("docker/install.sh never runs as the notebook user (after USER)")
		}
	}

	if e := last("expose"); e == nil || !contains(e.args, "8888") && !contains(e.args, "8888/tcp") {
		fail("EXPOSE 8888 missing")
	}

	if e := last("entrypoint"); e == nil || !e.json || len(e.args) == 0 || filepath.Base(e.args[0]) != "tini" {
		fail("ENTRYPOINT must be the exec form starting with tini, got %+v", e)
	}
	if c := last("cmd"); c == nil || !c.json || len(c.args) == 0 || filepath.Base(c.args[0]) != "start-notebook.sh" {
		fail("CMD must be [\"start-notebook.sh\"], got %+v", c)
	}

	// COPY sources exist; the start script lands on PATH.
	var startCopied bool
	for _, in := range find("copy") {
		if len(in.args) < 2 {
			fail("line %d: COPY without destination", in.line)
			continue
		}
		srcs, dst := in.args[:len(in.args)-1], in.args[len(in.args)-1]
		for _, s := range srcs {
			if _, err := os.Stat(filepath.Join(root, s)); err != nil {
				fail("line %d: COPY source %q does not exist in the repository", in.line, s)
			}
			if s == "docker/start-notebook.sh" && (dst == "/usr/local/bin/start-notebook.sh" || dst == "/usr/local/bin/") {
				startCopied = true
			}
		}
	}
	if !startCopied {
		fail("docker/start-notebook.sh is not copied to /usr/local/bin")
	}

	// Token auth stays on: no empty token anywhere in the image's configuration.
	emptyToken := regexp.MustCompile(`(?i)(token\s*=\s*(''|""|$))`)
	for _, in := range find("env") {
		for i := 0; i+1 < len(in.args); i += 3 {
			if in.args[i] == "JUPYTER_TOKEN" && in.args[i+1] == "" {
				fail("ENV JUPYTER_TOKEN is empty: that turns token auth off")
			}
		}
	}
	start, err := os.ReadFile(filepath.Join(root, "docker/start-notebook.sh"))
	if err != nil {
		fail("read start script: %v", err)
	} else {
		for _, ln := range strings.Split(string(start), "\n") {
			if strings.HasPrefix(strings.TrimSpace(ln), "#") {
				continue
			}
			if emptyToken.MatchString(ln) {
				fail("start-notebook.sh disables the token: %q", strings.TrimSpace(ln))
			}
		}
		if !strings.Contains(string(start), "JUPYTER_TOKEN") {
			fail("start-notebook.sh does not set JUPYTER_TOKEN")
		}
	}
	return problems
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func readDockerfile(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestDockerfile(t *testing.T) {
	for _, p := range check(readDockerfile(t), repoRoot) {
		t.Error(p)
	}
}

// TestDockerfileScriptsExist checks that every docker/*.sh the Dockerfile runs is in the repository.
func TestDockerfileScriptsExist(t *testing.T) {
	n, problems := scriptProblems(t, string(readDockerfile(t)))
	if n == 0 {
		t.Error("the Dockerfile runs no docker/*.sh script")
	}
	for _, p := range problems {
		t.Error(p)
	}
}

func TestDockerignore(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"node_modules", "artifacts"} {
		if !strings.Contains(string(b), want) {
			t.Errorf(".dockerignore must exclude %s (a host copy would shadow the image's)", want)
		}
	}
}

// TestCheckCatchesMistakes feeds the checker broken variants of the real
// Dockerfile: each must be reported, or the checks above prove nothing.
func TestCheckCatchesMistakes(t *testing.T) {
	src := string(readDockerfile(t))
	cases := []struct {
		name, old, new, want string
	}{
		{"root user", "USER ${NB_UID}", "USER root", "final USER"},
		{"no tini", `ENTRYPOINT ["tini", "-g", "--"]`, `ENTRYPOINT ["bash", "-c"]`, "tini"},
		{"wrong port", "EXPOSE 8888", "EXPOSE 8080", "EXPOSE 8888"},
		{"other install", "docker/install.sh", "docker/setup.sh", "no RUN executes docker/install.sh"},
		{"empty token", "NOTEBOOK_DIR=/opt/gootlab/notebooks", "JUPYTER_TOKEN=\"\" NOTEBOOK_DIR=/opt/gootlab/notebooks", "token auth off"},
		{"no user", "USER ${NB_UID}\n", "", "no USER"},
		{"missing copy", "COPY tools/ tools/", "COPY toolz/ tools/", "does not exist"},
		{"no start script", "CMD [\"start-notebook.sh\"]", "CMD [\"jupyter\", \"notebook\"]", "CMD must be"},
	}
	for _, c := range cases {
		if !strings.Contains(src, c.old) {
			t.Errorf("%s: the Dockerfile no longer contains %q; update this test", c.name, c.old)
			continue
		}
		problems := check([]byte(strings.ReplaceAll(src, c.old, c.new)), repoRoot)
		if !anyContains(problems, c.want) {
			t.Errorf("%s: want a problem mentioning %q, got %q", c.name, c.want, problems)
		}
	}
	if _, p := scriptProblems(t, strings.ReplaceAll(src, "docker/install.sh", "docker/setup.sh")); len(p) == 0 {
		t.Error("a RUN of a missing docker/setup.sh was not reported")
	}
}

// scriptProblems returns how many docker/*.sh scripts the RUN lines name, and those missing.
func scriptProblems(t *testing.T, src string) (int, []string) {
	t.Helper()
	ins, err := parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	n := 0
	re := regexp.MustCompile(`docker/[A-Za-z0-9_.-]+\.sh`)
	for _, in := range ins {
		if in.cmd != "run" {
			continue
		}
		for _, m := range re.FindAllString(strings.Join(in.args, " "), -1) {
			n++
			if _, err := os.Stat(filepath.Join(repoRoot, m)); err != nil {
				out = append(out, fmt.Sprintf("line %d runs %s, which does not exist", in.line, m))
			}
		}
	}
	return n, out
}

func anyContains(ss []string, sub string) bool {
	for _, s := range ss {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
