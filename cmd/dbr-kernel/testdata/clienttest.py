"""What jupyter_kernel_test does not cover, driven with jupyter_client.

Run by kernel_test.go (TestJupyterClient) with JUPYTER_PATH pointing at a
kernelspec "dbr" for the binary under test, and Debian's /usr/bin/python3.
"""
import base64
import datetime
import os
import queue
import shutil
import struct
import tempfile
import time
import unittest
import zlib

from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

TIMEOUT = 30


def start(stderr=None):
    km = KernelManager(kernel_name="dbr")
    km.start_kernel(stderr=stderr)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=TIMEOUT)
    return km, kc


def run(kc, code, **kw):
    """Executes code and returns (reply content, iopub messages of it)."""
    msg_id = kc.execute(code, **kw)
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
    return reply["content"], outputs(kc, msg_id)


def outputs(kc, msg_id):
    out = []
    while True:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return out
        if msg["msg_type"] not in ("status", "execute_input"):
            out.append(msg)


def text_of(msgs):
    parts = []
    for m in msgs:
        c = m["content"]
        if m["msg_type"] == "stream":
            parts.append(c["text"])
        elif m["msg_type"] in ("execute_result", "display_data"):
            parts.append(c["data"]["text/plain"] + "\n")
        elif m["msg_type"] == "error":
            parts.append("\n".join(c["traceback"]) + "\n")
    return "".join(parts)


