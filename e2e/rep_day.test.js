// A sales rep's day in a real browser (issue 17): a deal started from the account's
// page, priced by its lines, a competitor picked by typing, edited into the next stage
// and found on the board filtered to the rep's own deals; and every main page fits a
// phone, with the sections that do not fit the tab bar behind "More".
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { env, useCartera, api, shoot, login, DESKTOP, PHONE } = require("./support");

useCartera();

async function userId(email) {
  const users = await api(env.token, "GET", "/api/v1/users");
  return users.data.find((u) => u.email === email).id;
}

test("a rep starts a deal on the account's page, edits it and finds it on the board", async () => {
  const rita = await userId("rita@e2e.test");
  const account = await api(env.token, "POST", "/api/v1/accounts", {
    name: "Ferretería del Puerto", owner_id: rita,
    billing_address: { street: "Av. Belgrano 1520", city: "Rosario", country: "AR" },
  });
  await api(env.token, "POST", "/api/v1/accounts", { name: "Hierros Rivales", kind: "competitor", owner_id: rita });
  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await login(page, "rita@e2e.test");
  await page.goto(`${env.base}/accounts/${account.id}`);
  await page.locator("text=ver en el mapa").waitFor();
  await Promise.all([
    page.waitForURL(/\/deals\/new\?account_id=/),
    page.click(".record-quick-actions a[href^='/deals/new']"),
  ]);
  // The customer and the rep are already there; the name starts with the customer's.
  assert.equal(await page.inputValue("#f-account_id"), "Ferretería del Puerto");
  assert.match(await page.inputValue("#f-name"), /^Ferretería del Puerto — /);
  await page.fill("#f-name", "Ferretería del Puerto — 40 taladros");
  await page.fill("input[name=line_description]", "Taladro percutor");
  await page.fill("input[name=line_quantity]", "40");
  await page.fill("input[name=line_price]", "48.500");
  await page.fill("input[name=line_tax]", "21");
  // The competitor is found by typing part of its name, without accents.
  await page.fill("#f-comp-1", "rivales");
  await page.locator("#f-comp-1-list [role=option]").first().click();
  assert.equal(await page.inputValue("#f-comp-1"), "Hierros Rivales");
  await page.selectOption("select[name=comp_threat]", "high");
  await Promise.all([
    page.waitForURL(/\/deals\/[0-9a-f-]{36}$/),
    page.click("button.btn-primary[type=submit]"),
  ]);
  await page.locator(".deal-amount", { hasText: "1.940.000,00 ARS" }).waitFor();
  await page.locator("text=Hierros Rivales").first().waitFor();
  await shoot(page, "deal-new-saved");

  // Edit: the next stage, a close date.
  await Promise.all([page.waitForURL(/\/edit$/), page.click("a[href$='/edit']")]);
  const stage = await page.locator("#f-stage_id option", { hasText: "Propuesta" }).getAttribute("value");
  await page.selectOption("#f-stage_id", stage);
  await page.fill("#f-close", "2027-03-31");
  await shoot(page, "deal-edit");
  await Promise.all([
    page.waitForURL(/\/deals\/[0-9a-f-]{36}$/),
    page.click("button.btn-primary[type=submit]"),
  ]);
  await page.locator(".record-badges .badge", { hasText: "Propuesta" }).waitFor();
  assert.ok((await page.textContent(".facts")).includes("31/03/2027"));

  // The board, filtered to the rep's deals, totals them.
  await page.goto(`${env.base}/deals`);
  await page.selectOption("#owner-pick", "me");
  await page.waitForURL(/owner=me/);
  await page.locator("#board-total", { hasText: "1 oportunidad abierta" }).waitFor();
  assert.ok((await page.textContent("#board-total")).includes("1.940.000,00 ARS"));
  // Every column, the lost one included, is reachable at 1280 px.
  const lost = page.locator(".board-col.stage-lost");
  await lost.scrollIntoViewIfNeeded();
  assert.ok(await lost.isVisible());
  await shoot(page, "deals-board-mine");
  assert.deepEqual(errors, []);
  await context.close();
});

test("the account page puts every fact on one screen, in the reader's words and numbers", async () => {
  const rita = await userId("rita@e2e.test");
  const account = await api(env.token, "POST", "/api/v1/accounts", {
    name: "Molinos del Sur", owner_id: rita, website: "molinos.example.com",
    description: "Compra harina a granel.",
    billing_address: { street: "Av. Colón 1234", city: "Córdoba", province: "Córdoba", country: "AR" },
  });
  const ana = await api(env.token, "POST", "/api/v1/contacts", { first_name: "Ana", last_name: "Quiroga", account_id: account.id, owner_id: rita });
  await api(env.token, "POST", `/api/v1/contacts/${ana.id}/notes`, { body: "Prefiere que la llamen a la tarde" });
  const deal = await api(env.token, "POST", "/api/v1/deals", {
    name: "Harina 2027", account_id: account.id, owner_id: rita, contact_ids: [ana.id],
    lines: [{ description: "Harina 000", quantity: "1.5", unit_price: { amount: "1234.5", currency: "ARS" }, tax_rate: "21" }],
  });
  const pipelines = await api(env.token, "GET", "/api/v1/pipelines");
  const proposal = pipelines.data[0].stages.find((st) => st.name === "Propuesta");
  await api(env.token, "POST", `/api/v1/deals/${deal.id}/move`, { stage_id: proposal.id });

  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "es-AR" });
  const page = await context.newPage();
  await login(page, "rita@e2e.test");
  await page.goto(`${env.base}/accounts/${account.id}`);
  const main = await page.locator("main").innerText();
  // The address with its map, the website, the description, the deal in play.
  assert.match(main, /Av\. Colón 1234, Córdoba, Córdoba, Argentina/);
  assert.ok(await page.locator("a[href^='https://www.openstreetmap.org/search']").count() > 0);
  assert.ok(await page.locator("a[href='https://molinos.example.com']").count() > 0);
  assert.match(main, /Compra harina a granel\./);
  assert.match(main, /1\.851,75 ARS/, "the deal's amount in the reader's format");
  // The timeline says whose the note is and what moved, in words.
  const timeline = await page.locator("ol.timeline").innerText();
  assert.match(timeline, /sobre Ana Quiroga/);
  assert.match(timeline, /Etapa: Calificación → Propuesta/);
  assert.doesNotMatch(timeline, /stage_id|_id\b|· done/);
  // One click logs a visit already linked to the account.
  await Promise.all([
    page.waitForURL(/\/activities\/new\?.*account_id=/),
    page.locator("a[href*='/activities/new'][href*='kind=visit']").first().click(),
  ]);
  assert.equal(await page.inputValue("#f-account"), "Molinos del Sur");
  // The deal's lines in the reader's format: 1,5 × 1.234,50.
  await page.goto(`${env.base}/deals/${deal.id}`);
  const lines = await page.locator("main").innerText();
  assert.match(lines, /1,5/);
  assert.match(lines, /1\.234,50/);
  assert.doesNotMatch(lines, /1234\.50|1851\.75/);
  await shoot(page, "deal-lines");
  await context.close();
});

