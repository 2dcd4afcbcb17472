// Package browser drives a headless Chromium over the Chrome DevTools
// Protocol, for tests only: open a page at a width, type, press Enter,
// evaluate JavaScript, take a screenshot. It speaks the protocol itself
// over the websocket the browser opens (gorilla/websocket, which the
// gateway already uses), so tests need no driver and no other module.
//
// Chromium is Debian's (apt-get install -y chromium); Find says where it
// is, or why a test cannot run.
package browser

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Find returns the path of a Chromium to drive: $GLOWCLOUD_CHROMIUM, or
// chromium (Debian), chromium-browser or google-chrome on $PATH.
func Find() (string, error) {
	if p := os.Getenv("GLOWCLOUD_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium on $PATH (apt-get install -y chromium, or set GLOWCLOUD_CHROMIUM)")
}

// flags are what the browser runs with: headless, no sandbox (containers
// run tests as root), nothing reaching out to the network by itself, the
// fresh profile in profileDir, a debugging port of its choosing.
func flags(profileDir string) []string {
	return []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--force-color-profile=srgb", "--disable-crash-reporter", "--disable-breakpad",
		"--remote-debugging-port=0", "--user-data-dir=" + profileDir, "about:blank",
	}
}

// Browser is a running Chromium. Close it.
type Browser struct {
	cmd  *exec.Cmd
	conn *websocket.Conn
	wmu  sync.Mutex // writes to conn
	id   atomic.Int64

	mu      sync.Mutex
	pending map[int64]chan reply
	loads   map[string]chan struct{} // per session: Page.loadEventFired
	closed  chan struct{}
	err     error // why the connection ended
}

type reply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type message struct {
	ID        int64           `json:"id"`
	Method    string          `json:"method"`
	SessionID string          `json:"sessionId"`
	Result    json.RawMessage `json:"result"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

var listening = regexp.MustCompile(`DevTools listening on (ws://\S+)`)

// Start runs the Chromium at path headless with a fresh profile in
// profileDir (an empty directory), and connects to it. ctx bounds the start
// only.
func Start(ctx context.Context, path, profileDir string) (*Browser, error) {
	cmd := exec.Command(path, flags(profileDir)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	found := make(chan string, 1)
	var lines []string
	var linesMu sync.Mutex
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
			linesMu.Lock()
			if len(lines) < 50 {
				lines = append(lines, sc.Text())
			}
			linesMu.Unlock()
		}
		_, _ = io.Copy(io.Discard, stderr)
		close(found)
	}()
	var url string
	select {
	case u, ok := <-found:
		if !ok {
			_ = cmd.Wait()
			linesMu.Lock()
			defer linesMu.Unlock()
			return nil, fmt.Errorf("%s exited before it listened:\n%s", path, strings.Join(lines, "\n"))
		}
		url = u
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("%s did not listen: %w", path, context.Cause(ctx))
	}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, _, err := d.DialContext(ctx, url, nil)
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("connect to %s: %w", url, err)
	}
	conn.SetReadLimit(64 << 20) // screenshots
	b := &Browser{cmd: cmd, conn: conn, pending: map[int64]chan reply{}, loads: map[string]chan struct{}{}, closed: make(chan struct{})}
	go b.read()
	return b, nil
}

// read delivers replies to their calls and load events to their pages.
func (b *Browser) read() {
	var err error
	for {
		var m message
		if err = b.conn.ReadJSON(&m); err != nil {
			break
		}
		b.mu.Lock()
		switch {
		case m.ID != 0:
			if c := b.pending[m.ID]; c != nil {
				c <- reply{Result: m.Result, Error: m.Error}
				delete(b.pending, m.ID)
			}
		case m.Method == "Page.loadEventFired":
			if c := b.loads[m.SessionID]; c != nil {
				select {
				case c <- struct{}{}:
				default:
				}
			}
		}
		b.mu.Unlock()
	}
	b.mu.Lock()
	b.err = err
	b.mu.Unlock()
	close(b.closed)
}

// call sends method with params in session (the browser's own for "")
// and decodes its result into result (when not nil).
func (b *Browser) call(ctx context.Context, session, method string, params, result any) error {
	id := b.id.Add(1)
	c := make(chan reply, 1)
	b.mu.Lock()
	b.pending[id] = c
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method, "params": params}
	if params == nil {
		msg["params"] = struct{}{}
	}
	if session != "" {
		msg["sessionId"] = session
	}
	b.wmu.Lock()
	err := b.conn.WriteJSON(msg)
	b.wmu.Unlock()
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case r := <-c:
		if r.Error != nil {
			return fmt.Errorf("%s: %s (%d)", method, r.Error.Message, r.Error.Code)
		}
		if result != nil {
			if err := json.Unmarshal(r.Result, result); err != nil {
				return fmt.Errorf("%s: decode %s: %w", method, r.Result, err)
			}
		}
		return nil
	case <-b.closed:
		return fmt.Errorf("%s: the browser's connection ended: %v", method, b.err)
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, context.Cause(ctx))
	}
}

// Close ends the browser: it asks it to close, which ends its helper
// processes too (they might otherwise still write to the profile while a
// test removes it), and kills it when it has not within 10 s.
func (b *Browser) Close() {
	exited := make(chan struct{})
	go func() { _ = b.cmd.Wait(); close(exited) }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = b.call(ctx, "", "Browser.close", nil, nil)
	select {
	case <-exited:
	case <-ctx.Done():
		_ = b.cmd.Process.Kill()
		<-exited
	}
	_ = b.conn.Close()
}

