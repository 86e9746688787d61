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
  // Clicking elsewhere closes the results and the user menu.
  document.addEventListener("click", function (e) {
    var r = results();
    if (r && !e.target.closest("[data-search]")) r.innerHTML = "";
    document.querySelectorAll("details.user-menu[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.removeAttribute("open");
    });
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
