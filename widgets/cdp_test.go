package widgets

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// A minimal DevTools-protocol client over Chromium's --remote-debugging-pipe
// (JSON messages separated by NUL bytes on file descriptors 3 and 4). It lets
// the browser test drive a page with real-time deadlines instead of
// --virtual-time-budget, which can leave headless Chromium running forever
// on a page that keeps animating.

type cdpMessage struct {
	ID        int                       `json:"id,omitempty"`
	Method    string                    `json:"method,omitempty"`
	Params    json.RawMessage           `json:"params,omitempty"`
	Result    json.RawMessage           `json:"result,omitempty"`
	Error     *struct{ Message string } `json:"error,omitempty"`
	SessionID string                    `json:"sessionId,omitempty"`
}

type cdpBrowser struct {
	cmd      *exec.Cmd
	toChrome *os.File
	mu       sync.Mutex
	nextID   int
	waiting  map[int]chan cdpMessage
	events   chan cdpMessage
	done     chan struct{}
}

// startChromium launches headless Chromium with the DevTools pipe; extra
// arguments are appended (e.g. logging flags). stderr receives Chromium's log.
func startChromium(ctx context.Context, bin, profile string, stderr *strings.Builder, extra ...string) (*cdpBrowser, error) {
	chromeIn, toChrome, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	fromChrome, chromeOut, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profile, "--remote-debugging-pipe",
	}, extra...)
	args = append(args, "about:blank")
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.ExtraFiles = []*os.File{chromeIn, chromeOut} // fds 3 and 4
	cmd.Stderr = &lockedWriter{b: stderr}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	chromeIn.Close()
	chromeOut.Close()
	b := &cdpBrowser{cmd: cmd, toChrome: toChrome, waiting: map[int]chan cdpMessage{},
		events: make(chan cdpMessage, 4096), done: make(chan struct{})}
	go b.read(fromChrome)
	return b, nil
}

type lockedWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func (b *cdpBrowser) read(f *os.File) {
	defer close(b.done)
	r := bufio.NewReaderSize(f, 1<<20)
	for {
		raw, err := r.ReadBytes(0)
		if err != nil {
			return
		}
		var m cdpMessage
		if json.Unmarshal(raw[:len(raw)-1], &m) != nil {
			continue
		}
		if m.ID != 0 {
			b.mu.Lock()
			ch := b.waiting[m.ID]
			delete(b.waiting, m.ID)
			b.mu.Unlock()
			if ch != nil {
				ch <- m
			}
			continue
		}
		select {
		case b.events <- m:
		default: // drop events nobody reads rather than block
		}
	}
}