// Page is a tab.
type Page struct {
	b       *Browser
	session string
	loads   chan struct{}
}

// NewPage opens a blank tab.
func (b *Browser) NewPage(ctx context.Context) (*Page, error) {
	var t struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &t); err != nil {
		return nil, err
	}
	var s struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": t.TargetID, "flatten": true}, &s); err != nil {
		return nil, err
	}
	p := &Page{b: b, session: s.SessionID, loads: make(chan struct{}, 1)}
	b.mu.Lock()
	b.loads[p.session] = p.loads
	b.mu.Unlock()
	if err := p.call(ctx, "Page.enable", nil, nil); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Page) call(ctx context.Context, method string, params, result any) error {
	return p.b.call(ctx, p.session, method, params, result)
}

// SetViewport sets the page's width and height in CSS pixels, as a phone
// (mobile: touch, a meta viewport honoured) or a desktop.
func (p *Page) SetViewport(ctx context.Context, width, height int, mobile bool) error {
	return p.call(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile,
	}, nil)
}

// ColorScheme emulates prefers-color-scheme: "light" or "dark".
func (p *Page) ColorScheme(ctx context.Context, scheme string) error {
	return p.call(ctx, "Emulation.setEmulatedMedia", map[string]any{
		"features": []map[string]string{{"name": "prefers-color-scheme", "value": scheme}},
	}, nil)
}

// Media emulates a CSS media type: "print", "screen", or "" for the
// page's own.
func (p *Page) Media(ctx context.Context, media string) error {
	return p.call(ctx, "Emulation.setEmulatedMedia", map[string]any{"media": media}, nil)
}

// Navigate opens url and waits for it to load. It returns an error when
// the browser could not reach it.
func (p *Page) Navigate(ctx context.Context, url string) error {
	return p.loading(ctx, func() error {
		var r struct {
			ErrorText string `json:"errorText"`
		}
		if err := p.call(ctx, "Page.navigate", map[string]any{"url": url}, &r); err != nil {
			return err
		}
		if r.ErrorText != "" {
			return fmt.Errorf("navigate to %s: %s", url, r.ErrorText)
		}
		return nil
	})
}

// loading runs do, which starts a navigation, and waits for its load.
func (p *Page) loading(ctx context.Context, do func() error) error {
	select { // a load from before does not count
	case <-p.loads:
	default:
	}
	if err := do(); err != nil {
		return err
	}
	select {
	case <-p.loads:
		return nil
	case <-p.b.closed:
		return errors.New("the browser's connection ended while loading")
	case <-ctx.Done():
		return fmt.Errorf("waiting for the page to load: %w", context.Cause(ctx))
	}
}

// Eval evaluates expression in the page (awaiting a promise) and decodes
// its value into out (when not nil).
func (p *Page) Eval(ctx context.Context, expression string, out any) error {
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := p.call(ctx, "Runtime.evaluate", map[string]any{
		"expression": expression, "returnByValue": true, "awaitPromise": true,
	}, &r); err != nil {
		return err
	}
	if e := r.ExceptionDetails; e != nil {
		return fmt.Errorf("evaluate: %s %s", e.Text, e.Exception.Description)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.Result.Value, out); err != nil {
		return fmt.Errorf("evaluate: decode %s: %w", r.Result.Value, err)
	}
	return nil
}

// Focus focuses the element selector finds.
func (p *Page) Focus(ctx context.Context, selector string) error {
	var ok bool
	if err := p.Eval(ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false; e.focus(); return document.activeElement === e; })()`, selector), &ok); err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no element %s to focus", selector)
	}
	return nil
}

// Type types text into the focused element, as a keyboard would.
func (p *Page) Type(ctx context.Context, text string) error {
	return p.call(ctx, "Input.insertText", map[string]any{"text": text}, nil)
}

// PressEnterAndWait presses Enter (submitting a form) and waits for the
// page it leads to.
func (p *Page) PressEnterAndWait(ctx context.Context) error {
	return p.loading(ctx, func() error {
		key := map[string]any{"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "nativeVirtualKeyCode": 13}
		down := map[string]any{"type": "keyDown", "text": "\r"}
		for k, v := range key {
			down[k] = v
		}
		if err := p.call(ctx, "Input.dispatchKeyEvent", down, nil); err != nil {
			return err
		}
		up := map[string]any{"type": "keyUp"}
		for k, v := range key {
			up[k] = v
		}
		return p.call(ctx, "Input.dispatchKeyEvent", up, nil)
	})
}

// Screenshot returns a PNG of the whole page at the viewport's width.
func (p *Page) Screenshot(ctx context.Context) ([]byte, error) {
	var m struct {
		CSSContentSize struct {
			Width, Height float64
		} `json:"cssContentSize"`
	}
	if err := p.call(ctx, "Page.getLayoutMetrics", nil, &m); err != nil {
		return nil, err
	}
	var r struct {
		Data string `json:"data"`
	}
	if err := p.call(ctx, "Page.captureScreenshot", map[string]any{
		"format": "png", "captureBeyondViewport": true,
		"clip": map[string]any{"x": 0, "y": 0, "width": m.CSSContentSize.Width, "height": m.CSSContentSize.Height, "scale": 1},
	}, &r); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(r.Data)
}
