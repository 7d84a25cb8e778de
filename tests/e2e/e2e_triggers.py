"""Publish-triggered QC against real servers started here, on loopback:
RabbitMQ (Debian's rabbitmq-server), s3rver (an S3-compatible server, npm) and
nginx (plain HTTP with ranges). scripts/setup-services.sh installs them.

Covers: `mediaqc event` (local root and object storage, URL-encoded keys,
hostile keys, malformed documents, profile rules), direct ranged reads of
s3://, http:// and presigned URLs (same report as the local file, bytes
counted at the server), --mhl on an s3:// object (the file hash from that
same single read), `mediaqc worker` (two workers, results, retries and the
dead-letter queue, SIGKILL mid-job, idempotent redelivery, SIGTERM) and
`mediaqc watch` (a file written slowly is QC'd once, when complete)."""
import datetime
import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import common  # noqa: E402

try:
    import pika
except ImportError:   # Debian's python3-pika, when python3 is not Debian's own
    sys.path.append("/usr/lib/python3/dist-packages")
    import pika

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "triggers")
SERVICES = os.environ.get("MQC_SERVICES_DIR",
                          os.path.expanduser("~/.cache/mediaqc-services"))
S3RVER = os.path.join(SERVICES, "node_modules", ".bin", "s3rver")
RABBIT_BIN = "/usr/lib/rabbitmq/bin"
NGINX = "/usr/sbin/nginx"
ACCESS_KEY = "S3RVER"        # s3rver's built-in account
SESSION_TOKEN = "session-token-that-must-not-leak-7f3a"
BUCKET = "media"
WAIT = 60                    # seconds: any wait longer than this is a failure


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, probe, timeout=WAIT, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        value = probe()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting for " + what)


