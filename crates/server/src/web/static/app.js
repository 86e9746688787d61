// Cartera's own script: keyboard access to the search box. Everything else is htmx.
(function () {
  "use strict";
  function box() { return document.getElementById("global-search"); }
  function results() { return document.getElementById("search-results"); }
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  document.addEventListener("keydown", function (e) {
    var input = box();
    if (!input) return;
    var ctrlK = (e.ctrlKey || e.metaKey) && (e.key === "k" || e.key === "K");
    var slash = e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey && !typing(document.activeElement);
    if (ctrlK || slash) {
      e.preventDefault();
      input.focus();
      input.select();
    } else if (e.key === "Escape" && document.activeElement === input) {
      input.value = "";
      var r = results();
      if (r) r.innerHTML = "";
      input.blur();
    } else if (e.key === "ArrowDown" && document.activeElement === input) {
      var first = results() && results().querySelector("a");
      if (first) { e.preventDefault(); first.focus(); }
    }
  });
  // On a phone the menu is a sideways strip: bring the current page's entry into view.
  var nav = document.querySelector(".sidenav");
  var here = nav && nav.querySelector("[aria-current=page]");
  if (here && nav.scrollWidth > nav.clientWidth) {
    nav.scrollLeft = here.offsetLeft - (nav.clientWidth - here.offsetWidth) / 2;
  }
  // Clicking elsewhere closes the results and the user menu.
  document.addEventListener("click", function (e) {
    var r = results();
    if (r && !e.target.closest("[data-search]")) r.innerHTML = "";
    document.querySelectorAll("details.user-menu[open], details.nav-more[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.removeAttribute("open");
    });
  });
})();

// Settings: copy buttons (a new token's secret, recovery codes).
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-copy]");
    if (!b || !navigator.clipboard) return;
    navigator.clipboard.writeText(b.getAttribute("data-copy")).then(function () {
      var label = b.textContent;
      b.textContent = "✓";
      setTimeout(function () { b.textContent = label; }, 1500);
    });
  });
})();

// Loading states for htmx requests: a thin bar at the top, `aria-busy` on the part being
// replaced, and the requesting form's buttons disabled until the answer arrives.
(function () {
  "use strict";
  var running = 0;
  function buttons(elt) {
    var form = elt && (elt.tagName === "FORM" ? elt : elt.closest && elt.closest("form"));
    var list = form ? Array.prototype.slice.call(form.querySelectorAll("button")) : [];
    if (elt && elt.tagName === "BUTTON" && list.indexOf(elt) < 0) list.push(elt);
    return list;
  }
  document.addEventListener("htmx:beforeRequest", function (e) {
    var d = e.detail || {};
    running++;
    document.body.classList.add("is-loading");
    if (d.target) d.target.setAttribute("aria-busy", "true");
    buttons(d.elt).forEach(function (b) {
      if (!b.disabled) { b.disabled = true; b.setAttribute("data-busy", ""); }
    });
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var d = e.detail || {};
    running = Math.max(0, running - 1);
    if (!running) document.body.classList.remove("is-loading");
    if (d.target) d.target.removeAttribute("aria-busy");
    buttons(d.elt).forEach(function (b) {
      if (b.hasAttribute("data-busy")) { b.disabled = false; b.removeAttribute("data-busy"); }
    });
  });
})();

// The views menus of the lists close on a click elsewhere or Escape.
(function () {
  "use strict";
  function closeAll(except) {
    document.querySelectorAll("details.popover[open]").forEach(function (d) {
      if (!except || !d.contains(except)) d.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (e) { closeAll(e.target); });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = document.activeElement && document.activeElement.closest && document.activeElement.closest("details.popover[open]");
    if (open) { open.removeAttribute("open"); var s = open.querySelector("summary"); if (s) s.focus(); }
  });
})();

