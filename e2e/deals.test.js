// The pipeline board in a real browser: a deal card dragged to the next stage column
// moves the deal there (the same move the stage select makes).
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { env, useCartera, api, shoot, login, DESKTOP } = require("./support");

useCartera();

test("a deal card dragged to the next stage moves the deal", async () => {
  const account = await api(env.token, "POST", "/api/v1/accounts", { name: "Molinos del Sur" });
  const deal = await api(env.token, "POST", "/api/v1/deals", {
    name: "Silo de 500 t", account_id: account.id, amount: { amount: "1250000", currency: "ARS" },
  });
  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await login(page, "ines@e2e.test");
  await page.goto(env.base + "/deals");
  const card = page.locator(`[data-deal="${deal.id}"]`);
  await card.waitFor();
  const from = await card.evaluate((el) => el.closest("[data-stage]").dataset.stage);
  const stages = await page.locator("[data-stage]").evaluateAll((els) => els.map((e) => e.dataset.stage));
  const to = stages[stages.indexOf(from) + 1];
  await Promise.all([
    page.waitForURL(/\/deals/, { waitUntil: "load" }),
    page.waitForResponse((r) => r.url().endsWith("/move")),
    card.dragTo(page.locator(`[data-stage="${to}"] ul`)),
  ]);
  await page.locator(`[data-stage="${to}"] [data-deal="${deal.id}"]`).waitFor();
  const moved = await api(env.token, "GET", `/api/v1/deals/${deal.id}`);
  assert.equal(moved.stage_id, to);
  await shoot(page, "deals-board");
  assert.deepEqual(errors, []);
  await context.close();
});