class Services:
    """The three servers, started once for the module and stopped at the end."""

    def __init__(self):
        missing = [p for p in (S3RVER, RABBIT_BIN + "/rabbitmq-server", NGINX)
                   if not os.path.exists(p)]
        if missing:
            raise AssertionError("missing %s: run scripts/setup-services.sh" % missing)
        self.dir = tempfile.mkdtemp(prefix="mqc-services-")
        self.procs = []
        self.s3_port, self.http_port = free_port(), free_port()
        self.amqp_port, self.dist_port, self.epmd_port = free_port(), free_port(), free_port()
        self.www = os.path.join(self.dir, "www")
        os.makedirs(self.www)
        self._start_s3()
        self._start_nginx()
        self._start_rabbit()
        wait_for("s3rver", self._s3_up)
        wait_for("rabbitmq", self._rabbit_up, timeout=90, step=0.5)
        self.amqp_url = "amqp://guest:guest@127.0.0.1:%d/%%2F" % self.amqp_port
        self.s3_request("PUT", "/" + BUCKET)

    # --- s3rver ---
    def _start_s3(self):
        self.s3_log = open(os.path.join(self.dir, "s3rver.log"), "w")
        self.procs.append(subprocess.Popen(
            [S3RVER, "-d", os.path.join(self.dir, "s3"), "-a", "127.0.0.1",
             "-p", str(self.s3_port)], stdout=self.s3_log, stderr=subprocess.STDOUT,
            start_new_session=True))

    def _s3_up(self):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/" % self.s3_port, timeout=1).read()
            return True
        except (urllib.error.URLError, ConnectionError):
            return False

    def s3_request(self, method, path, data=None):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.s3_port, path),
                                     data=data, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def put(self, key, data):
        status, _ = self.s3_request("PUT", "/%s/%s" % (BUCKET, urllib.parse.quote(key)), data)
        assert status == 200, status
        return hashlib.md5(data).hexdigest()

    def get(self, key):
        return self.s3_request("GET", "/%s/%s" % (BUCKET, urllib.parse.quote(key)))

    def report(self, key, prefix="qc-reports/"):
        status, body = self.get(prefix + key + ".json")
        return common.parse_report(body, "s3 report " + key) if status == 200 else None

    def list_keys(self, prefix):
        status, body = self.s3_request(
            "GET", "/%s?prefix=%s" % (BUCKET, urllib.parse.quote(prefix)))
        assert status == 200, body
        import xml.etree.ElementTree as ET
        root = ET.fromstring(body)
        return sorted(e.text for e in root.iter() if e.tag.endswith("}Key") or e.tag == "Key")

    def presign(self, key, expires=300):
        """A SigV4 query-string (presigned) GET URL, as `aws s3 presign` makes."""
        host = "127.0.0.1:%d" % self.s3_port
        now = datetime.datetime.now(datetime.timezone.utc)
        amzdate, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        scope = "%s/us-east-1/s3/aws4_request" % day
        path = "/%s/%s" % (BUCKET, urllib.parse.quote(key, safe="/~"))
        q = {"X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Credential": ACCESS_KEY + "/" + scope,
             "X-Amz-Date": amzdate, "X-Amz-Expires": str(expires), "X-Amz-SignedHeaders": "host"}
        cq = "&".join("%s=%s" % (urllib.parse.quote(k, safe="~"), urllib.parse.quote(v, safe="~"))
                      for k, v in sorted(q.items()))
        creq = "\n".join(["GET", path, cq, "host:%s\n" % host, "host", "UNSIGNED-PAYLOAD"])
        sts = "\n".join(["AWS4-HMAC-SHA256", amzdate, scope,
                         hashlib.sha256(creq.encode()).hexdigest()])
        k = ("AWS4" + ACCESS_KEY).encode()
        for part in (day, "us-east-1", "s3", "aws4_request"):
            k = hmac.new(k, part.encode(), hashlib.sha256).digest()
        sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
        return "http://%s%s?%s&X-Amz-Signature=%s" % (host, path, cq, sig)

    # --- nginx: plain HTTP with Range support, bytes sent logged per request ---
    def _start_nginx(self):
        self.http_log = os.path.join(self.dir, "access.log")
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write("""daemon off; master_process off; pid %(d)s/nginx.pid;
error_log %(d)s/nginx-error.log;
events { worker_connections 64; }
http {
  log_format bytes '$request_method $uri $status $body_bytes_sent';
  access_log %(log)s bytes;
  client_body_temp_path %(d)s/body;
  server { listen 127.0.0.1:%(port)d; root %(www)s; }
}
""" % {"d": self.dir, "log": self.http_log, "port": self.http_port, "www": self.www})
        self.procs.append(subprocess.Popen([NGINX, "-c", conf, "-p", self.dir],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                           start_new_session=True))

    def http_bytes_sent(self, name):
        total = 0
        with open(self.http_log) as f:
            for line in f:
                method, uri, status, sent = line.split()
                if uri == "/" + name:
                    total += int(sent)
        return total

    # --- RabbitMQ: its own node, files and ports ---
    def _rabbit_env(self):
        base = os.path.join(self.dir, "rabbit")
        os.makedirs(base, exist_ok=True)
        plugins = os.path.join(base, "enabled_plugins")
        if not os.path.exists(plugins):
            with open(plugins, "w") as f:
                f.write("[].\n")
        env = dict(os.environ)
        env.update({
            "HOME": base,   # the Erlang cookie goes here
            "RABBITMQ_NODENAME": "mqctest%d@localhost" % os.getpid(),
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            # Erlang distribution on loopback too
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "RABBITMQ_MNESIA_BASE": os.path.join(base, "mnesia"),
            "RABBITMQ_LOG_BASE": os.path.join(base, "log"),
            "RABBITMQ_CONFIG_FILE": os.path.join(base, "rabbitmq"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": os.path.join(base, "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": os.path.join(base, "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": plugins,
            "RABBITMQ_PID_FILE": os.path.join(base, "rabbit.pid"),
        })
        return env

    def _start_rabbit(self):
        # our own epmd in the foreground, so it is ours to stop (the broker would
        # otherwise start a daemon that outlives the test)
        self.procs.append(subprocess.Popen(["epmd", "-port", str(self.epmd_port)],
                                           env=self._rabbit_env(), stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL, start_new_session=True))
        wait_for("epmd", lambda: subprocess.run(
            ["epmd", "-port", str(self.epmd_port), "-names"], capture_output=True,
            env=self._rabbit_env()).returncode == 0)
        self.rabbit_out = open(os.path.join(self.dir, "rabbit.out"), "w")
        self.rabbit = subprocess.Popen([RABBIT_BIN + "/rabbitmq-server"], env=self._rabbit_env(),
                                       stdout=self.rabbit_out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        self.procs.append(self.rabbit)

    def _rabbit_up(self):
        if self.rabbit.poll() is not None:
            with open(os.path.join(self.dir, "rabbit.out")) as f:
                raise AssertionError("rabbitmq-server exited:\n" + f.read()[-3000:])
        try:
            with socket.create_connection(("127.0.0.1", self.amqp_port), timeout=1):
                pass
        except OSError:
            return False
        return subprocess.run([RABBIT_BIN + "/rabbitmqctl", "-q", "await_startup"],
                              env=self._rabbit_env(), capture_output=True,
                              timeout=60).returncode == 0

    def amqp(self):
        return pika.BlockingConnection(pika.URLParameters(self.amqp_url))

    def stop(self):
        if getattr(self, "rabbit", None) and self.rabbit.poll() is None:
            subprocess.run([RABBIT_BIN + "/rabbitmqctl", "-q", "stop"], env=self._rabbit_env(),
                           capture_output=True, timeout=60)
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                    p.wait(timeout=10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


SVC = None
WORK = None


def setUpModule():
    global SVC, WORK
    WORK = tempfile.mkdtemp(prefix="mqc-triggers-")
    try:
        SVC = Services()
    except BaseException:
        if SVC:
            SVC.stop()
        raise


def tearDownModule():
    if SVC:
        SVC.stop()
    shutil.rmtree(WORK, ignore_errors=True)


def mqc_env():
    env = dict(os.environ)
    env.update({"AWS_ENDPOINT_URL": "http://127.0.0.1:%d" % SVC.s3_port,
                "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": ACCESS_KEY,
                "AWS_SESSION_TOKEN": SESSION_TOKEN, "AWS_REGION": "us-east-1"})
    return env


def mediaqc(*args, stdin=None, env=None):
    proc = subprocess.run([common.MEDIAQC] + list(args), input=stdin, capture_output=True,
                          text=True, env=env or mqc_env(), timeout=common.TIMEOUT)
    for mark in common.SANITIZER_MARKS:
        assert mark not in proc.stderr, proc.stderr
    assert proc.returncode >= 0, "died by signal %d" % -proc.returncode
    assert SESSION_TOKEN not in proc.stdout + proc.stderr
    return proc


def event(*records):
    return json.dumps({"Records": [
        {"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": name,
         "s3": {"bucket": {"name": bucket}, "object": dict(key=key, **extra)}}
        for name, bucket, key, extra in records]})


def s3_key(key):
    """How S3 writes a key into an event: URL-encoded, space as '+'."""
    return urllib.parse.quote_plus(key, safe="/")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def comparable(report):
    """A report minus what names the location or the run (and the file hash
    metrics, which test_mhl_verifies_an_s3_object_from_one_read compares)."""
    r = common.stable(report)
    r["input"].pop("path")
    for c in r["checks"]:
        if c["id"] == "checksum":
            for k in [k for k in c["metrics"] if k.startswith("file_")]:
                c["metrics"].pop(k)
    return r


def load(path):
    return common.load_report(path)


def make_clip(name, args):
    path = os.path.join(WORK, name)
    if not os.path.exists(path):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi"] + args + [path],
                       check=True, timeout=120)
    return path


def big_prores():
    """5.6 MB, moov atom at the end: several blocks and a seek to the end and back."""
    return make_clip("big.mov", ["-i", "testsrc2=s=1280x720:r=25:d=1.2", "-c:v", "prores_ks",
                                 "-profile:v", "3", "-pix_fmt", "yuv422p10le"])


def slow_ffv1():
    """Decodes slowly (1080p FFV1, ~2 s on one thread): a job to kill mid-way."""
    return make_clip("slow.mkv", ["-i", "testsrc2=s=1920x1080:r=25:d=1", "-c:v", "ffv1",
                                  "-pix_fmt", "yuv422p10le"])


MHL = """<?xml version="1.0" encoding="UTF-8"?>
<hashlist version="1.1">
  <creatorinfo><name>mediaqc test</name></creatorinfo>
  <hash><file>%s</file><size>%d</size><md5>%s</md5></hash>
</hashlist>
"""

CLEAN = "prores_10bit_422_clean.mov"
DEFECTS = "prores_10bit_422.mov"


class EventTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="root-", dir=WORK)

    def place(self, bucket, key, clip):
        path = os.path.join(self.root, bucket, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copy(common.clip_path(clip), path)
        return path

    def test_root_urlencoded_keys_multiple_records_and_hostile_keys(self):
        clean_key = "editorial/day 1/shot+01 é.mov"      # space, '+', unicode
        fail_key = "deliverables/master.mov"
        self.place("studio", clean_key, CLEAN)
        self.place("studio", fail_key, DEFECTS)
        outside = os.path.join(WORK, "outside.json")
        doc = event(("ObjectCreated:Put", "studio", s3_key(clean_key), {"size": 1}),
                    ("ObjectCreated:CompleteMultipartUpload", "studio", s3_key(fail_key), {}),
                    ("ObjectRemoved:Delete", "studio", "gone.mov", {}),
                    ("ObjectCreated:Put", "studio", "..%2F..%2Foutside", {}),
                    ("ObjectCreated:Put", "studio", "%2Fetc%2Fpasswd", {}),
                    ("ObjectCreated:Put", "studio", "a%2F.%2F..%2Fb.mov", {}),
                    ("ObjectCreated:Put", "studio", "esc%1B%5B2J.mov", {}),
                    ("ObjectCreated:Put", "studio", "csi%C2%9B2J.mov", {}),
                    ("ObjectCreated:Put", "..", "x.mov", {}),
                    ("ObjectCreated:Put", "studio", "qc-reports%2Fold.mov.json", {}))
        p = mediaqc("event", "-", "--root", self.root, stdin=doc)
        self.assertEqual(p.returncode, 2, p.stderr)   # worst: the invalid records
        good = load(os.path.join(self.root, "studio", "qc-reports", clean_key + ".json"))
        bad = load(os.path.join(self.root, "studio", "qc-reports", fail_key + ".json"))
        self.assertEqual(good["verdict"], "pass")
        self.assertEqual(bad["verdict"], "fail")
        self.assertEqual(good["run"]["trigger"]["key"], clean_key)
        self.assertEqual(good["input"]["path"], os.path.join(self.root, "studio", clean_key))
        # the report is the one `check` writes for the file
        local = common.run(["check", common.clip_path(CLEAN), "--quiet"]).report
        self.assertEqual(comparable(good), comparable(local))
        self.assertIn("ObjectRemoved:Delete is not ObjectCreated", p.stderr)
        self.assertIn('".." path component', p.stderr)
        self.assertIn("absolute path", p.stderr)
        self.assertEqual(p.stderr.count("control characters"), 2)
        self.assertNotIn("\x1b", p.stdout + p.stderr)
        self.assertIn("bucket.name", p.stderr)
        self.assertIn("under the report prefix", p.stderr)
        self.assertFalse(os.path.exists(outside))
        written = sorted(os.path.relpath(os.path.join(d, f), self.root)
                         for d, _, fs in os.walk(self.root) for f in fs)
        self.assertEqual(written, sorted([
            "studio/" + clean_key, "studio/" + fail_key,
            "studio/qc-reports/" + clean_key + ".json",
            "studio/qc-reports/" + clean_key + ".html",
            "studio/qc-reports/" + fail_key + ".json",
            "studio/qc-reports/" + fail_key + ".html"]))
        html = read(os.path.join(self.root, "studio", "qc-reports", fail_key + ".html"))
        self.assertIn(b"<html", html)

    def test_same_etag_on_a_replaced_local_file_is_qcd_again(self):
        """issue 13.9: a re-sent event with the same eTag must not reuse the report of a
        file that changed under --root (size or mtime differ)"""
        key = "reels/r1.mov"
        path = self.place("studio", key, CLEAN)
        doc = event(("ObjectCreated:Put", "studio", s3_key(key), {"eTag": "abc123"}))
        p = mediaqc("event", "-", "--root", self.root, stdin=doc)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = mediaqc("event", "-", "--root", self.root, stdin=doc)
        self.assertIn("already stored", p.stdout)         # same version: reused
        self.place("studio", key, DEFECTS)                  # replaced, same eTag in the event
        p = mediaqc("event", "-", "--root", self.root, stdin=doc)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertNotIn("already stored", p.stdout)
        report = load(os.path.join(self.root, "studio", "qc-reports", key + ".json"))
        self.assertEqual(report["verdict"], "fail")
        self.assertEqual(report["input"]["size_bytes"], os.path.getsize(path))
        # same size, new mtime: analysed again too
        os.utime(path, ns=(0, os.stat(path).st_mtime_ns + 10**9))
        p = mediaqc("event", "-", "--root", self.root, stdin=doc)
        self.assertNotIn("already stored", p.stdout)

    def test_exit_codes_follow_the_worst_record(self):
        self.place("studio", "a.mov", CLEAN)
        self.place("studio", "b.mov", DEFECTS)
        rec = lambda k: ("ObjectCreated:Put", "studio", k, {})  # noqa: E731
        path = os.path.join(self.root, "ev.json")
        with open(path, "w") as f:
            f.write(event(rec("a.mov")))
        self.assertEqual(mediaqc("event", path, "--root", self.root).returncode, 0)
        self.assertEqual(mediaqc("event", "--root", self.root,
                                 stdin=event(rec("a.mov"), rec("b.mov"))).returncode, 1)
        # a missing object is a configuration problem of the sender (2), no report
        p = mediaqc("event", "--root", self.root, stdin=event(rec("nope.mov")))
        self.assertEqual(p.returncode, 2)
        self.assertIn("nope.mov", p.stderr)
        # not media: analysed as far as possible, report with verdict error (3)
        with open(os.path.join(self.root, "studio", "junk.mov"), "wb") as f:
            f.write(b"\x00junk" * 1000)
        self.assertEqual(mediaqc("event", "--root", self.root,
                                 stdin=event(rec("junk.mov"))).returncode, 3)
        # only skipped records: nothing to do
        p = mediaqc("event", "--root", self.root,
                    stdin=event(("ObjectRemoved:Delete", "studio", "a.mov", {})))
        self.assertEqual(p.returncode, 0)
        self.assertIn("no object to QC", p.stderr)
        # S3's test notification is not an error
        p = mediaqc("event", "--root", self.root,
                    stdin='{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"studio"}')
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_malformed_documents_are_rejected_clearly(self):
        cases = [("{not json", "invalid JSON at line 1"),
                 ('{"Records": 5}', 'no "Records" array'),
                 ('{"Records": [{"eventName": "ObjectCreated:Put"}]}', "bucket.name: missing"),
                 ('{"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": '
                  '"studio"}, "object": {"key": "a%zz.mov"}}}]}', "bad URL encoding"),
                 ('{"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": '
                  '"studio"}, "object": {"key": "a%00.mov"}}}]}', "bad URL encoding"),
                 ('{"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": '
                  '"studio"}, "object": {"key": "a.mov", "size": "big"}}}]}', "size: expected"),
                 # found by fuzz_event: a size beyond int64_t was converted (UB)
                 ('{"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": '
                  '"studio"}, "object": {"key": "a.mov", "size": 1.9e70}}}]}',
                  "size: expected a number of bytes"),
                 ("[1, 2]", 'no "Records" array')]
        for text, message in cases:
            path = os.path.join(self.root, "bad.json")
            with open(path, "w") as f:
                f.write(text)
            p = mediaqc("event", path, "--root", self.root)
            self.assertEqual(p.returncode, 2, text)
            self.assertIn(message, p.stderr, text)
            self.assertIn("bad.json", p.stderr, text)
        p = mediaqc("event", os.path.join(self.root, "missing.json"), "--root", self.root)
        self.assertEqual(p.returncode, 2)
        self.assertIn("missing.json", p.stderr)
        p = mediaqc("event", "--root", self.root, "--report-prefix", "../up/", stdin="{}")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--report-prefix", p.stderr)

    def test_huge_events_are_parsed_linearly_or_refused_clearly(self):
        """200k records (600 kB, under the 4 MiB limit) took minutes when each
        record was found from the head of the list: now refused at once; the
        most an event may carry (10000) parses in well under the bound too."""
        path = os.path.join(self.root, "many.json")
        with open(path, "w") as f:
            f.write('{"Records": [' + ",".join(["{}"] * 200000) + "]}")
        start = time.time()
        p = mediaqc("event", path, "--root", self.root)
        took = time.time() - start
        self.assertEqual(p.returncode, 2, p.stderr[-2000:])
        self.assertIn("many.json: 200000 records in one event, at most 10000 are accepted",
                      p.stderr)
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr[-2000:])
        self.assertLess(took, 5)
        with open(path, "w") as f:
            f.write(event(*[("ObjectRemoved:Delete", "studio", "gone/%d.mov" % i, {})
                            for i in range(10000)]))
        start = time.time()
        p = mediaqc("event", path, "--root", self.root, "--quiet")
        took = time.time() - start
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))
        self.assertLess(took, 5)

    def test_concurrent_duplicates_and_a_killed_claimant_on_a_local_root(self):
        """Local roots claim a job with flock() on REPORT.claim: two `event`
        runs of one event analyse once; a SIGKILLed holder blocks nothing."""
        os.makedirs(os.path.join(self.root, "studio", "dup"))
        shutil.copy(slow_ffv1(), os.path.join(self.root, "studio", "dup", "slow.mkv"))
        doc = event(("ObjectCreated:Put", "studio", "dup/slow.mkv", {"eTag": "e1"}))
        report = os.path.join(self.root, "studio", "qc-reports", "dup", "slow.mkv.json")
        path = os.path.join(self.root, "event.json")
        with open(path, "w") as f:
            f.write(doc)
        procs = [subprocess.Popen([common.MEDIAQC, "event", path, "--root", self.root],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=mqc_env()) for _ in range(2)]
        outs = [p.communicate(timeout=common.TIMEOUT) for p in procs]
        self.assertEqual([p.returncode for p in procs], [1, 1], outs)   # the clip fails
        stdout = "".join(o for o, _ in outs)
        self.assertEqual(stdout.count("report of this version already stored"), 1, outs)
        self.assertIn("claimed by another worker", "".join(e for _, e in outs))
        self.assertFalse(os.path.exists(report + ".claim"))

        # a holder killed mid-job: the kernel drops its lock, the next run proceeds
        os.unlink(report)
        victim = subprocess.Popen([common.MEDIAQC, "event", path, "--root", self.root],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env=mqc_env())
        try:
            wait_for("the claim", lambda: os.path.exists(report + ".claim"), step=0.01)
        finally:
            victim.kill()
            victim.wait()
        self.assertFalse(os.path.exists(report), "finished before the kill: make it slower")
        self.assertTrue(os.path.exists(report + ".claim"))   # left behind, unlocked
        p = mediaqc("event", path, "--root", self.root)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertNotIn("claimed by", p.stderr)
        self.assertNotIn("already stored", p.stdout)
        self.assertEqual(load(report)["run"]["trigger"]["etag"], "e1")
        self.assertFalse(os.path.exists(report + ".claim"))

    def test_object_storage_claims_wait_for_a_live_holder_and_take_over_stale_ones(self):
        claim_key = "qc-reports/claim/clean.mov.json.claim"
        SVC.put("claim/clean.mov", read(common.clip_path(CLEAN)))
        doc = event(("ObjectCreated:Put", BUCKET, "claim/clean.mov", {}))
        # a process on another host, 57 s into its 60 s lease: live 3 s more
        SVC.put(claim_key, json.dumps({"token": "elsewhere:7:1", "host": "elsewhere", "pid": 7,
                                       "time": int(time.time()) - 57, "lease_s": 60}).encode())
        start = time.time()
        p = mediaqc("event", "-", stdin=doc)
        took = time.time() - start
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(claim_key.split("/", 1)[1] + ": claimed by elsewhere:7; waiting", p.stderr)
        self.assertIn("taking over the stale claim of elsewhere:7", p.stderr)
        self.assertGreater(took, 2)
        self.assertEqual(SVC.report("claim/clean.mov")["verdict"], "pass")
        self.assertNotIn(claim_key, SVC.list_keys("qc-reports/claim/"))
        # a dead process on this host holds nothing: taken over at once
        dead = subprocess.Popen(["true"])
        dead.wait()
        SVC.put("claim/clean.mov", read(common.clip_path(CLEAN)) + b"\0")   # a new version
        SVC.put(claim_key, json.dumps({"token": "x", "host": socket.gethostname(),
                                       "pid": dead.pid, "time": int(time.time()),
                                       "lease_s": 60}).encode())
        p = mediaqc("event", "-", stdin=doc)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("waiting", p.stderr)
        self.assertIn("taking over the stale claim of %s:%d" % (socket.gethostname(), dead.pid),
                      p.stderr)
        self.assertNotIn(claim_key, SVC.list_keys("qc-reports/claim/"))

    def test_rules_choose_the_profile(self):
        rules = os.path.join(FIXTURES, "rules.json")
        for key in ("camera/A001C003.MOV", "editorial/cut.mov", "deliverables/master.mov"):
            self.place("studio", key, CLEAN)
        self.place("archive", "camera/x.mov", CLEAN)
        rec = lambda b, k: ("ObjectCreated:Put", b, k, {})  # noqa: E731
        p = mediaqc("event", "--root", self.root, "--rules", rules,
                    stdin=event(rec("studio", "camera/A001C003.MOV"),
                                rec("studio", "editorial/cut.mov"),
                                rec("studio", "deliverables/master.mov"),
                                rec("archive", "camera/x.mov")))
        self.assertIn(p.returncode, (0, 1), p.stderr)

        def chosen(bucket, key):
            r = load(os.path.join(self.root, bucket, "qc-reports", key + ".json"))
            return r["profile"]["name"], r["run"]["trigger"]["rule"]
        self.assertEqual(chosen("studio", "camera/A001C003.MOV"),
                         ("camera-original", "camera originals"))
        self.assertEqual(chosen("studio", "deliverables/master.mov"),
                         ("broadcast-hd", "deliverables"))
        self.assertEqual(chosen("studio", "editorial/cut.mov"), ("base", "default"))
        self.assertEqual(chosen("archive", "camera/x.mov"), ("base", "default"))

    def test_bad_rules_name_the_file_and_json_path(self):
        cases = [({"rules": [{"prefix": "a/", "profile": "no-such-profile"}]},
                  "rules[0].profile:"),
                 ({"rules": [{"prefix": "a/"}]}, "rules[0].profile: missing"),
                 ({"rules": [{"profile": "base"}]}, "rules[0]: needs at least one of"),
                 ({"rules": [{"prefix": "a/", "profile": "base", "sufix": ".mov"}]},
                  "rules[0].sufix: unknown key"),
                 ({"rules": {}}, "rules: expected an array"),
                 ({"default_profile": 3}, "default_profile: expected a non-empty string"),
                 ({"defaults": "base"}, "defaults: unknown key")]
        for doc, message in cases:
            path = os.path.join(self.root, "rules.json")
            with open(path, "w") as f:
                json.dump(doc, f)
            p = mediaqc("event", "--root", self.root, "--rules", path, stdin="{}")
            self.assertEqual(p.returncode, 2, doc)
            self.assertIn(path + ": " + message, p.stderr, doc)


