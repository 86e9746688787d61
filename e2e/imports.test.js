// An import in the reader's language (issue 17, point 6): a Spanish-speaking admin
// drops a CSV of contacts saved by Excel (CRLF), sees its columns mapped to fields named
// in Spanish (no `first_name`), runs it, and reads every refused or skipped row's
// problems in Spanish, never the English messages the API carries.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { env, useCartera, api, shoot, login } = require("./support");

useCartera();

test("a refused row says what is wrong in the reader's language", async () => {
  await api(env.token, "POST", "/api/v1/contacts", {
    first_name: "Ana", last_name: "Quiroga", emails: [{ address: "ana@molinos.example" }],
  });
  const csv = [
    "Nombre;Apellido;Email;Fecha de nacimiento",
    "Luis;Paz;luis@paz.example;12/03/1985",
    "Marta;Gómez;no-es-un-correo;31/02/1990",
    ";;;",
    "Ana;Quiroga;ana@molinos.example;",
  ].join("\r\n") + "\r\n";

  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "es-AR" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await login(page, "ines@e2e.test");
  await page.goto(env.base + "/imports");
  await page.selectOption("#i-kind", "contacts");
  await page.setInputFiles("#i-file", { name: "contactos.csv", mimeType: "text/csv", buffer: Buffer.from(csv, "utf8") });
  await Promise.all([page.waitForURL(/\/imports\/[0-9a-f-]+$/), page.click("#import-upload button[type=submit]")]);

  // The mapping names the fields in Spanish.
  const mapping = await page.locator("table.mapping").innerText();
  assert.doesNotMatch(mapping, /\bfirst_name\b|\bemails\b|billing_address/);
  await Promise.all([page.waitForLoadState("load"), page.click(".import-form button.btn-primary")]);
  await page.locator("#import-progress").waitFor();
  for (let i = 0; i < 60 && (await page.locator("#import-progress[hx-get]").count()) > 0; i++) {
    await page.waitForTimeout(500);
  }
  await page.reload();
  const body = await page.locator("main").innerText();
  await shoot(page, "import-results");
  // Every problem in Spanish; none of the API's English messages.
  assert.doesNotMatch(body, /is not a|has the same|repeats the|required|must be|the row|outside your view|not a valid/i);
  assert.match(body, /«31\/02\/1990» no es una fecha: ese mes no tiene ese día/);
  assert.match(body, /Escribe un correo válido/);
  assert.match(body, /Ya hay un registro con el mismo email: Contacto «Ana Quiroga»/);
  assert.deepEqual(errors, []);
  await context.close();
});
