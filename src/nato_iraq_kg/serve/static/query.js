/*
 * The query page: YASGUI (vendored under /static/vendor/yasgui, no CDN) set up for this server
 * only. It talks to /sparql, keeps nothing in localStorage (every visit starts from the chosen
 * competency question), asks no outside service for completions (the LOV class and property
 * completers are switched off), and sends links to our entities to this server's own pages.
 */
(function () {
  "use strict";

  var ID_BASE = "https://w3id.org/nato-iraq-kg/id/";
  var FALLBACK_QUERY = "SELECT ?s ?p ?o WHERE {\n  ?s ?p ?o .\n} LIMIT 20\n";
  /* Completers that work from the page alone; "class" and "property" would ask lov.linkeddata.es. */
  var LOCAL_COMPLETERS = ["prefixes", "variables"];

  function readJson(id) {
    var node = document.getElementById(id);
    try {
      return node ? JSON.parse(node.textContent) : {};
    } catch (e) {
      return {};
    }
  }

  function twoDigits(value) {
    if (!value || !/^\d+$/.test(value)) {
      return null;
    }
    var n = +value;
    return n < 10 ? "0" + n : String(n);
  }

  /*
   * The result table links each IRI to itself; ours are answered by this server, so point those
   * links here (the text still shows the full IRI). They keep YASGUI's new-tab behaviour, so the
   * query and its answer stay open.
   */
  function localiseLinks(root) {
    function rewrite() {
      var links = root.querySelectorAll('a[href^="' + ID_BASE + '"]');
      for (var i = 0; i < links.length; i += 1) {
        links[i].setAttribute("href", "/id/" + links[i].getAttribute("href").slice(ID_BASE.length));
      }
    }
    new MutationObserver(rewrite).observe(root, { childList: true, subtree: true });
  }

  /*
   * YASQE flags any prefix the query does not declare ("Prefix 'rdfs' is not defined", and a red
   * mark on the run button), but our endpoint predeclares the usual ones. Every parse of the
   * SPARQL mode starts from its startState, so the mode is wrapped to start with them known.
   */
  function predeclarePrefixes(Yasqe, predeclared) {
    var factory = Yasqe.modes && Yasqe.modes.sparql11;
    if (typeof factory !== "function" || factory.natoIraqWrapped) {
      return;
    }
    var wrapped = function (config, parserConfig) {
      var mode = factory(config, parserConfig);
      var startState = mode.startState;
      mode.startState = function () {
        var state = startState.apply(mode, arguments);
        Object.keys(predeclared).forEach(function (name) {
          if (state.prefixes[name] === undefined) {
            state.prefixes[name] = predeclared[name];
          }
        });
        return state;
      };
      return mode;
    };
    Object.keys(factory).forEach(function (key) {
      wrapped[key] = factory[key];
    });
    wrapped.natoIraqWrapped = true;
    Yasqe.modes.sparql11 = wrapped;
  }

  function start() {
    var root = document.getElementById("yasgui");
    if (!root || typeof window.Yasgui !== "function") {
      return; /* the <noscript> form stays the way to ask */
    }
    var QUERIES = readJson("cq-data");
    var select = document.getElementById("cq-select");
    var question = document.getElementById("cq-question");
    var Yasgui = window.Yasgui;
    var config = readJson("editor-config");
    predeclarePrefixes(Yasgui.Yasqe, config.prefixes || {});
    Yasgui.Yasqe.defaults.autocompleters = LOCAL_COMPLETERS.slice();
    /* A static copy of the site names its endpoint in data-endpoint; the server is its own. */
    var endpoint = root.getAttribute("data-endpoint") || window.location.origin + "/sparql";
    var wanted = twoDigits(new URLSearchParams(window.location.search).get("cq"));
    var first = wanted && QUERIES[wanted]
      ? QUERIES[wanted].query
      : config.defaultQuery || FALLBACK_QUERY;

    var yasgui = new Yasgui(root, {
      persistenceId: null,
      populateFromUrl: false,
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: {
        getData: function () {
          return [{ endpoint: endpoint }];
        },
        keys: []
      },
      requestConfig: { endpoint: endpoint, method: "POST" },
      yasqe: { value: first, autocompleters: LOCAL_COMPLETERS.slice(), resizeable: true },
      yasr: { defaultPlugin: "table", pluginOrder: ["table", "response"] }
    });
    window.natoIraqYasgui = yasgui; /* for people poking at the page, and for the tests */

    function show(number) {
      var entry = QUERIES[number];
      if (question) {
        question.textContent = entry ? entry.question : "";
      }
      if (entry) {
        yasgui.getTab().setQuery(entry.query);
      }
    }

    if (select) {
      select.hidden = false;
      select.parentElement.hidden = false;
      select.addEventListener("change", function () {
        show(select.value);
      });
      if (wanted && QUERIES[wanted]) {
        select.value = wanted;
      }
    }
    if (wanted && QUERIES[wanted]) {
      show(wanted);
    }
    localiseLinks(root);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
