// Cartera in a real browser: the `cartera` binary on a free port with a fresh data
// folder, driven through Debian's chromium with playwright-core. People are made the
// way an operator makes them: the CLI for the first admin, the API for the team.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { chromium } = require("playwright-core");

const ROOT = path.resolve(__dirname, "..");
const TARGET = process.env.CARGO_TARGET_DIR || path.join(ROOT, "target");
const BIN = path.join(TARGET, "debug", "cartera");
const SHOTS = path.join(__dirname, "screenshots");
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const PASSWORD = "una clave bien larga";

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

before(async () => {
  // Build (a no-op when the binary is current), then start it on a fresh folder.
  const build = spawnSync("cargo", ["build", "--bin", "cartera"], { cwd: ROOT, stdio: "inherit" });
  assert.equal(build.status, 0, "cargo build failed");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cartera-e2e-"));
  fs.mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  cartera(["migrate"]);
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

/** Screenshots of the page at desktop and phone widths. */
async function shoot(page, name) {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: path.join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: path.join(SHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

async function login(page, email) {
  await page.goto(base + "/");
  assert.match(page.url(), /\/login$/);
  await page.fill("#email", email);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(/\/my-day$/), page.click("button[type=submit]")]);
}

async function logout(page) {
  await page.click(".user-menu summary");
  await Promise.all([page.waitForURL(/\/login$/), page.click(".user-menu-panel button")]);
}

test("an admin logs in, creates an account, finds it without accents and adds a note", async () => {
  const context = await browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  const page = await context.newPage();
  const errors = [];
  // Answers with an error status (a wrong password, a form with mistakes) are expected;
  // anything else in the console is a defect.
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));

  await page.goto(base + "/login");
  await shoot(page, "login");
  // A wrong password says so and keeps the email.
  await page.fill("#email", "ines@e2e.test");
  await page.fill("#password", "not the password");
  await page.click("button[type=submit]");
  await page.waitForSelector("#login-error");
  assert.equal(await page.inputValue("#email"), "ines@e2e.test");
  await shoot(page, "login-error");

  await login(page, "ines@e2e.test");
  assert.match(await page.textContent("h1"), /Inés/);
  // An empty company: the page says what to do first.
  await shoot(page, "my-day-empty");
  await Promise.all([page.waitForURL(/\/accounts\/new$/), page.click(".welcome a.btn-primary")]);

  // The form explains what is wrong next to the field.
  await page.selectOption("#f-country", "AR");
  await page.fill("#f-tax_id", "30-71234567-2");
  await page.click("form.form-card button.btn-primary");
  await page.waitForSelector("#name-error");
  await page.waitForSelector("#tax_id-error");
  await shoot(page, "account-new-errors");

  await page.fill("#f-name", "Ferretería Núñez e Hijos");
  await page.fill("#f-tax_id", "30-71234567-1");
  await page.fill("#f-city", "Córdoba");
  await page.fill("#f-email", "ventas@ferreterianunez.com.ar");
  await page.fill("#f-phone", "+54 351 555-0101");
  await page.fill("#f-tags", "VIP, mayorista");
  await Promise.all([
    page.waitForURL(/\/accounts\/[0-9a-f-]{36}$/),
    page.click("form.form-card button.btn-primary"),
  ]);
  const accountUrl = page.url();
  assert.equal(await page.textContent("h1"), "Ferretería Núñez e Hijos");

  // Ctrl-K focuses the search box; typed without accents, it still finds the account.
  await page.goto(base + "/my-day");
  await page.keyboard.press("Control+k");
  assert.equal(await page.evaluate(() => document.activeElement.id), "global-search");
  await page.keyboard.type("ferreteria nunez");
  const hit = page.locator("#search-results a.hit", { hasText: "Ferretería Núñez e Hijos" });
  await hit.waitFor();
  await shoot(page, "search");
  await Promise.all([page.waitForURL(accountUrl), hit.click()]);

  // A note through htmx: it appears without leaving the page.
  await page.fill("#note-body", "Pidió lista de precios de tornillería.");
  await page.click("#notes button[type=submit]");
  await page.locator("#notes .note-body", { hasText: "Pidió lista de precios" }).waitFor();
  assert.equal(page.url(), accountUrl);
  await page.reload();
  await page.locator(".timeline", { hasText: "Pidió lista de precios" }).waitFor();
  await shoot(page, "account");

  await page.goto(base + "/accounts");
  await page.locator("table .row-link", { hasText: "Ferretería Núñez e Hijos" }).waitFor();
  await shoot(page, "accounts");
  // The list's search narrows as one types.
  await page.fill("#list-q", "zzzz");
  await page.locator("#list .empty-state").waitFor();
  await page.goto(base + "/my-day");
  await shoot(page, "my-day");
  await page.goto(base + "/contacts");
  await shoot(page, "contacts");

  assert.deepEqual(errors, [], "no script errors in the browser console");
  await logout(page);
  await context.close();
});

test("a sales rep does not see another rep's account", async () => {
  const context = await browser.newContext({ viewport: DESKTOP, locale: "en-US" });
  const page = await context.newPage();
  await login(page, "rita@e2e.test");
  await page.goto(base + "/accounts/new");
  await page.fill("#f-name", "Cuenta de Rita");
  await Promise.all([
    page.waitForURL(/\/accounts\/[0-9a-f-]{36}$/),
    page.click("form.form-card button.btn-primary"),
  ]);
  const ritas = page.url();
  await logout(page);

  await login(page, "rosa@e2e.test");
  await page.goto(base + "/accounts");
  assert.equal(await page.locator("text=Cuenta de Rita").count(), 0);
  await page.fill("#global-search", "cuenta de rita");
  await page.locator("#search-results .hits-empty").waitFor();
  const res = await page.goto(ritas);
  assert.equal(res.status(), 404);
  assert.equal(await page.locator("text=Cuenta de Rita").count(), 0);
  await shoot(page, "not-found");
  await context.close();
});
