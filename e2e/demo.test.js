// A demo that sells and a My day worth opening (issue 17, points 8 and 10), as a newcomer
// meets them: `cartera demo` prints the logins; the manager signs in with hers and her
// My day shows her team (its pipeline, who logged no activity this week, its overdue
// tasks), the deals closing this week and her quota, and her forecast adds every currency
// in pesos; a rep's day has visits planned for today; the admin finds the company's name, tax id and logo ready for the quotes.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { env, useCartera, shoot, login, logout } = require("./support");

useCartera({ demo: true });

const DEMO_PASSWORD = "cartera-demo";

test("the demo's manager, rep and admin each find a day worth opening", async () => {
  assert.match(env.demo, /Demo logins \(password cartera-demo\):/);
  assert.match(env.demo, /lucia\.fernandez@demo\.cartera\.local/);

  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "es-AR" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));

  // The manager: her team, her quota, the week's deals.
  await login(page, "lucia.fernandez@demo.cartera.local", DEMO_PASSWORD);
  const team = await page.locator("#my-team").innerText();
  assert.match(team, /Tu equipo/);
  assert.match(team, /oportunidades? abiertas? en el equipo/);
  assert.match(team, /Tareas atrasadas del equipo/);
  assert.match(await page.locator("#my-closing").innerText(), /cierran esta semana/);
  assert.match(await page.locator("#my-quota").innerText(), /Tu cuota/);
  assert.doesNotMatch(await page.locator("main").innerText(), /my-day-|\bundefined\b/);
  await shoot(page, "demo-my-day-manager");
  // Her forecast adds the demo's pesos, dollars, euros and Mexican pesos in one currency.
  await page.goto(env.base + "/forecast");
  await page.locator("#forecast-chart").waitFor();
  assert.equal(await page.locator("#fc-unconverted").count(), 0, "every currency has a rate");
  assert.match(await page.locator("#fc-total").innerText(), /^[\d.]+,\d\d ARS$/);
  await shoot(page, "demo-forecast");
  await logout(page);

  // A rep: visits planned for today, and an overdue task.
  await login(page, "martin.gomez@demo.cartera.local", DEMO_PASSWORD);
  const agenda = await page.locator("section.agenda").innerText();
  assert.match(agenda, /Visita: presentar la lista de precios nueva/);
  await shoot(page, "demo-my-day-rep");
  await logout(page);

  // The admin: the company's data and logo are there before the first quote goes out.
  await login(page, "admin@demo.cartera.local", DEMO_PASSWORD);
  await page.goto(env.base + "/admin/quotes");
  const company = page.locator("form[action='/admin/quotes/company']");
  assert.equal(await company.locator("input[name=name]").inputValue(), "Distribuidora del Litoral S.A.");
  assert.equal(await company.locator("input[name=tax_id]").inputValue(), "30-71592648-3");
  const logo = page.locator("img.logo-preview");
  await logo.waitFor();
  assert.ok(await logo.evaluate((img) => img.complete && img.naturalWidth > 0), "the logo is drawn");
  await shoot(page, "demo-quote-settings");

  assert.deepEqual(errors, []);
  await context.close();
});
