"""Throughput of one vs two `mediaqc worker` processes on the same batch, with
the real servers of e2e_triggers.py (RabbitMQ, s3rver) on loopback.

  MEDIAQC=build/mediaqc python3 tests/e2e/triggers/bench_workers.py CLIP [JOBS] [THREADS]

Each round publishes JOBS events for JOBS copies of CLIP and times until every
result message has arrived; reports go under a fresh prefix each round, so
nothing is reused. Run it on an otherwise idle machine."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import e2e_triggers as t  # noqa: E402


def main():
    clip = sys.argv[1]
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    t.setUpModule()
    try:
        with open(clip, "rb") as f:
            data = f.read()
        etags = {"bench/%d%s" % (i, os.path.splitext(clip)[1]): None for i in range(jobs)}
        for key in etags:
            etags[key] = t.SVC.put(key, data)
        for workers in (1, 2, 1, 2):
            queue = "bench-%d-%d" % (workers, time.time_ns())
            broker = t.Broker(queue)
            for key, etag in etags.items():
                broker.publish(t.event(("ObjectCreated:Put", t.BUCKET, key, {"eTag": etag})))
            start = time.time()
            ws = [t.Worker(queue, "--report-prefix", "qc-%s/" % queue, threads=threads)
                  for _ in range(workers)]
            results = broker.wait_results(jobs, timeout=900)
            elapsed = time.time() - start
            for w in ws:
                w.stop()
            frames = sum(r["frames"] for _, r in results)
            print("%d worker(s) x %d thread(s): %d jobs in %.2f s = %.2f jobs/s, %.1f fps"
                  % (workers, threads, len(results), elapsed, len(results) / elapsed,
                     frames / elapsed), flush=True)
            broker.close()
    finally:
        t.tearDownModule()


if __name__ == "__main__":
    main()
