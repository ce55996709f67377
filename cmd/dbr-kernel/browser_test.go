package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var screenshot = flag.Bool("screenshot", false, "TestBrowser: also write the screenshot to docs/notebook.png")

const chromium = "/usr/bin/chromium"

// TestBrowser serves lesson 11's notebook with Debian's jupyter-notebook,
// opens it in headless Chromium, runs every cell there and checks that the
// cell with inspect.Plot rendered its PNG (the browser decoded an 800×500
// image), then takes a screenshot (-screenshot keeps it as
// docs/notebook.png for the README). It costs one notebook server, one
// browser and one kernel, about ten seconds.
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("%s is missing (apt-get install chromium)", chromium)
	}
	if _, err := exec.LookPath("jupyter-notebook"); err != nil {
		t.Skip("jupyter-notebook is missing (apt-get install jupyter-notebook)")
	}
	needPython(t, "notebook")
	env := append(installKernel(t), "COLUMNS=80")

	// The notebook server, on a free port, serving a copy of the lesson.
	dir := t.TempDir()
	const lesson = "11_define_and_run"
	nb, err := os.ReadFile(filepath.Join("..", "..", "scripts", lesson, lesson+".ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, lesson+".ipynb"), nb, 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	token := "dbr" + newID()[:8]
	server := exec.Command("jupyter-notebook", "--no-browser", "--ip=127.0.0.1", fmt.Sprintf("--port=%d", port),
		"--NotebookApp.token="+token, "--notebook-dir="+dir, "--allow-root")
	server.Env = env
	var serverLog bytes.Buffer
	server.Stdout, server.Stderr = &serverLog, &serverLog
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		server.Process.Signal(os.Interrupt)
		time.Sleep(200 * time.Millisecond)
		server.Process.Kill()
		server.Wait()
		if t.Failed() {
			t.Logf("jupyter-notebook's log:\n%s", serverLog.String())
		}
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitFor(t, 30*time.Second, "the notebook server", func() bool {
		resp, err := http.Get(base + "/api/status?token=" + token)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})

	// The browser, driven over the DevTools protocol on a pipe.
	b := startBrowser(t)
	defer b.close()
	session := b.openPage(t, base+"/notebooks/"+lesson+".ipynb?token="+token)
	b.call(t, session, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1100, "height": 1400, "deviceScaleFactor": 1, "mobile": false})
	waitFor(t, 60*time.Second, "the notebook's kernel", func() bool {
		return b.eval(t, session, `!!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected() && Jupyter.notebook.kernel_busy === false)`) == true
	})
	b.eval(t, session, `Jupyter.notebook.execute_all_cells(), true`)
	waitFor(t, 120*time.Second, "every cell to run", func() bool {
		return b.eval(t, session, `Jupyter.notebook.get_cells().every(c => c.cell_type !== 'code' || (typeof c.input_prompt_number === 'number'))`) == true
	})
	// The plot cell: its output is an <img> the browser decoded. Jupyter
	// carries a cell's reply (its prompt number) and its outputs on two
	// channels whose order across them is not kept, so the image may come
	// after the last prompt number: wait for it.
	imgJS := `(() => {
		const cell = Jupyter.notebook.get_cells().find(c => c.get_text().includes('inspect.Plot(losses)'));
		if (!cell) return 'no cell calls inspect.Plot(losses)';
		const img = cell.output_area.element[0].querySelector('.output_png img');
		if (!img) return 'the plot cell shows no image: ' + cell.output_area.element[0].innerText.slice(0, 200);
		img.scrollIntoView({block: 'center'});
		return img.complete ? img.naturalWidth + 'x' + img.naturalHeight : 'not loaded';
	})()`
	var img any
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if img = b.eval(t, session, imgJS); img == "800x500" {
			break
		}
	}
	if img != "800x500" {
		t.Fatalf("plot cell: %v; want an 800x500 image", img)
	}
	// The outputs of every cell are in once the kernel is idle again.
	waitFor(t, 30*time.Second, "the kernel to be idle", func() bool {
		return b.eval(t, session, `Jupyter.notebook.kernel_busy === false`) == true
	})
	errors := b.eval(t, session, `document.querySelectorAll('.output_error').length`)
	if errors != float64(0) {
		t.Errorf("%v cells show an error", errors)
	}
	if dialog := b.eval(t, session, `Array.from(document.querySelectorAll('.modal-dialog')).map(d => d.innerText).join(' | ')`); dialog != "" {
		t.Errorf("the notebook shows a dialog: %v", dialog)
	}
	time.Sleep(300 * time.Millisecond)
	shot := b.call(t, session, "Page.captureScreenshot", map[string]any{"format": "png"})
	var data struct {
		Data string `json:"data"`
	}
	json.Unmarshal(shot, &data)
	pngBytes, err := base64.StdEncoding.DecodeString(data.Data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(pngBytes)); err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	out := filepath.Join(t.TempDir(), "notebook.png")
	if *screenshot {
		out = filepath.Join("..", "..", "docs", "notebook.png")
	}
	if err := os.WriteFile(out, pngBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", out, len(pngBytes))
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("gave up waiting for %s after %v", what, d)
}

