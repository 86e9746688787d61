// Shared by the browser test files: start the `cartera` binary on a free port with a
// fresh data folder (the first admin from the CLI, two sales reps through the API),
// launch Debian's chromium, and helpers to log in, out and take screenshots.
"use strict";

const { before, after } = require("node:test");
const assert = require("node:assert/strict");
const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { chromium } = require("playwright-core");

const ROOT = path.resolve(__dirname, "..");
const TARGET = process.env.CARGO_TARGET_DIR || path.join(ROOT, "target");
// CARTERA_BIN: a binary already built (CI passes the one `cargo test` built).
const BIN = process.env.CARTERA_BIN || path.join(TARGET, "debug", "cartera");
const SHOTS = path.join(__dirname, "screenshots");
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const PASSWORD = "una clave bien larga";

/**
 * Filled in by `useCartera`'s `before` hook: the server's address, the browser, an admin
 * token, and what `cartera demo` printed when the file asked for the demo.
 */
const env = { base: "", browser: null, token: "", demo: "" };
let dir, base, server, browser, serverLog = "";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function cartera(args, input) {
  const r = spawnSync(BIN, args, { cwd: dir, input, encoding: "utf8", env: cleanEnv() });
  if (r.status !== 0) throw new Error(`cartera ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout.trim();
}

function cleanEnv() {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.CARTERA_DATABASE_URL;
  return env;
}

async function api(token, method, p, body) {
  const res = await fetch(base + p, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  assert.ok(res.ok, `${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * Registers the hooks that start and stop the server and the browser for a test file.
 * With `{ demo: true }` the folder holds the demo company first (`cartera demo`), as a
 * newcomer's first run does.
 */
function useCartera(opts = {}) {
before(async () => {
  // Build (a no-op when the binary is current), then start it on a fresh folder.
  if (!process.env.CARTERA_BIN) {
    const build = spawnSync("cargo", ["build", "--bin", "cartera"], { cwd: ROOT, stdio: "inherit" });
    assert.equal(build.status, 0, "cargo build failed");
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cartera-e2e-"));
  fs.mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  cartera(["migrate"]);
  if (opts.demo) env.demo = cartera(["demo"]);
  cartera(["user", "add", "--email", "ines@e2e.test", "--name", "Inés Admin"]);
  cartera(["user", "password", "--email", "ines@e2e.test"], PASSWORD + "\n");
  server = spawn(BIN, ["serve", "--listen", `127.0.0.1:${port}`], { cwd: dir, env: cleanEnv() });
  server.stdout.on("data", (d) => (serverLog += d));
  server.stderr.on("data", (d) => (serverLog += d));
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(base + "/healthz")).ok) break;
    } catch (_) { /* not up yet */ }
    if (i > 300) throw new Error("server did not start:\n" + serverLog);
    await new Promise((r) => setTimeout(r, 100));
  }
  // Two sales reps, added by the admin through the API, with passwords from the CLI.
  const token = cartera(["token", "create", "--user", "ines@e2e.test", "--scope", "admin"]);
  for (const [email, name] of [["rita@e2e.test", "Rita Rep"], ["rosa@e2e.test", "Rosa Rep"]]) {
    await api(token, "POST", "/api/v1/users", { email, name });
    cartera(["user", "password", "--email", email], PASSWORD + "\n");
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--disable-background-networking", "--disable-component-update", "--no-first-run",
      "--disable-sync",
    ],
  });
  env.base = base;
  env.browser = browser;
  env.token = token;
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill();
  // The slowest answer per page, from the server's own log line.
  const worst = {};
  for (const m of serverLog.matchAll(/method=(\w+) path=(\S+) status=(\d+) ms=([\d.]+)/g)) {
    const key = `${m[1]} ${m[2].replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "{id}")}`;
    worst[key] = Math.max(worst[key] || 0, Number(m[4]));
  }
  console.log("slowest answer per page (ms):");
  for (const [k, v] of Object.entries(worst).sort()) console.log(`  ${v.toFixed(2).padStart(8)}  ${k}`);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
return env;
}

/** Screenshots of the page at desktop and phone widths. */
async function shoot(page, name) {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: path.join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: path.join(SHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

async function login(page, email, password = PASSWORD) {
  await page.goto(base + "/");
  assert.match(page.url(), /\/login$/);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL(/\/my-day$/), page.click("button[type=submit]")]);
}

async function logout(page) {
  await page.click(".user-menu summary");
  await Promise.all([page.waitForURL(/\/login$/), page.click(".user-menu-panel form[action='/logout'] button")]);
}


/** The serious and critical WCAG 2 A/AA faults axe-core finds on the page, described. */
async function faults(page) {
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      resultTypes: ["violations"],
    }),
  );
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
}

/** Axe and sideways scrolling of the page as it is, at both widths, into `found`. */
async function check(page, name, found) {
  for (const viewport of [DESKTOP, PHONE]) {
    await page.setViewportSize(viewport);
    for (const f of await faults(page)) found.push(`${name} @${viewport.width}px: ${f}`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (wide > 0) found.push(`${name} @${viewport.width}px is ${wide}px too wide`);
  }
  await page.setViewportSize(DESKTOP);
}

module.exports = { useCartera, env, api, cartera, shoot, login, logout, faults, check, PASSWORD, DESKTOP, PHONE, SHOTS };
