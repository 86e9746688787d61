// Activities in a real browser, as a rep logs them where she is: from an account's page
// she logs a visit with its km and tolls, sees it on the account, edits it and filters
// her overdue work on the activities page; the admin deletes it and undoes (the
// built-in sales rep role may not delete); the form and the
// list fit a 390 px phone. Screenshots at both widths.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { env, useCartera, api, shoot, login, logout, DESKTOP, PHONE } = require("./support");

useCartera();

test("a rep logs a visit from the account page, edits it, deletes and undoes, and filters the list", async () => {
  await api(env.token, "PATCH", "/api/v1/settings", { mileage_rate: { amount: "85.50", currency: "ARS" } });
  const users = await api(env.token, "GET", "/api/v1/users");
  const rita = users.data.find((u) => u.email === "rita@e2e.test");
  const account = await api(env.token, "POST", "/api/v1/accounts", { name: "Tambo La Esperanza", owner_id: rita.id });
  const late = new Date(Date.now() - 3 * 86400000).toISOString().slice(0, 10);
  await api(env.token, "POST", "/api/v1/activities", {
    kind: "task", subject: "Reclamar el pago atrasado", owner_id: rita.id, due_date: late,
  });

  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await login(page, "rita@e2e.test");

  // On the account's page she logs a visit: the form comes linked to the account.
  await page.goto(env.base + `/accounts/${account.id}`);
  await page.click("#activities .log-links a:has-text('Visita')");
  await page.waitForURL(/\/activities\/new\?/);
  assert.equal(await page.inputValue("#f-account"), "Tambo La Esperanza");
  assert.match(await page.textContent("#costs"), /85,50 ARS/);
  await page.fill("#f-subject", "Visita al tambo");
  await page.fill("#f-time", "10:00");
  await page.fill("#cost-value-0", "12,5");
  await page.fill("#cost-value-1", "850,5");
  await page.fill("#cost-desc-1", "Peaje");
  await shoot(page, "activity-form");
  await page.setViewportSize(PHONE);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), "the form fits the phone");
  await page.setViewportSize(DESKTOP);
  await Promise.all([page.waitForURL(new RegExp(`/accounts/${account.id}$`)), page.click("#activity-form button.btn-primary")]);

  // Back on the account: the visit is among the next ones, with its costs priced.
  const card = page.locator("#activities");
  await card.getByText("Visita al tambo").waitFor();
  assert.match(await card.textContent(), /1\.919,25 ARS/);
  await shoot(page, "activity-account-card");

  // She opens it and edits it: 20 km now.
  await Promise.all([page.waitForURL(/\/activities\/[0-9a-f-]+$/), card.getByText("Visita al tambo").click()]);
  await Promise.all([page.waitForURL(/\/edit$/), page.click("main a[href$='/edit']")]);
  assert.equal(await page.inputValue("#cost-value-0"), "12,5");
  await page.fill("#cost-value-0", "20");
  await page.fill("#f-subject", "Visita y degustación");
  await Promise.all([page.waitForURL(/\/activities\/[0-9a-f-]+$/), page.click("#activity-form button.btn-primary")]);
  await page.getByRole("heading", { name: "Visita y degustación" }).waitFor();
  assert.match(await page.textContent("main"), /2\.560,50 ARS/);
  const edited = page.url().split("/").pop();

  // The activities page, from the menu: overdue work only.
  await page.goto(env.base + "/activities");
  await page.getByText("Reclamar el pago atrasado").waitFor();
  await page.selectOption("#list-when", "overdue");
  await page.waitForURL(/when=overdue/);
  await page.waitForFunction(() => !document.querySelector("#list").textContent.includes("Visita y degustación"));
  assert.match(await page.textContent("#list"), /Reclamar el pago atrasado/);
  await shoot(page, "activities-list");
  await page.setViewportSize(PHONE);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), "the list fits the phone");
  await page.setViewportSize(DESKTOP);

  // Her tasks, saved as a view: reopened from the views menu, the period chosen on top.
  await page.selectOption("#list-when", "");
  await page.waitForURL((u) => !u.search.includes("when=overdue"));
  await page.selectOption("#list-kind", "task");
  await page.waitForURL(/kind=task/);
  await page.check("form.toolbar input[name=mine]");
  await page.waitForURL(/mine=1/);
  await page.click(".view-save summary");
  await page.fill("#new-view-name", "Mis tareas");
  await Promise.all([page.waitForURL(/\/activities\?view=[0-9a-f-]{36}$/), page.locator(".view-save button[type=submit]").click()]);
  assert.match(await page.textContent("h1"), /Mis tareas/);
  assert.match(await page.textContent("#list"), /Reclamar el pago atrasado/);
  assert.doesNotMatch(await page.textContent("#list"), /Visita y degustación/);
  await page.goto(env.base + "/activities");
  await page.click(".views-menu summary");
  await Promise.all([page.waitForURL(/view=/), page.click(".views-list a:has-text('Mis tareas')")]);
  assert.equal(await page.inputValue("#list-kind"), "task");
  assert.ok(await page.isChecked("form.toolbar input[name=mine]"));
  await shoot(page, "activities-view");
  const activityUrl = env.base + `/activities/${edited}`;

  // The built-in sales rep role may not delete activities: her page of it has no
  // delete button. Inés (the admin) deletes it, then thinks better of it.
  await page.goto(activityUrl);
  assert.equal(await page.locator("main form[action$='/delete']").count(), 0);
  await logout(page);
  await login(page, "ines@e2e.test");
  await page.goto(activityUrl);
  await page.click("main form[action$='/delete'] button");
  await page.locator("#flash").waitFor();
  assert.equal((await fetch(env.base + `/api/v1/activities/${edited}`, { headers: { authorization: `Bearer ${env.token}` } })).status, 404);
  await shoot(page, "activity-deleted");
  await Promise.all([page.waitForURL(/\/activities\/[0-9a-f-]+$/), page.click("#flash button:has-text('Deshacer')")]);
  await page.getByRole("heading", { name: "Visita y degustación" }).waitFor();
  await page.goto(env.base + `/accounts/${account.id}`);
  assert.match(await page.textContent("#activities"), /Visita y degustación/);

  assert.deepEqual(errors, []);
  await context.close();
});
