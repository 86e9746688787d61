// Saved views in a real browser: filter a list, save it as a view with chosen columns,
// open it again from the views menu, rename it, delete it after confirming.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { env, useCartera, api, shoot, login, DESKTOP } = require("./support");

useCartera();

async function headers(page) {
  return (await page.locator("#list thead th").allTextContents()).map((t) => t.trim());
}

test("a user saves a list as a view with chosen columns, reopens, renames and deletes it", async () => {
  for (const a of [
    { name: "Agro Pampa S.A.", kind: "customer", tax_id: "30-71234567-1",
      billing_address: { city: "Río Cuarto", province: "Córdoba", country: "AR" } },
    { name: "Molinos del Sur", kind: "customer",
      billing_address: { city: "Rosario", province: "Santa Fe", country: "AR" } },
    { name: "Ferretería Norte", kind: "prospect",
      billing_address: { city: "Salta", province: "Salta", country: "AR" } },
  ]) {
    await api(env.token, "POST", "/api/v1/accounts", a);
  }
  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await login(page, "ines@e2e.test");

  await page.goto(env.base + "/accounts");
  assert.deepEqual(await headers(page), ["Nombre", "Tipo", "Ciudad", "Responsable", "Actualizado"]);
  // Filter through htmx; the list says it is loading, then shows only customers.
  await page.selectOption("#list-filter", "customer");
  await page.locator("#list .row-link", { hasText: "Ferretería Norte" }).waitFor({ state: "detached" });

  // Save the filtered list with other columns.
  await page.click(".view-save summary");
  await page.fill("#new-view-name", "Clientes por provincia");
  const panel = page.locator(".view-save .view-form");
  await panel.locator("input[name=columns][value=city]").uncheck();
  await panel.locator("input[name=columns][value=updated]").uncheck();
  await panel.locator("input[name=columns][value=tax_id]").check();
  await panel.locator("input[name=columns][value=province]").check();
  await shoot(page, "accounts-save-view");
  await Promise.all([page.waitForURL(/\/accounts\?view=[0-9a-f-]{36}$/), panel.locator("button[type=submit]").click()]);
  const viewUrl = page.url();
  assert.deepEqual(await headers(page), ["Nombre", "Tipo", "Id. fiscal", "Provincia", "Responsable"]);
  assert.match(await page.textContent("h1"), /Clientes por provincia/);
  assert.equal(await page.locator("#list .row-link", { hasText: "Ferretería Norte" }).count(), 0);
  await page.locator("#list td", { hasText: "30-71234567-1" }).waitFor();
  await shoot(page, "accounts-view");

  // Reopen it from the views menu of the full list.
  await page.goto(env.base + "/accounts");
  await page.click(".views-menu summary");
  await shoot(page, "accounts-views-menu");
  await Promise.all([page.waitForURL(viewUrl), page.click(".views-list a:has-text('Clientes por provincia')")]);
  assert.deepEqual(await headers(page), ["Nombre", "Tipo", "Id. fiscal", "Provincia", "Responsable"]);
  assert.equal(await page.inputValue("#list-filter"), "customer");

  // A second view with a taken name is refused next to the field, keeping the choice.
  await page.click(".view-save summary");
  await page.fill("#new-view-name", "clientes POR provincia");
  await page.locator(".view-save button[type=submit]").click();
  await page.locator("#new-view-name-error").waitFor();
  assert.equal(await page.inputValue("#new-view-name"), "clientes POR provincia");
  assert.equal(await page.getAttribute("#new-view-name", "aria-invalid"), "true");

  // Rename it.
  await page.goto(viewUrl);
  await page.click(".view-edit summary");
  await page.fill("#edit-view-name", "Clientes (provincias)");
  await Promise.all([page.waitForURL(viewUrl), page.locator(".view-edit .view-form button[type=submit]").click()]);
  assert.match(await page.textContent("h1"), /Clientes \(provincias\)/);

  // Delete it: it asks first.
  await page.click(".view-edit summary");
  await page.click(".view-edit .confirm summary");
  await page.locator(".confirm-panel", { hasText: "Clientes (provincias)" }).waitFor();
  await Promise.all([page.waitForURL(/\/accounts$/), page.click(".confirm-panel button")]);
  await page.click(".views-menu summary");
  assert.equal(await page.locator(".views-list a", { hasText: "Clientes" }).count(), 0);
  const gone = await page.goto(viewUrl);
  assert.equal(gone.status(), 404);

  assert.deepEqual(errors, [], "no script errors");
  await context.close();
});

test("a slow answer shows the loading bar, marks its target busy and disables the button", async () => {
  const account = await api(env.token, "POST", "/api/v1/accounts", { name: "Cuenta Lenta" });
  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  const page = await context.newPage();
  await login(page, "ines@e2e.test");
  // Hold htmx requests for a moment, as a slow network would.
  let release;
  const held = new Promise((r) => (release = r));
  await page.route((url) => url.pathname === "/accounts", async (route) => {
    if (route.request().headers()["hx-request"]) await held;
    await route.continue();
  });

  await page.goto(env.base + "/accounts");
  await page.fill("#list-q", "lenta");
  await page.locator(".list-loading", { hasText: "Cargando…" }).waitFor({ state: "visible" });
  assert.equal(await page.getAttribute("#list", "aria-busy"), "true");
  assert.ok(await page.evaluate(() => document.body.classList.contains("is-loading")));
  await shoot(page, "accounts-loading");
  release();
  await page.locator(".list-loading").waitFor({ state: "hidden" });
  await page.locator("#list .row-link", { hasText: "Cuenta Lenta" }).waitFor();
  assert.equal(await page.getAttribute("#list", "aria-busy"), null);
  assert.ok(!(await page.evaluate(() => document.body.classList.contains("is-loading"))));

  // A note: its button stays disabled until the answer arrives.
  let releaseNote;
  const noteHeld = new Promise((r) => (releaseNote = r));
  await page.route((url) => url.pathname.endsWith("/notes"), async (route) => {
    await noteHeld;
    await route.continue();
  });
  await page.goto(env.base + `/accounts/${account.id}`);
  await page.fill("#note-body", "Llamar el lunes.");
  await page.click("#notes button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#notes button[type=submit]").disabled);
  releaseNote();
  await page.locator("#notes .note-body", { hasText: "Llamar el lunes." }).waitFor();
  assert.equal(await page.locator("#notes button[type=submit]").isDisabled(), false);
  await context.close();
});
