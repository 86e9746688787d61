// Cartera in a real browser: login, create, accent-free search, notes, a rep's view.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { useCartera, shoot, login, logout, DESKTOP } = require("./support");

const env = useCartera();

test("an admin logs in, creates an account, finds it without accents and adds a note", async () => {
  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  const page = await context.newPage();
  const errors = [];
  // Answers with an error status (a wrong password, a form with mistakes) are expected;
  // anything else in the console is a defect.
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));

  await page.goto(env.base + "/login");
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
  await page.goto(env.base + "/my-day");
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

  await page.goto(env.base + "/accounts");
  await page.locator("table .row-link", { hasText: "Ferretería Núñez e Hijos" }).waitFor();
  await shoot(page, "accounts");
  // The list's search narrows as one types.
  await page.fill("#list-q", "zzzz");
  await page.locator("#list .empty-state").waitFor();
  await page.goto(env.base + "/my-day");
  await shoot(page, "my-day");
  await page.goto(env.base + "/contacts");
  await shoot(page, "contacts");

  assert.deepEqual(errors, [], "no script errors in the browser console");
  await logout(page);
  await context.close();
});

test("a sales rep does not see another rep's account", async () => {
  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "en-US" });
  const page = await context.newPage();
  await login(page, "rita@e2e.test");
  await page.goto(env.base + "/accounts/new");
  await page.fill("#f-name", "Cuenta de Rita");
  await Promise.all([
    page.waitForURL(/\/accounts\/[0-9a-f-]{36}$/),
    page.click("form.form-card button.btn-primary"),
  ]);
  const ritas = page.url();
  await logout(page);

  await login(page, "rosa@e2e.test");
  await page.goto(env.base + "/accounts");
  assert.equal(await page.locator("text=Cuenta de Rita").count(), 0);
  await page.fill("#global-search", "cuenta de rita");
  await page.locator("#search-results .hits-empty").waitFor();
  const res = await page.goto(ritas);
  assert.equal(res.status(), 404);
  assert.equal(await page.locator("text=Cuenta de Rita").count(), 0);
  await shoot(page, "not-found");
  await context.close();
});
