// Working with records in a real browser: a contact made from its account, a value
// edited in place, a lead converted, a record deleted and brought back; screenshots of
// the contact and lead pages, the edit form, the conversion and the trash.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { useCartera, api, shoot, login, DESKTOP } = require("./support");

const env = useCartera();

/** The inline editor has the keyboard focus: htmx has wired the swapped editor (a key
 * pressed sooner would submit the bare form). */
async function editorFocused(page) {
  await page.waitForFunction(() => document.activeElement && document.activeElement.name === "value"
    && !document.activeElement.closest(".htmx-settling, .htmx-added"));
}

test("contact, inline edit, lead conversion, delete and undo", async () => {
  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  const account = await api(env.token, "POST", "/api/v1/accounts", {
    name: "Distribuidora Ñandú", billing_address: { country: "AR", city: "Mendoza" }, tags: ["mayorista"],
  });
  await api(env.token, "POST", "/api/v1/leads", {
    first_name: "Pedro", last_name: "Ruiz", company_name: "Ruiz Hermanos", email: "pedro@ruiz.example.com",
    phone: "+54 261 555-0199", source: "feria",
  });
  await login(page, "ines@e2e.test");

  // A contact made from its account's page.
  await page.goto(env.base + `/accounts/${account.id}`);
  await Promise.all([page.waitForURL(/\/contacts\/new\?account_id=/), page.click("text=Agregar contacto")]);
  await page.fill("#f-first_name", "Lucía");
  await page.fill("#f-last_name", "Gómez");
  await page.fill("#f-job_title", "Compras");
  await page.fill("#f-email", "lucia@nandu.example.com");
  await page.fill("#f-phone", "+54 261 555-0101");
  await Promise.all([page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/), page.click("#record-form button.btn-primary")]);
  const contactUrl = page.url();
  assert.equal(await page.textContent("h1"), "Lucía Gómez");
  assert.ok(await page.locator(`a[href="/accounts/${account.id}"]`).count() > 0, "its account is linked");

  // Inline edit: Esc cancels, Enter saves.
  await page.click("#inline-job_title .inline-edit");
  const input = page.locator("#inline-job_title input[name=value]");
  await input.waitFor();
  await editorFocused(page);
  await input.fill("nada");
  await editorFocused(page);
  await page.keyboard.press("Escape");
  await page.locator("#inline-job_title .inline-value", { hasText: "Compras" }).waitFor();
  await page.click("#inline-job_title .inline-edit");
  await input.waitFor();
  await editorFocused(page);
  await input.fill("Jefa de compras");
  await page.keyboard.press("Enter");
  await page.locator("#inline-job_title .inline-value", { hasText: "Jefa de compras" }).waitFor();
  // A wrong email stays in the editor with its error.
  await page.click("#inline-email .inline-edit");
  await editorFocused(page);
  await page.locator("#inline-email input[name=value]").fill("sin arroba");
  await page.keyboard.press("Enter");
  await page.locator("#inline-email .field-error").waitFor();
  await editorFocused(page);
  await page.keyboard.press("Escape");
  await page.locator("#inline-email a", { hasText: "lucia@nandu.example.com" }).waitFor();
  await page.reload();
  assert.match(await page.textContent("#inline-job_title"), /Jefa de compras/);
  await shoot(page, "contact");

  // The edit form.
  await Promise.all([page.waitForURL(/\/edit$/), page.click(".record-actions a[href$='/edit']")]);
  await page.fill("#f-email", "no es un correo");
  await page.click("#record-form button.btn-primary");
  await page.waitForSelector("#email-error");
  assert.equal(await page.inputValue("#f-email"), "no es un correo");
  await shoot(page, "contact-edit");
  await page.fill("#f-email", "lucia.gomez@nandu.example.com");
  await page.fill("#f-department", "Compras");
  await Promise.all([page.waitForURL(contactUrl), page.click("#record-form button.btn-primary")]);

  // Delete, then undo.
  await page.click(".record-actions .btn-danger");
  await page.locator("#flash").waitFor();
  await Promise.all([page.waitForURL(contactUrl), page.click("#flash button.btn-primary")]);
  assert.equal(await page.textContent("h1"), "Lucía Gómez");
  // Deleted again, it waits in the trash.
  await page.click(".record-actions .btn-danger");
  await page.locator("#flash").waitFor();
  await page.goto(env.base + "/contacts/trash");
  await page.locator(".trash-list", { hasText: "Lucía Gómez" }).waitFor();
  await shoot(page, "trash");
  await Promise.all([page.waitForURL(contactUrl), page.click(".trash-list button")]);

  // A lead opened from its list, converted into an account and a contact.
  await page.goto(env.base + "/leads");
  await Promise.all([page.waitForURL(/\/leads\/[0-9a-f-]{36}$/), page.click("text=Pedro Ruiz")]);
  await shoot(page, "lead");
  await Promise.all([page.waitForURL(/\/convert$/), page.click("#conversion a.btn-primary")]);
  assert.equal(await page.inputValue("#f-account_name"), "Ruiz Hermanos");
  await shoot(page, "lead-convert");
  await Promise.all([
    page.waitForURL(/\/accounts\/[0-9a-f-]{36}$/),
    page.click("form.form-card button.btn-primary"),
  ]);
  assert.equal(await page.textContent("h1"), "Ruiz Hermanos");
  await page.locator(".record-list", { hasText: "Pedro Ruiz" }).waitFor();

  assert.deepEqual(errors, [], "no script errors in the browser console");
  await context.close();
});
