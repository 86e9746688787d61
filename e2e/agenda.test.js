// The agenda in a real browser: a rep's week with her activities, dragging a visit to
// another day (and the phone's date field), marking it done with its report, the
// notifications bell, the month view and the targets; screenshots at both widths.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { env, useCartera, api, shoot, login, DESKTOP } = require("./support");

useCartera();

// The test's week is next week (Monday to Sunday, UTC), so that the visit and the day it
// is dragged to are in the future and in one week view whatever the hour or weekday the
// test runs at; the target is for the month of the day the visit is moved to.
const MONDAY = (() => {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + 7 - ((d.getUTCDay() + 6) % 7));
  return d;
})();

function at(dayOfWeek, hour) {
  const d = new Date(MONDAY);
  d.setUTCDate(d.getUTCDate() + dayOfWeek);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString().replace(/\.\d+Z$/, "Z");
}

test("a rep drags a visit to another day, marks it done with a report and sees her targets", async () => {
  const users = await api(env.token, "GET", "/api/v1/users");
  const rita = users.data.find((u) => u.email === "rita@e2e.test");
  const account = await api(env.token, "POST", "/api/v1/accounts", { name: "Tambo La Esperanza", owner_id: rita.id });
  // Tuesday noon in Buenos Aires, where Rita lives.
  const visit = await api(env.token, "POST", "/api/v1/activities", {
    kind: "visit", subject: "Visita al tambo", owner_id: rita.id, account_id: account.id,
    starts_at: at(1, 15), ends_at: at(1, 16), reminders: [30],
  });
  for (const [kind, subject, start] of [
    ["call", "Llamar a Molinos del Sur", at(1, 14)],
    ["meeting", "Reunión con el distribuidor", at(2, 15)],
    ["task", "Enviar lista de precios", null],
  ]) {
    const body = { kind, subject, owner_id: rita.id };
    if (start) body.starts_at = start; else body.due_date = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
    await api(env.token, "POST", "/api/v1/activities", body);
  }
  // The first later day in the week view is Wednesday: the visit is done in its month.
  const period = at(2, 15).slice(0, 7);
  await api(env.token, "POST", "/api/v1/activity_targets", { user_id: rita.id, period, visits: 8, calls: 20 });

  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await login(page, "rita@e2e.test");
  await page.goto(env.base + `/calendar?date=${at(1, 15).slice(0, 10)}`);
  await page.waitForSelector(`[data-activity="${visit.id}"]`);
  await shoot(page, "agenda-week");

  // Drag the visit onto the next day with a visible drop target.
  const item = page.locator(`[data-activity="${visit.id}"]`);
  const from = await item.evaluate((el) => el.closest("[data-day]").dataset.day);
  const days = await page.locator("[data-day]").evaluateAll((els) => els.map((e) => e.dataset.day));
  // A later day: moved into the past, its reminder would be too, and that is refused.
  const to = days.find((d) => d > from);
  // The page reloads itself once the move is saved: wait for that, or the next
  // navigation would be cut short by it.
  const reloaded = page.waitForEvent("framenavigated", (f) => f === page.mainFrame());
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/move")),
    item.dragTo(page.locator(`[data-day="${to}"] ul`)),
  ]);
  assert.equal(answer.status(), 204);
  await reloaded;
  await page.waitForLoadState("load");
  const moved = await api(env.token, "GET", `/api/v1/activities/${visit.id}`);
  assert.equal(moved.starts_at.slice(0, 10) !== visit.starts_at.slice(0, 10), true, "the visit moved");
  assert.equal(moved.version, 2);

  // The activity's page: mark it done with the report and next step.
  await page.goto(env.base + `/activities/${visit.id}`);
  await shoot(page, "agenda-activity");
  await page.fill("#f-outcome", "Interesados en 20 bolsas");
  await page.fill("#f-report", "Recorrimos el campo; el silo nuevo llega en marzo.");
  await page.fill("#f-next", "Enviar presupuesto el lunes");
  await Promise.all([page.waitForURL(/saved=1/), page.click("form[action$='/done'] button[type=submit]")]);
  const done = await api(env.token, "GET", `/api/v1/activities/${visit.id}`);
  assert.equal(done.status, "done");
  assert.equal(done.next_action, "Enviar presupuesto el lunes");

  await page.goto(env.base + `/calendar?view=month&date=${at(1, 15).slice(0, 10)}`);
  await shoot(page, "agenda-month");
  await page.goto(env.base + "/notifications");
  await shoot(page, "agenda-notifications");
  await page.goto(env.base + `/targets?period=${period}`);
  assert.match(await page.textContent("table.targets"), /1 \/ 8/);
  await shoot(page, "agenda-targets");
  await page.goto(env.base + "/activities/new");
  await shoot(page, "agenda-new");
  await page.goto(env.base + "/my-day");
  await shoot(page, "agenda-my-day");
  assert.deepEqual(errors, []);
  await context.close();
});

test("dragging one occurrence of a weekly series moves that occurrence alone", async () => {
  const users = await api(env.token, "GET", "/api/v1/users");
  const rita = users.data.find((u) => u.email === "rita@e2e.test");
  const series = await api(env.token, "POST", "/api/v1/activities", {
    kind: "meeting", subject: "Reunión semanal de ventas", owner_id: rita.id,
    starts_at: at(1, 15), ends_at: at(1, 16), recurrence: { rule: "FREQ=WEEKLY;COUNT=3" },
  });
  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await login(page, "rita@e2e.test");
  await page.goto(env.base + `/calendar?date=${at(1, 15).slice(0, 10)}`);
  const item = page.locator(`[data-activity="${series.id}"]`);
  await item.waitFor();
  assert.equal(await item.getAttribute("data-occurrence"), at(1, 15));
  const reloaded = page.waitForEvent("framenavigated", (f) => f === page.mainFrame());
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/move")),
    item.dragTo(page.locator(`[data-day="${at(2, 15).slice(0, 10)}"] ul`)),
  ]);
  assert.equal(answer.status(), 204);
  await reloaded;
  await page.waitForLoadState("load");
  const after = await api(env.token, "GET", `/api/v1/activities/${series.id}`);
  assert.equal(after.starts_at, at(1, 15), "the series still starts where it did");
  assert.deepEqual(
    after.recurrence.overrides.map((o) => [o.original_start, o.starts_at]),
    [[at(1, 15), at(2, 15)]],
  );
  await page.waitForSelector(`[data-day="${at(2, 15).slice(0, 10)}"] [data-activity="${series.id}"]`);
  await shoot(page, "agenda-occurrence-moved");
  assert.deepEqual(errors, []);
  await context.close();
});
