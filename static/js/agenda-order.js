// Drag and drop for the agenda page (composer.agenda_views): drop an item where it goes and
// the new order is posted to data-reorder-url. Without JavaScript (or by keyboard) the
// Move up / Move down buttons do the same; a refused order (the agenda changed) reloads.
(function () {
  "use strict";
  var list = document.getElementById("agenda-items");
  if (!list || !list.dataset.reorderUrl) return;
  var status = document.getElementById("reorder-status");
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  var dragged = null;

  function say(text) { if (status) status.textContent = text; }

  function save() {
    var ids = Array.prototype.map.call(list.children, function (li) {
      return Number(li.dataset.itemId);
    });
    fetch(list.dataset.reorderUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
      body: JSON.stringify({ items: ids })
    }).then(function (response) {
      return response.json().then(function (data) {
        say(data.detail || "");
        // Reload either way: the numbers, the first and last buttons and the "changed
        // since published" markers follow the saved order (or the agenda as it is now).
        window.location.reload();
      });
    }).catch(function () { say("The new order could not be saved: reload the page."); });
  }

  list.addEventListener("dragstart", function (event) {
    dragged = event.target.closest("li[data-item-id]");
    if (!dragged) return;
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.itemId);
  });
  list.addEventListener("dragover", function (event) {
    var over = event.target.closest("li[data-item-id]");
    if (!dragged || !over || over === dragged) return;
    event.preventDefault();
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? over.nextSibling : over);
  });
  list.addEventListener("drop", function (event) { event.preventDefault(); });
  list.addEventListener("dragend", function () {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    dragged = null;
    say("Saving the new order…");
    save();
  });
})();
