// Billing's administration and its newer corners in a real browser, in Spanish: the admin
// picks the accounts' credit limit field, types a late interest rate the Spanish way
// ("2,5"), and adds a dunning level that is refused (out of order) with nothing typed
// lost, then accepted; the page has no serious accessibility fault and fits a phone. The
// customer's card then shows the credit used against that limit; the statement's monthly
// line stops and resumes; the ageing by territory drills down to the territory's
// customers.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { env, useCartera, api, shoot, login, check, DESKTOP, PHONE } = require("./support");

useCartera();

const iso = (d) => d.toISOString().slice(0, 10);

test("an admin sets billing up and the collections pages follow it", async () => {
  await api(env.token, "POST", "/api/v1/custom_fields", {
    record_kind: "account", key: "limite_credito", label: "Límite de crédito", field_type: "money",
  });
  const norte = await api(env.token, "POST", "/api/v1/territories", { name: "Norte", rules: { provinces: ["Salta"] } });
  const account = await api(env.token, "POST", "/api/v1/accounts", {
    name: "Finca Salteña S.A.",
    billing_address: { province: "Salta", country: "AR" },
    custom: { limite_credito: { amount: "100000.00", currency: "ARS" } },
  });
  await api(env.token, "POST", "/api/v1/contacts", {
    first_name: "Eva", last_name: "Paz", account_id: account.id, emails: [{ address: "eva@finca.example" }],
  });
  await api(env.token, "POST", "/api/v1/accounts", { name: "Ferretería Sur", billing_address: { country: "AR" } });
  await api(env.token, "POST", "/api/v1/invoices", {
    account_id: account.id, issue_date: iso(new Date(Date.now() - 40 * 86400000)), payment_terms_days: 30,
    lines: [{ description: "Fertilizante", quantity: "1", unit_price: { amount: "100000", currency: "ARS" }, tax_rate: "21" }],
  });

  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR", bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const found = [];
  await login(page, "ines@e2e.test");

  // From Administration to its billing tab.
  await page.goto(env.base + "/admin");
  await Promise.all([page.waitForURL(/\/admin\/billing$/), page.click("nav.subnav >> text=Facturación")]);
  await check(page, "billing administration", found);

  // The credit limit field, picked by its label.
  await page.selectOption("#bd-credit_limit_field", { label: "Límite de crédito" });
  await Promise.all([page.waitForURL(/saved=defaults/), page.click("#defaults-save")]);
  assert.match(await page.textContent("p.alert-ok"), /Guardamos la numeración/);
  assert.equal(await page.inputValue("#bd-credit_limit_field"), "limite_credito");

  // A late interest period, its rate typed the Spanish way.
  await page.fill("#if-0", "2026-01-01");
  await page.fill("#ir-0", "2,5");
  await Promise.all([page.waitForURL(/saved=interest/), page.click("#interest-save")]);
  assert.equal(await page.inputValue("#ir-0"), "2,5");
  const settings = await api(env.token, "GET", "/api/v1/settings");
  assert.deepEqual(settings.billing.interest_rates, [{ from: "2026-01-01", to: null, monthly_rate: "2.5" }]);

  // A fourth dunning level before the third is refused on the level, nothing lost.
  await page.click("details.dunning-new > summary");
  await page.fill("#dl-days_3", "20");
  await page.check("input[name=task_3]");
  await page.fill("#dl-subject_es_3", "Último aviso: {invoice}");
  await page.fill("#dl-body_es_3", "Su saldo de {amount} lleva {days} días vencido.");
  await page.fill("#dl-subject_en_3", "Last notice: {invoice}");
  await page.fill("#dl-body_en_3", "Your balance of {amount} is {days} days overdue.");
  await page.click("#dunning-save");
  await page.waitForSelector("#dl-days_3-error");
  assert.match(await page.textContent("#dl-days_3-error"), /Cada nivel va después del anterior/);
  assert.equal(await page.inputValue("#dl-subject_es_3"), "Último aviso: {invoice}");
  await shoot(page, "billing-admin-dunning-refused");
  await page.fill("#dl-days_3", "45");
  await Promise.all([page.waitForURL(/saved=dunning/), page.click("#dunning-save")]);
  const policy = await api(env.token, "GET", "/api/v1/dunning_policy");
  assert.deepEqual(policy.levels.map((l) => l.days_overdue), [7, 15, 30, 45]);
  assert.equal(policy.levels[3].task, true);
  await shoot(page, "billing-admin");

  // The customer's card reads the balance against the limit.
  await page.goto(env.base + `/accounts/${account.id}`);
  const credit = await page.textContent("#account-credit");
  assert.match(credit, /Crédito usado[\s\S]*121[\s\S]*%[\s\S]*100\.000,00/);

  // The statement's monthly line: stop, then resume.
  await page.goto(env.base + `/accounts/${account.id}/statement`);
  assert.match(await page.textContent("#monthly-statement"), /Recibe este estado de cuenta/);
  await page.click("#monthly-statement button[value=no]");
  await page.waitForSelector("#monthly-statement button[value=yes]");
  assert.match(await page.textContent("#monthly-statement"), /No recibe el estado de cuenta mensual/);
  await page.click("#monthly-statement button[value=yes]");
  await page.waitForSelector("#monthly-statement button[value=no]");

  // The ageing by territory, and its drill-down on a phone.
  await page.goto(env.base + "/receivables?group=territory");
  const row = page.locator("table.ageing-table tbody tr", { hasText: "Norte" });
  assert.match(await row.textContent(), /121\.000,00/);
  await page.setViewportSize(PHONE);
  await Promise.all([page.waitForURL(new RegExp(`territory=${norte.id}`)), row.locator("a.row-link").click()]);
  const rows = page.locator("table.ageing-table tbody tr");
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), /Finca Salteña S\.A\./);
  await check(page, "ageing of a territory", found);

  assert.deepEqual(found, []);
  assert.deepEqual(errors, []);
  await context.close();
});
