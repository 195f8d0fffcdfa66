/* Trade Mirror: the data release selector, and the notice on pages of an older release.
 *
 * mike publishes each data release in its own folder beside versions.json
 * (1.0.0/, 1.1.0/, and the alias latest/). The selector in the header lists
 * the releases and, when the reader picks one, opens the page they are
 * reading in that release; a page the release does not have opens the
 * release's home page in the same language, which says so. A page of any
 * release but the newest says that it is old and links to the same page in
 * latest/. Written here rather than left to the theme, whose selector finds
 * versions.json only from the main language's folder, and gives up on the
 * page unless the sitemap lists the release's root. Without versions.json (a
 * preview, `make serve`) nothing is shown. Runs on first load and after each
 * of Material's instant page changes (the header stays; the page's notice is
 * redrawn).
 */
(function () {
  "use strict";

  var LATEST = "latest";
  var MISSING = "tm-missing";  // query parameter: the reader came from a page this release does not have
  var releases = null;  // a promise of {root, versions, current, latest}, read once per page load

  function holder() { return document.querySelector(".tm-release[data-tm-root]"); }

  // The texts in the page's language: data-tm-text-notice-link="..." gives words.notice_link.
  function texts(el) {
    var words = {};
    Array.prototype.forEach.call(el.attributes, function (attr) {
      if (attr.name.indexOf("data-tm-text-") === 0) { words[attr.name.slice(13).replace(/-/g, "_")] = attr.value; }
    });
    return words;
  }

  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }

  function make(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text) { el.textContent = text; }
    return el;
  }

  function load(el) {
    var root = new URL(el.getAttribute("data-tm-root"), location.href);  // this release's folder
    return fetch(new URL("../versions.json", root).href, { credentials: "same-origin" })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (list) {
        var versions = list.filter(function (v) { return !(v.properties && v.properties.hidden); });
        if (!versions.length) { throw new Error("no versions"); }
        var named = el.getAttribute("data-tm-version");
        var current = versions.filter(function (v) { return v.version === named; })[0];
        var latest = versions.filter(function (v) { return (v.aliases || []).indexOf(LATEST) >= 0; })[0] || versions[0];
        var edition = el.getAttribute("data-tm-edition") || "";  // "ru/" in an edition, "" in the main one
        return { root: root, edition: edition, versions: versions, current: current, latest: latest };
      });
  }

  // The page's path inside its release, e.g. "ru/countries/kazakhstan.html".
  function pageInRelease(root) {
    var path = location.pathname;
    var rest = path.indexOf(root.pathname) === 0 ? path.slice(root.pathname.length) : "";
    return rest === "" ? "index.html" : rest;
  }

  function exists(url) {
    return fetch(url, { method: "HEAD", credentials: "same-origin" })
      .then(function (response) { return response.ok; }, function () { return false; });
  }

  // The same page in another release (by folder name); failing that, that release's home page in the
  // reader's language, told why; failing that, its main home page.
  function samePageIn(info, folder) {
    var page = pageInRelease(info.root);
    var base = new URL("../" + folder + "/", info.root);
    var candidates = [page];
    if (info.edition) { candidates.push(info.edition + "index.html"); }
    candidates.push("index.html");
    function attempt(i) {
      var url = new URL(candidates[i], base);
      if (i === candidates.length - 1) { return Promise.resolve(url); }
      return exists(url.href).then(function (ok) { return ok ? url : attempt(i + 1); });
    }
    return attempt(0).then(function (url) {
      if (url.pathname !== new URL(page, base).pathname) { url.search = "?" + MISSING + "=" + encodeURIComponent(page); }
      else { url.hash = location.hash; }
      return url;
    });
  }

  function selector(info, words) {
    var box = make("div", "md-version tm-version");
    var button = make("button", "md-version__current", info.current ? info.current.title : "");
    button.setAttribute("aria-label", words.select || "");
    var list = make("ul", "md-version__list");
    info.versions.forEach(function (v) {
      var item = make("li", "md-version__item");
      var link = make("a", "md-version__link", v.title);
      link.href = new URL("../" + v.version + "/", info.root).href;
      link.target = "_self";  // not the theme's instant navigation: this is another site
      if (v === info.latest && words.latest) {
        link.appendChild(document.createTextNode(" "));  // read as two words, "1.1.0 latest"
        link.appendChild(make("span", "md-version__alias", words.latest));
      }
      if (v === info.current) { link.setAttribute("aria-current", "true"); }
      link.addEventListener("click", function (event) {
        if (event.metaKey || event.ctrlKey || event.shiftKey) { return; }
        event.preventDefault();
        samePageIn(info, v.version).then(function (url) { location.assign(url.href); });
      });
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(button);
    box.appendChild(list);
    return box;
  }

  function notice(el, info, words) {
    el.textContent = "";
    var lines = [];
    var params = new URLSearchParams(location.search);
    if (params.has(MISSING) && info.current) {
      lines.push(Promise.resolve([make("p", "", fill(words.missing, { version: info.current.title }))]));
    }
    if (info.current && info.latest && info.current !== info.latest) {
      lines.push(samePageIn(info, LATEST).then(function (url) {
        var p = make("p", "", fill(words.notice, { version: info.current.title, latest: info.latest.title }) + " ");
        var same = !url.search;
        var link = make("a", "", same ? words.notice_link : words.notice_home);
        link.href = url.href;
        link.target = "_self";
        p.appendChild(link);
        return [p];
      }));
    }
    if (!lines.length) { return; }
    Promise.all(lines).then(function (groups) {
      groups.forEach(function (group) { group.forEach(function (p) { el.appendChild(p); }); });
      el.setAttribute("role", "note");
      el.hidden = false;
    });
  }

  function start() {
    var el = holder();
    if (!el) { return; }
    var words = texts(el);
    if (!releases) {
      releases = load(el);
      releases.then(function (info) {
        var topic = document.querySelector(".md-header__topic");
        if (topic && !document.querySelector(".tm-version")) { topic.appendChild(selector(info, words)); }
      }, function () { /* not a published site: no versions.json */ });
    }
    releases.then(function (info) { notice(el, info, words); }, function () {});
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(start);  // Material: first load and every instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
