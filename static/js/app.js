/* Small enhancements of the server-rendered pages; every page works without them.
   htmx itself comes from the django-htmx package ({% htmx_script %} in base.html). */
(function () {
  "use strict";

  // After htmx replaces part of a page, move focus to the record just added or saved (so
  // keyboard and screen-reader users land on it), or to the first invalid field.
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail.elt || document;
    var scope = root.isConnected ? root : document;
    var invalid = scope.querySelector("[aria-invalid='true']");
    var target = invalid || document.querySelector("[data-just-added]");
    if (target) {
      if (!target.hasAttribute("tabindex") && !invalid) target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "center", behavior: "auto" });
      target.removeAttribute("data-just-added");
    }
  });

  // A failed request must not fail silently.
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("messages");
    if (!box) return;
    var status = event.detail.xhr ? event.detail.xhr.status : "";
    var text = status === 403
      ? "You do not have permission to do that."
      : "Something went wrong (" + status + "). Your change may not have been saved; reload the page.";
    box.innerHTML = "";
    var item = document.createElement("li");
    item.className = "error";
    item.textContent = text;
    box.appendChild(item);
  });

  // Opening an inline form puts the cursor in its first field.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.open) return;
    if (!details.classList.contains("disclosure")) return;
    var field = details.querySelector(".panel input:not([type=hidden]), .panel textarea, .panel select");
    if (field) field.focus();
  }, true);
})();

/* On a phone: the navigation folds behind a Menu button, and a long meeting page's areas
   fold to their titles (the jump list above them opens the one chosen). */
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 40rem)");

  function menu() {
    var header = document.querySelector(".site-header");
    var button = header && header.querySelector(".menu-button");
    if (!button) return;
    document.documentElement.classList.add("has-menu-button");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = header.classList.toggle("nav-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  function setOpen(area, open) {
    var body = area.querySelector(":scope > .area-body");
    var toggle = area.querySelector(":scope > header .area-toggle");
    if (!body || !toggle) return;
    body.hidden = !open;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function areas(root) {
    var all = Array.prototype.slice.call((root || document).querySelectorAll("section.area"));
    if (!all.length) return;
    var fold = narrow.matches && document.querySelectorAll("section.area").length > 3;
    all.forEach(function (area) {
      var header = area.querySelector(":scope > header");
      var body = area.querySelector(":scope > .area-body");
      if (!header || !body || header.querySelector(".area-toggle")) return;
      var title = header.querySelector("h3");
      var toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "area-toggle";
      toggle.setAttribute("aria-controls", body.id);
      toggle.innerHTML = '<span aria-hidden="true"></span><span class="visually-hidden">Show or hide </span>';
      var name = document.createElement("span");
      name.className = "visually-hidden";
      name.textContent = title ? title.textContent : "this area";
      toggle.appendChild(name);
      toggle.addEventListener("click", function () { setOpen(area, body.hidden); });
      header.insertBefore(toggle, header.firstChild);
      var keep = !fold || area.hasAttribute("data-just-added") || ("#" + area.id) === location.hash;
      setOpen(area, keep);
    });
  }

  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    var area = target && target.closest("section.area");
    if (area) setOpen(area, true);
  }

  document.addEventListener("DOMContentLoaded", function () { menu(); areas(document); openTarget(); });
  document.addEventListener("htmx:load", function (event) { areas(event.target); });
  window.addEventListener("hashchange", openTarget);
})();
