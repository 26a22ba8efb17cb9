/* Share bars, progressive enhancement: every link already works without this
   script. It adds copy-to-clipboard to the copy link and shows the native share
   button where the browser has navigator.share (the only route to Signal).
   First-party, no network requests, no storage. */
(function () {
  "use strict";

  function say(bar, message) {
    var status = bar.querySelector(".sb-status");
    if (!status) return;
    status.textContent = "";
    // A fresh text node after a tick, so screen readers announce a repeat too.
    window.setTimeout(function () { status.textContent = message; }, 30);
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "sb-offscreen";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  function enhance(bar) {
    var native = bar.querySelector('[data-share="native"]');
    if (native && typeof navigator.share === "function") {
      native.closest(".sb-item").hidden = false;
      // The bar keeps its size: the copy link (the share sheet copies too), or else the
      // last button in view, makes room and moves to the top of "More".
      var rest = bar.querySelector(".sb-rest");
      var inView = bar.querySelectorAll(".sb-list:not(.sb-rest) > .sb-item:not(.sb-more-item)");
      var copyItem = bar.querySelector('.sb-list:not(.sb-rest) > .sb-item > [data-share="copy"]');
      var last = copyItem ? copyItem.closest(".sb-item") : inView[inView.length - 1];
      if (rest && last && last !== native.closest(".sb-item")) {
        rest.insertBefore(last, rest.firstChild);
        var count = bar.querySelector(".sb-more-count");
        if (count) count.textContent = String(rest.children.length);
      }
      native.addEventListener("click", function () {
        navigator.share({ title: native.dataset.title, url: native.dataset.url })
          .catch(function () { /* the reader closed the sheet */ });
      });
    }
    var copy = bar.querySelector('[data-share="copy"]');
    if (copy) {
      copy.setAttribute("role", "button");
      copy.addEventListener("click", function (event) {
        event.preventDefault();
        copyText(copy.getAttribute("href")).then(
          function () { say(bar, copy.dataset.copied); },
          function () { say(bar, copy.dataset.failed); }
        );
      });
      copy.addEventListener("keydown", function (event) {
        if (event.key === " ") { event.preventDefault(); copy.click(); }
      });
    }
  }

  var bars = document.querySelectorAll("[data-sharebar]");
  for (var i = 0; i < bars.length; i++) enhance(bars[i]);
})();
