/*
 * Links made by the page's own scripts (the timeline's details, the query editor's result table)
 * point to the server's paths, such as /id/actor/nato. In the static folder those are files:
 * rewrite each such link, now and whenever one is added, to the file relative to this page
 * (the <meta name="nik-site-root"> says how far up the folder's root is). No libraries.
 */
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="nik-site-root"]');
  var root = meta ? meta.getAttribute("content") : "./";
  var PAGES = { "/": "index.html", "/timeline": "timeline.html", "/query": "query.html",
                "/search": "search.html", "/ontology": "ontology.html" };

  function fileOf(href) {
    var hash = "";
    var cut = href.indexOf("#");
    if (cut >= 0) {
      hash = href.slice(cut);
      href = href.slice(0, cut);
    }
    var query = "";
    cut = href.indexOf("?");
    if (cut >= 0) {
      query = href.slice(cut);
      href = href.slice(0, cut);
    }
    if (href.indexOf("/id/") === 0) {
      return root + href.slice(1) + ".html" + hash;
    }
    if (Object.prototype.hasOwnProperty.call(PAGES, href)) {
      return root + PAGES[href] + (href === "/query" ? query : "") + hash;
    }
    if (href.indexOf("/data/") === 0 || href.indexOf("/static/") === 0) {
      return root + href.slice(1) + hash;
    }
    return null;
  }

  function rewrite(scope) {
    var links = scope.querySelectorAll ? scope.querySelectorAll('a[href^="/"]') : [];
    for (var i = 0; i < links.length; i += 1) {
      var href = links[i].getAttribute("href");
      if (href.indexOf("//") === 0) {
        continue;
      }
      var file = fileOf(href);
      if (file !== null) {
        links[i].setAttribute("href", file);
      }
    }
  }

  function start() {
    rewrite(document);
    new MutationObserver(function (changes) {
      for (var i = 0; i < changes.length; i += 1) {
        var target = changes[i].target;
        rewrite(target.nodeType === 1 ? target : document);
      }
    }).observe(document.body, { childList: true, subtree: true, attributes: true,
                                attributeFilter: ["href"] });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
