#!/usr/bin/env python3
"""Installable (issue 12, part 6): `cpack -G DEB` builds the package, its files
are extracted into a temporary root (`dpkg-deb -x`, nothing installed on the
machine), and the installed program runs the demo from `/`: it finds its
profiles and OCIO config beside itself, its reports match the build tree's and
the installed JSON Schemas, and name neither the build nor the source tree.

Environment (set by CTest, see tests/CMakeLists.txt): MEDIAQC, MQC_MEDIA,
MQC_SOURCE_DIR, MQC_BUILD_DIR, MQC_CPACK (the cpack of the CMake that
configured the build).
"""
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import common

BUILD = os.path.realpath(os.environ.get("MQC_BUILD_DIR", os.path.dirname(common.MEDIAQC)))
SOURCE = os.path.realpath(common.SOURCE)
CPACK = os.environ.get("MQC_CPACK") or "cpack"
DEFECTS, CLEAN = "prores_10bit_422.mov", "prores_10bit_422_clean.mov"
# The runtime libraries named in the issue (Debian 12 package names); the test
# also derives the list from the binary itself, so a new library cannot be missed.
EXPECTED_DEPENDS = {"libavcodec59", "libavformat59", "libavutil57", "libswscale6", "libcjson1",
                    "libopencolorio2.1", "libxxhash0", "libpng16-16", "libxml2", "libcurl4",
                    "librabbitmq4", "libgomp1"}


def sh(argv, **kw):
    kw.setdefault("timeout", 600)
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def clean_env():
    """No variable that would point the program at data outside its install."""
    env = dict(os.environ)
    for k in ("MEDIAQC_PROFILE_PATH", "OCIO"):
        env.pop(k, None)
    return env


def owner_package(path):
    """The Debian package that installed `path` (usrmerge: either spelling)."""
    variants = [path, os.path.realpath(path)]
    variants += ["/usr" + p for p in list(variants) if not p.startswith("/usr/")]
    variants += [p[4:] for p in list(variants) if p.startswith("/usr/")]
    for p in variants:
        r = sh(["dpkg-query", "-S", p])
        if r.returncode == 0:
            return r.stdout.split(":")[0].split(",")[0].strip()
    raise AssertionError("no installed package owns %s" % path)


class DebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-install-")
        pkgdir = os.path.join(cls.tmp, "pkg")
        p = sh([CPACK, "-G", "DEB", "--config", os.path.join(BUILD, "CPackConfig.cmake"),
                "-B", pkgdir])
        if p.returncode:
            raise AssertionError("cpack failed:\n%s%s" % (p.stdout, p.stderr))
        debs = glob.glob(os.path.join(pkgdir, "*.deb"))
        assert len(debs) == 1, debs
        cls.deb = debs[0]
        cls.root = os.path.join(cls.tmp, "root")
        p = sh(["dpkg-deb", "-x", cls.deb, cls.root])
        assert p.returncode == 0, p.stderr
        cls.exe = os.path.join(cls.root, "usr", "bin", "mediaqc")
        cls.share = os.path.join(cls.root, "usr", "share", "mediaqc")
        # inputs and outputs outside the build tree, so any build path in a
        # report can only come from the program
        cls.work = os.path.join(cls.tmp, "work")
        os.makedirs(cls.work)
        for name in (DEFECTS, CLEAN):
            shutil.copy(common.clip_path(name), cls.work)

    def field(self, name):
        return sh(["dpkg-deb", "-f", self.deb, name]).stdout.strip()

    def run_installed(self, args, exe=None):
        p = sh([exe or self.exe] + args, cwd="/", env=clean_env(), timeout=common.TIMEOUT)
        for mark in common.SANITIZER_MARKS:
            self.assertNotIn(mark, p.stderr)
        return p

    def assert_no_tree_paths(self, text, what):
        for tree in (BUILD, SOURCE):
            self.assertNotIn(tree, text, "%s names the build or source tree" % what)

    # -- the package --

    def test_package_metadata(self):
        self.assertEqual(self.field("Package"), "mediaqc")
        self.assertEqual(self.field("Version"), sh([common.MEDIAQC, "version"]).stdout.split()[1])
        arch = sh(["dpkg", "--print-architecture"]).stdout.strip()
        self.assertEqual(self.field("Architecture"), arch)

    def test_files_under_usr(self):
        listing = sh(["dpkg-deb", "-c", self.deb]).stdout
        files = {line.split()[-1].lstrip(".") for line in listing.splitlines()
                 if line.startswith("-")}
        profiles = {os.path.basename(p) for p in glob.glob(os.path.join(SOURCE, "profiles", "*.json"))}
        schemas = {os.path.basename(p) for p in glob.glob(os.path.join(SOURCE, "schemas", "*.json"))}
        want = {"/usr/bin/mediaqc", "/usr/share/man/man1/mediaqc.1",
                "/usr/share/mediaqc/profiles/ocio/config.ocio",
                "/usr/share/mediaqc/templates/report.html"}
        want |= {"/usr/share/mediaqc/profiles/" + p for p in profiles}
        want |= {"/usr/share/mediaqc/schemas/" + s for s in schemas}
        self.assertEqual(files, want)
        self.assertEqual(len(schemas), 4)   # report, frame, profile, diff

    def test_depends_names_every_library_the_binary_needs(self):
        depends = self.field("Depends")
        names = {d.split("(")[0].strip() for d in depends.split(",")}
        # ground truth: the binary's NEEDED entries, resolved by the loader,
        # mapped to the packages that installed them
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]",
                            sh(["readelf", "-d", self.exe]).stdout)
        self.assertIn("libavcodec.so.59", needed)
        resolved = dict(re.findall(r"^\s*(\S+) => (/\S+)", sh(["ldd", self.exe]).stdout, re.M))
        for lib in needed:
            self.assertIn(lib, resolved, "the loader cannot find %s" % lib)
            self.assertIn(owner_package(resolved[lib]), names,
                          "Depends lacks the package of %s: %s" % (lib, depends))
        self.assertLessEqual(EXPECTED_DEPENDS, names, depends)
        # each dependency is a real package and this machine satisfies it
        for dep in depends.split(","):
            m = re.match(r"^\s*([a-z0-9][a-z0-9.+-]+)(?:\s*\(\s*(>=|<=|=|>>|<<)\s*(\S+)\s*\))?\s*$",
                         dep)
            self.assertIsNotNone(m, "unparsable dependency %r" % dep)
            q = sh(["dpkg-query", "-W", "-f", "${Version}", m.group(1)])
            self.assertEqual(q.returncode, 0, "%s is not an installed package" % m.group(1))
            if m.group(2):
                op = {">=": "ge", "<=": "le", "=": "eq", ">>": "gt", "<<": "lt"}[m.group(2)]
                self.assertEqual(sh(["dpkg", "--compare-versions", q.stdout, op,
                                     m.group(3)]).returncode, 0, dep)

    # -- the installed program, run from / --

    def test_demo_from_root_dir(self):
        for clip, code, verdict in ((DEFECTS, 1, "fail"), (CLEAN, 0, "pass")):
            out = os.path.join(self.work, clip + ".json")
            html = os.path.join(self.work, clip + ".html")
            p = self.run_installed(["check", os.path.join(self.work, clip), "-o", out,
                                    "--html", html, "--quiet"])
            self.assertEqual(p.returncode, code, p.stderr)
            with open(out) as f:
                text = f.read()
            report = common.validate(json.loads(text), "report", out,
                                     schema_dir=os.path.join(self.share, "schemas"))
            self.assertEqual(report["verdict"], verdict)
            self.assert_no_tree_paths(text, out)
            with open(html) as f:
                self.assert_no_tree_paths(f.read(), html)
            self.assert_no_tree_paths(p.stdout + p.stderr, "the summary")
            # the same report as the build tree's program gives
            mine = common.run(["check", os.path.join(self.work, clip), "--quiet"]).report
            self.assertEqual(common.stable(report), common.stable(mine), clip)

    def test_shipped_profile_and_ocio_config_found_beside_the_binary(self):
        out = os.path.join(self.work, "target.json")
        p = self.run_installed(["check", os.path.join(self.work, DEFECTS), "--profile",
                                "broadcast-hd", "--set", "gamut.target=P3-D65", "-o", out,
                                "--quiet"])
        self.assertEqual(p.returncode, 1, p.stderr)
        report = common.validate(common.load_report(out), "report", out,
                                 schema_dir=os.path.join(self.share, "schemas"))
        self.assertEqual(report["profile"]["source"],
                         os.path.join(self.share, "profiles", "broadcast-hd.json"))
        gamut = common.check(report, "gamut")
        self.assertEqual(gamut["metrics"]["ocio_config"],
                         os.path.join(self.share, "profiles", "ocio", "config.ocio"))
        self.assertEqual(common.check(report, "format")["status"], "fail")  # 640x360, not HD
        with open(out) as f:
            self.assert_no_tree_paths(f.read(), out)

    def test_profiles_list_and_show(self):
        p = self.run_installed(["profiles", "list"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(os.path.join(self.share, "profiles", "broadcast-hd.json"), p.stdout)
        self.assert_no_tree_paths(p.stdout, "profiles list")
        shown = json.loads(self.run_installed(["profiles", "show", "streaming-uhd"]).stdout)
        common.validate(shown, "profile", "profiles show streaming-uhd",
                        schema_dir=os.path.join(self.share, "schemas"))

    def test_found_through_a_symlink(self):
        link = os.path.join(self.tmp, "bin-link")
        os.makedirs(link, exist_ok=True)
        os.symlink(self.exe, os.path.join(link, "mediaqc"))
        p = self.run_installed(["profiles", "show", "base"], exe=os.path.join(link, "mediaqc"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["source"],
                         os.path.join(self.share, "profiles", "base.json"))

    def test_a_binary_without_its_share_dir_never_reads_the_source_tree(self):
        alone = os.path.join(self.tmp, "alone")
        os.makedirs(alone, exist_ok=True)
        shutil.copy(self.exe, alone)
        exe = os.path.join(alone, "mediaqc")
        p = self.run_installed(["check", os.path.join(self.work, CLEAN), "--profile",
                                "broadcast-hd"], exe=exe)
        self.assertEqual(p.returncode, 2)
        self.assertIn("broadcast-hd", p.stderr)
        p = self.run_installed(["check", os.path.join(self.work, CLEAN), "--set",
                                "gamut.target=P3-D65", "--quiet"], exe=exe)
        self.assertEqual(p.returncode, 2)
        self.assertIn("OCIO", p.stderr)
        self.assert_no_tree_paths(p.stdout + p.stderr, "a lone binary's messages")
        # the built-in default profile needs no file
        p = self.run_installed(["check", os.path.join(self.work, CLEAN), "--quiet"], exe=exe)
        self.assertEqual(p.returncode, 0, p.stderr)

    # -- the man page --

    def test_man_page_documents_every_command_and_flag(self):
        with open(os.path.join(self.root, "usr", "share", "man", "man1", "mediaqc.1")) as f:
            roff = f.read()
        text = roff.replace("\\-", "-").replace("\\fB", "").replace("\\fI", "").replace("\\fP", "")
        usage = sh([self.exe, "help"], cwd="/").stdout
        flags = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", usage))
        commands = set(re.findall(r"mediaqc ([a-z]+)", usage))
        self.assertIn("--profile", flags)
        self.assertIn("check", commands)
        for word in sorted(flags | commands):
            self.assertRegex(text, r"(?<![\w-])%s(?![\w-])" % re.escape(word),
                             "docs/mediaqc.1 does not mention %s (listed by `mediaqc help`)" % word)
        if shutil.which("groff"):
            p = sh(["groff", "-man", "-Tutf8", "-ww", "-z", os.path.join(
                self.root, "usr", "share", "man", "man1", "mediaqc.1")])
            self.assertEqual((p.returncode, p.stderr), (0, ""))


if __name__ == "__main__":
    unittest.main()
