// Accessibility in a real browser: axe-core on the main pages at desktop and phone
// widths (WCAG 2 A and AA rules; serious and critical findings fail), and the keyboard:
// Tab reaches the search box, the navigation and the page's main action in that order,
// and every focused control shows it.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { env, useCartera, api, login, DESKTOP, PHONE } = require("./support");

useCartera();

const AXE = require.resolve("axe-core/axe.min.js");

/** The serious and critical WCAG 2 A/AA violations on the page, described. */
async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      resultTypes: ["violations"],
    }),
  );
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join("\n    ")}`);
}

test("the main pages have no serious accessibility faults at desktop and phone widths", async () => {
  const account = await api(env.token, "POST", "/api/v1/accounts", {
    name: "Distribuidora Ñandú", tax_id: "30-71234567-1", tags: ["VIP"],
    billing_address: { city: "Córdoba", country: "AR" },
  });
  await api(env.token, "POST", "/api/v1/contacts", {
    first_name: "Lucía", last_name: "Gómez", account_id: account.id, job_title: "Compras",
  });
  const view = await api(env.token, "POST", "/api/v1/saved_views", {
    kind: "accounts", name: "Clientes VIP", query: "filter[tags]=VIP",
    columns: ["name", "tax_id", "province", "tags"],
  });
  const deal = await api(env.token, "POST", "/api/v1/deals", {
    name: "Renovación de flota", account_id: account.id, expected_close_date: "2027-01-15",
    lines: [{ description: "Camioneta 4x4 con equipamiento completo", quantity: "2",
      unit_price: { amount: "48500000", currency: "ARS" }, discount: "5", tax_rate: "21" }],
  });
  const found = [];
  for (const [locale, viewport] of [["es-AR", DESKTOP], ["en-US", PHONE]]) {
    // The page's CSP forbids inline scripts; axe is injected as one.
    const context = await env.browser.newContext({ viewport, locale, bypassCSP: true });
    const page = await context.newPage();
    const check = async (name) => {
      for (const v of await violations(page)) found.push(`${name} @${viewport.width}px: ${v}`);
    };
    await page.goto(env.base + "/login");
    await check("login");
    await login(page, "ines@e2e.test");
    await check("my day");
    for (const [name, p] of [
      ["accounts", "/accounts"],
      ["account", `/accounts/${account.id}`],
      ["new account", "/accounts/new"],
      ["search results", "/search?q=nandu"],
      ["contacts", "/contacts"],
      ["leads", "/leads"],
      ["deals board", "/deals"],
      ["deal", `/deals/${deal.id}`],
      ["forecast", "/forecast"],
      ["targets", "/targets"],
      ["settings (with the exchange rates)", "/settings"],
      ["quotes", "/quotes"],
      ["new quote", `/quotes/new?deal=${deal.id}`],
      ["orders", "/orders"],
      ["catalogue", "/catalog"],
      ["quotas", "/quotas"],
      ["commissions", "/commissions"],
      ["calendar", "/calendar"],
      ["imports", "/imports"],
      ["admin", "/admin"],
    ]) {
      await page.goto(env.base + p);
      await check(name);
    }
    // The views panel and the search dropdown, open.
    await page.goto(env.base + "/accounts");
    await page.click(".view-save summary");
    await check("accounts, save view open");
    await page.goto(env.base + `/accounts?view=${view.id}`);
    await page.click(".view-edit summary");
    await page.click(".view-edit .confirm summary");
    await check("accounts, a saved view with its edit panel open");
    await page.fill("#global-search", "nandu");
    await page.locator("#search-results a.hit").first().waitFor();
    await check("search dropdown");
    await context.close();
  }
  assert.deepEqual(found, [], "accessibility faults:\n" + found.join("\n"));
});

test("the keyboard reaches search, navigation and the main action in order, with visible focus", async () => {
  const context = await env.browser.newContext({ viewport: DESKTOP, locale: "en-US" });
  const page = await context.newPage();
  await login(page, "ines@e2e.test");
  await page.goto(env.base + "/accounts");
  const stops = [];
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press("Tab");
    const stop = await page.evaluate(() => {
      const el = document.activeElement;
      const s = getComputedStyle(el);
      const visible = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
      return {
        id: el.id,
        tag: el.tagName,
        text: (el.getAttribute("aria-label") || el.textContent || el.value || "").trim().slice(0, 40),
        href: el.getAttribute("href") || "",
        nav: !!el.closest("nav.sidenav"),
        visible,
      };
    });
    stops.push(stop);
    if (stop.href === "/accounts/new") break;
  }
  const at = (pred) => stops.findIndex(pred);
  const skip = at((s) => s.href === "#main");
  const search = at((s) => s.id === "global-search");
  const nav = at((s) => s.nav);
  const listSearch = at((s) => s.id === "list-q");
  const create = at((s) => s.href === "/accounts/new");
  const order = JSON.stringify(stops.map((s) => s.id || s.href || s.text));
  assert.equal(skip, 0, `the skip link comes first: ${order}`);
  assert.ok(search > skip, `search box reached: ${order}`);
  assert.ok(nav > search, `navigation after search: ${order}`);
  assert.ok(create > nav, `the main action after navigation: ${order}`);
  assert.ok(listSearch === -1 || listSearch > create, `the list's own search after the actions: ${order}`);
  const hidden = stops.filter((s) => !s.visible);
  assert.deepEqual(hidden, [], "every focused control shows focus");

  // The skip link jumps into the page.
  await page.goto(env.base + "/accounts");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "main");
  await context.close();
});