// Inline edit on record pages: the editor takes the focus, Esc cancels, and the
// value's edit button gets the focus back after a save or a cancel.
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var editor = e.target.closest && e.target.closest(".inline.is-editing");
    // Focus lost to the page (after a swap): the one open editor is meant.
    if (!editor && e.target === document.body) editor = document.querySelector(".inline.is-editing");
    if (!editor) return;
    var cancel = editor.querySelector("[data-inline-cancel]");
    if (!cancel) return;
    e.preventDefault();
    // Asked of htmx directly: a click could land before htmx wires a fresh editor.
    if (window.htmx) {
      window.htmx.ajax("GET", cancel.getAttribute("hx-get"), { target: editor, swap: "outerHTML" });
    } else {
      cancel.click();
    }
  });
  document.addEventListener("htmx:load", function (e) {
    var el = e.target;
    if (!el.classList || !el.classList.contains("inline")) return;
    var target = el.classList.contains("is-editing")
      ? el.querySelector("input[name=value], select[name=value]")
      : el.querySelector(".inline-edit");
    if (target) {
      target.focus();
      if (target.select) target.select();
    }
  });
})();

// ---------- Agenda: drag an activity to another day of the calendar ----------
// The drop posts the same form a phone sends from the activity's page (`day`), then
// reloads the view; without JavaScript the calendar still links to every activity.
(function () {
  var cal = document.querySelector("[data-calendar]");
  if (!cal) return;
  var csrf = "";
  try {
    csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
  } catch (e) { csrf = ""; }
  var dragged = null;
  cal.addEventListener("dragstart", function (e) {
    var item = e.target.closest && e.target.closest("[data-activity]");
    // Attended activities are not moved by dragging (draggable="false"); an occurrence
    // of a series moves on its own (data-occurrence names it).
    if (!item || item.getAttribute("draggable") !== "true") { e.preventDefault(); return; }
    dragged = item;
    item.classList.add("is-dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", item.dataset.activity);
  });
  cal.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    cal.querySelectorAll(".drop-target").forEach(function (d) { d.classList.remove("drop-target"); });
  });
  cal.addEventListener("dragover", function (e) {
    var day = e.target.closest && e.target.closest("[data-day]");
    if (!day || !dragged) return;
    e.preventDefault();
    cal.querySelectorAll(".drop-target").forEach(function (d) { if (d !== day) d.classList.remove("drop-target"); });
    day.classList.add("drop-target");
  });
  cal.addEventListener("drop", function (e) {
    var day = e.target.closest && e.target.closest("[data-day]");
    if (!day || !dragged) return;
    e.preventDefault();
    if (dragged.closest("[data-day]") === day) return;
    var body = new URLSearchParams();
    body.set("csrf_token", csrf);
    body.set("day", day.dataset.day);
    body.set("version", dragged.dataset.version);
    if (dragged.dataset.occurrence) body.set("occurrence", dragged.dataset.occurrence);
    day.querySelector("ul").appendChild(dragged);
    fetch("/activities/" + dragged.dataset.activity + "/move", {
      method: "POST",
      headers: { "HX-Request": "true", "X-CSRF-Token": csrf },
      body: body,
      credentials: "same-origin"
    }).then(function (r) {
      if (!r.ok && r.status !== 204) alert(document.documentElement.lang === "en" ? "The activity could not be moved." : "No se pudo mover la actividad.");
      window.location.reload();
    });
  });
})();