test("every main page fits a phone, and More opens the other sections", async () => {
  const account = await api(env.token, "POST", "/api/v1/accounts", {
    name: "Establecimiento Agropecuario Los Cuatro Hermanos Sociedad Anónima",
    website: "https://www.establecimientoagropecuariosloscuatrohermanos.com.ar/contacto",
    description: "Compra semillas, fertilizantes y repuestos para la cosecha gruesa todos los años.",
  });
  const contact = await api(env.token, "POST", "/api/v1/contacts", {
    first_name: "Maximiliano Alejandro", last_name: "Fernández de la Cruz Etcheverry",
    account_id: account.id, emails: [{ address: "maximiliano.fernandezdelacruz@loscuatrohermanos.com.ar" }],
  });
  const deal = await api(env.token, "POST", "/api/v1/deals", {
    name: "Renovación completa del parque de maquinaria agrícola 2027", account_id: account.id,
    contact_ids: [contact.id],
    lines: [{ description: "Sembradora neumática de 16 surcos", quantity: "2", unit_price: { amount: "48500000", currency: "ARS" }, tax_rate: "10.5" }],
  });
  const lead = await api(env.token, "POST", "/api/v1/leads", {
    first_name: "Gabriela", last_name: "Torres", company_name: "Tienda Gaby", source: "mercado_libre",
  });
  const pages = [
    "/my-day", "/accounts", `/accounts/${account.id}`, `/accounts/${account.id}/edit`, "/accounts/new",
    "/contacts", `/contacts/${contact.id}`, "/leads", `/leads/${lead.id}`,
    "/deals", "/deals/list", `/deals/${deal.id}`, "/deals/new", `/deals/${deal.id}/edit`,
    "/quotes", "/quotes/new", "/orders", "/catalog", "/forecast", "/commissions", "/quotas", "/targets",
    "/calendar", "/activities", `/activities/new?account_id=${account.id}`, "/imports", "/search?q=agro", "/notifications", "/settings", "/admin", "/admin/users",
  ];
  for (const width of [360, 390]) {
    const context = await env.browser.newContext({ viewport: { width, height: 800 }, locale: "es-AR" });
    const page = await context.newPage();
    await login(page, "ines@e2e.test");
    const wide = [];
    for (const p of pages) {
      const res = await page.goto(env.base + p);
      assert.equal(res.status(), 200, `${p} answers`);
      const w = await page.evaluate(() => document.documentElement.scrollWidth);
      if (w > width) {
        // Name the deepest elements that stick out, to say what to fix.
        const out = await page.evaluate((limit) => [...document.querySelectorAll("main *")]
          .filter((el) => el.getBoundingClientRect().right > limit + 1 && ![...el.children].some((c) => c.getBoundingClientRect().right > limit + 1))
          .slice(0, 4).map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`), width);
        wide.push(`${p}: ${w} px (${out.join(", ")})`);
      }
    }
    assert.deepEqual(wide, [], `pages wider than ${width} px`);
    if (width === 390) {
      // The lead's source in words, not its key.
      await page.goto(`${env.base}/leads/${lead.id}`);
      assert.ok((await page.textContent("main")).includes("Mercado Libre"));
      await page.goto(`${env.base}/accounts/${account.id}`);
      await shoot(page, "account-360");
      await page.setViewportSize({ width, height: 800 });
      await page.click(".nav-more summary");
      await page.locator(".nav-more-panel a[href='/orders']").waitFor();
      await page.screenshot({ path: "screenshots/nav-more-phone.png" });
      await Promise.all([page.waitForURL(/\/orders$/), page.click(".nav-more-panel a[href='/orders']")]);
      assert.equal(await page.getAttribute(".nav-more summary", "aria-current"), "page");
    }
    await context.close();
  }
});

test("an unknown address shows the page that says so, in the reader's language", async () => {
  const context = await env.browser.newContext({ viewport: PHONE, locale: "es-AR" });
  const page = await context.newPage();
  await login(page, "ines@e2e.test");
  const res = await page.goto(env.base + "/admin/fields");
  assert.equal(res.status(), 404);
  assert.match(res.headers()["content-type"], /text\/html/);
  assert.ok(!(await page.textContent("body")).includes("\"status\""));
  await context.close();
});
