package widgets

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// EchartsEnv names the environment variable that may point at echarts.min.js.
// It takes precedence over the copy under the module root.
const EchartsEnv = "OTLAB_ECHARTS_JS"

// EchartsVersion is the echarts release the widgets are written against. It
// is the major version go-echarts v2.6.3 targets.
const EchartsVersion = "5.4.3"

// EchartsSHA256 is the SHA-256 of dist/echarts.min.js of the npm package
// echarts@5.4.3. A file with another hash is refused: a different version may
// draw differently, and a truncated download would fail in the browser
// without a clear message.
const EchartsSHA256 = "1156429a16a38cb8604dcc6518c19406d4226142d908f8edd2e3531443c54d19"

// echartsRel is where npm installs the library, relative to the module root.
var echartsRel = filepath.Join("node_modules", "echarts", "dist", "echarts.min.js")

// installHint says how to obtain the library. The repository's package.json
// pins echarts, so `npm ci` at the repository root installs the right file.
const installHint = "install it with `npm ci` at the repository root (package.json pins echarts " +
	EchartsVersion + "), or set " + EchartsEnv + " to the path of an echarts " + EchartsVersion +
	" echarts.min.js"

var (
	echartsOnce sync.Once
	echartsText string
	echartsErr  error
)

// EchartsJS returns the text of echarts.min.js, located and verified once per
// process. The file is looked up at the path in $OTLAB_ECHARTS_JS if it is
// set; otherwise in node_modules/echarts/dist/ under the module root, found by
// walking up from the working directory to the nearest go.mod (and further up
// to enclosing modules, so nested modules such as tools/ also work). In a GoNB
// kernel the search also starts from $GONB_DIR, the notebook's folder.
//
// The error names the paths tried and the command that installs the file.
func EchartsJS() (string, error) {
	echartsOnce.Do(func() {
		path, err := EchartsPath()
		if err != nil {
			echartsErr = err
			return
		}
		echartsText, echartsErr = readVerified(path)
	})
	return echartsText, echartsErr
}

// EchartsPath returns the path of echarts.min.js that [EchartsJS] would read,
// without reading it.
func EchartsPath() (string, error) {
	if p := os.Getenv(EchartsEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("widgets: %s=%q: %v; %s", EchartsEnv, p, err, installHint)
		}
		return p, nil
	}
	var tried []string
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if d := os.Getenv("GONB_DIR"); d != "" {
		starts = append(starts, d)
	}
	for _, start := range starts {
		for _, root := range moduleRoots(start) {
			p := filepath.Join(root, echartsRel)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
			tried = append(tried, p)
		}
	}
	if len(tried) == 0 {
		return "", fmt.Errorf("widgets: echarts.min.js not found: no go.mod above the working directory; %s", installHint)
	}
	return "", fmt.Errorf("widgets: echarts.min.js not found (looked at %s); %s",
		strings.Join(tried, ", "), installHint)
}

// moduleRoots lists the directories holding a go.mod from dir upwards,
// nearest first.
func moduleRoots(dir string) []string {
	var roots []string
	dir = filepath.Clean(dir)
	for {
		if st, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !st.IsDir() {
			roots = append(roots, dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return roots
		}
		dir = parent
	}
}

// ModuleRoot returns the nearest directory at or above the working directory
// that holds a go.mod.
func ModuleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	roots := moduleRoots(wd)
	if len(roots) == 0 {
		return "", errors.New("widgets: no go.mod at or above " + wd)
	}
	return roots[0], nil
}

func readVerified(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("widgets: reading echarts: %v; %s", err, installHint)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != EchartsSHA256 {
		return "", fmt.Errorf("widgets: %s has sha256 %s, want %s (echarts %s); %s",
			path, got, EchartsSHA256, EchartsVersion, installHint)
	}
	return string(b), nil
}