// Deals: the pipeline board. Cards drag between stage columns; a drop sets the card's
// stage select and submits its form (the same form a keyboard or phone user submits).
// A lost stage asks for the reason first.
(function () {
  "use strict";
  var board = document.querySelector("[data-board]");
  if (!board) return;
  document.documentElement.classList.add("js");
  var dragged = null;
  function submit(card, stage) {
    var form = card.querySelector("form.deal-move");
    var select = form && form.querySelector("select[name=stage_id]");
    var current = select && select.querySelector("option[selected]");
    if (!select || (current && current.value === stage)) {
      if (select && current) select.value = current.value;
      return;
    }
    var col = board.querySelector('[data-stage="' + stage + '"]');
    if (col && col.getAttribute("data-outcome") === "lost") {
      var reason = window.prompt(board.getAttribute("data-lost-prompt") || "");
      if (!reason) {
        if (current) select.value = current.value;
        return;
      }
      form.querySelector("input[name=lost_reason]").value = reason;
    }
    select.value = stage;
    form.submit();
  }
  board.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest(".deal-card");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.getAttribute("data-deal"));
  });
  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    board.querySelectorAll(".drop-here").forEach(function (c) { c.classList.remove("drop-here"); });
    dragged = null;
  });
  board.addEventListener("dragover", function (e) {
    var col = e.target.closest && e.target.closest("[data-stage]");
    if (!col || !dragged) return;
    e.preventDefault();
    board.querySelectorAll(".drop-here").forEach(function (c) { if (c !== col) c.classList.remove("drop-here"); });
    col.classList.add("drop-here");
  });
  board.addEventListener("drop", function (e) {
    var col = e.target.closest && e.target.closest("[data-stage]");
    if (!col || !dragged) return;
    e.preventDefault();
    submit(dragged, col.getAttribute("data-stage"));
  });
  // The select moves at once when changed (the button stays for no-JS browsers).
  board.addEventListener("change", function (e) {
    var select = e.target.closest && e.target.closest("select[data-move]");
    if (!select) return;
    submit(select.closest(".deal-card"), select.value);
  });
})();

/* Imports (import helper): the file goes up as the request body, then the page of the
   new import opens. Dropping a file on the zone picks it. */
(function () {
  var form = document.querySelector("[data-import-upload]");
  if (!form) return;
  var input = form.querySelector("input[type=file]");
  var zone = form.querySelector(".dropzone");
  var nameOut = form.querySelector("[data-file-name]");
  var errorOut = form.querySelector("[data-upload-error]");
  function show() { nameOut.textContent = input.files.length ? input.files[0].name : ""; }
  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach(function (e) {
    zone.addEventListener(e, function (ev) { ev.preventDefault(); zone.classList.add("dragging"); });
  });
  ["dragleave", "drop"].forEach(function (e) {
    zone.addEventListener(e, function (ev) { ev.preventDefault(); zone.classList.remove("dragging"); });
  });
  zone.addEventListener("drop", function (ev) {
    if (ev.dataTransfer && ev.dataTransfer.files.length) { input.files = ev.dataTransfer.files; show(); }
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!input.files.length) return;
    var file = input.files[0];
    var q = new URLSearchParams({ kind: form.kind.value, locale: form.locale.value, file_name: file.name });
    var token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    errorOut.hidden = true;
    fetch("/imports?" + q.toString(), { method: "POST", body: file, headers: { "X-CSRF-Token": token }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (a) {
        if (a.ok && a.body.location) { window.location = a.body.location; return; }
        var msg = (a.body.errors && a.body.errors[0] && a.body.errors[0].message) || a.body.detail || form.dataset.error;
        errorOut.textContent = msg; errorOut.hidden = false; button.disabled = false;
      })
      .catch(function () { errorOut.textContent = form.dataset.error; errorOut.hidden = false; button.disabled = false; });
  });
})();

/* Billing imports (invoices, payments): the file goes up as the request body with the
   button's dry_run; the answer is the result panel, shown below the form. */