class DirectReadTest(unittest.TestCase):
    def test_s3_http_and_presigned_reads_give_the_local_report(self):
        clip = big_prores()
        data = read(clip)
        key = "masters/big clip+1.mov"
        SVC.put(key, data)
        shutil.copy(clip, os.path.join(SVC.www, "big.mov"))
        local = common.run(["check", clip, "--quiet"]).report
        self.assertGreater(local["summary"]["frames_analyzed"], 0)
        outdir = tempfile.mkdtemp(dir=WORK)
        for url in ("s3://%s/%s" % (BUCKET, key),
                    "http://127.0.0.1:%d/big.mov" % SVC.http_port,
                    SVC.presign(key)):
            out = os.path.join(outdir, "r.json")
            p = mediaqc("check", url, "-o", out, "--quiet")
            self.assertEqual(p.returncode, 0 if local["verdict"] == "pass" else 1, p.stderr)
            remote = load(out)
            self.assertEqual(remote["input"]["size_bytes"], local["input"]["size_bytes"], url)
            self.assertEqual(comparable(remote), comparable(local), url)
            # a presigned URL's query is a credential: not in the report
            self.assertNotIn("X-Amz-Signature", json.dumps(remote))
        # nginx counted what it sent: each byte about once, despite the seek to the moov
        # atom at the end and back (and the read-ahead)
        sent = SVC.http_bytes_sent("big.mov")
        self.assertGreaterEqual(sent, len(data))
        self.assertLessEqual(sent, len(data) * 1.05, "re-downloaded: %d of %d" % (sent, len(data)))

    def test_mhl_verifies_an_s3_object_from_one_read(self):
        """--mhl on s3://: the file hash comes from the bytes read for the
        demuxer (moov atom at the end: a seek there and back), not from a
        second download."""
        clip = big_prores()
        data = read(clip)
        md5 = hashlib.md5(data).hexdigest()
        key = "day1/A001/big clip.mov"
        SVC.put(key, data)
        tmp = tempfile.mkdtemp(dir=WORK)
        profile = os.path.join(tmp, "checksum-only.json")
        with open(profile, "w") as f:
            json.dump({"name": "checksum-only", "checks": {"checksum": {}}}, f)
        env = dict(mqc_env(), MEDIAQC_REMOTE_LOG="1")
        wrong = "0123456789abcdef0123456789abcdef"
        for digest, code in ((md5, 0), (wrong, 1)):
            with self.subTest(mhl=digest):
                mhl = os.path.join(tmp, "day1.mhl")
                with open(mhl, "w") as f:
                    f.write(MHL % ("A001/big clip.mov", len(data), digest))
                out = os.path.join(tmp, "r.json")
                p = mediaqc("check", "s3://%s/%s" % (BUCKET, key), "--mhl", mhl, "--profile",
                            profile, "-o", out, "--quiet", env=env)
                self.assertEqual(p.returncode, code, p.stderr)
                c = [c for c in load(out)["checks"] if c["id"] == "checksum"][0]
                m = c["metrics"]
                self.assertEqual((m["file_hash_algorithm"], m["file_hash"], m["mhl_hash"]),
                                 ("md5", md5, digest))
                self.assertEqual(m["file_bytes_hashed"], len(data))
                self.assertEqual([e["code"] for e in c["events"]],
                                 [] if code == 0 else ["file_hash_mismatch"])
                if code:
                    self.assertIn(wrong, c["events"][0]["message"])
                    self.assertIn(md5, c["events"][0]["message"])
                # the object came down about once, the hash included
                got = sum(int(line.rsplit("(", 1)[1].split()[0])
                          for line in p.stderr.splitlines()
                          if line.startswith("mediaqc: remote GET"))
                self.assertGreaterEqual(got, len(data))
                self.assertLessEqual(got, len(data) * 1.05, "%d of %d" % (got, len(data)))

    def test_event_without_root_reads_and_writes_object_storage(self):
        key = "shows/ep 1/reel+2.mov"
        etag = SVC.put(key, read(common.clip_path(CLEAN)))
        doc = event(("ObjectCreated:Put", BUCKET, s3_key(key),
                     {"size": os.path.getsize(common.clip_path(CLEAN)), "eTag": etag}))
        p = mediaqc("event", "-", stdin=doc)
        self.assertEqual(p.returncode, 0, p.stderr)
        rep = SVC.report(key)
        self.assertIsNotNone(rep, p.stdout + p.stderr)
        self.assertEqual(rep["input"]["path"], "s3://%s/%s" % (BUCKET, key))
        self.assertEqual(rep["run"]["trigger"]["etag"], etag)
        local = common.run(["check", common.clip_path(CLEAN), "--quiet"]).report
        self.assertEqual(comparable(rep), comparable(local))
        self.assertNotIn(SESSION_TOKEN, json.dumps(rep))
        status, html = SVC.get("qc-reports/" + key + ".html")
        self.assertEqual(status, 200)
        self.assertIn(b"<html", html)
        self.assertNotIn(SESSION_TOKEN.encode(), html)
        # same object version again: the stored report is reused, not redone
        p = mediaqc("event", "-", stdin=doc)
        self.assertEqual(p.returncode, 0)
        self.assertIn("already stored", p.stdout)
        self.assertEqual(SVC.report(key)["run"], rep["run"])
        # a configurable prefix
        p = mediaqc("event", "-", "--report-prefix", "qc/v2/", stdin=doc)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIsNotNone(SVC.report(key, prefix="qc/v2/"))

    def test_remote_errors_are_clear(self):
        p = mediaqc("check", "s3://%s/no/such.mov" % BUCKET)
        self.assertEqual(p.returncode, 2)
        self.assertIn("s3://media/no/such.mov: not found (HTTP 404", p.stderr)
        p = mediaqc("check", "s3://no-such-bucket/a.mov")
        self.assertEqual(p.returncode, 2)
        self.assertIn("HTTP 404", p.stderr)
        SVC.put("denied.mov", read(common.clip_path(CLEAN)))
        env = mqc_env()
        env["AWS_ACCESS_KEY_ID"] = "UNKNOWNKEY"
        p = mediaqc("check", "s3://%s/denied.mov" % BUCKET, env=env)
        self.assertEqual(p.returncode, 3)
        self.assertIn("access denied (HTTP 403", p.stdout + p.stderr)
        self.assertNotIn("UNKNOWNKEY", p.stdout + p.stderr)
        p = mediaqc("check", "http://127.0.0.1:%d/missing.mov" % SVC.http_port)
        self.assertEqual(p.returncode, 2)
        self.assertIn("HTTP 404", p.stderr)
        p = mediaqc("check", "http://127.0.0.1:%d/x.mov" % free_port())
        self.assertEqual(p.returncode, 3)
        self.assertIn("127.0.0.1", p.stdout + p.stderr)
        # (nginx: s3rver answers a range of an empty object with a body it never sends)
        open(os.path.join(SVC.www, "empty.mov"), "wb").close()
        p = mediaqc("check", "http://127.0.0.1:%d/empty.mov" % SVC.http_port)
        self.assertEqual(p.returncode, 3)
        self.assertIn("empty", p.stdout + p.stderr)
        p = mediaqc("check", "s3://Bad_Bucket!/a.mov")
        self.assertEqual(p.returncode, 2)
        self.assertIn("invalid bucket name", p.stderr)


