// Quotes that work by default (issue 17, point 4), as a sales rep meets them: from the
// quotes list, a new quote; the customer found by typing part of its name (without its
// accent) among many accounts; a customer without a price list of its own priced from
// the general list, each line saying which list priced it; saved without a 422.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { env, useCartera, api, cartera, shoot, login, PHONE } = require("./support");

useCartera();

test("a rep finds the customer by typing and a customer without its own list is priced from the general one", async () => {
  const rita = cartera(["token", "create", "--user", "rita@e2e.test", "--scope", "write"]);
  // Many of the rep's accounts: the search shows a few matches, never all of them.
  for (let i = 1; i <= 15; i++) {
    await api(rita, "POST", "/api/v1/accounts", { name: `Panificadora ${String(i).padStart(2, "0")}` });
  }
  const bakery = await api(rita, "POST", "/api/v1/accounts", { name: "Panadería Núñez" });
  const flour = await api(env.token, "POST", "/api/v1/products", { sku: "HAR-000", name: "Harina 000, bolsa de 25 kg", tax_rate: "21", unit: "u" });
  const today = new Date().toISOString().slice(0, 10);
  await api(env.token, "POST", "/api/v1/price_lists", {
    name: "Lista general", currency: "ARS", valid_from: today.slice(0, 4) + "-01-01",
    items: [{ product_id: flour.id, price: { amount: "15000", currency: "ARS" } }],
  });

  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "es-AR" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await login(page, "rita@e2e.test");
  await page.goto(env.base + "/quotes");
  await Promise.all([page.waitForURL(/\/quotes\/new$/), page.click("a[href='/quotes/new']")]);

  // Typed without the accent and in lower case: found.
  await page.fill("#f-account_q", "panaderia nun");
  const match = page.locator(`#f-account_q-list [data-id='${bakery.id}']`);
  await match.waitFor({ timeout: 5000 });
  assert.equal(await page.locator("#f-account_q-list [role=option]").count(), 1);
  // A broad search offers at most ten.
  await page.fill("#f-account_q", "pan");
  await page.waitForFunction(() => document.querySelectorAll("#f-account_q-list [role=option]").length === 10);
  await page.fill("#f-account_q", "panaderia");
  await match.waitFor({ timeout: 5000 });
  await match.click();
  assert.equal(await page.inputValue("#f-account_id"), bakery.id);
  assert.equal(await page.inputValue("#f-account_q"), "Panadería Núñez");
  // Picked: the matches close, even those of a search still on its way.
  await page.waitForTimeout(600);
  assert.equal(await page.locator("#f-account_q-list [role=option]").count(), 0);

  // The customer has no list of its own: the general list prices the line, and says so.
  const line = page.locator("tr.quote-line").nth(0);
  await line.locator("select[name=line_product]").selectOption(flour.id);
  await line.locator("input[name=line_quantity]").fill("2");
  const totals = page.locator("#quote-totals");
  await totals.locator("text=36.300,00 ARS").waitFor({ timeout: 5000 });
  await line.locator("text=Precio según Lista general").waitFor({ timeout: 5000 });
  await page.setViewportSize(PHONE);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "no sideways scroll at 390 px");
  await shoot(page, "quote-general-list");

  // Saved: no 422, and the saved draft still names the list on its line.
  await Promise.all([page.waitForURL(/\/quotes\/[0-9a-f-]{36}/), page.click("#quote-form button[type=submit]")]);
  assert.match(await page.locator("tr.quote-line").nth(0).innerText(), /Precio según Lista general/);
  assert.match(await page.locator("#quote-totals").innerText(), /36\.300,00 ARS/);
  assert.deepEqual(errors, []);
  await context.close();
});