// browser is headless Chromium driven over --remote-debugging-pipe: JSON
// messages ending in a NUL byte, commands on fd 3, answers on fd 4.
type browser struct {
	cmd  *exec.Cmd
	w    io.WriteCloser
	mu   sync.Mutex
	next int
	wait map[int]chan json.RawMessage
	errs map[int]string
}

func startBrowser(t *testing.T) *browser {
	t.Helper()
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+t.TempDir(),
		"--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{cmdR, outW} // fds 3 and 4
	var log bytes.Buffer
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cmdR.Close()
	outW.Close()
	b := &browser{cmd: cmd, w: cmdW, wait: map[int]chan json.RawMessage{}, errs: map[int]string{}}
	go func() {
		r := bufio.NewReader(outR)
		for {
			msg, err := r.ReadBytes(0)
			if err != nil {
				return
			}
			var m struct {
				ID     int             `json:"id"`
				Result json.RawMessage `json:"result"`
				Error  *struct {
					Message string `json:"message"`
				} `json:"error"`
			}
			if json.Unmarshal(msg[:len(msg)-1], &m) != nil || m.ID == 0 {
				continue // an event
			}
			b.mu.Lock()
			if m.Error != nil {
				b.errs[m.ID] = m.Error.Message
			}
			if ch := b.wait[m.ID]; ch != nil {
				ch <- m.Result
			}
			b.mu.Unlock()
		}
	}()
	return b
}

// call sends a command (to a page when session is not "") and returns its
// result.
func (b *browser) call(t *testing.T, session, method string, params any) json.RawMessage {
	t.Helper()
	b.mu.Lock()
	b.next++
	id := b.next
	ch := make(chan json.RawMessage, 1)
	b.wait[id] = ch
	b.mu.Unlock()
	m := map[string]any{"id": id, "method": method, "params": params}
	if session != "" {
		m["sessionId"] = session
	}
	msg, _ := json.Marshal(m)
	if _, err := b.w.Write(append(msg, 0)); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	select {
	case res := <-ch:
		b.mu.Lock()
		e := b.errs[id]
		b.mu.Unlock()
		if e != "" {
			t.Fatalf("%s: %s", method, e)
		}
		return res
	case <-time.After(30 * time.Second):
		t.Fatalf("%s: no answer from the browser", method)
	}
	return nil
}

// openPage opens url in a new tab and returns the session that drives it.
func (b *browser) openPage(t *testing.T, url string) string {
	var target struct {
		TargetID string `json:"targetId"`
	}
	json.Unmarshal(b.call(t, "", "Target.createTarget", map[string]any{"url": url}), &target)
	var att struct {
		SessionID string `json:"sessionId"`
	}
	json.Unmarshal(b.call(t, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}), &att)
	return att.SessionID
}

// eval evaluates a JavaScript expression in the page and returns its value.
func (b *browser) eval(t *testing.T, session, expr string) any {
	var res struct {
		Result struct {
			Value any `json:"value"`
		} `json:"result"`
		ExceptionDetails any `json:"exceptionDetails"`
	}
	json.Unmarshal(b.call(t, session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}), &res)
	if res.ExceptionDetails != nil {
		return nil
	}
	return res.Result.Value
}

func (b *browser) close() {
	b.w.Close()
	b.cmd.Process.Kill()
	b.cmd.Wait()
}
