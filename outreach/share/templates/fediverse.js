/* The fediverse instance picker. First-party and static: the text comes from
   the URL fragment (#text=...), which browsers never send to a server, so no
   log anywhere records what a reader shares.

   Which software the reader's server runs: we let the reader choose it, with
   Mastodon (most servers) preselected, instead of fetching the server's
   /.well-known/nodeinfo. A fetch would tell the server about this visit before
   the reader decided to go there, would fail on servers without CORS headers,
   and would need connect-src in our Content-Security-Policy. The endpoints per
   software are data from share_targets.yaml (the JSON block in the page).

   The server is remembered (localStorage, this browser only) only when the
   reader ticks the box; unticking it forgets. Nothing is sent anywhere until
   the reader presses Continue, which simply navigates to their server. */
(function () {
  "use strict";

  var KEY = "outreach.fediverse.server";
  var data = JSON.parse(document.getElementById("fedi-data").textContent);
  var form = document.getElementById("fedi-form");
  var text = document.getElementById("fedi-text");
  var instance = document.getElementById("fedi-instance");
  var software = document.getElementById("fedi-software");
  var remember = document.getElementById("fedi-remember");
  var forget = document.getElementById("fedi-forget");
  var error = document.getElementById("fedi-error");
  var copyBox = document.getElementById("fedi-copy");

  var fragment = new URLSearchParams(window.location.hash.slice(1));
  var shared = {
    text: fragment.get("text") || "",
    url: fragment.get("url") || "",
    title: fragment.get("title") || ""
  };
  text.value = shared.text;

  // A host name only: letters, digits and hyphens in dot-separated labels, a
  // real top-level domain; no scheme, port, path, user or IP address.
  var HOST = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

  function serverName(input) {
    var s = input.trim().toLowerCase().replace(/^https?:\/\//, "").replace(/\/+$/, "");
    if (s.indexOf("@") !== -1) s = s.slice(s.lastIndexOf("@") + 1);  // @you@server
    if (!s || /[\s\/?#:\\]/.test(s)) return null;
    var host;
    try { host = new URL("https://" + s + "/").hostname; } catch (e) { return null; }
    return HOST.test(host) ? host : null;  // URL() has turned an IDN into xn-- form
  }

  function fill(template, values) {
    return template.replace(/\{(text|url|title)\}/g, function (_, name) {
      return encodeURIComponent(values[name]);
    });
  }

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function load() {
    var store = storage();
    var saved = null;
    try { saved = store && JSON.parse(store.getItem(KEY) || "null"); } catch (e) { saved = null; }
    if (saved && serverName(saved.host || "")) {
      instance.value = saved.host;
      if (data.software.some(function (s) { return s.id === saved.software; })) {
        software.value = saved.software;
      }
      remember.checked = true;
      forget.hidden = false;
    }
  }

  forget.addEventListener("click", function () {
    var store = storage();
    if (store) store.removeItem(KEY);
    instance.value = "";
    remember.checked = false;
    forget.hidden = true;
    instance.focus();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var host = serverName(instance.value);
    if (!host) {
      error.hidden = false;
      instance.setAttribute("aria-invalid", "true");
      instance.focus();
      return;
    }
    error.hidden = true;
    instance.removeAttribute("aria-invalid");
    var store = storage();
    if (store) {
      if (remember.checked) store.setItem(KEY, JSON.stringify({ host: host, software: software.value }));
      else store.removeItem(KEY);
    }
    var chosen = data.software.filter(function (s) { return s.id === software.value; })[0];
    var values = { text: text.value, url: shared.url, title: shared.title || text.value };
    if (!chosen || !chosen.endpoint) {
      copyBox.hidden = false;  // Pleroma, Akkoma, GoToSocial: no share page
      document.getElementById("fedi-copy-button").focus();
      return;
    }
    window.location.assign("https://" + host + fill(chosen.endpoint, values));
  });

  document.getElementById("fedi-copy-button").addEventListener("click", function () {
    var status = document.getElementById("fedi-status");
    var done = function () { status.textContent = data.strings.copied; };
    var fail = function () { text.focus(); text.select(); status.textContent = data.strings.copy_failed; };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text.value).then(done, fail);
    else fail();
  });

  load();
  form.hidden = false;
})();
