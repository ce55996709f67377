"""Measures the dbr kernel: start to kernel_info_reply, a trivial cell's
round trip, and the kernel's memory over 2,000 executed cells.

usage: JUPYTER_PATH=... /usr/bin/python3 measure.py
(the README's numbers; not a test: timings do not belong in tests).
"""
import statistics
import time

from jupyter_client.manager import KernelManager


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024


def run(kc, code):
    msg_id = kc.execute(code)
    while True:
        reply = kc.get_shell_msg(timeout=30)
        if reply["parent_header"]["msg_id"] == msg_id:
            break
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status" \
                and msg["content"]["execution_state"] == "idle":
            return reply


starts = []
for _ in range(5):
    km = KernelManager(kernel_name="dbr")
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    msg_id = kc.kernel_info()
    while kc.get_shell_msg(timeout=10)["parent_header"]["msg_id"] != msg_id:
        pass
    starts.append(time.perf_counter() - t0)
    if len(starts) < 5:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
print("start to kernel_info_reply: median %.3f s, max %.3f s (5 starts)" % (statistics.median(starts), max(starts)), flush=True)

kc.wait_for_ready(timeout=30)  # iopub subscribed (ZeroMQ's slow joiner)
run(kc, "x := engine.Randn(64, 64)")
trips = []
for _ in range(300):
    t0 = time.perf_counter()
    run(kc, "1 + 1")
    trips.append(time.perf_counter() - t0)
trips.sort()
print("trivial cell (1 + 1) round trip, reply and idle: median %.1f ms, 90th percentile %.1f ms (300 cells)"
      % (1000 * statistics.median(trips), 1000 * trips[int(0.9 * len(trips))]))

pid = km.provisioner.process.pid
cells = ["y := x.MatMul(x).ReLU()", "s := y.Sum().Item()", "fmt.Println(s > 0)", "x.Shape()"]
marks = {}
for i in range(1, 2001):
    run(kc, cells[i % len(cells)])
    if i in (100, 500, 1000, 1500, 2000):
        marks[i] = rss_mb(pid)
print("kernel RSS after N cells: " + ", ".join("%d: %.1f MB" % (n, mb) for n, mb in sorted(marks.items())))
kc.stop_channels()
km.shutdown_kernel(now=True)
