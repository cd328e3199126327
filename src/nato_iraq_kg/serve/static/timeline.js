/*
 * Interactive timeline of the dated events of the NATO–Iraq knowledge graph.
 *
 * Reads the framed JSON-LD timeline (the container's data-src, a relative URL) and draws each
 * event on a horizontal time axis at the precision the source page gives it: a day as a dot, a
 * month as a short bar across the month, a year as a faded bar across the year, a vague date as
 * a dashed bar across its bounds. Each event has its own row, in date order, with its label
 * beside its mark (on the side with more room), so a dozen events of one year stay readable.
 * The axis spans the events only; the chart opens fitted to the width (a phone included), and
 * zooming keeps the chosen event (or the middle of the view) in place. Each event is a
 * <button>, so it can be reached with Tab and chosen with Enter; the arrow keys move between
 * events in date order. The detail panel shows the quotes the event was read from, embedded in
 * the page. No libraries.
 */
(function () {
  "use strict";

  var ID_BASE = "https://w3id.org/nato-iraq-kg/id/";
  var DAY_MS = 86400000;
  var ROW_HEIGHT = 24;
  var AXIS_HEIGHT = 24;
  var MIN_WIDTH = 10;
  var LABEL_GAP = 6;
  /* Room left around the events so the first and last marks and labels are not on the edge. */
  var PAD_DAYS = 40;
  var MAX_PX_PER_DAY = 40;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
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

  var state = { events: [], context: {}, pxPerDay: 0.6, fitPxPerDay: 0.6, chosen: null, quotes: {} };

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
    row("the page says", asList(state.quotes[expand(ev.node.id)]).map(function (quote) {
      return el("q", { class: "quote" }, quote);
    }));
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
    if (buttons[index] && typeof buttons[index].scrollIntoView === "function") {
      buttons[index].scrollIntoView({ block: "nearest", inline: "nearest" });
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

  /* The axis runs from a little before the first event to a little after the last. */
  function span() {
    var first = Math.min.apply(null, state.events.map(function (e) { return e.start; }));
    var last = Math.max.apply(null, state.events.map(function (e) { return e.end; }));
    return { origin: first - PAD_DAYS * DAY_MS, stop: last + PAD_DAYS * DAY_MS };
  }

  function ticks(track, origin, stop, scale) {
    var yearPx = 365 * state.pxPerDay;
    var step = yearPx >= 40 ? 1 : yearPx >= 20 ? 2 : 5;
    var first = new Date(origin).getUTCFullYear();
    var last = new Date(stop).getUTCFullYear();
    for (var y = first; y <= last; y += 1) {
      for (var m = 0; m < 12; m += 1) {
        var at = Date.UTC(y, m, 1);
        if (at < origin || at > stop) {
          continue;
        }
        var yearly = m === 0 && y % step === 0;
        var monthly = m !== 0 && yearPx >= 480;
        if (!yearly && !monthly) {
          continue;
        }
        var x = Math.round((at - origin) * scale);
        var text = m === 0 ? String(y) : yearPx >= 900 || m % 3 === 0 ? MONTHS[m] : "";
        if (x > (stop - origin) * scale - 32) {
          text = ""; /* no room for the label before the end of the axis */
        }
        var tick = el("span", { class: m === 0 ? "tick" : "tick tick-month", "aria-hidden": "true" }, text);
        tick.style.left = x + "px";
        track.appendChild(tick);
      }
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
    var s = span();
    var scale = state.pxPerDay / DAY_MS;
    var width = Math.max(Math.round((s.stop - s.origin) * scale), 1);

    var track = el("div", { class: "track" });
    track.style.width = width + "px";
    track.style.height = (AXIS_HEIGHT + events.length * ROW_HEIGHT + 6) + "px";
    ticks(track, s.origin, s.stop, scale);
    events.forEach(function (ev, i) {
      var left = (ev.start - s.origin) * scale;
      var w = Math.max((ev.end - ev.start) * scale, MIN_WIDTH);
      if (ev.precision === "day") {
        left -= MIN_WIDTH / 2;
        w = MIN_WIDTH;
      }
      left = Math.min(Math.max(left, 0), Math.max(width - w, 0)); /* a short mark stays on the axis */
      var top = AXIS_HEIGHT + i * ROW_HEIGHT;
      var b = el("button", {
        type: "button",
        class: "ev ev-" + ev.precision,
        "data-index": String(i),
        "aria-pressed": "false",
        "aria-label": ev.label + ", " + ev.words[ev.words.length - 1] + " (" + ev.precision + ")",
        title: ev.label + " — " + ev.words.join(" / ")
      });
      b.style.left = Math.round(left) + "px";
      b.style.width = Math.round(w) + "px";
      b.style.top = top + 4 + "px";
      b.addEventListener("click", function () {
        choose(i, false);
      });
      b.addEventListener("keydown", onKey);
      track.appendChild(b);

      /* The label goes on the side with more room; the button already names the event. */
      var label = el("span", { class: "ev-label", "aria-hidden": "true" }, ev.label);
      var roomRight = width - (left + w) - LABEL_GAP;
      var roomLeft = left - LABEL_GAP;
      if (roomRight >= roomLeft) {
        label.style.left = Math.round(left + w + LABEL_GAP) + "px";
        label.style.maxWidth = Math.max(Math.round(roomRight), 0) + "px";
      } else {
        label.setAttribute("class", "ev-label ev-label-left");
        label.style.right = Math.round(width - left + LABEL_GAP) + "px";
        label.style.maxWidth = Math.max(Math.round(roomLeft), 0) + "px";
      }
      label.style.top = top + "px";
      label.addEventListener("click", function () {
        choose(i, false);
      });
      track.appendChild(label);
    });
    box.appendChild(track);
    var zin = document.getElementById("zoom-in");
    var zout = document.getElementById("zoom-out");
    if (zin && zin.setAttribute) {
      toggle(zin, state.pxPerDay >= MAX_PX_PER_DAY);
    }
    if (zout && zout.setAttribute) {
      toggle(zout, state.pxPerDay <= state.fitPxPerDay * 1.0001);
    }
    if (state.chosen !== null) {
      choose(state.chosen, false);
    }
  }

  function toggle(button, off) {
    if (off) {
      button.setAttribute("disabled", "");
    } else if (typeof button.removeAttribute === "function") {
      button.removeAttribute("disabled");
    }
  }

  /* Open with every event in view, whatever the width of the screen. */
  function fitToWidth(box) {
    if (!state.events.length) {
      return;
    }
    var s = span();
    var available = Math.max((box.clientWidth || 1000) - 2, 200);
    state.fitPxPerDay = Math.min(available / ((s.stop - s.origin) / DAY_MS), MAX_PX_PER_DAY);
    state.pxPerDay = state.fitPxPerDay;
  }

  /* Zoom about the chosen event, or about the middle of the view when none is chosen. */
  function zoom(factor) {
    var box = document.getElementById("timeline");
    if (!state.events.length || !box) {
      return;
    }
    var s = span();
    var scale = state.pxPerDay / DAY_MS;
    var view = box.clientWidth || 0;
    var centre;
    if (state.chosen !== null) {
      var ev = state.events[state.chosen];
      centre = (ev.start + ev.end) / 2;
    } else {
      centre = s.origin + ((box.scrollLeft || 0) + view / 2) / scale;
    }
    state.pxPerDay = Math.min(Math.max(state.pxPerDay * factor, state.fitPxPerDay), MAX_PX_PER_DAY);
    draw();
    box.scrollLeft = Math.max((centre - s.origin) * (state.pxPerDay / DAY_MS) - view / 2, 0);
  }

  /* Show in the legend only the kinds of date the chart has. */
  function trimLegend() {
    var legend = document.getElementById("timeline-legend");
    if (!legend || !legend.children) {
      return;
    }
    var present = {};
    state.events.forEach(function (ev) {
      present[ev.precision] = true;
    });
    for (var i = 0; i < legend.children.length; i += 1) {
      var item = legend.children[i];
      item.hidden = !present[item.getAttribute("data-precision")];
    }
  }

  function readQuotes() {
    var node = document.getElementById("timeline-quotes");
    try {
      state.quotes = node ? JSON.parse(node.textContent) : {};
    } catch (e) {
      state.quotes = {};
    }
  }

  function load() {
    var box = document.getElementById("timeline");
    if (!box) {
      return;
    }
    readQuotes();
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
        trimLegend();
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
    /* Refit when the box changes width (a rotated phone, or the page's scroll bar appearing). */
    var lastWidth = box.clientWidth;
    function refit() {
      if (!state.events.length || box.clientWidth === lastWidth) {
        return;
      }
      lastWidth = box.clientWidth;
      var before = state.pxPerDay;
      var atFit = before <= state.fitPxPerDay * 1.0001;
      fitToWidth(box);
      if (!atFit) {
        state.pxPerDay = Math.max(before, state.fitPxPerDay);
      }
      draw();
    }
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(refit).observe(box);
    } else if (typeof window !== "undefined" && window.addEventListener) {
      window.addEventListener("resize", refit);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", load);
  } else {
    load();
  }
})();