class Worker:
    def __init__(self, queue, *extra, threads=1, env=None):
        self.log = tempfile.NamedTemporaryFile(dir=WORK, suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            [common.MEDIAQC, "worker", "--amqp", SVC.amqp_url, "--queue", queue,
             "--results-exchange", queue + ".results", "--threads", str(threads)] + list(extra),
            stdout=self.log, stderr=subprocess.STDOUT, env=env or mqc_env())

    def output(self):
        with open(self.log.name) as f:
            return f.read()

    def stop(self):
        # a signal before the handlers are installed would just kill it
        wait_for("the worker to start", lambda: "consuming" in self.output()
                 or self.proc.poll() is not None)
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=WAIT)
        out = self.output()
        for mark in common.SANITIZER_MARKS:
            assert mark not in out, out
        assert SESSION_TOKEN not in out and "guest:guest" not in out
        return code, out


class Broker:
    """Test-side view of a job queue: publish jobs, collect results and dead letters."""

    def __init__(self, queue):
        self.queue = queue
        self.conn = SVC.amqp()
        self.ch = self.conn.channel()
        for q in (queue, queue + ".dead"):
            self.ch.queue_declare(q, durable=True)
        self.ch.exchange_declare(queue + ".results", "topic", durable=True)
        self.results_q = self.ch.queue_declare("", exclusive=True).method.queue
        self.ch.queue_bind(self.results_q, queue + ".results", "#")

    def publish(self, body):
        self.ch.basic_publish("", self.queue, body,
                              pika.BasicProperties(delivery_mode=2))

    def drain(self, queue):
        out = []
        while True:
            method, props, body = self.ch.basic_get(queue, auto_ack=True)
            if not method:
                return out
            out.append((method, props, body))

    def wait_results(self, n, timeout=WAIT):
        got = []
        end = time.time() + timeout
        while len(got) < n and time.time() < end:
            got += [(m.routing_key, json.loads(b)) for m, _, b in self.drain(self.results_q)]
            time.sleep(0.05)
        return got

    def ready(self):
        return self.ch.queue_declare(self.queue, durable=True, passive=True).method.message_count

    def close(self):
        self.conn.close()


