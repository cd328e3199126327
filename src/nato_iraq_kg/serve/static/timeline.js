/*
 * Interactive timeline of the dated events of the NATO–Iraq knowledge graph.
 *
 * Reads the framed JSON-LD timeline (the container's data-src, a relative URL) and draws each
 * event on a horizontal time axis at the precision the source page gives it: a day as a dot, a
 * month as a short bar across the month, a year as a faded bar across the year, a vague date as
 * a dashed bar across its bounds. Each event is a <button>, so it can be reached with Tab and
 * chosen with Enter; the arrow keys move between events in date order. No libraries.
 */
(function () {
  "use strict";

  var ID_BASE = "https://w3id.org/nato-iraq-kg/id/";
  var DAY_MS = 86400000;
  var ROW_HEIGHT = 26;
  var MIN_WIDTH = 10;
  var PRECISION_RANK = { day: 0, month: 1, year: 2, vague: 3 };

  /* Properties that link an event to other things, shown in the detail panel in this order. */
  var LINK_ROLES = [
    ["agent", "by"],
    ["participant", "participants"],
    ["counterpart", "with"],
    ["destination", "destination"],
    ["hasPlace", "place"],
    ["concerns", "concerns"],
    ["partOfProgramme", "part of programme"],
    ["subEventOf", "part of"],
    ["followsRequest", "follows"],
    ["topic", "topic"]
  ];
  var TEXT_ROLES = [
    ["content", "content"],
    ["commitment", "commitment"],
    ["reason", "reason"]
  ];

  var state = { events: [], context: {}, pxPerDay: 0.6, chosen: null };

  function asList(value) {
    if (value === undefined || value === null) {
      return [];
    }
    return Array.isArray(value) ? value : [value];
  }

  function expand(id) {
    if (typeof id !== "string") {
      return "";
    }
    var colon = id.indexOf(":");
    if (colon > 0) {
      var ns = state.context[id.slice(0, colon)];
      if (typeof ns === "string") {
        return ns + id.slice(colon + 1);
      }
    }
    return id;
  }

  function localPath(id) {
    var iri = expand(id);
    return iri.indexOf(ID_BASE) === 0 ? "/id/" + iri.slice(ID_BASE.length) : null;
  }

  function parseDay(text) {
    var m = /^(-?\d{4})-(\d{2})-(\d{2})/.exec(text || "");
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
  }

  function precisionOf(date) {
    var types = asList(date.type);
    if (types.indexOf("DayDate") >= 0) {
      return "day";
    }
    if (types.indexOf("MonthDate") >= 0) {
      return "month";
    }
    if (types.indexOf("YearDate") >= 0) {
      return "year";
    }
    return "vague";
  }

  /* The finest date of an event decides where and how it is drawn; all its words are shown. */
  function toEvent(node) {
    var dates = asList(node.hasDate).filter(function (d) {
      return !isNaN(parseDay(d.earliestDate)) && !isNaN(parseDay(d.latestDate));
    });
    if (!dates.length) {
      return null;
    }
    dates.sort(function (a, b) {
      return PRECISION_RANK[precisionOf(a)] - PRECISION_RANK[precisionOf(b)];
    });
    var finest = dates[0];
    return {
      node: node,
      label: node.label || node.id,
      precision: precisionOf(finest),
      start: parseDay(finest.earliestDate),
      end: parseDay(finest.latestDate) + DAY_MS,
      words: asList(node.hasDate).map(function (d) {
        return d.label || d.earliestDate;
      })
    };
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

  function link(ref) {
    var label = ref.label || ref.id || "";
    var path = localPath(ref.id);
    return path ? el("a", { href: path }, label) : el("span", {}, label);
  }

  function showDetail(ev) {
    var panel = document.getElementById("event-detail");
    panel.textContent = "";
    var title = el("h2", {});
    title.appendChild(link({ id: ev.node.id, label: ev.label }));
    panel.appendChild(title);
    var list = el("dl", {});
    function row(term, nodes) {
      if (!nodes.length) {
        return;
      }
      list.appendChild(el("dt", {}, term));
      var dd = el("dd", {});
      nodes.forEach(function (n, i) {
        if (i) {
          dd.appendChild(document.createTextNode(", "));
        }
        dd.appendChild(n);
      });
      list.appendChild(dd);
    }
    row("when", [document.createTextNode(ev.words.join(" / ") + " (" + ev.precision + ")")]);
    row("also called", asList(ev.node.altLabel).map(function (t) {
      return document.createTextNode(t);
    }));
    LINK_ROLES.forEach(function (role) {
      row(role[1], asList(ev.node[role[0]]).map(function (ref) {
        return typeof ref === "string" ? link({ id: ref }) : link(ref);
      }));
    });
    TEXT_ROLES.forEach(function (role) {
      row(role[1], asList(ev.node[role[0]]).map(function (t) {
        return document.createTextNode(typeof t === "string" ? t : t["@value"] || "");
      }));
    });
    panel.appendChild(list);
  }

  function choose(index, focus) {
    var buttons = document.querySelectorAll("#timeline .ev");
    buttons.forEach(function (b, i) {
      b.setAttribute("aria-pressed", i === index ? "true" : "false");
    });
    state.chosen = index;
    showDetail(state.events[index]);
    if (focus && buttons[index]) {
      buttons[index].focus();
    }
  }

  function onKey(e) {
    var index = +e.currentTarget.getAttribute("data-index");
    var next = null;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") {
      next = Math.min(index + 1, state.events.length - 1);
    } else if (e.key === "ArrowLeft" || e.key === "ArrowUp") {
      next = Math.max(index - 1, 0);
    } else if (e.key === "Home") {
      next = 0;
    } else if (e.key === "End") {
      next = state.events.length - 1;
    }
    if (next !== null) {
      e.preventDefault();
      choose(next, true);
    }
  }

  function draw() {
    var box = document.getElementById("timeline");
    var events = state.events;
    box.textContent = "";
    if (!events.length) {
      box.appendChild(el("p", {}, "No dated events."));
      return;
    }
    var first = new Date(Math.min.apply(null, events.map(function (e) { return e.start; })));
    var last = new Date(Math.max.apply(null, events.map(function (e) { return e.end; })));
    var origin = Date.UTC(first.getUTCFullYear(), 0, 1);
    var stop = Date.UTC(last.getUTCFullYear() + 1, 0, 1);
    var scale = state.pxPerDay / DAY_MS;
    var width = Math.round((stop - origin) * scale);

    /* Greedy lanes: an event goes to the first row whose last item ends before it starts. */
    var laneEnds = [];
    var placed = events.map(function (ev) {
      var left = (ev.start - origin) * scale;
      var w = Math.max((ev.end - ev.start) * scale, MIN_WIDTH);
      if (ev.precision === "day") {
        left -= MIN_WIDTH / 2;
        w = MIN_WIDTH;
      }
      var lane = 0;
      while (lane < laneEnds.length && laneEnds[lane] > left - 2) {
        lane += 1;
      }
      laneEnds[lane] = left + w;
      return { left: left, width: w, lane: lane };
    });

    var track = el("div", { class: "track" });
    track.style.width = width + "px";
    track.style.height = (laneEnds.length * ROW_HEIGHT + 34) + "px";
    for (var y = new Date(origin).getUTCFullYear(); Date.UTC(y, 0, 1) <= stop; y += 1) {
      var tick = el("span", { class: "tick", "aria-hidden": "true" }, String(y));
      tick.style.left = Math.round((Date.UTC(y, 0, 1) - origin) * scale) + "px";
      track.appendChild(tick);
    }
    events.forEach(function (ev, i) {
      var p = placed[i];
      var b = el("button", {
        type: "button",
        class: "ev ev-" + ev.precision,
        "data-index": String(i),
        "aria-pressed": "false",
        "aria-label": ev.label + ", " + ev.words[ev.words.length - 1] + " (" + ev.precision + ")",
        title: ev.label + " — " + ev.words.join(" / ")
      });
      b.style.left = Math.round(p.left) + "px";
      b.style.width = Math.round(p.width) + "px";
      b.style.top = (p.lane * ROW_HEIGHT + 28) + "px";
      b.addEventListener("click", function () {
        choose(i, false);
      });
      b.addEventListener("keydown", onKey);
      track.appendChild(b);
    });
    box.appendChild(track);
    if (state.chosen !== null) {
      choose(state.chosen, false);
    }
  }

  // Open with the whole span in view: 2004 to 2017 fits the box without scrolling.
  function fitToWidth(box) {
    if (!state.events.length) {
      return;
    }
    var first = Math.min.apply(null, state.events.map(function (ev) { return ev.start; }));
    var last = Math.max.apply(null, state.events.map(function (ev) { return ev.end; }));
    var days = (last - first) / DAY_MS + 2 * 366;
    var available = Math.max((box.clientWidth || 1000) - 40, 200);
    state.pxPerDay = Math.min(Math.max(available / days, 0.1), 8);
  }

  function zoom(factor) {
    state.pxPerDay = Math.min(Math.max(state.pxPerDay * factor, 0.1), 8);
    draw();
  }

  function load() {
    var box = document.getElementById("timeline");
    if (!box) {
      return;
    }
    var src = box.getAttribute("data-src") || "/data/timeline.jsonld";
    fetch(src, { headers: { Accept: "application/ld+json, application/json" } })
      .then(function (r) {
        if (!r.ok) {
          throw new Error(r.status + " " + r.statusText);
        }
        return r.json();
      })
      .then(function (doc) {
        asList(doc["@context"]).forEach(function (ctx) {
          if (ctx && typeof ctx === "object") {
            Object.keys(ctx).forEach(function (k) {
              state.context[k] = ctx[k];
            });
          }
        });
        state.events = asList(doc["@graph"]).map(toEvent).filter(Boolean);
        state.events.sort(function (a, b) {
          return a.start - b.start || a.end - b.end || (a.label < b.label ? -1 : 1);
        });
        fitToWidth(box);
        draw();
      })
      .catch(function (err) {
        box.textContent = "";
        box.appendChild(el("p", { class: "error" }, "Cannot load the timeline: " + err.message));
      });
    var zin = document.getElementById("zoom-in");
    var zout = document.getElementById("zoom-out");
    if (zin) {
      zin.addEventListener("click", function () { zoom(1.5); });
    }
    if (zout) {
      zout.addEventListener("click", function () { zoom(1 / 1.5); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", load);
  } else {
    load();
  }
})();
