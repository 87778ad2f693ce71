"""Start-up time of hpsearch binaries, measured side by side.

    python3 startup.py NAME=BINARY [NAME=BINARY ...]

For each binary: the least and median wall time and CPU time (user+system,
all threads) of `hpsearch models` and `hpsearch --version` over N runs
(env N, default 50), the runs of all binaries interleaved so that load
changes hit them alike; the package initialisation that GODEBUG=inittrace=1
reports (sum of the packages' clock times, least of 10 runs, and the heap
it allocates); whether a garbage collection ran before main (gctrace); the
binary's size; and the ten packages whose init costs most.
"""
import collections
import os
import re
import subprocess
import sys
import time

N = int(os.environ.get("N", "50"))
bins = dict(a.split("=", 1) for a in sys.argv[1:])


def run(path, args, env=None):
    t = time.perf_counter()
    p = subprocess.Popen([path] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit(f"{path} {' '.join(args)}: exit status {status}")
    return time.perf_counter() - t, ru.ru_utime + ru.ru_stime


def ms(x):
    return f"{x * 1e3:.1f}"


print(f"date {time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime())}  load average {open('/proc/loadavg').read().split()[:3]}  cpus {os.cpu_count()}  runs {N}")
for cmd in (["models"], ["--version"]):
    walls = collections.defaultdict(list)
    cpus = collections.defaultdict(list)
    for _ in range(N):
        for name, path in bins.items():
            w, c = run(path, cmd)
            walls[name].append(w)
            cpus[name].append(c)
    for name in bins:
        w, c = sorted(walls[name]), sorted(cpus[name])
        print(f"{name:8} hpsearch {' '.join(cmd):10} wall min {ms(w[0])} ms, median {ms(w[len(w) // 2])} ms; "
              f"cpu min {ms(c[0])} ms, median {ms(c[len(c) // 2])} ms")

for name, path in bins.items():
    best = collections.defaultdict(lambda: 1e9)
    totals, heap, gcs = [], 0, 0
    for _ in range(10):
        env = dict(os.environ, GODEBUG="inittrace=1,gctrace=1")
        p = subprocess.run([path, "models"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
        total, heap = 0.0, 0
        for line in p.stderr.splitlines():
            m = re.match(r"init (\S+) @\S+ ms, (\S+) ms clock, (\d+) bytes", line)
            if m:
                total += float(m.group(2))
                heap += int(m.group(3))
                best[m.group(1)] = min(best[m.group(1)], float(m.group(2)))
            elif line.startswith("gc "):
                gcs += 1
        totals.append(total)
    own = sum(v for k, v in best.items() if k.startswith("github.com/hpsearch/") or k == "main")
    print(f"{name:8} init: {len(best)} packages, clock sum min {min(totals):.1f} ms (median {sorted(totals)[5]:.1f}), "
          f"heap {heap / 1024:.0f} KB, hpsearch's own packages {own:.2f} ms; GCs in 10 runs of models: {gcs}; "
          f"binary {os.path.getsize(path) / 1e6:.1f} MB")
    print("         costliest inits (least of 10 runs): " +
          ", ".join(f"{k} {v:.2f}" for k, v in sorted(best.items(), key=lambda x: -x[1])[:10]))
