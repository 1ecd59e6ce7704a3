/* The map of /map (docs/ui.md, "The map"): one island of script over the page's filter form
   and list, which work without it. Country outlines come from the vendored world-atlas
   TopoJSON (Natural Earth 1:110m) through topojson-client; the sites come from
   /map/clusters, grouped by the server for the viewport and zoom. Web Mercator, no tiles, no
   request to another origin. Keyboard: arrows pan, + and - zoom, 0 shows the whole world;
   each marker is a link (one site) or a button (a cluster: zoom in). */
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var TILE = 256, MAX_ZOOM = 18, LAT_LIMIT = 85.05112878;
  var root = document.getElementById("map");
  if (!root || !window.fetch || !window.topojson || !document.createElementNS) return;

  function msg(name, count) {
    var text = root.getAttribute("data-msg-" + name) || "";
    return text.replace("{count}", String(count));
  }
  function el(name, attrs, parent) {
    var node = document.createElementNS(SVGNS, name);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(node);
    return node;
  }
  function clampLat(lat) { return Math.max(-LAT_LIMIT, Math.min(LAT_LIMIT, lat)); }
  // world units: x and y from 0 to 1, y from north to south
  function project(lon, lat) {
    var r = clampLat(lat) * Math.PI / 180;
    return [(lon + 180) / 360, (1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2];
  }
  function unproject(x, y) {
    var n = Math.PI - 2 * Math.PI * y;
    return [x * 360 - 180, Math.atan(Math.sinh(n)) * 180 / Math.PI];
  }

  // ----- the page's parts ---------------------------------------------------------------
  root.hidden = false;
  var bar = document.createElement("div");
  bar.className = "map-bar";
  function button(label, text, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "secondary";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    bar.appendChild(b);
    return b;
  }
  button(msg("zoom-in"), "+", function () { zoomBy(1); });
  button(msg("zoom-out"), "\u2212", function () { zoomBy(-1); });
  button(msg("reset"), msg("reset"), function () { fit(); });
  var status = document.createElement("p");
  status.className = "map-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  bar.appendChild(status);
  root.appendChild(bar);
  var hint = document.createElement("p");
  hint.id = "map-keys";
  hint.className = "visually-hidden";
  hint.textContent = msg("keys");
  root.appendChild(hint);

  var svg = el("svg", {"class": "map-canvas", tabindex: "0", role: "group",
                       "aria-label": root.getAttribute("aria-label") || "",
                       "aria-describedby": "map-keys", focusable: "true"}, root);
  var land = el("g", {"class": "map-land"}, svg);
  var marks = el("g", {"class": "map-marks"}, svg);

  // ----- the view -------------------------------------------------------------------------
  var view = {x: 0.5, y: 0.5, z: 0};
  function size() { return [svg.clientWidth || 320, svg.clientHeight || 240]; }
  function scale() { return TILE * Math.pow(2, view.z); }
  function minZoom() { var s = size(); return Math.log2(Math.max(s[0], 1) / TILE); }
  function clampView() {
    view.z = Math.max(minZoom(), Math.min(MAX_ZOOM, view.z));
    var s = size(), S = scale();
    var hx = s[0] / 2 / S, hy = s[1] / 2 / S;
    view.x = hx >= 0.5 ? 0.5 : Math.max(hx, Math.min(1 - hx, view.x));
    view.y = hy >= 0.5 ? 0.5 : Math.max(hy, Math.min(1 - hy, view.y));
  }
  function toScreen(p) {
    var s = size(), S = scale();
    return [(p[0] - view.x) * S + s[0] / 2, (p[1] - view.y) * S + s[1] / 2];
  }
  function fit() { view = {x: 0.5, y: 0.5, z: minZoom()}; changed(); }
  function zoomBy(dz, at) {
    var s = size();
    var ax = at ? at[0] : s[0] / 2, ay = at ? at[1] : s[1] / 2;
    var before = [view.x + (ax - s[0] / 2) / scale(), view.y + (ay - s[1] / 2) / scale()];
    view.z += dz;
    clampView();
    // keep the point under the pointer where it was
    view.x = before[0] - (ax - s[0] / 2) / scale();
    view.y = before[1] - (ay - s[1] / 2) / scale();
    changed();
  }
  function panBy(dx, dy) { view.x += dx / scale(); view.y += dy / scale(); changed(); }

  // ----- country outlines: projected once, moved by one transform ---------------------------
  var UNITS = 1024;  // world units in the outlines' own coordinates
  function ringPath(ring) {
    var d = "", prev = null, shift = 0;
    for (var i = 0; i < ring.length; i++) {
      var lon = ring[i][0];
      // a ring crossing the antimeridian continues past it instead of across the map
      if (prev !== null && Math.abs(lon + shift - prev) > 180) shift += prev > lon + shift ? 360 : -360;
      prev = lon + shift;
      var p = project(prev, ring[i][1]);
      d += (i ? "L" : "M") + (p[0] * UNITS).toFixed(1) + "," + (p[1] * UNITS).toFixed(1);
    }
    return d + "Z";
  }
  function drawOutlines(topo) {
    var countries = window.topojson.feature(topo, topo.objects.countries).features;
    countries.forEach(function (f) {
      var g = f.geometry;
      if (!g) return;
      var polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
      var d = "";
      polys.forEach(function (rings) { rings.forEach(function (r) { d += ringPath(r); }); });
      el("path", {d: d, "vector-effect": "non-scaling-stroke"}, land);
    });
    placeLand();
  }
  function placeLand() {
    var o = toScreen([0, 0]), k = scale() / UNITS;
    land.setAttribute("transform", "translate(" + o[0].toFixed(2) + "," + o[1].toFixed(2) +
                      ") scale(" + k.toFixed(6) + ")");
  }

  // ----- clusters -----------------------------------------------------------------------
  var cells = [], pending = null, timer = null, seq = 0;
  var filters = new URLSearchParams(window.location.search);
  function request() {
    var s = size(), S = scale();
    var nw = unproject(view.x - s[0] / 2 / S, view.y - s[1] / 2 / S);
    var se = unproject(view.x + s[0] / 2 / S, view.y + s[1] / 2 / S);
    var q = new URLSearchParams();
    ["q", "country", "type", "product", "open"].forEach(function (k) {
      if (filters.get(k)) q.set(k, filters.get(k));
    });
    q.set("west", Math.max(-180, nw[0]).toFixed(6));
    q.set("east", Math.min(180, se[0]).toFixed(6));
    q.set("north", clampLat(nw[1]).toFixed(6));
    q.set("south", clampLat(se[1]).toFixed(6));
    q.set("zoom", String(Math.max(0, Math.min(20, Math.floor(view.z)))));
    if (pending) pending.abort();
    pending = window.AbortController ? new AbortController() : null;
    var mine = ++seq;
    status.textContent = msg("loading");
    fetch(root.getAttribute("data-clusters") + "?" + q.toString(),
          {credentials: "same-origin", headers: {Accept: "application/json"},
           signal: pending ? pending.signal : undefined})
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (body) {
        if (mine !== seq) return;
        cells = body.clusters || [];
        drawMarks();
        var n = cells.reduce(function (a, c) { return a + c.count; }, 0);
        status.textContent = msg("shown", n);
      })
      .catch(function (e) {
        if (e && e.name === "AbortError") return;
        if (mine === seq) status.textContent = msg("failed");
      });
  }
  function drawMarks() {
    while (marks.firstChild) marks.removeChild(marks.firstChild);
    // clusters first, single sites over them: a site next to a cluster stays clickable
    var ordered = cells.filter(function (c) { return c.count !== 1; })
      .concat(cells.filter(function (c) { return c.count === 1; }));
    ordered.forEach(function (c) {
      var p = toScreen(project(c.longitude, c.latitude));
      var one = c.count === 1 && c.siteId;
      var r = one ? 7 : Math.min(26, 11 + 3 * Math.log(c.count));
      var item;
      if (one) {
        item = el("a", {href: "/sites/" + encodeURIComponent(c.siteId), "class": "map-site",
                        "aria-label": c.name || c.siteId}, marks);
        el("title", {}, item).textContent = c.name || c.siteId;
      } else {
        item = el("g", {"class": "map-cluster", role: "button", tabindex: "0",
                        "aria-label": msg("cluster", c.count)}, marks);
        var open = function () {
          var at = project(c.longitude, c.latitude);
          view.x = at[0]; view.y = at[1];
          zoomBy(2);
        };
        item.addEventListener("click", function (e) { if (!dragged) open(); e.preventDefault(); });
        item.addEventListener("keydown", function (e) {
          if (e.key === "Enter" || e.key === " ") { e.preventDefault(); e.stopPropagation(); open(); }
        });
      }
      el("circle", {cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: r.toFixed(1)}, item);
      if (!one) {
        var t = el("text", {x: p[0].toFixed(1), y: (p[1] + 4).toFixed(1), "text-anchor": "middle",
                            "aria-hidden": "true"}, item);
        t.textContent = c.count >= 10000 ? Math.round(c.count / 1000) + "k" : String(c.count);
      }
    });
  }

  function changed() {
    clampView();
    placeLand();
    drawMarks();  // where the old cells now are, until the new ones come
    status.textContent = msg("loading");
    clearTimeout(timer);
    timer = setTimeout(request, 200);
  }

  // ----- pointer and keyboard -------------------------------------------------------------
  var drag = null, dragged = false;
  svg.addEventListener("pointerdown", function (e) {
    drag = {x: e.clientX, y: e.clientY, id: e.pointerId};
    dragged = false;
  });
  svg.addEventListener("pointermove", function (e) {
    if (!drag || drag.id !== e.pointerId) return;
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!dragged && Math.abs(dx) + Math.abs(dy) < 4) return;
    if (!dragged) { dragged = true; svg.setPointerCapture(e.pointerId); }
    drag.x = e.clientX; drag.y = e.clientY;
    panBy(-dx, -dy);
  });
  function endDrag() { drag = null; }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  svg.addEventListener("click", function (e) { if (dragged) { e.preventDefault(); dragged = false; } }, true);
  svg.addEventListener("wheel", function (e) {
    e.preventDefault();
    var box = svg.getBoundingClientRect();
    zoomBy(e.deltaY < 0 ? 0.5 : -0.5, [e.clientX - box.left, e.clientY - box.top]);
  }, {passive: false});
  svg.addEventListener("dblclick", function (e) {
    var box = svg.getBoundingClientRect();
    zoomBy(1, [e.clientX - box.left, e.clientY - box.top]);
  });
  svg.addEventListener("keydown", function (e) {
    var s = size(), step = Math.min(s[0], s[1]) / 4;
    var keys = {ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step]};
    if (keys[e.key]) { panBy(keys[e.key][0], keys[e.key][1]); }
    else if (e.key === "+" || e.key === "=") { zoomBy(1); }
    else if (e.key === "-" || e.key === "_") { zoomBy(-1); }
    else if (e.key === "0") { fit(); }
    else return;
    e.preventDefault();
  });
  window.addEventListener("resize", function () { changed(); });

  fit();
  fetch(root.getAttribute("data-outlines"), {credentials: "same-origin"})
    .then(function (r) { return r.json(); })
    .then(drawOutlines)
    .catch(function () { /* the sites still show without outlines */ });
})();
