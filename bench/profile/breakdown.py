#!/usr/bin/env python3
"""Where the CPU of a check goes: folded stacks (async-profiler 'collapsed') bucketed by stage.

usage: breakdown.py profile.collapsed [checks_per_second job_cores]
Each stack goes to the first bucket whose frame pattern it contains (order matters: the JIT and
GC threads first, then our stages from the most specific outwards)."""
import sys

BUCKETS = [
    ("JIT compiler", ["CompileBroker", "C2Compiler", "C1Compiler"]),
    ("GC", ["GangWorker", "ConcurrentGCThread", "G1ConcurrentRefine", "G1Service"]),
    ("read page: jsoup parse", ["org/jsoup/parser/"]),
    ("read page: select, text, hashes", ["dev/flinkwatch/extraction/"]),
    ("PostgreSQL sinks", ["dev/flinkwatch/pipeline/sink/", "org/postgresql/"]),
    ("change detector", ["dev/flinkwatch/pipeline/change/"]),
    ("host pacer", ["dev/flinkwatch/pipeline/fetch/HostPacer"]),
    ("scheduler (timers)", ["dev/flinkwatch/pipeline/schedule/", "InternalTimerServiceImpl"]),
    ("HTTP client (Netty, AHC)", ["io/netty/", "org/asynchttpclient/"]),
    ("fetcher (guard, politeness, body)", ["dev/flinkwatch/fetch/"]),
    ("serialization, shuffles", ["Serializer", "RecordWriter", "SpillingAdaptiveSpanning",
                                 "RecordDeserializer", "DataOutputSerializer", "io/network/"]),
    ("Kafka clients, benchmark", ["org/apache/kafka/", "dev/flinkwatch/bench/"]),
    ("Flink runtime, mailbox", ["org/apache/flink/"]),
]


def main():
    path = sys.argv[1]
    totals = {name: 0 for name, _ in BUCKETS}
    other = 0
    total = 0
    for line in open(path):
        stack, _, n = line.rstrip().rpartition(" ")
        n = int(n)
        total += n
        for name, patterns in BUCKETS:
            if any(p in stack for p in patterns):
                totals[name] += n
                break
        else:
            other += n
    rate = float(sys.argv[2]) if len(sys.argv) > 3 else None
    cores = float(sys.argv[3]) if len(sys.argv) > 3 else None
    print("| stage | share of job CPU |" + (" µs per check |" if rate else ""))
    print("|---|---|" + ("---|" if rate else ""))
    rows = list(totals.items()) + [("other (kernel, JVM, threads)", other)]
    for name, n in rows:
        share = n / total
        cell = f" {share * cores / rate * 1e6:.1f} |" if rate else ""
        print(f"| {name} | {share * 100:.1f}% |{cell}")
    if rate:
        print(f"| total | 100% | {cores / rate * 1e6:.1f} |")


if __name__ == "__main__":
    main()
