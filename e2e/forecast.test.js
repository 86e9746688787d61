// The forecast a manager uses (issue point 9), in a real browser: she signs in, opens
// Previsión, reads the chart per month and stage (legend, totals in pesos with dollars
// converted at the month's rate), changes the period with the picker, and sets the visit
// target of a rep of her team (the person picker lists her team only).
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { env, useCartera, api, cartera, shoot, login, PASSWORD, DESKTOP, PHONE } = require("./support");

useCartera();

const ym = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;

test("a manager reads the chart per stage, changes the period and sets her rep's visit target", async () => {
  // Marta manages the team Norte, where Rita works; Rosa is on no team of hers.
  const users = await api(env.token, "GET", "/api/v1/users");
  const byEmail = (e) => users.data.find((u) => u.email === e).id;
  const rita = byEmail("rita@e2e.test");
  const rosa = byEmail("rosa@e2e.test");
  const roles = await api(env.token, "GET", "/api/v1/roles");
  const manager = roles.data.find((r) => r.key === "manager").id;
  const marta = await api(env.token, "POST", "/api/v1/users", { email: "marta@e2e.test", name: "Marta Jefa" });
  await api(env.token, "PATCH", `/api/v1/users/${marta.id}`, { role_id: manager });
  cartera(["user", "password", "--email", "marta@e2e.test"], PASSWORD + "\n");
  await api(env.token, "POST", "/api/v1/teams", { name: "Norte", manager_id: marta.id, member_ids: [rita] });

  // Rita's deals this month: USD 1000 at 40 % in the first stage, ARS 200000 at 50 % in
  // Negociación; a dollar is worth 1050.5 pesos this month.
  const now = new Date();
  const month = ym(now);
  const day = `${month}-28`;
  const pipeline = (await api(env.token, "GET", "/api/v1/pipelines")).data[0];
  const stage = (name) => pipeline.stages.find((s) => s.name === name).id;
  const account = await api(env.token, "POST", "/api/v1/accounts", { name: "Molinos del Norte", owner_id: rita });
  for (const [name, amount, currency, p, st] of [
    ["Secadora", "1000", "USD", 40, "Calificación"],
    ["Silo 200 t", "200000", "ARS", 50, "Negociación"],
  ]) {
    await api(env.token, "POST", "/api/v1/deals", {
      name, account_id: account.id, owner_id: rita, amount: { amount, currency },
      probability: p, stage_id: stage(st), expected_close_date: day,
    });
  }
  await api(env.token, "PATCH", "/api/v1/settings", {
    exchange_rates: [{ month, currency: "USD", rate: "1050.5" }],
  });

  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await login(page, "marta@e2e.test");

  // Previsión from the navigation.
  await Promise.all([page.waitForURL(/\/forecast/), page.click(".sidenav a[href='/forecast']")]);
  const chart = page.locator("#forecast-chart");
  await chart.waitFor();
  const legend = await chart.locator(".fc-legend li").allTextContents();
  assert.ok(legend.some((l) => l.includes("Calificación")), legend.join(" | "));
  assert.ok(legend.some((l) => l.includes("Negociación")), legend.join(" | "));
  // 1000 × 40 % × 1050.5 = 420200.00 plus 200000 × 50 % = 100000.00.
  const total = await page.locator("#fc-total").textContent();
  assert.equal(total.trim(), "520.200,00 ARS");
  const bars = await chart.locator(".fc-track[role=img]").evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")));
  assert.ok(bars.some((b) => b.includes("520.200,00 ARS") && b.includes("Calificación: 420.200,00 ARS")), bars.join(" | "));
  const segments = await chart.locator(".fc-seg").count();
  assert.equal(segments, 2);
  // The same figures in the table beside the chart.
  const table = await page.locator("#fc-table").textContent();
  assert.ok(table.includes("420.200,00 ARS") && table.includes("100.000,00 ARS"), table);
  // Readable on a narrow phone: nothing wider than the screen.
  await page.setViewportSize({ width: 360, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than 360px`);
  await shoot(page, "forecast-chart");
  await page.setViewportSize(DESKTOP);

  // The period picker: next year's first quarter, no typing.
  const next = `${now.getFullYear() + 1}-Q1`;
  await page.selectOption("#f-period", next);
  await Promise.all([
    page.waitForURL((u) => u.searchParams.get("period") === next),
    page.click(".forecast-filter button[type=submit]"),
  ]);
  assert.equal(await page.locator("#f-period").inputValue(), next);
  await page.locator("#forecast-chart").waitFor();

  // Targets: her picker lists Rita, not Rosa; she sets Rita's visits for the month.
  await Promise.all([page.waitForURL(/\/targets/), page.click(".sidenav a[href='/targets']")]);
  const options = await page.locator("#t-user option").evaluateAll((os) => os.map((o) => o.value));
  assert.ok(options.includes(rita), options.join(","));
  assert.ok(!options.includes(rosa), options.join(","));
  await page.selectOption("#t-user", rita);
  await page.fill("#t-visits", "12");
  await page.fill("#t-calls", "30");
  await Promise.all([page.waitForURL(/saved=1/), page.click(".target-new button[type=submit]")]);
  await page.locator("#targets-saved").waitFor();
  const targets = await api(env.token, "GET", `/api/v1/activity_targets?period=${month}`);
  const hers = targets.data.find((t) => t.user_id === rita);
  assert.ok(hers, JSON.stringify(targets));
  assert.equal(hers.visits, 12);
  assert.equal(hers.calls, 30);
  await page.setViewportSize(PHONE);
  await shoot(page, "targets-manager");
  assert.deepEqual(errors, []);
  await context.close();
});
