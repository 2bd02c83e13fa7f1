/* Owner suggestions for the action forms' owners field (one owner a line).
   Progressive enhancement: the field works as plain text without this script. As the PMO
   types, the current line is sent to the field's data-owner-suggest URL (with the
   committee's id) and the answers are offered in a list below the field: arrow keys move,
   Enter or a click puts the choice in place of the line. Served from static/, no CDN. */
(function () {
  "use strict";

  var timer = null;
  var counter = 0;

  function currentLine(field) {
    var value = field.value;
    var caret = field.selectionStart;
    var start = value.lastIndexOf("\n", caret - 1) + 1;
    var end = value.indexOf("\n", caret);
    if (end === -1) end = value.length;
    return { start: start, end: end, text: value.slice(start, end).trim() };
  }

  function listFor(field) {
    var id = field.getAttribute("aria-controls");
    var list = id && document.getElementById(id);
    if (list) return list;
    counter += 1;
    list = document.createElement("ul");
    list.id = (field.id || "owners") + "-suggestions-" + counter;
    list.className = "owner-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions from the people directory");
    list.hidden = true;
    field.insertAdjacentElement("afterend", list);
    field.setAttribute("aria-controls", list.id);
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-expanded", "false");
    field.setAttribute("role", "combobox");
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (!option) return;
      event.preventDefault();
      choose(field, option);
    });
    return list;
  }

  function close(field) {
    var list = listFor(field);
    list.hidden = true;
    list.innerHTML = "";
    field.setAttribute("aria-expanded", "false");
    field.removeAttribute("aria-activedescendant");
  }

  function show(field, results) {
    var list = listFor(field);
    list.innerHTML = "";
    results.forEach(function (result, index) {
      var option = document.createElement("li");
      option.id = list.id + "-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.text = result.text;
      option.textContent = result.text;
      if (!result.has_email) {
        var flag = document.createElement("span");
        flag.className = "badge badge-warn";
        flag.textContent = "no email";
        option.appendChild(document.createTextNode(" "));
        option.appendChild(flag);
      }
      list.appendChild(option);
    });
    list.hidden = results.length === 0;
    field.setAttribute("aria-expanded", results.length ? "true" : "false");
  }

  function choose(field, option) {
    var line = currentLine(field);
    var value = field.value;
    field.value = value.slice(0, line.start) + option.dataset.text + value.slice(line.end);
    var caret = line.start + option.dataset.text.length;
    field.setSelectionRange(caret, caret);
    close(field);
    field.focus();
  }

  function move(field, step) {
    var options = Array.prototype.slice.call(listFor(field).querySelectorAll("[role=option]"));
    if (!options.length) return;
    var current = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    var next = (current + step + options.length) % options.length;
    options.forEach(function (o, i) { o.setAttribute("aria-selected", i === next ? "true" : "false"); });
    field.setAttribute("aria-activedescendant", options[next].id);
  }

  function fetchFor(field) {
    var line = currentLine(field);
    if (!line.text) { close(field); return; }
    var url = new URL(field.dataset.ownerSuggest, window.location.href);
    url.searchParams.set("q", line.text);
    if (field.dataset.committee) url.searchParams.set("committee", field.dataset.committee);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        if (document.activeElement === field) show(field, data.results || []);
      })
      .catch(function () { close(field); });
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!(field instanceof HTMLTextAreaElement) || !field.dataset.ownerSuggest) return;
    listFor(field);
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { fetchFor(field); }, 150);
  });

  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (!(field instanceof HTMLTextAreaElement) || !field.dataset.ownerSuggest) return;
    if (field.getAttribute("aria-expanded") !== "true") return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(field, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter") {
      var id = field.getAttribute("aria-activedescendant");
      var option = id && document.getElementById(id);
      if (option) { event.preventDefault(); choose(field, option); }
    } else if (event.key === "Escape") {
      close(field);
    }
  });

  document.addEventListener("focusout", function (event) {
    var field = event.target;
    if (field instanceof HTMLTextAreaElement && field.dataset.ownerSuggest) {
      window.setTimeout(function () { if (document.activeElement !== field) close(field); }, 150);
    }
  });
})();
