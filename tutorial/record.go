package tutorial

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// RecordEnv names the environment variable that docker/run_notebooks.py
// sets to a file path while it executes a notebook.
const RecordEnv = "OTLAB_NOTEBOOK_RECORD"

// Record hands the numbers of one result (named run) to the notebook checks
// without showing them to the reader: when $OTLAB_NOTEBOOK_RECORD names a
// file, it appends one JSON line {"run": run, ...fields} to it; otherwise
// (a reader's lab) it does nothing. The harness stores the lines in the
// executed notebook's metadata, where NAME.checks.py reads them
// (nb.record(run)). Checks should prefer the printed numbers a reader sees;
// Record is for what is not printed (full-precision matrices, convergence
// flags).
func Record(run string, fields map[string]any) error {
	path := os.Getenv(RecordEnv)
	if path == "" {
		return nil
	}
	out := map[string]any{"run": run}
	for k, v := range fields {
		if k == "run" {
			return fmt.Errorf("tutorial: Record: field name %q is reserved", k)
		}
		out[k] = v
	}
	b, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("tutorial: Record %q: %v", run, err)
	}
	if strings.ContainsRune(string(b), '\n') {
		return fmt.Errorf("tutorial: Record %q: JSON holds a newline", run)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
