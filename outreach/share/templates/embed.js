/* Share bar embed: builds the campaign's share bar for the page it is on.

   <div data-outreach-share></div>
   <script src="https://campaign.example/share-bars/assets/embed.js" defer></script>

   Each [data-outreach-share] element gets a bar, from its data- attributes
   (data-url, data-title, data-text, data-summary, data-lang) or else the page's
   own metadata (<link rel=canonical>, og:url, og:title, <title>, meta
   description, <html lang>). Whatever the element held (the static bar, as the
   no-JavaScript fallback) is replaced. The links are built from the same data
   as the static bars (CONFIG below, written by `outreach buttons`).

   First-party and quiet: no request (the stylesheet beside this script is the
   one thing added to the page), no cookie, no storage. */
(function () {
  "use strict";

  var CONFIG = /*CONFIG*/null;
  var ELLIPSIS = "\u2026";
  var TRAILING = " \t\n,;:.-\u2013\u2014";
  var TRACKING = /^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid)$/i;
  var script = document.currentScript;

  // --- counting, as outreach/textlimits.py (see outreach/share/embed.py) ------------

  var segmenter = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter() : null;

  function graphemeList(text) {
    if (!segmenter) return Array.from(text);
    var out = [];
    var it = segmenter.segment(text)[Symbol.iterator]();
    for (var s = it.next(); !s.done; s = it.next()) out.push(s.value.segment);
    return out;
  }

  var URL_RE = /https?:\/\/[^\s]+/g;
  function withUrlsAs23(text) { return text.replace(URL_RE, "\u0000".repeat(23)); }

  function xWeight(cp) {
    if (cp <= 0xa8 || (cp >= 0xaa && cp <= 0xad) || (cp >= 0xaf && cp <= 0x10ff) ||
        (cp >= 0x2000 && cp <= 0x200d) || (cp >= 0x2010 && cp <= 0x201f) ||
        (cp >= 0x2032 && cp <= 0x2037)) return 1;
    return 2;
  }

  var COUNT = {
    chars: function (t) { return Array.from(t).length; },
    graphemes: function (t) { return graphemeList(t).length; },
    mastodon: function (t) { return graphemeList(withUrlsAs23(t)).length; },
    x_weighted: function (t) {
      var n = 0;
      Array.from(withUrlsAs23(t.normalize("NFC"))).forEach(function (c) {
        n += c === "\u0000" ? 1 : xWeight(c.codePointAt(0));
      });
      return n;
    },
    telegram: function (t) { return t.length; }
  };

  // --- building links, as outreach/share/links.py --------------------------------------

  function format(template, values) {
    return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, function (_, k) {
      return values[k] !== undefined ? values[k] : "";
    });
  }

  function asSent(value, how) {
    if (how === "mailto") value = value.replace(/\r\n/g, "\n").replace(/\n/g, "\r\n");
    return value.trim();
  }

  function encode(value) {  // every byte but A-Z a-z 0-9 - . _ ~, like quote(safe="")
    return encodeURIComponent(value).replace(/[!'()*]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }

  function cap(part, limit) {
    if (Array.from(part).length <= limit) return part;
    var g = graphemeList(part);
    if (g.length <= limit) return part;
    return g.slice(0, Math.max(limit - 1, 0)).join("") + ELLIPSIS;
  }

  function forms(text) {
    text = text.trim();
    if (!text) return [""];
    var bounds = [];
    var re = /\s+/g, m;
    while ((m = re.exec(text))) bounds.push(m.index);
    if (!bounds.length) {
      var at = 0;
      graphemeList(text).forEach(function (c) { at += c.length; bounds.push(at); });
      bounds.pop();
    }
    var out = [text];
    for (var i = bounds.length - 1; i >= 0; i--) {
      var b = bounds[i];
      while (b > 0 && TRAILING.indexOf(text.charAt(b - 1)) !== -1) b--;
      if (b > 0) out.push(text.slice(0, b) + ELLIPSIS);
    }
    out.push("");
    return out;
  }

  function fitParam(p, fields, values) {
    var spec = p.fit;
    var render = function (part) {
      var f = Object.assign({}, fields);
      f[spec.shorten] = part;
      return asSent(format(p.value, f), p.encode);
    };
    var measure = function (text) {
      return COUNT[spec.count](format(spec.counted, Object.assign({}, values, { value: text })));
    };
    var candidates = forms(cap(fields[spec.shorten], spec.limit));
    for (var i = 0; i < candidates.length; i++) {
      var text = render(candidates[i]);
      if (measure(text) <= spec.limit) return text;
    }
    return render("");
  }

  function untracked(url) {
    var q = url.indexOf("?");
    if (q === -1) return url;
    var hash = url.indexOf("#", q);
    var query = url.slice(q + 1, hash === -1 ? undefined : hash);
    var pieces = query.split("&");
    var kept = pieces.filter(function (p) {
      var k = p.split("=")[0];
      try { k = decodeURIComponent(k.replace(/\+/g, " ")); } catch (e) { /* keep as is */ }
      return !TRACKING.test(k);
    });
    if (kept.length === pieces.length) return url;
    return url.slice(0, q) + (kept.length ? "?" + kept.join("&") : "") +
      (hash === -1 ? "" : url.slice(hash));
  }

  function sharedUrl(pageUrl, networkId) {
    var url = untracked(pageUrl);
    if (CONFIG.mirror_url && CONFIG.base_url) {
      var base = CONFIG.base_url.replace(/\/+$/, "");
      if (url === base || url.indexOf(base + "/") === 0) {
        url = CONFIG.mirror_url.replace(/\/+$/, "") + "/" + url.slice(base.length).replace(/^\/+/, "");
      }
    }
    if (CONFIG.utm) {
      var tags = Object.assign({}, CONFIG.utm, { utm_content: networkId });
      var extra = Object.keys(tags).filter(function (k) { return tags[k]; }).map(function (k) {
        return encodeURIComponent(k) + "=" + encodeURIComponent(tags[k]).replace(/%20/g, "+");
      }).join("&");
      var hashAt = url.indexOf("#");
      var frag = hashAt === -1 ? "" : url.slice(hashAt);
      var head = hashAt === -1 ? url : url.slice(0, hashAt);
      url = head + (head.indexOf("?") === -1 ? "?" : "&") + extra + frag;
    }
    return url;
  }

  function label(net, lang) {
    return net.label[lang] || net.label["*"] || net.label[CONFIG.default] || net.label.en ||
      net.label[Object.keys(net.label)[0]];
  }

  function pickerHref(lang) {
    var base = CONFIG.picker;
    if (lang === CONFIG.default) return base;
    var dot = base.lastIndexOf(".");
    var ext = dot === -1 ? "" : base.slice(dot + 1);
    return dot !== -1 && ext.indexOf("/") === -1 ? base.slice(0, dot) + "." + lang + "." + ext
      : base + "." + lang;
  }

  function buildLink(net, page, lang) {
    var pageUrl = sharedUrl(page.url, CONFIG.utm ? net.id : "");
    var fields = {
      url: pageUrl, title: page.title, share_text: page.text || page.title,
      summary: page.summary, image: "",
      hashtags: CONFIG.hashtags.map(function (t) { return "#" + t; }).join(" "),
      hashtags_csv: CONFIG.hashtags.join(",")
    };
    var values = {};
    Object.keys(net.params).forEach(function (name) {
      var p = net.params[name];
      if (!p.fit) values[name] = asSent(format(p.value, fields), p.encode);
    });
    Object.keys(net.params).forEach(function (name) {
      var p = net.params[name];
      if (p.fit) values[name] = fitParam(p, fields, values);
    });
    var href;
    if (net.kind === "copy" || net.kind === "native") {
      href = pageUrl;
      values = { url: pageUrl, title: fields.title };
    } else {
      var encoded = { picker: pickerHref(lang) };
      Object.keys(values).forEach(function (k) { encoded[k] = encode(values[k]); });
      href = format(net.url, encoded);
    }
    return { net: net, href: href, pageUrl: pageUrl, params: values };
  }

  // --- drawing the bar, as templates/sharebar.html.j2 ---------------------------------

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function icon(d) {
    return '<svg class="sb-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false"><path d="' + esc(d) + '"/></svg>';
  }
  var LOCK = '<svg class="sb-lock-icon" viewBox="0 0 24 24" width="12" height="12" aria-hidden="true" focusable="false"><path d="M12 2a5 5 0 0 0-5 5v3H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-8a2 2 0 0 0-2-2h-1V7a5 5 0 0 0-5-5zm-3 8V7a3 3 0 1 1 6 0v3z"/></svg>';
  var DOTS = '<svg class="sb-icon" viewBox="0 0 24 24" width="18" height="18" focusable="false"><path d="M5 10a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm7 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm7 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4z"/></svg>';

  function entry(link, s, lang) {
    var net = link.net, l = label(net, lang), bar = CONFIG.bar;
    var hints = [];
    if (net.jurisdiction === "RU") hints.push(s.ru_jurisdiction);
    if (net.status === "app_only") hints.push(s.app_only);
    if (net.e2e) hints.push(s.e2e);
    var title = hints.length ? l + " (" + hints.join(", ") + ")" : (bar.style === "icons" ? l : "");
    var t = title ? ' title="' + esc(title) + '"' : "";
    var cls = "sb-btn sb-net-" + esc(net.id);
    var mark = '<span class="sb-mark">' + icon(net.icon);
    if (net.kind === "native") {
      return '<li class="sb-item" hidden><button type="button" class="' + cls + '" data-share="native" data-url="' +
        esc(link.pageUrl) + '" data-title="' + esc(link.params.title) + '"' + t + ">" + mark +
        '</span><span class="sb-label">' + esc(l) + "</span></button></li>";
    }
    if (net.kind === "copy") {
      return '<li class="sb-item"><a class="' + cls + '" href="' + esc(link.href) +
        '" rel="noopener noreferrer" data-share="copy" data-copied="' + esc(s.copied) +
        '" data-failed="' + esc(s.copy_failed) + '"' + t + ">" + mark +
        '</span><span class="sb-label">' + esc(l) + "</span></a></li>";
    }
    var web = (net.kind === "link" || net.kind === "picker") && link.href.indexOf("mailto:") !== 0 &&
      net.status === "active";
    var newTab = bar.new_tab && web;
    var html = '<li class="sb-item' + (net.e2e ? " sb-e2e" : "") + '"><a class="' + cls + '" href="' +
      esc(link.href) + '"' + (newTab ? ' target="_blank"' : "") + ' rel="noopener noreferrer" data-share="' +
      esc(net.id) + '"' + t + ">" + mark +
      (net.e2e ? '<span class="sb-lock" aria-hidden="true">' + LOCK + "</span>" : "") +
      '</span><span class="sb-label">' + esc(l) + "</span>";
    if (net.jurisdiction === "RU") {
      html += '<span class="sb-badge sb-badge-ru" aria-hidden="true">' + esc(s.ru_badge) +
        '</span><span class="sb-sr"> (' + esc(s.ru_jurisdiction) + ")</span>";
    }
    if (net.status === "app_only") html += '<span class="sb-sr"> (' + esc(s.app_only) + ")</span>";
    if (net.e2e) html += '<span class="sb-sr"> (' + esc(s.e2e) + ")</span>";
    if (newTab) html += '<span class="sb-sr"> (' + esc(s.new_tab) + ")</span>";
    return html + "</a></li>";
  }

  function firstIds(lang) {
    var bar = CONFIG.bar;
    if (!bar.compact) return null;
    if (bar.first[lang]) return bar.first[lang];
    if (bar.first["*"]) return bar.first["*"];
    return CONFIG.networks.slice(0, bar.compact_size).map(function (n) { return n.id; });
  }

  function draw(page, lang, uid) {
    var s = CONFIG.strings[lang];
    var links = CONFIG.networks.map(function (n) { return buildLink(n, page, lang); });
    var order = firstIds(lang), first, rest;
    if (order === null) { first = links; rest = []; }
    else {
      first = order.map(function (id) {
        return links.filter(function (l) { return l.net.id === id; })[0];
      }).filter(Boolean);
      rest = links.filter(function (l) { return order.indexOf(l.net.id) === -1; });
    }
    if (rest.length === 1) { first = first.concat(rest); rest = []; }
    var note = CONFIG.notes[lang] || "";
    var bar = CONFIG.bar;
    var html = '<nav class="sharebar sb-' + esc(bar.style) + " sb-" + esc(bar.direction) + '" lang="' +
      esc(lang) + '" aria-label="' + esc(s.bar_label + ": " + page.title) + '"' +
      (note ? ' aria-describedby="' + uid + '-note"' : "") + " data-sharebar>";
    if (note) html += '<p class="sb-note" id="' + uid + '-note">' + esc(note) + "</p>";
    html += '<ul class="sb-list">' + first.map(function (l) { return entry(l, s, lang); }).join("");
    if (rest.length) {
      var parts = s.more_sr.split("{n}");
      html += '<li class="sb-item sb-more-item"><details class="sb-more"><summary class="sb-btn sb-more-btn">' +
        '<span class="sb-mark" aria-hidden="true">' + DOTS + '</span><span class="sb-label">' + esc(s.more) +
        '</span><span class="sb-sr"> (' + esc(parts[0]) + '<span class="sb-more-count">' + rest.length +
        "</span>" + esc(parts[1] || "") + ")</span></summary>" +
        '<ul class="sb-list sb-rest">' + rest.map(function (l) { return entry(l, s, lang); }).join("") +
        "</ul></details></li>";
    }
    html += "</ul>";
    var anyE2e = links.some(function (l) { return l.net.e2e; });
    var inView = first.some(function (l) { return l.net.e2e; });
    if (anyE2e) {
      html += '<p class="sb-legend' + (inView ? "" : " sb-legend-more") + '" aria-hidden="true"><span class="sb-lock">' +
        LOCK + "</span> " + esc(s.e2e) + "</p>";
    }
    return html + '<p class="sb-status" role="status" aria-live="polite"></p></nav>';
  }

  // --- what page is this? ----------------------------------------------------------------

  function meta(selector, attr) {
    var el = document.querySelector(selector);
    return el ? (el.getAttribute(attr || "content") || "").trim() : "";
  }

  function pageOf(el) {
    var d = el.dataset;
    var url = d.url || meta('link[rel="canonical"]', "href") || meta('meta[property="og:url"]') ||
      window.location.href.split("#")[0];
    try { url = new URL(url, window.location.href).href; } catch (e) { return null; }
    // Only a web page is shared: a data-url of 'javascript:...' or 'data:...' (a CMS
    // filling it from an imported link) would become the copy link and every share.
    if (!/^https?:\/\//i.test(url)) return null;
    var title = d.title || meta('meta[property="og:title"]') || document.title || url;
    return {
      url: url,
      title: title,
      text: d.text || "",
      summary: d.summary || meta('meta[property="og:description"]') || meta('meta[name="description"]')
    };
  }

  function langOf(el) {
    var wanted = [el.dataset.lang, (el.closest("[lang]") || document.documentElement).getAttribute("lang")];
    for (var i = 0; i < wanted.length; i++) {
      var l = (wanted[i] || "").toLowerCase();
      if (CONFIG.languages.indexOf(l) !== -1) return l;
      l = l.split("-")[0];
      if (CONFIG.languages.indexOf(l) !== -1) return l;
    }
    return CONFIG.default;
  }

  function stylesheet() {
    if (!script || document.querySelector("link[data-outreach-share]")) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL("sharebar.css", script.src).href;
    link.setAttribute("data-outreach-share", "");
    document.head.appendChild(link);
  }

  stylesheet();
  var hosts = document.querySelectorAll("[data-outreach-share]:not(link)");
  for (var i = 0; i < hosts.length; i++) {
    var page = pageOf(hosts[i]);
    if (page) hosts[i].innerHTML = draw(page, langOf(hosts[i]), "sb-embed-" + i);
  }
})();
