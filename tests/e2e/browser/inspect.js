// Opens a mediaqc HTML report in headless Chromium (Debian's, driven by
// playwright-core) and prints what a person would see and what the page did,
// as JSON, for tests/e2e/e2e_reports.py to judge:
//   node inspect.js REPORT.html SCREENSHOT.png
// Environment: MQC_BROWSER_DIR (where setup-browser.sh put playwright-core),
// MQC_CHROMIUM (default /usr/bin/chromium).
"use strict";
const path = require("path");
const os = require("os");
const fs = require("fs");
const url = require("url");

const dir = process.env.MQC_BROWSER_DIR ||
  path.join(os.homedir(), ".cache", "mediaqc", "browser");
const { chromium } = require(path.join(dir, "node_modules", "playwright-core"));

async function main() {
  const [report, screenshot] = process.argv.slice(2);
  const pageUrl = url.pathToFileURL(path.resolve(report)).href;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "mqc-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.MQC_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run"],
    viewport: { width: 1400, height: 900 },
  });
  const out = { console: [], pageErrors: [], requests: [], dialogs: [] };
  const page = context.pages()[0] || await context.newPage();
  page.on("console", (m) => out.console.push({ type: m.type(), text: m.text() }));
  page.on("pageerror", (e) => out.pageErrors.push(String(e)));
  page.on("dialog", (d) => { out.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on("request", (r) => {
    const u = r.url();
    if (u !== pageUrl && !u.startsWith("data:")) out.requests.push(u);
  });
  try {
    await page.goto(pageUrl, { waitUntil: "load" });
    await page.waitForTimeout(300);   // let anything injected try to run

    if (screenshot)   // as a person first sees it, before any clicking
      await page.screenshot({ path: screenshot, fullPage: true });
    out.title = await page.title();
    out.verdict = await page.textContent("#verdict");
    out.fileName = await page.textContent("#file-name");
    out.filePath = await page.textContent("#file-path");
    out.errorsCount = await page.textContent("#n-errors");
    const rows = () => page.$$eval("#event-table tbody tr", (trs) => trs.map((tr) => ({
      id: tr.id, sev: tr.dataset.sev, check: tr.dataset.check, hidden: tr.hidden,
      code: tr.cells[3].textContent.trim(),
      startFrame: Number(tr.cells[4].dataset.v), endFrame: Number(tr.cells[5].dataset.v),
      startTc: tr.cells[4].firstChild.textContent.trim(),
      endTc: tr.cells[5].firstChild.textContent.trim(),
    })));
    out.rows = await rows();
    out.checkRows = await page.$$eval("#check-table tbody tr", (trs) => trs.map((tr) => ({
      check: tr.dataset.check, status: tr.cells[2].textContent.trim() })));
    out.thumbs = await page.$$eval("img.thumb", (imgs) => imgs.map((i) => ({
      src: i.getAttribute("src"), frame: Number(i.dataset.frame),
      naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight, complete: i.complete })));
    out.overlays = await page.$$eval("img.overlay", (imgs) => imgs.map((i) => ({
      naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight })));
    out.timelineSpans = await page.$$eval("#timeline-svg rect.span", (r) => r.length);
    out.curves = await page.$$eval("#timeline-svg path.curve", (p) => p.length);
    out.embeddedReport = JSON.parse(await page.textContent("#mqc-report"));
    out.hasTable = (await page.$("#event-table")) !== null;

    // what a hostile file name or tag could have smuggled in
    out.injected = await page.evaluate(() => ({
      imgX: document.querySelectorAll('img[src="x"]').length,
      withHandlers: Array.from(document.querySelectorAll("*")).filter((e) =>
        Array.from(e.attributes).some((a) => a.name.startsWith("on"))).length,
      scripts: document.scripts.length,
      pwned: typeof window.__mqc_pwned !== "undefined",
    }));

    if (out.hasTable) {
      const visible = async () => (await rows()).filter((r) => !r.hidden).length;
      // filtering by severity
      out.filter = {};
      await page.uncheck("#f-error");
      out.filter.withoutErrors = await visible();
      out.filter.shownText = await page.textContent("#shown");
      await page.check("#f-error");
      out.filter.allAgain = await visible();
      if (await page.$("#f-warning")) {
        await page.uncheck("#f-warning");
        out.filter.withoutWarnings = await visible();
        await page.check("#f-warning");
      }
      // filtering by check
      const checks = await page.$$eval("#f-check option", (o) => o.map((x) => x.value));
      out.filter.byCheck = {};
      for (const c of checks.filter((v) => v)) {
        await page.selectOption("#f-check", c);
        out.filter.byCheck[c] = (await rows()).filter((r) => !r.hidden).map((r) => r.check);
      }
      await page.selectOption("#f-check", "");
      // sorting: the start column, twice (ascending, then descending)
      const startHead = "#event-table thead th:nth-child(5)";
      await page.click(startHead);
      out.sortAsc = (await rows()).map((r) => r.startFrame);
      await page.click(startHead);
      out.sortDesc = (await rows()).map((r) => r.startFrame);
      await page.click("#event-table thead th:nth-child(2)");
      out.sortSeverity = (await rows()).map((r) => r.sev);
    }
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { console.error(e && e.stack || String(e)); process.exit(1); });
