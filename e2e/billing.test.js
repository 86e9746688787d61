// Billing in a real browser, in Spanish: "Facturar" on an order, the invoice, the
// payment form typed the Spanish way, then the account's card and the statement. Each
// billing page fits a phone without sideways scrolling and has no serious accessibility
// fault; screenshots of the card and the statement at both widths.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { env, useCartera, api, shoot, login, faults, DESKTOP, PHONE, SHOTS } = require("./support");

useCartera();

test("an order is invoiced, collected in part, and the account shows it", async () => {
  const account = await api(env.token, "POST", "/api/v1/accounts", { name: "Agro Sur S.A." });
  const order = await api(env.token, "POST", "/api/v1/orders", {
    account_id: account.id,
    lines: [
      { description: "Sembradora de siembra directa", quantity: "1", unit_price: { amount: "100000", currency: "ARS" }, tax_rate: "21" },
      { description: "Flete a Pergamino", quantity: "2", unit_price: { amount: "1234.50", currency: "ARS" }, tax_rate: "21" },
    ],
  });

  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR", bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await login(page, "ines@e2e.test");

  // "Facturar" on the order page opens the new invoice.
  await page.goto(env.base + `/orders/${order.id}`);
  await Promise.all([page.waitForURL(/\/invoices\/[0-9a-f-]+$/), page.click("form.order-invoice button")]);
  assert.match(await page.textContent("h1"), /A-0001-00000001/);
  assert.equal((await page.textContent("#invoice-total")).trim(), "123.987,49 ARS");

  await shoot(page, "billing-invoice");

  // "Registrar cobro": the form comes with the invoice; apply part of it.
  await Promise.all([page.waitForURL(/\/payments\/new/), page.click("text=Registrar cobro")]);
  await shoot(page, "billing-payment-form");
  await page.fill("#f-amount", "50.000,50");
  await page.fill("input[name=alloc_amount]", "50.000,50");
  await page.fill("#f-reference", "Transferencia 4471");
  await Promise.all([page.waitForURL(/\/payments\/[0-9a-f-]+\?saved=1$/), page.click("form.payment-form button[type=submit]")]);
  assert.equal((await page.textContent("#payment-amount")).trim(), "50.000,50 ARS");
  await shoot(page, "billing-payment");

  const found = [];
  for (const [name, p] of [
    ["account", `/accounts/${account.id}`],
    ["statement", `/accounts/${account.id}/statement`],
    ["receivables", "/receivables"],
    ["invoices", "/invoices"],
    ["payments", "/payments"],
    ["payment form", `/payments/new?account_id=${account.id}`],
  ]) {
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(env.base + p);
      for (const f of await faults(page)) found.push(`${name} @${viewport.width}px: ${f}`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (wide > 0) found.push(`${name} @${viewport.width}px is ${wide}px too wide`);
    }
  }
  await page.setViewportSize(DESKTOP);

  await page.goto(env.base + `/accounts/${account.id}`);
  const card = page.locator("#account-billing");
  assert.match(await card.textContent(), /Al día/);
  assert.match(await card.textContent(), /73\.986,99 ARS/);
  await shoot(page, "billing-account");
  // The card alone, at the phone's width.
  await page.setViewportSize(PHONE);
  await card.screenshot({ path: path.join(SHOTS, "billing-card-phone.png") });
  await page.setViewportSize(DESKTOP);
  await page.goto(env.base + `/accounts/${account.id}/statement`);
  assert.equal((await page.textContent("#closing-balance")).trim(), "73.986,99 ARS");
  await shoot(page, "billing-statement");
  await page.goto(env.base + "/receivables");
  await shoot(page, "billing-receivables");
  assert.deepEqual(found, [], "faults:\n" + found.join("\n"));
  assert.deepEqual(errors, []);
  await context.close();
});
