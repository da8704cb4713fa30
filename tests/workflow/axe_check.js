// Load HTML documents in headless Chromium (Debian's /usr/bin/chromium, driven by puppeteer-core,
// never a downloaded browser) and run axe-core on each; print one JSON line per document with
// its violations. Run by tests/workflow/test_readers.py:
//     NODE_PATH=<folder with node_modules> node axe_check.js CHROMIUM PROFILE_DIR FILE.html ...
const puppeteer = require("puppeteer-core");
const axePath = require.resolve("axe-core/axe.min.js");

(async () => {
  const [chromium, profile, ...files] = process.argv.slice(2);
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir: profile,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
  try {
    for (const file of files) {
      const page = await browser.newPage();
      await page.goto("file://" + require("path").resolve(file), { waitUntil: "load" });
      await page.addScriptTag({ path: axePath });
      const result = await page.evaluate(async () => {
        const r = await axe.run(document, { resultTypes: ["violations"] });
        return {
          version: axe.version,
          violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                                                 example: v.nodes.length ? v.nodes[0].html.slice(0, 200) : "" })),
          main: document.querySelectorAll("main").length,
        };
      });
      console.log(JSON.stringify({ file, ...result }));
      await page.close();
    }
  } finally {
    await browser.close();
  }
})().catch((err) => { console.error(err); process.exit(1); });
