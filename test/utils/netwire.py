#!/usr/bin/env python3
"""The wire between the partition test's network namespaces: delay, jitter, loss and a split.

This kernel has no `netem` qdisc (and no tc action that drops or delays), so the IP packets between the
test's namespaces pass through this process instead: it creates one TUN device in each namespace (the
namespace's only route to the others), reads every packet a node's kernel sends, drops it with
probability LOSS or holds it DELAY +/- JITTER ms, then writes it into the destination namespace's TUN
device. Real kernels' TCP on both ends sees real loss and latency (retransmits, RTT estimates); what is
not emulated: reordering (a packet never overtakes an earlier one between the same two hosts), bandwidth
limits, and correlated (bursty) loss. A split drops every packet between the two groups, as a cut link.

Usage: netwire.py CONFIG_JSON, with {"hosts": [{"ns": NAME, "ip": "10.213.0.1"}, ...], "prefix": 24,
"delayMs": 40, "jitterMs": 10, "loss": 0.01, "seed": 1}. Commands on stdin, one per line, each answered by
one JSON line on stdout: `split 0,1 2,3` (host indexes), `heal`, `set DELAY_MS JITTER_MS LOSS`, `stats`,
`quit`. The TUN devices vanish with the process (they are not persistent).
"""
import ctypes
import fcntl
import heapq
import json
import os
import random
import select
import struct
import subprocess
import sys
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
MAX_QUEUED = 20000  # packets held at once (netem's default limit is 1000 per device; this is for 4+ hosts)

libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


def open_tun_in(ns):
    """A TUN device `tun0` in namespace `ns` (this process's fd keeps it alive)."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/var/run/netns/{ns}", os.O_RDONLY)
    try:
        setns(target)
        fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", b"tun0", IFF_TUN | IFF_NO_PI))
        return fd
    finally:
        setns(home)
        os.close(home)
        os.close(target)


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    cfg = json.loads(sys.argv[1])
    hosts = cfg["hosts"]
    delay = cfg.get("delayMs", 0) / 1000
    jitter = cfg.get("jitterMs", 0) / 1000
    loss = cfg.get("loss", 0.0)
    rng = random.Random(cfg.get("seed"))
    by_ip = {}
    fds = []
    for i, h in enumerate(hosts):
        fd = open_tun_in(h["ns"])
        fds.append(fd)
        by_ip[bytes(int(x) for x in h["ip"].split("."))] = i
        ip = ["ip", "-n", h["ns"]]
        subprocess.run(ip + ["addr", "add", f"{h['ip']}/{cfg.get('prefix', 24)}", "dev", "tun0"], check=True)
        subprocess.run(ip + ["link", "set", "tun0", "up"], check=True)
    index_of_fd = {fd: i for i, fd in enumerate(fds)}
    group = [0] * len(hosts)  # a split puts hosts in groups 0 and 1; packets between groups are dropped
    queue = []  # (due, seq, destination index, packet)
    last_due = {}  # (source, destination) -> due time of the last packet queued: no reordering
    seq = 0
    stats = {"forwarded": 0, "lost": 0, "cut": 0, "overflow": 0, "unroutable": 0, "bytes": 0}
    reply({"ready": True, "hosts": len(hosts)})
    stdin = sys.stdin.fileno()
    buffered = b""
    while True:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, dst, packet = heapq.heappop(queue)
            try:
                os.write(fds[dst], packet)
                stats["forwarded"] += 1
                stats["bytes"] += len(packet)
            except OSError:
                stats["overflow"] += 1  # the destination's queue is full (or its link down): a drop
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 1.0
        readable, _, _ = select.select(fds + [stdin], [], [], timeout)
        for fd in readable:
            if fd == stdin:
                chunk = os.read(stdin, 4096)
                if not chunk:
                    return
                buffered += chunk
                while b"\n" in buffered:
                    line, buffered = buffered.split(b"\n", 1)
                    words = line.decode().split()
                    if not words:
                        continue
                    if words[0] == "split":
                        group = [0] * len(hosts)
                        for i in words[2].split(","):
                            group[int(i)] = 1
                        reply({"split": [words[1], words[2]]})
                    elif words[0] == "heal":
                        group = [0] * len(hosts)
                        reply({"healed": True})
                    elif words[0] == "set":
                        delay, jitter, loss = float(words[1]) / 1000, float(words[2]) / 1000, float(words[3])
                        reply({"delayMs": delay * 1000, "jitterMs": jitter * 1000, "loss": loss})
                    elif words[0] == "stats":
                        reply({**stats, "queued": len(queue)})
                    elif words[0] == "quit":
                        reply({"quit": True})
                        return
                    else:
                        reply({"error": f"unknown command {words[0]}"})
                continue
            src = index_of_fd[fd]
            for _ in range(64):  # drain what is there, a bounded number at a time
                try:
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if len(packet) < 20 or packet[0] >> 4 != 4:
                    continue  # IPv4 only (the namespaces have no IPv6 addresses on tun0)
                dst = by_ip.get(packet[16:20])
                if dst is None or dst == src:
                    stats["unroutable"] += 1
                    continue
                if group[src] != group[dst]:
                    stats["cut"] += 1
                    continue
                if loss > 0 and rng.random() < loss:
                    stats["lost"] += 1
                    continue
                if len(queue) >= MAX_QUEUED:
                    stats["overflow"] += 1
                    continue
                due = time.monotonic() + max(0.0, delay + (rng.uniform(-jitter, jitter) if jitter else 0.0))
                due = max(due, last_due.get((src, dst), 0.0))
                last_due[(src, dst)] = due
                seq += 1
                heapq.heappush(queue, (due, seq, dst, packet))


if __name__ == "__main__":
    main()
