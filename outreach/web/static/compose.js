// The composer's previews as the organiser types: ours, vendored, and optional (the
// "Preview" button does the same without it). The form is posted to /compose/preview,
// which answers the previews region rendered by the server; it replaces the old one,
// and each field's problems go next to their field. Nothing is saved from here.
(function () {
  "use strict";
  var form = document.querySelector("form[data-live]");
  var live = document.getElementById("live");
  if (!form || !live || !window.fetch || !window.FormData) { return; }
  var timer = null;
  var asked = 0;

  function placeProblems() {
    form.querySelectorAll("[data-errors-for]").forEach(function (slot) {
      var name = slot.getAttribute("data-errors-for");
      var found = live.querySelector('[data-problems-for="' + name + '"]');
      slot.innerHTML = found ? found.innerHTML : "";
      var field = document.getElementById("f-" + name);
      if (field) {
        if (found) { field.setAttribute("aria-invalid", "true"); }
        else { field.removeAttribute("aria-invalid"); }
      }
    });
  }

  function refresh() {
    var mine = ++asked;
    var data = new FormData(form);
    data.set("do", "preview");
    fetch(form.getAttribute("data-live"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        if (mine !== asked) { return; } // an answer to an older keystroke
        var focused = document.activeElement && live.contains(document.activeElement)
          ? document.activeElement.id : null;
        live.innerHTML = html;
        placeProblems();
        // the list of problems above the form was the last submit's: the status line now says
        var old = document.getElementById("problems");
        if (old) { old.parentNode.removeChild(old); }
        if (focused && document.getElementById(focused)) { document.getElementById(focused).focus(); }
      })
      .catch(function () { /* the last previews stay; the Preview button still works */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
