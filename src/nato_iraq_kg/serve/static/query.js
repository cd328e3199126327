/*
 * The SPARQL editor: loads a competency question into the text area, posts the query to
 * /sparql and shows a SELECT answer as a table (ASK as yes/no, graphs as text). No libraries.
 */
(function () {
  "use strict";

  var ID_BASE = "https://w3id.org/nato-iraq-kg/id/";

  function readJson(id) {
    var node = document.getElementById(id);
    try {
      return node ? JSON.parse(node.textContent) : {};
    } catch (e) {
      return {};
    }
  }

  var QUERIES = readJson("cq-data");
  var PREFIXES = readJson("prefix-data");
  /* Longest namespace first, so "actor:" wins over a shorter prefix of the same IRI. */
  var NAMESPACES = Object.keys(PREFIXES)
    .map(function (p) { return [p, PREFIXES[p]]; })
    .sort(function (a, b) { return b[1].length - a[1].length; });

  function compact(iri) {
    for (var i = 0; i < NAMESPACES.length; i += 1) {
      var ns = NAMESPACES[i][1];
      if (iri.indexOf(ns) === 0 && iri.length > ns.length) {
        return NAMESPACES[i][0] + ":" + iri.slice(ns.length);
      }
    }
    return iri;
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      e.setAttribute(k, attrs[k]);
    });
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  }

  function cell(term) {
    var td = el("td", {});
    if (!term) {
      return td;
    }
    if (term.type === "uri") {
      var path = term.value.indexOf(ID_BASE) === 0 ? "/id/" + term.value.slice(ID_BASE.length) : null;
      var a = el("a", { href: path || term.value }, compact(term.value));
      if (!path) {
        a.setAttribute("rel", "external");
      }
      td.appendChild(a);
    } else {
      td.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
      if (term["xml:lang"]) {
        td.appendChild(el("span", { class: "lang" }, " @" + term["xml:lang"]));
      }
    }
    return td;
  }

  function render(data) {
    var out = document.getElementById("results");
    out.textContent = "";
    if (typeof data.boolean === "boolean") {
      out.appendChild(el("p", { class: "boolean" }, data.boolean ? "yes (true)" : "no (false)"));
      return;
    }
    var vars = (data.head && data.head.vars) || [];
    var rows = (data.results && data.results.bindings) || [];
    var table = el("table", {});
    var head = el("tr", {});
    vars.forEach(function (v) {
      head.appendChild(el("th", { scope: "col" }, v));
    });
    table.appendChild(el("thead", {})).appendChild(head);
    var body = el("tbody", {});
    rows.forEach(function (row) {
      var tr = el("tr", {});
      vars.forEach(function (v) {
        tr.appendChild(cell(row[v]));
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    out.appendChild(el("p", {}, rows.length + (rows.length === 1 ? " row" : " rows")));
    out.appendChild(table);
  }

  function run(event) {
    event.preventDefault();
    var status = document.getElementById("status");
    var query = document.getElementById("query").value;
    status.textContent = "Running…";
    fetch("/sparql", {
      method: "POST",
      headers: {
        Accept: "application/sparql-results+json, text/turtle;q=0.5",
        "Content-Type": "application/x-www-form-urlencoded"
      },
      body: new URLSearchParams({ query: query }).toString()
    })
      .then(function (r) {
        var type = r.headers.get("Content-Type") || "";
        return r.text().then(function (text) {
          return { ok: r.ok, status: r.status, type: type, text: text };
        });
      })
      .then(function (answer) {
        var out = document.getElementById("results");
        if (!answer.ok) {
          status.textContent = "Error " + answer.status;
          out.textContent = "";
          out.appendChild(el("pre", { class: "error" }, answer.text));
          return;
        }
        status.textContent = "";
        if (answer.type.indexOf("json") >= 0) {
          render(JSON.parse(answer.text));
        } else {
          out.textContent = "";
          out.appendChild(el("pre", {}, answer.text));
        }
      })
      .catch(function (err) {
        status.textContent = "Failed: " + err.message;
      });
  }

  function pick(number) {
    var entry = QUERIES[number];
    if (entry) {
      document.getElementById("query").value = entry.query;
    }
  }

  function start() {
    var form = document.getElementById("sparql-form");
    var select = document.getElementById("cq-select");
    if (!form) {
      return;
    }
    form.addEventListener("submit", run);
    if (select) {
      select.addEventListener("change", function () {
        pick(select.value);
      });
    }
    var wanted = new URLSearchParams(window.location.search).get("cq");
    if (wanted && /^\d+$/.test(wanted)) {
      var n = +wanted;
      var number = n < 10 ? "0" + n : String(n);
      if (QUERIES[number] && select) {
        select.value = number;
        pick(number);
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
