// Settings and administration in a real browser: the language switch, API tokens, the
// authenticator's setup, inviting a user with a role, the role matrix and territories.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { useCartera, shoot, login, logout, DESKTOP, PHONE, SHOTS } = require("./support");

const env = useCartera();

/** No script errors in the console (answers with an error status are expected). */
function watch(page) {
  const errors = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

/** Each settings section on its own, at desktop and phone widths. */
async function shootSections(page) {
  for (const [viewport, size] of [[DESKTOP, "desktop"], [PHONE, "phone"]]) {
    await page.setViewportSize(viewport);
    for (const id of ["profile", "password", "two-factor", "tokens"]) {
      await page.locator(`#${id}`).screenshot({ path: path.join(SHOTS, `settings-${id}-${size}.png`) });
    }
  }
  await page.setViewportSize(DESKTOP);
}

test("the language switch turns the pages to English and back", async () => {
  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  const page = await context.newPage();
  const errors = watch(page);
  await login(page, "rita@e2e.test");
  assert.equal(await page.getAttribute("html", "lang"), "es");
  await page.click(".user-menu summary");
  await shoot(page, "user-menu");
  await Promise.all([page.waitForURL(/\/my-day$/), page.click(".lang-switch button[value=en]")]);
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.match(await page.textContent(".sidenav"), /Accounts/);
  // A sales rep has settings but no administration.
  await page.click(".user-menu summary");
  assert.equal(await page.locator(".user-menu-panel a[href='/admin']").count(), 0);
  await Promise.all([page.waitForURL(/\/settings$/), page.click(".user-menu-panel a[href='/settings']")]);
  assert.equal(await page.textContent("h1"), "Settings");
  const res = await page.goto(env.base + "/admin/users");
  assert.equal(res.status(), 403);
  await page.goto(env.base + "/settings");
  await page.click(".user-menu summary");
  await Promise.all([page.waitForURL(/\/settings$/), page.click(".lang-switch button[value=es]")]);
  assert.equal(await page.getAttribute("html", "lang"), "es");
  assert.equal(await page.textContent("h1"), "Configuración");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a person creates an API token, sees it once and revokes it", async () => {
  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: env.base });
  const page = await context.newPage();
  const errors = watch(page);
  await login(page, "rosa@e2e.test");
  await page.goto(env.base + "/settings");
  // A wrong time zone cannot be picked: the list only has real ones.
  assert.ok(await page.locator("#s-time_zone option[value='America/Mexico_City']").count());
  await page.fill("#s-token_name", "Planilla de pedidos");
  await page.selectOption("#s-token_scope", "read");
  await page.click("#tokens form button.btn-primary");
  const secret = (await page.textContent("#new-token-secret")).trim();
  assert.match(secret, /^crt_/);
  // The copy button puts the secret on the clipboard.
  await page.click("#new-token button[data-copy]");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  const me = await fetch(env.base + "/api/v1/users/me", { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(me.status, 200);
  await page.locator("#new-token").scrollIntoViewIfNeeded();
  await shoot(page, "settings-token-created");

  // The authenticator's setup: a QR code and the key in groups.
  await page.click("#totp-begin");
  await page.locator("#two-factor .qr svg").waitFor();
  assert.match(await page.textContent("#totp-secret"), /^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
  await shootSections(page);

  // Shown once: the next page lists the token without its secret.
  await page.goto(env.base + "/settings#tokens");
  assert.equal(await page.locator(`text=${secret}`).count(), 0);
  const row = page.locator("#token-list tr", { hasText: "Planilla de pedidos" });
  await row.locator("summary").click();
  await row.locator(".confirm-panel").waitFor();
  await shoot(page, "settings-token-revoke");
  await Promise.all([page.waitForURL(/saved=token-revoked/), row.locator(".confirm-panel button").click()]);
  await page.locator("#settings-saved").waitFor();
  const after = await fetch(env.base + "/api/v1/users/me", { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(after.status, 401);
  await page.goto(env.base + "/settings");
  await shoot(page, "settings");
  assert.deepEqual(errors, []);
  await logout(page);
  await context.close();
});

test("an admin invites a user, gives them a role, edits the matrix and adds a territory", async () => {
  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  const page = await context.newPage();
  const errors = watch(page);
  await login(page, "ines@e2e.test");
  await page.click(".user-menu summary");
  await Promise.all([page.waitForURL(/\/admin\/users$/), page.click(".user-menu-panel a[href='/admin']")]);

  // Invite: a mistake is named next to its field, and what was typed stays.
  await page.click("#invite summary");
  await page.fill("#invite-email", "no es un email");
  await page.fill("#invite-name", "Marta Gerente");
  await page.click("#invite form button.btn-primary");
  await page.locator("#email-error").waitFor();
  assert.equal(await page.inputValue("#invite-name"), "Marta Gerente");
  await page.fill("#invite-email", "marta@e2e.test");
  await page.selectOption("#invite-role_id", { label: "Vendedor" });
  await Promise.all([page.waitForURL(/invited=/), page.click("#invite form button.btn-primary")]);
  const row = page.locator("#user-list tr", { hasText: "marta@e2e.test" });
  await row.waitFor();
  // Then a role: manager.
  await row.locator("select").selectOption({ label: "Gerente de ventas" });
  await Promise.all([page.waitForURL(/saved=/), row.locator(".role-form button").click()]);
  const users = await (await fetch(env.base + "/api/v1/users", { headers: { authorization: `Bearer ${env.token}` } })).json();
  const roles = await (await fetch(env.base + "/api/v1/roles", { headers: { authorization: `Bearer ${env.token}` } })).json();
  const marta = users.data.find((u) => u.email === "marta@e2e.test");
  assert.equal(roles.data.find((r) => r.id === marta.role_id).key, "manager");
  await shoot(page, "admin-users");

  // The matrix: the read-only role may now export accounts.
  await page.click(".subnav a[href='/admin/roles']");
  await shoot(page, "admin-roles");
  const readOnly = roles.data.find((r) => r.key === "read_only");
  await page.goto(env.base + `/admin/roles/${readOnly.id}`);
  const box = page.locator("#perm-accounts-export");
  assert.equal(await box.isChecked(), false);
  await box.check();
  await Promise.all([page.waitForURL(/saved=1/), page.click("form.form-card button.btn-primary")]);
  assert.equal(await page.locator("#perm-accounts-export").isChecked(), true);
  await shoot(page, "admin-role-matrix");

  // A territory: a bad country is named next to its field.
  await page.goto(env.base + "/admin/territories");
  await page.click("#new-territory summary");
  await page.fill("#territory-new-name", "Cuyo");
  await page.fill("#territory-new-countries", "AR, Argentina");
  await page.fill("#territory-new-provinces", "Mendoza, San Juan, San Luis");
  await page.click("#new-territory form button.btn-primary");
  await page.locator("#countries-error").waitFor();
  assert.equal(await page.inputValue("#territory-new-provinces"), "Mendoza, San Juan, San Luis");
  await page.fill("#territory-new-countries", "AR");
  await page.selectOption("#territory-new-owner_id", { label: "Rita Rep" });
  await page.check("#new-territory input[name=member_ids] >> nth=0");
  await Promise.all([page.waitForURL(/#territory-/), page.click("#new-territory form button.btn-primary")]);
  await page.locator(".card h2", { hasText: "Cuyo" }).waitFor();
  await shoot(page, "admin-territories");

  await page.goto(env.base + "/admin/teams");
  await shoot(page, "admin-teams");
  await page.goto(env.base + "/admin/custom-fields");
  await shoot(page, "admin-custom-fields");
  assert.deepEqual(errors, []);
  await context.close();
});

test("the forgotten-password pages", async () => {
  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  const page = await context.newPage();
  await page.goto(env.base + "/login");
  await Promise.all([page.waitForURL(/\/forgot-password$/), page.click("#forgot-link")]);
  await page.fill("#email", "nadie@e2e.test");
  await page.click("button[type=submit]");
  await page.locator("#forgot-sent").waitFor();
  await shoot(page, "forgot-password");
  // A link that is not (or no longer) valid says so as soon as it opens.
  await page.goto(env.base + "/reset-password?token=crr_vencido");
  await page.locator("#reset-bad-link").waitFor();
  assert.equal(await page.locator("#new_password").count(), 0);
  await shoot(page, "reset-password-bad-link");
  await context.close();
});
