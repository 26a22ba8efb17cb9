/* The fediverse instance picker. First-party and static: the text comes from
   the URL fragment (#text=...), which browsers never send to a server, so no
   log anywhere records what a reader shares.

   Which software the reader's server runs is asked of that server, and of no
   one else, once the reader has typed it (when they leave the field or press
   Continue): its /.well-known/nodeinfo names a NodeInfo document, which gives
   software.name (https://nodeinfo.diaspora.software/protocol). Only a document
   on the same host is read, redirects are refused, and no cookie or referrer
   is sent, so the request reaches exactly the server the reader chose, with
   nothing about this page. If the server does not answer (or sends no CORS
   header), the page says so and the reader picks the software; Mastodon stays
   preselected. A choice the reader makes by hand is never overridden.

   The server is remembered (localStorage, this browser only) only when the
   reader ticks the box; unticking it forgets. `?instance=host` fills the field
   without contacting the server. */
(function () {
  "use strict";

  var KEY = "outreach.fediverse.server";
  var TIMEOUT_MS = 4000;
  var SCHEMA = /^https?:\/\/nodeinfo\.diaspora\.software\/ns\/schema\/(\d+\.\d+)$/;
  var data = JSON.parse(document.getElementById("fedi-data").textContent);
  var form = document.getElementById("fedi-form");
  var text = document.getElementById("fedi-text");
  var instance = document.getElementById("fedi-instance");
  var software = document.getElementById("fedi-software");
  var remember = document.getElementById("fedi-remember");
  var forget = document.getElementById("fedi-forget");
  var error = document.getElementById("fedi-error");
  var detectStatus = document.getElementById("fedi-detect");
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

  function say(template, values) {
    detectStatus.textContent = template.replace(/\{(host|software)\}/g, function (_, k) {
      return values[k];
    });
  }

  function softwareById(id) {
    return data.software.filter(function (s) { return s.id === id; })[0] || null;
  }

  function softwareByNodeInfo(name) {
    name = String(name || "").toLowerCase();
    return data.software.filter(function (s) {
      return (s.nodeinfo || []).indexOf(name) !== -1;
    })[0] || null;
  }

  // --- NodeInfo: one server, the one the reader typed ------------------------------

  var detected = { host: null, software: null, done: false, promise: null };
  var chosenByHand = false;
  var handHost = null;  // the server in the field when the reader picked the software

  function getJSON(url, signal) {
    return fetch(url, {
      mode: "cors", credentials: "omit", redirect: "error", cache: "no-store",
      referrerPolicy: "no-referrer", signal: signal,
      headers: { Accept: "application/json" }
    }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  function nodeInfo(host) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var signal = controller ? controller.signal : undefined;
    var timer = window.setTimeout(function () { if (controller) controller.abort(); }, TIMEOUT_MS);
    return getJSON("https://" + host + "/.well-known/nodeinfo", signal).then(function (list) {
      var best = null, bestVersion = -1;
      (list && list.links || []).forEach(function (link) {
        var m = SCHEMA.exec(String(link && link.rel || ""));
        if (!m) return;
        var href;
        try { href = new URL(String(link.href)); } catch (e) { return; }
        // Another host would be a second server the reader did not choose.
        if (href.protocol !== "https:" || href.hostname !== host) return;
        var version = parseFloat(m[1]);
        if (version > bestVersion) { best = href.href; bestVersion = version; }
      });
      if (!best) throw new Error("no NodeInfo document on " + host);
      return getJSON(best, signal);
    }).then(function (doc) {
      return String(doc && doc.software && doc.software.name || "").toLowerCase();
    }).finally(function () { window.clearTimeout(timer); });
  }

  function detect(host) {
    if (detected.host === host && detected.promise) return detected.promise;
    detected = { host: host, software: null, done: false, promise: null };
    say(data.strings.detecting, { host: host });
    var mine = detected;
    mine.promise = nodeInfo(host).then(function (name) {
      var sw = softwareByNodeInfo(name);
      if (mine !== detected) return;
      mine.software = sw;
      mine.name = name;
      if (sw) {
        if (!chosenByHand) software.value = sw.id;
        say(sw.endpoint ? data.strings.detected : data.strings.detect_unknown,
            { host: host, software: sw.label });
      } else if (name) {
        say(data.strings.detect_unknown, { host: host, software: name });
      } else {
        say(data.strings.detect_failed, { host: host });
      }
    }, function () {
      if (mine === detected) say(data.strings.detect_failed, { host: host });
    }).then(function () { mine.done = true; });
    return mine.promise;
  }

  instance.addEventListener("change", function () {
    var host = serverName(instance.value);
    if (chosenByHand && host === handHost) return;  // the reader already said what it runs
    chosenByHand = false;
    if (host) detect(host);
  });
  software.addEventListener("change", function () {
    chosenByHand = true;
    handHost = serverName(instance.value);
  });

  // --- remembering, only when asked --------------------------------------------------

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function load() {
    var store = storage();
    var saved = null;
    try { saved = store && JSON.parse(store.getItem(KEY) || "null"); } catch (e) { saved = null; }
    if (saved && serverName(saved.host || "")) {
      instance.value = saved.host;
      if (softwareById(saved.software)) {
        software.value = saved.software;
        chosenByHand = true;  // known from last time: no need to ask the server again
        handHost = serverName(saved.host);
      }
      remember.checked = true;
      forget.hidden = false;
      return;
    }
    var asked = new URLSearchParams(window.location.search).get("instance");
    if (asked && serverName(asked)) instance.value = serverName(asked);
  }

  forget.addEventListener("click", function () {
    var store = storage();
    if (store) store.removeItem(KEY);
    instance.value = "";
    remember.checked = false;
    forget.hidden = true;
    instance.focus();
  });

  // --- going there ---------------------------------------------------------------------

  function go(host, swId) {
    var store = storage();
    if (store) {
      if (remember.checked) store.setItem(KEY, JSON.stringify({ host: host, software: swId }));
      else store.removeItem(KEY);
    }
    var chosen = softwareById(swId);
    var values = { text: text.value, url: shared.url, title: shared.title || text.value };
    if (!chosen || !chosen.endpoint) {
      copyBox.hidden = false;  // Pleroma, Akkoma, GoToSocial: no share page
      document.getElementById("fedi-copy-button").focus();
      return;
    }
    window.location.assign("https://" + host + fill(chosen.endpoint, values));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = event.submitter;
    if (button && button.dataset.host) {  // a suggested server: its software is known
      go(button.dataset.host, button.dataset.software);
      return;
    }
    var host = serverName(instance.value);
    if (!host) {
      error.hidden = false;
      instance.setAttribute("aria-invalid", "true");
      instance.focus();
      return;
    }
    error.hidden = true;
    instance.removeAttribute("aria-invalid");
    if (chosenByHand) { go(host, software.value); return; }
    var wasDone = detected.host === host && detected.done;
    detect(host).then(function () {
      if (detected.software) { go(host, detected.software.id); return; }
      // Not told: the status says so; a second press goes with the software chosen below.
      if (wasDone) go(host, software.value);
      else software.focus();
    });
  });

  document.getElementById("fedi-copy-button").addEventListener("click", function () {
    var status = document.getElementById("fedi-status");
    var done = function () { status.textContent = data.strings.copied_text; };
    var fail = function () {
      text.focus(); text.select(); status.textContent = data.strings.copy_text_failed;
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text.value).then(done, fail);
    else fail();
  });

  load();
  document.getElementById("fedi-js").hidden = false;
  var jsOnly = document.querySelectorAll("[data-js-only]");
  for (var i = 0; i < jsOnly.length; i++) jsOnly[i].hidden = false;
})();