(function () {
  var form = document.querySelector("[data-billing-import]");
  if (!form) return;
  var input = form.querySelector("input[type=file]");
  var out = form.parentNode.querySelector("[data-import-result]");
  var errorOut = form.querySelector("[data-upload-error]");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!input.files.length) return;
    var file = input.files[0];
    var dry = ev.submitter && ev.submitter.value === "false" ? "false" : "true";
    var q = new URLSearchParams({ dry_run: dry, locale: form.locale.value, file_name: file.name });
    var token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    var buttons = form.querySelectorAll("button[type=submit]");
    buttons.forEach(function (b) { b.disabled = true; });
    errorOut.hidden = true;
    fetch(form.getAttribute("action") + "?" + q.toString(), { method: "POST", body: file, headers: { "X-CSRF-Token": token }, credentials: "same-origin" })
      .then(function (r) { return r.text().then(function (t) { return { ok: r.ok, text: t }; }); })
      .then(function (a) {
        buttons.forEach(function (b) { b.disabled = false; });
        if (a.ok) { out.innerHTML = a.text; return; }
        errorOut.textContent = form.dataset.error; errorOut.hidden = false;
      })
      .catch(function () {
        buttons.forEach(function (b) { b.disabled = false; });
        errorOut.textContent = form.dataset.error; errorOut.hidden = false;
      });
  });
})();

/* Quotes (quote pages): a line row is removed in place and the totals follow; a
   status filter applies when picked; the logo goes up as the request body. */
(function () {
  // The totals preview runs while the person types: unlike a save, it must not disable
  // the form's buttons (a click on "Add a line" that blurs a field would be lost).
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail && e.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-live")) return;
    elt.querySelectorAll("button[data-busy]").forEach(function (b) { b.disabled = false; b.removeAttribute("data-busy"); });
  });
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-remove-line]");
    if (!b) return;
    var row = b.closest(".quote-line");
    var form = b.closest("form");
    if (row) row.remove();
    if (form && window.htmx) window.htmx.trigger(form, "lines-changed");
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail && e.detail.target && e.detail.target.id === "quote-lines") {
      var form = e.detail.target.closest("form");
      if (form && window.htmx) window.htmx.trigger(form, "lines-changed");
    }
  });
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
    var b = s.form.querySelector("button[type=submit]");
    if (b) b.hidden = true;
  });
  var logo = document.querySelector("[data-logo-upload]");
  if (!logo) return;
  logo.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var input = logo.querySelector("input[type=file]");
    var out = logo.querySelector("[data-upload-error]");
    if (!input.files.length) return;
    var token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    fetch("/admin/quotes/logo", { method: "POST", body: input.files[0], headers: { "X-CSRF-Token": token }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (b) {
        if (b.location) { window.location = b.location; return; }
        out.textContent = b.detail || logo.dataset.error; out.hidden = false;
      })
      .catch(function () { out.textContent = logo.dataset.error; out.hidden = false; });
  });
})();

