#!/usr/bin/env -S python3 -u
"""Measures a large household register import against a real server (not a test: it prints
numbers). Starts `khaosat serve --demo` on a fresh SQLite file, adds villages to Xã Hồ Vương
(16138, the demo's commune that took over Nga Liên), generates a register (default 50 villages x
17,000 lines, ~29 MiB), imports it as demo-lead and prints: RSS before/peak/after, time to the
202, total time, and sign-in latency during the import.

    scripts/measure-import.py [--binary target/release/khaosat] [--villages 50] [--lines 17000]
"""
import argparse, http.client, json, os, statistics, subprocess, tempfile, threading, time

p = argparse.ArgumentParser()
p.add_argument("--binary", default="target/release/khaosat")
p.add_argument("--villages", type=int, default=50)
p.add_argument("--lines", type=int, default=17000, help="lines per village")
p.add_argument("--port", type=int, default=18181)
a = p.parse_args()

work = tempfile.mkdtemp(prefix="khaosat-import-")
env = dict(os.environ, KHAOSAT_DATABASE_URL=f"sqlite://{work}/k.db", KHAOSAT_LOG="warn",
           KHAOSAT_LOGIN_IP_PER_MINUTE="100000")
server = subprocess.Popen([a.binary, "serve", "--demo", "--addr", f"127.0.0.1:{a.port}"], env=env,
                          stdout=subprocess.DEVNULL, stderr=open(f"{work}/server.log", "w"))

def call(method, path, body=None, token=None, ctype="application/json"):
    c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=600)
    h = {"content-type": ctype}
    if token:
        h["authorization"] = f"Bearer {token}"
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, (json.loads(data) if data else None)

def login(user, device="measure"):
    s, b = call("POST", "/api/v1/auth/login", {"username": user, "password": "khaosat-demo", "device_id": device})
    assert s == 200, b
    return b["access_token"]

def rss_mib():
    with open(f"/proc/{server.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

try:
    for _ in range(600):
        try:
            if call("GET", "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    admin = login("demo-admin")
    codes = [f"16138.{100 + i}" for i in range(a.villages)]
    units = "code,name,level,parent_code\n" + "".join(f"{c},Thôn {c},village,16138\n" for c in codes)
    s, b = call("POST", "/api/v1/units/import", units.encode(), admin, "text/csv")
    assert s == 200, b
    lines = ["village_code,head_name,address,member_name,birth_year"]
    for v, code in enumerate(codes):
        for i in range(a.lines // 3 + 1):
            head = f"Nguyễn Văn Hộ {v}-{i}"
            for member, year in ((head, 1950 + i % 40), (f"Trần Thị Vợ {i}", 1955 + i % 40), (f"Con {i}", 1990 + i % 30)):
                if len(lines) <= (v + 1) * a.lines:
                    lines.append(f"{code},{head},Xóm {i % 9},{member},{year}")
    csv = ("\n".join(lines) + "\n").encode()
    print(f"register: {len(lines) - 1} lines, {len(csv) / 2**20:.1f} MiB, {a.villages} villages")

    lead = login("demo-lead")
    time.sleep(2)
    before = rss_mib()
    peak, done = [before], threading.Event()
    def sample():
        while not done.is_set():
            peak.append(rss_mib())
            time.sleep(0.05)
    threading.Thread(target=sample, daemon=True).start()
    latencies = []
    def sign_ins():
        n = 0
        while not done.is_set():
            t = time.monotonic()
            login("demo-enumerator", f"phone-{n % 5}")
            latencies.append(time.monotonic() - t)
            n += 1
            time.sleep(0.5)
    threading.Thread(target=sign_ins, daemon=True).start()

    t0 = time.monotonic()
    s, accepted = call("POST", "/api/v1/households/import", csv, lead, "text/csv")
    t_accepted = time.monotonic() - t0
    assert s == 202, (s, accepted)
    while True:
        s, job = call("GET", accepted["status_url"], token=lead)
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.2)
    total = time.monotonic() - t0
    done.set()
    time.sleep(0.2)
    print(f"job: {job['state']} {json.dumps(job['report'] or job['error'])}")
    print(f"time to 202: {t_accepted:.2f} s; import total: {total:.1f} s")
    print(f"RSS: before {before:.0f} MiB, peak {max(peak):.0f} MiB, at the end {rss_mib():.0f} MiB", end="")
    time.sleep(5)
    print(f", 5 s later {rss_mib():.0f} MiB")
    if latencies:
        q = sorted(latencies)
        print(f"sign-ins during the import: {len(q)}, median {statistics.median(q) * 1000:.0f} ms, "
              f"p95 {q[int(len(q) * 0.95)] * 1000:.0f} ms, max {q[-1] * 1000:.0f} ms")
finally:
    server.terminate()
    server.wait()