class WorkerTest(unittest.TestCase):
    def test_two_workers_results_retries_and_dead_letters(self):
        q = "jobs-main"
        broker = Broker(q)
        objects = {}
        for i in range(4):
            key = "batch/clean %d.mov" % i
            objects[key] = ("pass", SVC.put(key, read(common.clip_path(CLEAN))))
        objects["batch/defects.mov"] = ("fail", SVC.put("batch/defects.mov",
                                                        read(common.clip_path(DEFECTS))))
        corrupt_etag = SVC.put("batch/corrupt.mov", b"\x00\x00\x00\x18ftypqt  " + os.urandom(50000))
        workers = [Worker(q, "--max-retries", "2"), Worker(q, "--max-retries", "2")]
        try:
            for key, (_, etag) in objects.items():
                broker.publish(event(("ObjectCreated:Put", BUCKET, s3_key(key), {"eTag": etag})))
            broker.publish(event(("ObjectCreated:Put", BUCKET, "batch/corrupt.mov",
                                  {"eTag": corrupt_etag})))
            broker.publish("this is not an event")
            results = broker.wait_results(len(objects) + 1)
            dead = wait_for("two dead letters", lambda: broker.drain(q + ".dead"), step=0.1)
            if len(dead) < 2:
                dead += wait_for("the second dead letter", lambda: broker.drain(q + ".dead"))
        finally:
            codes = [w.stop() for w in workers]
        for code, out in codes:
            self.assertEqual(code, 0, out)
            self.assertIn("worker stopped", out)
        # both workers took jobs
        self.assertTrue(all("batch/" in out for _, out in codes), codes)
        by_key = {r["key"]: (rk, r) for rk, r in results}
        for key, (verdict, etag) in objects.items():
            rk, r = by_key[key]
            self.assertEqual((rk, r["verdict"], r["etag"]), ("qc." + verdict, verdict, etag))
            self.assertEqual(r["report"], "s3://%s/qc-reports/%s.json" % (BUCKET, key))
            rep = SVC.report(key)
            self.assertEqual(rep["verdict"], verdict)
            self.assertEqual(rep["run"]["trigger"]["etag"], etag)
        # the corrupt object: tried 1 + 2 times, then dead-lettered with the error
        rk, r = by_key["batch/corrupt.mov"]
        self.assertEqual((rk, r["exit_code"]), ("qc.error", 3))
        self.assertEqual(len(dead), 2)
        dl = {b: p.headers for _, p, b in dead}
        corrupt = [h for b, h in dl.items() if b"corrupt" in b][0]
        self.assertEqual(corrupt["x-mediaqc-attempts"], 3)
        self.assertIn("batch/corrupt.mov", corrupt["x-mediaqc-error"])
        junk = dl[b"this is not an event"]
        self.assertEqual(junk["x-mediaqc-attempts"], 1)   # malformed: no retries
        self.assertIn("invalid JSON", junk["x-mediaqc-error"])
        self.assertEqual(broker.ready(), 0)
        broker.close()

    def test_sigkill_mid_job_redelivers_and_gives_one_report(self):
        q = "jobs-kill"
        broker = Broker(q)
        key = "kill/slow clip.mkv"
        etag = SVC.put(key, read(slow_ffv1()))
        broker.publish(event(("ObjectCreated:Put", BUCKET, s3_key(key), {"eTag": etag})))
        first = Worker(q)
        try:
            wait_for("the first worker to take the job", lambda: broker.ready() == 0, step=0.02)
            time.sleep(1.5)   # into the job: past the claim's settling second, decoding
            first.proc.kill()
            first.proc.wait(timeout=WAIT)
        finally:
            if first.proc.poll() is None:
                first.proc.kill()
        self.assertIsNone(SVC.report(key), "the job finished before the kill: make it slower")
        second = Worker(q)
        try:
            results = broker.wait_results(1)
        finally:
            code, out = second.stop()
        self.assertEqual(code, 0, out)
        self.assertEqual(len(results), 1, out)
        self.assertFalse(results[0][1]["reused"])
        rep = SVC.report(key)
        self.assertEqual(rep["run"]["trigger"]["etag"], etag)
        self.assertEqual(SVC.list_keys("qc-reports/kill/"),
                         ["qc-reports/" + key + ".html", "qc-reports/" + key + ".json"])
        local = common.run(["check", slow_ffv1(), "--quiet"]).report
        self.assertEqual(comparable(rep), comparable(local))

        # the same version published again (a redelivery after the report was stored
        # but before the ack looks the same): reused, same report, one object
        third = Worker(q)
        try:
            broker.publish(event(("ObjectCreated:Put", BUCKET, s3_key(key), {"eTag": etag})))
            again = broker.wait_results(1)
        finally:
            code, out = third.stop()
        self.assertEqual(code, 0, out)
        self.assertTrue(again[0][1]["reused"], out)
        self.assertEqual(SVC.report(key)["run"], rep["run"])
        broker.close()

    def test_sigterm_mid_job_finishes_the_job_then_exits(self):
        q = "jobs-term"
        broker = Broker(q)
        key = "term/slow.mkv"
        etag = SVC.put(key, read(slow_ffv1()))
        w = Worker(q)
        wait_for("the worker to consume", lambda: "consuming" in w.output())
        broker.publish(event(("ObjectCreated:Put", BUCKET, key, {"eTag": etag})))
        wait_for("the worker to take the job", lambda: broker.ready() == 0, step=0.02)
        time.sleep(0.3)
        self.assertIsNone(SVC.report(key), "the job finished before SIGTERM: make it slower")
        code, out = w.stop()
        self.assertEqual(code, 0, out)
        self.assertIn("worker stopped", out)
        self.assertEqual(SVC.report(key)["run"]["trigger"]["etag"], etag)
        self.assertEqual(len(broker.wait_results(1)), 1)
        self.assertEqual(broker.ready(), 0)   # acked, not requeued
        broker.close()

    def test_frozen_broker_exits_promptly_and_the_result_is_published_once(self):
        """The broker is stopped with SIGSTOP while a job runs: the worker's
        publish/ack/commit meet a frozen broker. It must exit 3 within its
        --broker-timeout (before: poll(-1) forever in channel close), and the
        job must end with exactly one result message (before: the redelivered
        job published its result a second time)."""
        q = "jobs-frozen"
        broker = Broker(q)
        key = "frozen/slow.mkv"
        etag = SVC.put(key, read(slow_ffv1()))
        # MEDIAQC_REMOTE_LOG: the worker's first request to s3rver says that it
        # has the whole message and runs the job (a freeze in the middle of a
        # delivery is a broker failure too: the worker would exit before the job)
        w = Worker(q, "--broker-timeout", "2", env=dict(mqc_env(), MEDIAQC_REMOTE_LOG="1"))
        wait_for("the worker to consume", lambda: "consuming" in w.output())
        broker.publish(event(("ObjectCreated:Put", BUCKET, key, {"eTag": etag})))
        wait_for("the worker to start the job", lambda: "remote GET" in w.output(), step=0.02)
        self.assertIsNone(SVC.report(key), "the job finished before the freeze: make it slower")
        os.killpg(SVC.rabbit.pid, signal.SIGSTOP)   # the broker's whole process group
        try:
            # s3rver is not frozen: the job finishes and stores its report, then
            # its results, ack and commit meet the frozen broker
            try:
                stored = wait_for("the job's report", lambda: SVC.report(key),
                                  timeout=common.TIMEOUT, step=0.05)
            except AssertionError as e:
                raise AssertionError("%s; worker:\n%s" % (e, w.output())) from e
            start = time.time()
            code = w.proc.wait(timeout=WAIT)
            took = time.time() - start   # the 2 s deadline; never the 30 s default
        finally:
            os.killpg(SVC.rabbit.pid, signal.SIGCONT)
            if w.proc.poll() is None:
                w.proc.kill()
                w.proc.wait()
        out = w.output()
        self.assertEqual(code, 3, out)
        self.assertIn("no answer within 2 s (broker frozen or unreachable)", out)
        self.assertNotIn("guest:guest", out)
        self.assertLess(took, 15, out)
        # the broker is back: whether it committed the frozen transaction or
        # dropped it with the connection, the job ends with one result
        second = Worker(q)
        try:
            results = broker.wait_results(1)
            results += broker.wait_results(1, timeout=4)   # a duplicate would come now
        finally:
            code2, out2 = second.stop()
        self.assertEqual(code2, 0, out2)
        self.assertEqual(len(results), 1, (results, out, out2))
        self.assertEqual((results[0][1]["key"], results[0][1]["verdict"]), (key, stored["verdict"]))
        self.assertEqual(broker.ready(), 0)   # acked once, nothing requeued
        self.assertEqual(SVC.report(key)["run"], stored["run"])   # not analysed again
        broker.close()

    def test_one_event_delivered_twice_at_once_is_analysed_once(self):
        """Two workers get the same event at the same moment: one claims the
        job and analyses, the other waits for its report and reuses it (before:
        both analysed and stored the report)."""
        q = "jobs-dup"
        broker = Broker(q)
        key = "dup/slow clip.mkv"
        etag = SVC.put(key, read(slow_ffv1()))
        env = dict(mqc_env(), MEDIAQC_REMOTE_LOG="1")   # every request on stderr
        workers = [Worker(q, env=env), Worker(q, env=env)]
        try:
            for w in workers:
                wait_for("the workers to consume", lambda: "consuming" in w.output())
            body = event(("ObjectCreated:Put", BUCKET, s3_key(key), {"eTag": etag}))
            broker.publish(body)
            broker.publish(body)
            results = broker.wait_results(2)
        finally:
            codes = [w.stop() for w in workers]
        for code, out in codes:
            self.assertEqual(code, 0, out)
        logs = "".join(out for _, out in codes)
        self.assertEqual(sorted(r["reused"] for _, r in results), [False, True], logs)
        self.assertTrue(all(out.count("remote GET") for _, out in codes), logs)   # both took one
        report_put = "remote PUT s3://%s/qc-reports/%s.json " % (BUCKET, key)
        self.assertEqual(logs.count(report_put), 1, logs)   # one analysis, one report
        self.assertIn(".json.claim: claimed by ", logs)
        self.assertEqual(SVC.list_keys("qc-reports/dup/"),   # the claim is gone
                         ["qc-reports/" + key + ".html", "qc-reports/" + key + ".json"])
        broker.close()

    def test_sigterm_while_idle_and_bad_options(self):
        w = Worker("jobs-idle")
        wait_for("the worker to consume", lambda: "consuming" in w.output())
        code, out = w.stop()
        self.assertEqual(code, 0, out)
        p = mediaqc("worker", "--amqp", "amqp://guest:hunter2@127.0.0.1:%d/" % free_port())
        self.assertEqual(p.returncode, 3)
        self.assertIn("cannot connect", p.stderr)
        self.assertNotIn("hunter2", p.stderr)
        p = mediaqc("worker", "--amqp", "http://nope")
        self.assertEqual(p.returncode, 2)
        p = mediaqc("worker", "--amqp", SVC.amqp_url, "--max-retries", "-1")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--max-retries", p.stderr)
        p = mediaqc("worker", "--amqp", SVC.amqp_url, "--broker-timeout", "0")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--broker-timeout", p.stderr)


