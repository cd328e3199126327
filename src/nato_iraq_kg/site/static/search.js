/*
 * Search in the static site: the same index and ranking as the server's /search, run in the
 * browser. The index (search-index.json) is prebuilt with every entity's names and quotes already
 * folded; this script folds the words typed, ranks by the rules of nato_iraq_kg.sparql.search
 * (a name before a quote, a whole name before a part of one, named things before events), and
 * shows each hit with the quote that matched. Everything shown is set as text, never as HTML.
 */
(function () {
  "use strict";

  var ALNUM = "[\\p{L}\\p{N}]";
  var meta = document.querySelector('meta[name="nik-site-root"]');
  var root = meta ? meta.getAttribute("content") : "./";

  function fold(text) {
    var folded = [];
    var origin = [];
    var index = 0;
    for (var ch of text) {
      for (var part of ch.normalize("NFKD")) {
        if (/\p{M}/u.test(part)) {
          continue;
        }
        for (var lower of part.toLowerCase()) {
          folded.push(/[\p{L}\p{N}]/u.test(lower) ? lower : " ");
          origin.push(index);
        }
      }
      index += ch.length;
    }
    return { text: folded.join(""), origin: origin };
  }

  function words(text) {
    return fold(text).text.split(" ").filter(function (w) { return w.length > 0; });
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\\/-]/g, "\\$&");
  }

  function Matcher(list, minPrefix) {
    var ends = list.map(function () { return "(?!" + ALNUM + ")"; });
    if (list.length && Array.from(list[list.length - 1]).length >= minPrefix) {
      ends[ends.length - 1] = ALNUM + "*";
    }
    this.words = list;
    this.phrase = new RegExp("(?<!" + ALNUM + ")" + list.map(function (w, i) {
      return escapeRegExp(w) + ends[i];
    }).join("\\s+"), "u");
    this.each = list.map(function (w, i) {
      return new RegExp("(?<!" + ALNUM + ")" + escapeRegExp(w) + ends[i], "u");
    });
  }

  Matcher.prototype.kind = function (folded) {
    if (!this.words.length) {
      return null;
    }
    if (this.phrase.test(folded)) {
      var split = folded.split(" ").filter(function (w) { return w.length > 0; });
      var same = split.length === this.words.length && split.every(function (w, i) {
        return w === this.words[i];
      }, this);
      return same ? "exact" : "phrase";
    }
    return this.each.every(function (p) { return p.test(folded); }) ? "words" : null;
  };

  Matcher.prototype.spans = function (text) {
    var f = fold(text);
    var found = {};
    var phrase = this.phrase.exec(f.text);
    var hits = phrase ? [phrase] : this.each.map(function (p) { return p.exec(f.text); });
    hits.forEach(function (hit) {
      if (hit && hit[0].length > 0) {
        var end = hit.index + hit[0].length - 1;
        var start = f.origin[hit.index];
        var last = f.origin[end];
        var stop = last + String.fromCodePoint(text.codePointAt(last)).length;
        found[start + ":" + stop] = [start, stop];
      }
    });
    return Object.keys(found).map(function (k) { return found[k]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
  };

  function search(index, q) {
    var text = q.split(/\s+/).filter(function (w) { return w.length > 0; }).join(" ");
    var chars = Array.from(text);
    var truncated = chars.length > index.maxQueryChars;
    if (truncated) {
      text = chars.slice(0, index.maxQueryChars).join("");
    }
    var matcher = new Matcher(words(text).slice(0, index.maxTokens), index.minPrefix);
    var hits = [];
    index.entries.forEach(function (entry) {
      var quoteKinds = [];
      entry.folded.quotes.forEach(function (folded, i) {
        var how = matcher.kind(folded);
        if (how) {
          quoteKinds.push([i, how]);
        }
      });
      var candidates = [["label", matcher.kind(entry.folded.label)]];
      entry.folded.alt.forEach(function (a) { candidates.push(["alt", matcher.kind(a)]); });
      quoteKinds.forEach(function (pair) { candidates.push(["quote", pair[1]]); });
      var best = null;
      candidates.forEach(function (c) {
        if (!c[1]) {
          return;
        }
        var value = index.scores[c[0] + ":" + c[1]] * 10 + (index.kindWeight[entry.kind] || 0) * 3 +
          Math.min(quoteKinds.length, 5);
        if (best === null || value > best[0]) {
          best = [value, c[0]];
        }
      });
      if (best === null) {
        return;
      }
      var quote = null;
      if (quoteKinds.length) {
        quoteKinds.sort(function (a, b) {
          return index.scores["quote:" + b[1]] - index.scores["quote:" + a[1]] || a[0] - b[0];
        });
        quote = entry.quotes[quoteKinds[0][0]];
      } else if (entry.quotes.length) {
        quote = entry.quotes[0];
      }
      hits.push({ entry: entry, score: best[0], matched: best[1], quote: quote,
                  spans: quote ? matcher.spans(quote.text) : [] });
    });
    hits.sort(function (a, b) {
      var la = Array.from(a.entry.label).length;
      var lb = Array.from(b.entry.label).length;
      var na = a.entry.label.toLowerCase();
      var nb = b.entry.label.toLowerCase();
      return (b.score - a.score) || (la - lb) || (na < nb ? -1 : na > nb ? 1 : 0) ||
        (a.entry.iri < b.entry.iri ? -1 : a.entry.iri > b.entry.iri ? 1 : 0);
    });
    return { query: text, truncated: truncated, hits: hits.slice(0, index.pageSize) };
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function fileOf(iri) {
    return root + "id/" + iri.slice(index_base.length).split("#")[0] + ".html";
  }

  var index_base = "https://w3id.org/nato-iraq-kg/id/";

  function render(results, box, heading) {
    box.textContent = "";
    heading.textContent = results.query ? "Search: " + results.query : "Search";
    document.title = heading.textContent + " — NATO–Iraq KG";
    if (results.truncated) {
      box.appendChild(el("p", { "class": "note" },
        "Only the first " + Array.from(results.query).length + " characters were used."));
    }
    if (!results.query) {
      box.appendChild(el("p", {}, "Search the names of the entities and the quotes of the page " +
        "about them; case, accents and hyphens do not matter."));
      return;
    }
    if (!results.hits.length) {
      box.appendChild(el("p", { "class": "none" }, "Nothing matches “" + results.query + "”."));
      return;
    }
    var n = results.hits.length;
    box.appendChild(el("p", { "class": "count" }, n + " result" + (n === 1 ? "" : "s")));
    var list = el("ol", { "class": "search-results" });
    results.hits.forEach(function (hit) {
      var item = el("li");
      item.appendChild(el("a", { "class": "hit", href: fileOf(hit.entry.iri) }, hit.entry.label));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(el("span", { "class": "kind" }, hit.entry.kind));
      if (hit.matched === "alt" && hit.entry.alt.length) {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(el("span", { "class": "matched" }, "also called " + hit.entry.alt.join("; ")));
      }
      if (hit.quote) {
        var block = el("blockquote", { "class": "evidence" });
        var at = 0;
        hit.spans.forEach(function (span) {
          if (span[0] < at) {
            return;
          }
          block.appendChild(document.createTextNode(hit.quote.text.slice(at, span[0])));
          block.appendChild(el("mark", {}, hit.quote.text.slice(span[0], span[1])));
          at = span[1];
        });
        block.appendChild(document.createTextNode(hit.quote.text.slice(at)));
        item.appendChild(block);
        var where = el("p", { "class": "where" }, "from " + (hit.quote.part || "the page") + " ");
        where.appendChild(el("a", { "class": "evidence-link", href: fileOf(hit.quote.evidence) },
          "evidence"));
        item.appendChild(where);
      }
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function start() {
    var box = document.getElementById("search-results");
    var heading = document.getElementById("search-heading");
    if (!box || !heading) {
      return;
    }
    var q = new URLSearchParams(window.location.search).get("q") || "";
    var field = document.getElementById("search-q");
    if (field) {
      field.value = q;
    }
    fetch(box.getAttribute("data-src"))
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (index) {
        render(search(index, q), box, heading);
        box.setAttribute("data-ready", "true");
      })
      .catch(function (error) {
        box.textContent = "The search index could not be loaded (" + error.message + ").";
      });
  }

  window.natoIraqSearch = { fold: fold, search: search };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