// Record pickers (`shared/picker.html`): typing asks the server for a few matches; a
// click, or the arrows and Enter, puts the chosen record's id in the hidden input and
// fires `change` on it (so htmx can refresh what depends on it, e.g. the contacts of an
// account). Emptying the text empties the choice.
(function () {
  "use strict";
  var timer;
  function parts(el) {
    var root = el.closest("[data-picker]");
    if (!root) return null;
    return {
      root: root,
      input: root.querySelector("[data-picker-input]"),
      value: root.querySelector("[data-picker-value]"),
      list: root.querySelector(".picker-list"),
    };
  }
  function close(p) {
    p.list.hidden = true;
    p.input.setAttribute("aria-expanded", "false");
    p.input.removeAttribute("aria-activedescendant");
  }
  function set(p, id, label) {
    p.input.value = label;
    p.input.setAttribute("data-chosen", label);
    if (p.value.value !== id) {
      p.value.value = id;
      p.value.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }
  function choose(p, li) {
    // A search typed before the pick may still be waiting to run: it no longer counts.
    clearTimeout(timer);
    set(p, li.getAttribute("data-id"), li.getAttribute("data-label"));
    close(p);
    p.list.innerHTML = "";
    // A contact or a deal brings its account to an empty account picker of the form.
    var account = li.getAttribute("data-account-id");
    var form = p.root.closest("form");
    var other = account && form && form.querySelector('[data-picker] input[data-picker-value][name="account_id"]');
    if (other && !other.value) set(parts(other), account, li.getAttribute("data-account-label") || "");
  }
  function fetchOptions(p) {
    var q = p.input.value.trim();
    if (!q) { p.list.innerHTML = ""; close(p); return; }
    fetch(p.root.getAttribute("data-picker") + "?q=" + encodeURIComponent(q), {
      headers: { "HX-Request": "true" }, credentials: "same-origin",
    }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) {
      if (p.input.value.trim() !== q) return;
      p.list.innerHTML = html;
      p.list.hidden = !html.trim();
      p.input.setAttribute("aria-expanded", p.list.hidden ? "false" : "true");
    });
  }
  document.addEventListener("input", function (e) {
    var p = e.target.matches && e.target.matches("[data-picker-input]") && parts(e.target);
    if (!p) return;
    // Typing again unlinks until a match is chosen: a name never points to the wrong
    // record.
    if (p.value.value && p.input.value !== p.input.getAttribute("data-chosen")) {
      p.value.value = "";
      p.value.dispatchEvent(new Event("change", { bubbles: true }));
    }
    clearTimeout(timer);
    timer = setTimeout(function () { fetchOptions(p); }, 180);
  });
  document.addEventListener("keydown", function (e) {
    var p = e.target.matches && e.target.matches("[data-picker-input]") && parts(e.target);
    if (!p || p.list.hidden) return;
    var items = Array.prototype.slice.call(p.list.querySelectorAll("[role=option]"));
    var at = items.findIndex(function (li) { return li.getAttribute("aria-selected") === "true"; });
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!items.length) return;
      var next = e.key === "ArrowDown" ? Math.min(at + 1, items.length - 1) : Math.max(at - 1, 0);
      items.forEach(function (li, i) { li.setAttribute("aria-selected", i === next ? "true" : "false"); });
      p.input.setAttribute("aria-activedescendant", items[next].id);
    } else if (e.key === "Enter") {
      // With the matches open, Enter picks (the highlighted one, else the first) and
      // never submits the form.
      e.preventDefault();
      if (items.length) choose(p, items[at >= 0 ? at : 0]);
    } else if (e.key === "Escape") {
      close(p);
    }
  });
  document.addEventListener("click", function (e) {
    var li = e.target.closest(".picker-list [role=option]");
    if (li) { choose(parts(li), li); return; }
    document.querySelectorAll("[data-picker]").forEach(function (root) {
      if (!root.contains(e.target)) close(parts(root));
    });
  });
})();

/* The quote editor: a customer picked (shared record picker) reprices the lines; after
   each repricing every line shows the price list that priced it. */
(function () {
  document.addEventListener("change", function (e) {
    var hidden = e.target;
    if (!hidden.matches || !hidden.matches("#quote-form input[data-picker-value][name=account_id]")) return;
    if (window.htmx) window.htmx.trigger(hidden.form, "lines-changed");
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var t = e.detail && e.detail.target;
    if (!t || t.id !== "quote-totals") return;
    var items = t.querySelectorAll("[data-priced-by] li");
    var i = 0;
    document.querySelectorAll("#quote-lines .quote-line").forEach(function (row) {
      var label = row.querySelector("[data-line-list]");
      // A row left wholly empty is not a line (the server skips it too).
      var used = ["line_product", "line_description", "line_price"].some(function (n) {
        var f = row.querySelector("[name=" + n + "]");
        return f && f.value.trim() !== "";
      });
      if (label) label.textContent = used && items[i] ? items[i].textContent : "";
      if (used) i++;
    });
  });
})();

/* The payment form: the cheque's fields show only when the method is a cheque (without
   the script they are simply shown, and the server ignores them for other methods). A
   cheque's fields with an error stay shown whatever the method. */
(function () {
  "use strict";
  function sync(select) {
    var form = select.form;
    if (!form) return;
    form.querySelectorAll("[data-for-method]").forEach(function (box) {
      var show = select.value === box.getAttribute("data-for-method") || box.querySelector("[aria-invalid=true]");
      box.hidden = !show;
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[name=method]")) sync(e.target);
  });
  document.querySelectorAll("form select[name=method]").forEach(sync);
})();