def png_size(data):
    """Decodes a PNG far enough to trust it: signature, every chunk's CRC,
    the IDAT stream inflates to exactly the rows the header announces.
    Returns (width, height)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "no PNG signature"
    pos, idat, w = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(kind + body) == crc, "bad CRC in chunk %r" % kind
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + n
    raw = zlib.decompress(idat)
    assert len(raw) == h * (1 + w * channels * depth // 8), "pixel data does not fit %dx%d" % (w, h)
    return w, h


class KernelClientTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stderr = tempfile.TemporaryFile()
        cls.km, cls.kc = start(stderr=cls.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=False)

    def test_interrupt_keeps_variables(self):
        run(self.kc, "n := 0\nkeep := engine.Ones(3)")
        msg_id = self.kc.execute("for {\n\tn++\n}")
        time.sleep(1)
        t0 = time.time()
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertLess(time.time() - t0, 5, "the interrupt took too long")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "interrupted")
        outputs(self.kc, msg_id)
        content, msgs = run(self.kc, "n > 1000, keep.Shape()")
        self.assertEqual(content["status"], "ok")
        self.assertEqual(text_of(msgs), "true [3]\n")

    def test_interrupt_by_signal(self):
        import signal
        msg_id = self.kc.execute("m := 0\nfor {\n\tm++\n}")
        time.sleep(1)
        os.kill(self.km.provisioner.process.pid, signal.SIGINT)
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["content"]["ename"], "interrupted")
        outputs(self.kc, msg_id)
        content, msgs = run(self.kc, "m > 0")
        self.assertEqual(text_of(msgs), "true\n")

    def test_plot_is_png(self):
        content, msgs = run(self.kc, "losses := []float64{3, 2, 1.5, 1.2, 1.1}\ninspect.Plot(losses)")
        self.assertEqual(content["status"], "ok")
        shown = [m for m in msgs if m["msg_type"] == "display_data"]
        self.assertEqual(len(shown), 1, msgs)
        data = shown[0]["content"]["data"]
        self.assertEqual(png_size(base64.b64decode(data["image/png"])), (800, 500))
        self.assertIn("┤", data["text/plain"])
        content, msgs = run(self.kc, ":plot losses")
        self.assertEqual(png_size(base64.b64decode(msgs[0]["content"]["data"]["image/png"])), (800, 500))

    @unittest.skipUnless(shutil.which("dot"), "Graphviz's dot is missing (apt-get install graphviz)")
    def test_graph_is_svg(self):
        content, msgs = run(self.kc, "gw := engine.Randn(2, 2).SetRequiresGrad(true)\ngl := gw.MatMul(gw).Sum()\n:graph gl")
        self.assertEqual(content["status"], "ok")
        results = [m for m in msgs if m["msg_type"] == "execute_result"]
        self.assertEqual(len(results), 1, msgs)
        data = results[0]["content"]["data"]
        self.assertIn("graph of [] made by Sum", data["text/plain"])
        self.assertIn("<svg", data["image/svg+xml"])
        self.assertIn("MatMul", data["image/svg+xml"])

    def test_progress_updates_in_place(self):
        content, msgs = run(self.kc, "p := inspect.NewProgress(3)\nfor i := 1; i <= 3; i++ {\n\tp.Update(i, 1/float64(i))\n\ttime.Sleep(150 * time.Millisecond)\n}")
        self.assertEqual(content["status"], "ok")
        kinds = [m["msg_type"] for m in msgs]
        self.assertEqual(kinds[0], "display_data", kinds)
        self.assertGreaterEqual(kinds.count("update_display_data"), 2, kinds)
        self.assertEqual(set(kinds), {"display_data", "update_display_data"}, kinds)
        ids = {m["content"]["transient"]["display_id"] for m in msgs}
        self.assertEqual(len(ids), 1, ids)
        self.assertIn("step 3/3", msgs[-1]["content"]["data"]["text/plain"])

    def test_commands_and_multiline_cells(self):
        content, msgs = run(self.kc, "w := engine.Ones(2,\n\t3)\n:type w\nfunc twice(x int) int {\n\treturn 2 * x\n}\ntwice(21)")
        self.assertEqual(content["status"], "ok")
        self.assertEqual(text_of(msgs), "*engine.Tensor\n42\n")
        content, msgs = run(self.kc, ":doc engine.Zeros")
        self.assertIn("func Zeros(", text_of(msgs))

    def test_goroutine_output_after_the_cell(self):
        msg_id = self.kc.execute('timer := time.AfterFunc(200*time.Millisecond, func() { fmt.Println("later") })\nfmt.Println("now")')
        while self.kc.get_shell_msg(timeout=TIMEOUT)["parent_header"]["msg_id"] != msg_id:
            pass
        self.assertEqual(text_of(outputs(self.kc, msg_id)), "now\n")
        deadline = time.time() + 5
        while time.time() < deadline:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["msg_type"] == "stream":
                self.assertEqual(msg["content"]["text"], "later\n")
                self.assertEqual(msg["parent_header"]["msg_id"], msg_id)
                return
        self.fail("the goroutine's output never came")

    def test_display_after_the_cell(self):
        # A plot or HTML shown by a goroutine after its cell ended goes
        # under that cell, as its fmt output does, not to the kernel's log.
        msg_id = self.kc.execute('lateTimer := time.AfterFunc(200*time.Millisecond, func() {\n'
                                 '\tdisplay.HTML("<b>late</b>")\n\tinspect.Plot([]float64{3, 2, 1})\n})')
        while self.kc.get_shell_msg(timeout=TIMEOUT)["parent_header"]["msg_id"] != msg_id:
            pass
        self.assertEqual(outputs(self.kc, msg_id), [])
        shown, deadline = [], time.time() + 10
        while len(shown) < 2 and time.time() < deadline:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["msg_type"] == "display_data":
                self.assertEqual(msg["parent_header"]["msg_id"], msg_id)
                shown.append(msg["content"]["data"])
        self.assertEqual(len(shown), 2, "the goroutine's displays never came")
        self.assertEqual(shown[0]["text/html"], "<b>late</b>")
        self.assertEqual(png_size(base64.b64decode(shown[1]["image/png"])), (800, 500))

    def test_stdin(self):
        msg_id = self.kc.execute('var name string\nn, _ := fmt.Scanln(&name)\nfmt.Println("hello", name)', allow_stdin=True)
        req = self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.assertEqual(req["msg_type"], "input_request")
        self.kc.input("dbr")
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(text_of(outputs(self.kc, msg_id)), "hello dbr\n")

    def test_bad_signature_refused(self):
        forged = Session(key=b"not the key", username="mallory")
        msg = forged.msg("execute_request", {"code": "forged := 1", "silent": False, "store_history": True,
                                              "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        forged.send(self.kc.shell_channel.socket, msg)
        with self.assertRaises(queue.Empty):
            self.kc.get_shell_msg(timeout=2)
        content, msgs = run(self.kc, "forged")
        self.assertEqual(content["status"], "error")
        self.assertIn("undefined: forged", content["evalue"])
        self.stderr.seek(0)
        self.assertIn(b"bad signature", self.stderr.read())

    def test_error_aborts_queued_cells(self):
        first = self.kc.execute("time.Sleep(300 * time.Millisecond)\nundefinedName", stop_on_error=True)
        second = self.kc.execute("queued := 1", stop_on_error=True)
        replies = {}
        while len(replies) < 2:
            r = self.kc.get_shell_msg(timeout=TIMEOUT)
            replies[r["parent_header"]["msg_id"]] = r["content"]["status"]
        self.assertEqual(replies, {first: "error", second: "aborted"})
        content, msgs = run(self.kc, "queued")
        self.assertEqual(content["status"], "error")
        content, msgs = run(self.kc, "later := 2\nlater")
        self.assertEqual(text_of(msgs), "2\n")

    def test_abort_follows_message_order_not_clocks(self):
        # A frontend's clock may be ahead of or behind the kernel's: a cell
        # queued behind the failing one is aborted even dated an hour
        # later, and a cell sent after the failure runs even dated an hour
        # earlier.
        def send(code, shift):
            msg = self.kc.session.msg("execute_request", {
                "code": code, "silent": False, "store_history": True, "user_expressions": {},
                "allow_stdin": False, "stop_on_error": True})
            msg["header"]["date"] = datetime.datetime.now(datetime.timezone.utc) + shift
            self.kc.shell_channel.send(msg)
            return msg["header"]["msg_id"]

        def replies(*ids):
            got = {}
            while len(got) < len(ids):
                r = self.kc.get_shell_msg(timeout=TIMEOUT)
                if r["parent_header"]["msg_id"] in ids:
                    got[r["parent_header"]["msg_id"]] = r["content"]["status"]
            return got

        hour = datetime.timedelta(hours=1)
        first = send("time.Sleep(300 * time.Millisecond)\nundefinedName", datetime.timedelta(0))
        ahead = send("ahead := 1", hour)
        self.assertEqual(replies(first, ahead), {first: "error", ahead: "aborted"})
        behind = send("behind := 2\nbehind", -hour)
        self.assertEqual(replies(behind), {behind: "ok"})
        content, msgs = run(self.kc, "behind")
        self.assertEqual(text_of(msgs), "2\n")

    def test_quit_in_a_cell(self):
        # :quit cannot close the notebook: it says how to end the session,
        # asks a console frontend to exit (IPython's ask_exit payload), and
        # the kernel and its variables stay.
        run(self.kc, "kept := 7")
        content, msgs = run(self.kc, ":quit")
        self.assertEqual(content["status"], "ok")
        self.assertEqual(content["payload"], [{"source": "ask_exit", "keepkernel": False}])
        self.assertIn("Kernel > Shut Down", text_of(msgs))
        content, msgs = run(self.kc, "kept")
        self.assertEqual(text_of(msgs), "7\n")

    def test_silent_and_history(self):
        run(self.kc, "1")
        # A silent cell's output is published under no cell (not under the
        # one before it either).
        msg_id = self.kc.execute('fmt.Println("quiet")\ndisplay.HTML("<i>quiet</i>")\n1 + 1', silent=True)
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["content"]["status"], "ok")
        published = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status" \
                    and msg["content"]["execution_state"] == "idle":
                break
            if msg["msg_type"] != "status":
                published.append(msg)
        self.assertEqual(published, [])
        before, _ = run(self.kc, "1")
        content, msgs = run(self.kc, "2 + 2", store_history=False)
        self.assertEqual(content["execution_count"], before["execution_count"])
        self.assertEqual(text_of(msgs), "4\n")
        after, _ = run(self.kc, "3")
        self.assertEqual(after["execution_count"], before["execution_count"] + 1)


class SeparateKernelsTests(unittest.TestCase):
    def test_two_kernels_do_not_share_state(self):
        (ka, a), (kb, b) = start(), start()
        try:
            run(a, "shared := 41")
            content, msgs = run(b, "shared")
            self.assertEqual(content["status"], "error")
            self.assertIn("undefined: shared", content["evalue"])
            run(b, "shared := 1")
            content, msgs = run(a, "shared + 1")
            self.assertEqual(text_of(msgs), "42\n")
        finally:
            for km, kc in ((ka, a), (kb, b)):
                kc.stop_channels()
                km.shutdown_kernel(now=False)

    def test_restart_and_shutdown(self):
        km, kc = start()
        try:
            run(kc, "before := 1")
            pid = km.provisioner.process.pid
            km.restart_kernel(now=False)
            kc.wait_for_ready(timeout=TIMEOUT)
            self.assertNotEqual(km.provisioner.process.pid, pid)
            content, msgs = run(kc, "before")
            self.assertEqual(content["status"], "error")
            content, msgs = run(kc, "after := 2\nafter * 21")
            self.assertEqual(text_of(msgs), "42\n")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=False)
            self.assertFalse(km.is_alive())


if __name__ == "__main__":
    unittest.main(verbosity=2)