// call sends one command and waits for its answer.
func (b *cdpBrowser) call(ctx context.Context, session, method string, params interface{}, result interface{}) error {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.waiting[id] = ch
	b.mu.Unlock()
	msg := map[string]interface{}{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	raw, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	if _, err := b.toChrome.Write(append(raw, 0)); err != nil {
		return fmt.Errorf("%s: %v", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("%s: %s", method, m.Error.Message)
		}
		if result != nil {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-b.done:
		return fmt.Errorf("%s: chromium closed the pipe", method)
	case <-ctx.Done():
		return fmt.Errorf("%s: %v", method, ctx.Err())
	}
}

// close asks the browser to quit, and kills it if it does not.
func (b *cdpBrowser) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = b.call(ctx, "", "Browser.close", nil, nil)
	exited := make(chan struct{})
	go func() { _ = b.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		_ = b.cmd.Process.Kill()
		<-exited
	}
	b.toChrome.Close()
}

// pageRun is what the browser test needs from one page.
type pageRun struct {
	timings    []string // phases and their durations
	probe      string   // text of #otlab-probe
	dom        string   // outerHTML after the probe
	screenshot []byte   // PNG of the viewport
	console    []string // console calls, exceptions and error log entries
}

// runPage opens url in a w×h viewport, waits for the element #otlab-probe
// (written by the page's test script) and returns it with a screenshot.
func (b *cdpBrowser) runPage(ctx context.Context, url string, w, h int) (*pageRun, error) {
	var target struct{ TargetID string }
	if err := b.call(ctx, "", "Target.createTarget", map[string]interface{}{"url": "about:blank"}, &target); err != nil {
		return nil, err
	}
	var att struct{ SessionID string }
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]interface{}{"targetId": target.TargetID, "flatten": true}, &att); err != nil {
		return nil, err
	}
	s := att.SessionID
	for _, m := range []string{"Page.enable", "Runtime.enable", "Log.enable"} {
		if err := b.call(ctx, s, m, nil, nil); err != nil {
			return nil, err
		}
	}
	if err := b.call(ctx, s, "Emulation.setDeviceMetricsOverride", map[string]interface{}{
		"width": w, "height": h, "deviceScaleFactor": 1, "mobile": false}, nil); err != nil {
		return nil, err
	}
	run := &pageRun{}
	t0 := time.Now()
	phase := func(name string) {
		run.timings = append(run.timings, fmt.Sprintf("%s %.1fs", name, time.Since(t0).Seconds()))
		t0 = time.Now()
	}
	var cmu sync.Mutex
	evCtx, stopEvents := context.WithCancel(ctx)
	defer stopEvents()
	go func() {
		for {
			select {
			case <-evCtx.Done():
				return
			case m := <-b.events:
				if line := consoleLine(m); line != "" {
					cmu.Lock()
					run.console = append(run.console, line)
					cmu.Unlock()
				}
			}
		}
	}()
	phase("attach")
	if err := b.call(ctx, s, "Page.navigate", map[string]interface{}{"url": url}, nil); err != nil {
		return nil, err
	}
	phase("navigate")
	eval := func(expr string) (string, error) {
		var r struct {
			Result struct{ Value interface{} }
		}
		if err := b.call(ctx, s, "Runtime.evaluate", map[string]interface{}{"expression": expr, "returnByValue": true}, &r); err != nil {
			return "", err
		}
		v, _ := r.Result.Value.(string)
		return v, nil
	}
	for {
		v, err := eval(`(function () { var e = document.getElementById("otlab-probe"); return e ? e.textContent : ""; })()`)
		if err != nil {
			return nil, err
		}
		if v != "" {
			run.probe = v
			phase("probe")
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("page did not report before the deadline: %v", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	var err error
	if run.dom, err = eval("document.documentElement.outerHTML"); err != nil {
		return nil, err
	}
	var shot struct{ Data string }
	if err := b.call(ctx, s, "Page.captureScreenshot", map[string]interface{}{"format": "png"}, &shot); err != nil {
		return nil, err
	}
	if run.screenshot, err = base64.StdEncoding.DecodeString(shot.Data); err != nil {
		return nil, err
	}
	phase("screenshot")
	time.Sleep(100 * time.Millisecond) // let late console events arrive
	stopEvents()
	cmu.Lock()
	defer cmu.Unlock()
	return run, nil
}

// consoleLine describes a console call, an uncaught exception or an error
// log entry; other events give "".
func consoleLine(m cdpMessage) string {
	switch m.Method {
	case "Runtime.consoleAPICalled":
		var p struct {
			Type string
			Args []struct {
				Value       interface{}
				Description string
			}
		}
		_ = json.Unmarshal(m.Params, &p)
		var parts []string
		for _, a := range p.Args {
			if a.Value != nil {
				parts = append(parts, fmt.Sprint(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		return "console." + p.Type + ": " + strings.Join(parts, " ")
	case "Runtime.exceptionThrown":
		var p struct {
			ExceptionDetails struct {
				Text      string
				URL       string
				Exception struct{ Description string }
			}
		}
		_ = json.Unmarshal(m.Params, &p)
		d := p.ExceptionDetails
		return "exception: " + d.Text + " " + d.Exception.Description + " (" + d.URL + ")"
	case "Log.entryAdded":
		var p struct {
			Entry struct{ Level, Text, URL string }
		}
		_ = json.Unmarshal(m.Params, &p)
		if p.Entry.Level == "error" {
			return "log error: " + p.Entry.Text + " (" + p.Entry.URL + ")"
		}
	}
	return ""
}