class WatchTest(unittest.TestCase):
    def test_a_slowly_written_file_is_qcd_once_when_complete(self):
        folder = tempfile.mkdtemp(prefix="watch-", dir=WORK)
        data = read(common.clip_path(CLEAN))
        name = "incoming/reel 1.mov"
        report = os.path.join(folder, "qc-reports", name + ".json")
        os.makedirs(os.path.join(folder, "incoming"))
        log = tempfile.NamedTemporaryFile(dir=WORK, suffix=".log", delete=False)
        watcher = subprocess.Popen([common.MEDIAQC, "watch", folder, "--interval", "0.4"],
                                   stdout=log, stderr=subprocess.STDOUT, env=mqc_env())
        try:
            with open(os.path.join(folder, name), "wb") as f:
                chunks = 10
                for i in range(chunks):
                    f.write(data[i * len(data) // chunks:(i + 1) * len(data) // chunks])
                    f.flush()
                    time.sleep(0.15)
                    self.assertFalse(os.path.exists(report), "QC'd while being written")
            wait_for("the report", lambda: os.path.exists(report))
            time.sleep(1.5)   # several more polls: nothing new
        finally:
            watcher.send_signal(signal.SIGTERM)
            code = watcher.wait(timeout=WAIT)
        out = read(log.name).decode()
        for mark in common.SANITIZER_MARKS:
            self.assertNotIn(mark, out)
        self.assertEqual(code, 0, out)
        self.assertEqual(out.count("reel 1.mov: "), 1, out)
        rep = load(report)
        self.assertEqual(rep["input"]["size_bytes"], len(data))
        self.assertEqual(rep["verdict"], "pass")
        local = common.run(["check", common.clip_path(CLEAN), "--quiet"]).report
        self.assertEqual(comparable(rep), comparable(local))
        # restarted: the state file remembers it
        p = mediaqc("watch", folder, "--once", "--interval", "0.2")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("reel 1.mov", p.stdout)
        # a new version is QC'd again; a hidden (partial upload) file is not
        with open(os.path.join(folder, name), "wb") as f:
            f.write(read(common.clip_path(DEFECTS)))
        with open(os.path.join(folder, "incoming", ".partial.mov"), "wb") as f:
            f.write(data)
        p = mediaqc("watch", folder, "--once", "--interval", "0.2")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(p.stdout.count("reel 1.mov: FAIL"), 1, p.stdout)
        self.assertNotIn("partial", p.stdout)
        self.assertEqual(load(report)["verdict"], "fail")

    def test_sidecars_are_not_qcd_and_rules_choose_what_is_media(self):
        """issue 13.9: notes.txt beside a master gave an exit-3 error report"""
        folder = tempfile.mkdtemp(prefix="watch-", dir=WORK)
        data = read(common.clip_path(CLEAN))
        for name, body in (("reel1.mov", data), ("notes.txt", b"grade notes\n"),
                           ("reel1.mhl", b"<hashlist/>"), ("proxies/reel1.mov", data)):
            os.makedirs(os.path.dirname(os.path.join(folder, name)), exist_ok=True)
            with open(os.path.join(folder, name), "wb") as f:
                f.write(body)
        p = mediaqc("watch", folder, "--once", "--interval", "0.1")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        reports = os.path.join(folder, "qc-reports")
        self.assertTrue(os.path.exists(os.path.join(reports, "reel1.mov.json")))
        self.assertTrue(os.path.exists(os.path.join(reports, "proxies", "reel1.mov.json")))
        for sidecar in ("notes.txt", "reel1.mhl"):
            self.assertFalse(os.path.exists(os.path.join(reports, sidecar + ".json")), sidecar)
        # a rules file takes only what it includes and skips what it excludes
        folder2 = tempfile.mkdtemp(prefix="watch-", dir=WORK)
        for name in ("a.mov", "b.mp4", "proxies/c.mov"):
            os.makedirs(os.path.dirname(os.path.join(folder2, name)), exist_ok=True)
            with open(os.path.join(folder2, name), "wb") as f:
                f.write(data)
        rules = os.path.join(WORK, "media-rules.json")
        with open(rules, "w") as f:
            json.dump({"include": ["*.mov"], "exclude": ["proxies/*"], "rules": []}, f)
        p = mediaqc("watch", folder2, "--once", "--interval", "0.1", "--rules", rules)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        got = sorted(os.path.relpath(os.path.join(d, f), os.path.join(folder2, "qc-reports"))
                     for d, _, fs in os.walk(os.path.join(folder2, "qc-reports"))
                     for f in fs if f.endswith(".json") and not f.startswith("."))
        self.assertEqual(got, ["a.mov.json"])
        with open(rules, "w") as f:
            json.dump({"include": "*.mov", "rules": []}, f)
        p = mediaqc("watch", folder2, "--once", "--rules", rules)
        self.assertEqual(p.returncode, 2)
        self.assertIn("include: expected an array of patterns", p.stderr)

    def test_corrupt_state_file_is_reported(self):
        folder = tempfile.mkdtemp(prefix="watch-", dir=WORK)
        os.makedirs(os.path.join(folder, "qc-reports"))
        state = os.path.join(folder, "qc-reports", ".mediaqc-watch.json")
        # not an object; sizes no file has (a conversion once undefined)
        for text in ('{"processed": [1]}',
                     '{"processed": {"a.mov": {"size": 1e300, "mtime_ns": "1"}}}',
                     '{"processed": {"a.mov": {"size": -5, "mtime_ns": "1"}}}'):
            with self.subTest(text):
                with open(state, "w") as f:
                    f.write(text)
                p = mediaqc("watch", folder, "--once", "--interval", "0.1")
                self.assertEqual(p.returncode, 2)
                self.assertIn(state, p.stderr)
                self.assertNotIn("runtime error", p.stderr)


if __name__ == "__main__":
    unittest.main()
