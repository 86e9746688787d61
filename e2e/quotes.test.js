// Quotes in a real browser: the editor with two lines whose live totals follow what is
// typed, then the quote page with its PDF preview; the list and the order page.
// Screenshots of each at both widths.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { env, useCartera, api, shoot, login, DESKTOP } = require("./support");

useCartera();

test("a quote is made in the editor with live totals, and its PDF previews", async () => {
  const account = await api(env.token, "POST", "/api/v1/accounts", { name: "Agro Sur S.A." });
  await api(env.token, "POST", "/api/v1/contacts", {
    first_name: "Lucía", last_name: "Fernández", account_id: account.id,
    emails: [{ address: "lucia@agrosur.example" }],
  });
  const kit = await api(env.token, "POST", "/api/v1/products", { sku: "KIT-1", name: "Sembradora, kit de service", tax_rate: "21", unit: "u" });
  const seeds = await api(env.token, "POST", "/api/v1/products", { sku: "SEM-1", name: "Semillas de girasol", tax_rate: "10.5", unit: "u" });
  await api(env.token, "POST", "/api/v1/price_lists", {
    name: "Agro Sur 2026", currency: "ARS", account_id: account.id,
    items: [{ product_id: kit.id, price: { amount: "1234.50", currency: "ARS" } },
            { product_id: seeds.id, price: { amount: "899.99", currency: "ARS" } }],
  });

  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await login(page, "ines@e2e.test");
  await page.goto(env.base + "/quotes");
  await shoot(page, "quotes-empty");
  await page.click("a[href='/quotes/new']");
  await page.waitForURL(/\/quotes\/new$/);

  // The account, then its contacts come by themselves.
  const totals = page.locator("#quote-totals");
  await page.fill("#f-account_q", "agro sur");
  await page.click(`#f-account_q-list [data-id='${account.id}']`);
  await page.waitForFunction(() => document.querySelectorAll("#f-contact_id option").length > 1);
  await page.selectOption("#f-contact_id", { index: 1 });

  // First line: the kit, 3 with 10 % off, priced from the customer's list.
  const first = page.locator("tr.quote-line").nth(0);
  await first.locator("select[name=line_product]").selectOption(kit.id);
  await first.locator("input[name=line_quantity]").fill("3");
  await first.locator("input[name=line_discount]").fill("10");
  await assert.doesNotReject(totals.locator("text=4.033,11 ARS").waitFor({ timeout: 5000 }));

  // A second line added without a reload: seeds, 2 with 5 % off; then 2 % off the quote.
  await page.click("[data-add-line]");
  await page.waitForFunction(() => document.querySelectorAll("tr.quote-line").length === 2);
  const second = page.locator("tr.quote-line").nth(1);
  await second.locator("select[name=line_product]").selectOption(seeds.id);
  await second.locator("input[name=line_quantity]").fill("2");
  await second.locator("input[name=line_discount]").fill("5");
  await page.fill("#f-discount", "2");
  await totals.locator("text=5.804,19 ARS").waitFor({ timeout: 5000 });
  const text = await totals.innerText();
  assert.match(text, /IVA 10,5 %/);
  assert.match(text, /175,96 ARS/);
  assert.match(text, /IVA 21 %/);
  assert.match(text, /685,96 ARS/);
  await shoot(page, "quote-editor");

  // Removing a line takes its figures out of the totals.
  await page.click("tr.quote-line >> nth=1 >> [data-remove-line]");
  await totals.locator("text=3.952,45 ARS").waitFor({ timeout: 5000 });
  await page.click("[data-add-line]");
  await page.waitForFunction(() => document.querySelectorAll("tr.quote-line").length === 2);
  const again = page.locator("tr.quote-line").nth(1);
  await again.locator("select[name=line_product]").selectOption(seeds.id);
  await again.locator("input[name=line_quantity]").fill("2");
  await again.locator("input[name=line_discount]").fill("5");
  await totals.locator("text=5.804,19 ARS").waitFor({ timeout: 5000 });

  await Promise.all([page.waitForURL(/\/quotes\/[0-9a-f-]{36}$/), page.click("#quote-form button[type=submit]")]);
  const id = page.url().split("/").pop();

  // The PDF preview: the frame's document is the quote's PDF.
  const pdf = await page.request.get(`${env.base}/quotes/${id}/pdf`);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()["content-type"], "application/pdf");
  assert.ok((await pdf.body()).subarray(0, 4).toString() === "%PDF");
  const frame = page.locator("iframe.pdf-frame");
  await frame.scrollIntoViewIfNeeded();
  assert.equal(await frame.getAttribute("src"), `/quotes/${id}/pdf`);
  await page.goto(`${env.base}/quotes/${id}#preview`);
  await shoot(page, "quote-draft");

  // Sent (the server logs the email), accepted, and the order made.
  await page.goto(`${env.base}/quotes/${id}#send`);
  await Promise.all([page.waitForURL(/sent=1/), page.click("#send button[type=submit]")]);
  await Promise.all([page.waitForURL(new RegExp(`/quotes/${id}$`)), page.click("form[action$='/accept'] button")]);
  await shoot(page, "quote-accepted");
  await Promise.all([page.waitForURL(/\/orders\//), page.click("form[action$='/order'] button")]);
  await page.fill("input[name=qty_0]", "1");
  await Promise.all([page.waitForURL(/\/orders\/[0-9a-f-]{36}/), page.click("form[action$='/deliver'] button[type=submit]")]);
  assert.match(await page.locator("#lines").innerText(), /faltan 2/);
  await shoot(page, "order");
  await page.goto(env.base + "/quotes");
  assert.match(await page.locator("#quote-rows").innerText(), /Agro Sur S\.A\./);
  await shoot(page, "quotes-list");
  assert.deepEqual(errors, []);
  await context.close();
});
