// Collections in a real browser, in Spanish: an order invoiced, the invoice paid by
// cheque (the cheque's fields appear when the method is a cheque; a bad CUIT is told
// beside it and nothing typed is lost), the cheque deposited and then bounced from the
// wallet on a phone (reason and bank fee), the risk light stopping a new quote's send
// with the reason in words, and the manager approving from her phone; the quote then
// goes. Screenshots of the wallet and the approval banner at both widths; the pages
// have no serious accessibility fault and fit a phone.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { env, useCartera, api, cartera, shoot, login, logout, check, PASSWORD, DESKTOP, PHONE, SHOTS } = require("./support");

useCartera();

/** A CUIT with its check digit (prefix of 10 digits), written with dashes. */
function cuit(prefix) {
  const weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const sum = [...prefix].reduce((acc, d, i) => acc + Number(d) * weights[i], 0);
  let dv = 11 - (sum % 11);
  if (dv === 11) dv = 0;
  assert.notEqual(dv, 10, "pick a prefix whose check digit is not 10");
  return `${prefix.slice(0, 2)}-${prefix.slice(2)}-${dv}`;
}

const iso = (d) => d.toISOString().slice(0, 10);

test("a cheque bounces, the risk stops the next quote and the manager approves it", async () => {
  // Jimena manages sales; the customer is hers.
  const roles = await api(env.token, "GET", "/api/v1/roles");
  const managerRole = roles.data.find((r) => r.key === "manager").id;
  const jimena = await api(env.token, "POST", "/api/v1/users", { email: "jimena@e2e.test", name: "Jimena Jefa" });
  await api(env.token, "PATCH", `/api/v1/users/${jimena.id}`, { role_id: managerRole });
  cartera(["user", "password", "--email", "jimena@e2e.test"], PASSWORD + "\n");
  const account = await api(env.token, "POST", "/api/v1/accounts", { name: "Corralón Sur S.R.L.", owner_id: jimena.id });
  const contact = await api(env.token, "POST", "/api/v1/contacts", {
    first_name: "Eva", last_name: "Paz", account_id: account.id, emails: [{ address: "eva@corralon.example" }],
  });
  const order = await api(env.token, "POST", "/api/v1/orders", {
    account_id: account.id,
    lines: [{ description: "Cemento 50 kg", quantity: "100", unit_price: { amount: "1000", currency: "ARS" }, tax_rate: "21" }],
  });

  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR", bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const found = [];
  await login(page, "ines@e2e.test");

  // The invoice, then "Registrar cobro".
  await page.goto(env.base + `/orders/${order.id}`);
  await Promise.all([page.waitForURL(/\/invoices\/[0-9a-f-]+$/), page.click("form.order-invoice button")]);
  assert.equal((await page.textContent("#invoice-total")).trim(), "121.000,00 ARS");
  await Promise.all([page.waitForURL(/\/payments\/new/), page.click("text=Registrar cobro")]);

  // The cheque's fields show once the method is a cheque.
  assert.equal(await page.isVisible("#cheque-fields"), false);
  await page.selectOption("#f-method", "cheque");
  assert.equal(await page.isVisible("#cheque-fields"), true);
  const today = new Date();
  const issued = new Date(today.getTime() - 5 * 86400000);
  await page.fill("#f-cheque_bank", "Banco Nación");
  await page.fill("#f-cheque_number", "00012345");
  await page.fill("#f-cheque_drawer", "Corralón Sur S.R.L.");
  const good = cuit("3071234567");
  const bad = good.slice(0, -1) + ((Number(good.slice(-1)) + 1) % 10);
  await page.fill("#f-cheque_drawer_tax_id", bad);
  await page.fill("#f-cheque_issue_date", iso(issued));
  await page.fill("#f-cheque_payment_date", iso(today));
  await page.fill("#f-reference", "Recibo 881");
  await shoot(page, "collections-payment-cheque");
  await page.click("form.payment-form button[type=submit]");
  await page.waitForSelector("#cheque_drawer_tax_id-error");
  assert.match(await page.textContent("#cheque_drawer_tax_id-error"), /Revisa el CUIT/);
  // Nothing lost, and the cheque's fields still show.
  assert.equal(await page.inputValue("#f-cheque_bank"), "Banco Nación");
  assert.equal(await page.inputValue("#f-amount"), "121.000,00");
  assert.equal(await page.inputValue("#f-method"), "cheque");
  assert.equal(await page.isVisible("#cheque-fields"), true);
  await page.fill("#f-cheque_drawer_tax_id", good);
  await Promise.all([page.waitForURL(/\/payments\/[0-9a-f-]+\?saved=1$/), page.click("form.payment-form button[type=submit]")]);
  assert.match(await page.textContent("#payment-cheque"), /En cartera[\s\S]*Banco Nación/);

  // The wallet, from the collections' tabs: to deposit today.
  await page.goto(env.base + "/receivables");
  await Promise.all([page.waitForURL(/\/cheques$/), page.click("nav.subnav >> text=Cheques")]);
  await Promise.all([page.waitForURL(/show=to_deposit/), page.click("text=Para depositar hoy")]);
  const row = page.locator("table.cheques-table tbody tr").first();
  assert.match(await row.textContent(), /Corralón Sur S\.R\.L\.[\s\S]*121\.000,00 ARS[\s\S]*En cartera/);
  await shoot(page, "collections-wallet");
  await check(page, "wallet", found);
  await Promise.all([page.waitForURL(/done=/), row.locator("button", { hasText: "Depositar" }).click()]);
  assert.match(await page.textContent("#cheque-done"), /depositado/);

  // On a phone, the bank refuses it: reason and fee, typed the Spanish way.
  await page.setViewportSize(PHONE);
  await page.goto(env.base + "/cheques?show=all");
  const card = page.locator("table.cheques-table tbody tr").first();
  await card.locator("summary", { hasText: "Rechazar" }).click();
  await card.locator("textarea[name=reason]").fill("Sin fondos suficientes");
  await card.locator("input[name=bank_fee]").fill("1.500,00");
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.equal(wide, 0, "the open bounce form fits the phone");
  await card.screenshot({ path: path.join(SHOTS, "collections-bounce-form-phone.png") });
  await Promise.all([page.waitForURL(/done=/), card.locator("button", { hasText: "Confirmar el rechazo" }).click()]);
  const done = await page.textContent("#cheque-done");
  assert.match(done, /rechazado/);
  assert.match(done, /Vuelve a quedar pendiente la factura\s+A-0001-00000001/);
  assert.match(done, /nota de débito\s+ND-A-0001-00000001/);
  await page.setViewportSize(DESKTOP);
  await shoot(page, "collections-wallet-bounced");
  await check(page, "wallet after the bounce", found);

  // The account's card is red and says a manager must approve.
  await page.goto(env.base + `/accounts/${account.id}`);
  assert.match(await page.textContent("#account-billing"), /Riesgo alto[\s\S]*Se necesita la aprobación de un gerente/);

  // A new quote: sending it is stopped, with the reason in Spanish.
  const quote = await api(env.token, "POST", "/api/v1/quotes", {
    account_id: account.id, contact_id: contact.id,
    lines: [{ description: "Flete", quantity: "2", unit_price: { amount: "5000", currency: "ARS" }, tax_rate: "21" }],
  });
  await page.goto(env.base + `/quotes/${quote.id}`);
  assert.match(await page.textContent("#risk-banner"), /Riesgo alto[\s\S]*Se necesita la aprobación de un gerente/);
  await page.fill("#send-to", "eva@corralon.example");
  await Promise.all([page.waitForURL(/error=risk/), page.click("#send button[type=submit]")]);
  const why = await page.textContent("#send-error");
  assert.match(why, /No se envió el presupuesto: el cliente está en «Riesgo alto» \(1 cheque rechazado en los últimos 12 meses\)/);
  assert.doesNotMatch(why, /manager|approve/);
  await shoot(page, "collections-quote-stopped");
  await page.locator("#risk-banner").screenshot({ path: path.join(SHOTS, "collections-risk-banner-desktop.png") });
  await page.locator("#send").screenshot({ path: path.join(SHOTS, "collections-send-stopped-desktop.png") });
  await check(page, "stopped quote", found);
  await logout(page);

  // The manager approves, from her phone.
  await page.setViewportSize(PHONE);
  await login(page, "jimena@e2e.test");
  await page.goto(env.base + `/quotes/${quote.id}`);
  const banner = page.locator("#risk-banner");
  await banner.locator("summary", { hasText: "Aprobar" }).click();
  await banner.locator("textarea[name=reason]").fill("Cliente histórico, repone el cheque el lunes");
  assert.equal(await banner.locator("input[name=days]").inputValue(), "7");
  await banner.screenshot({ path: path.join(SHOTS, "collections-approval-banner-phone.png") });
  const tooWide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.equal(tooWide, 0, "the open approval form fits the phone");
  await Promise.all([page.waitForURL(/#risk-banner$/), banner.locator("button", { hasText: "Aprobar" }).click()]);
  assert.match(await page.textContent("#risk-banner"), /Un gerente aprobó seguir vendiéndole hasta el \d\d\/\d\d\/\d{4}/);
  await shoot(page, "collections-approved");
  await page.setViewportSize(PHONE);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, "collections-approved-top-phone.png") });
  await logout(page);

  // The quote goes now.
  await login(page, "ines@e2e.test");
  await page.goto(env.base + `/quotes/${quote.id}`);
  await page.fill("#send-to", "eva@corralon.example");
  await Promise.all([page.waitForURL(/sent=1/), page.click("#send button[type=submit]")]);

  assert.deepEqual(found, [], "faults:\n" + found.join("\n"));
  assert.deepEqual(errors, []);
  await context.close();
});
