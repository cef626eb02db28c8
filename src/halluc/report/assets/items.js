// Item browser: filters and pages the embedded records. Every text from a model, a dataset
// or a run goes into the page through textContent, never as HTML.
(function () {
  "use strict";
  var source = document.getElementById("items-data");
  var body = document.getElementById("items-body");
  if (!source || !body) { return; }
  var data = JSON.parse(source.textContent);
  var PAGE = 50;
  var page = 0;
  var matching = [];
  var status = document.getElementById("items-status");
  var search = document.getElementById("items-search");
  var entrySel = document.getElementById("items-entry");
  var targetSel = document.getElementById("items-target");
  var boxes = document.querySelectorAll("#items-outcomes input[type=checkbox]");

  function text(tag, value, cls) {
    var node = document.createElement(tag);
    node.textContent = value === null || value === undefined ? "" : String(value);
    if (cls) { node.className = cls; }
    return node;
  }
  function wanted() {
    var on = {};
    for (var i = 0; i < boxes.length; i++) { if (boxes[i].checked) { on[boxes[i].value] = true; } }
    return on;
  }
  function haystack(row) {
    var item = data.items[row[0]];
    return [item[0], item[1], item[2].join(" | "), row[6], row[7], data.entries[row[1]]]
      .join("\n").toLowerCase();
  }
  function filter() {
    var on = wanted();
    var q = search.value.trim().toLowerCase();
    var e = entrySel.value;
    var t = targetSel.value;
    matching = [];
    for (var i = 0; i < data.rows.length; i++) {
      var r = data.rows[i];
      if (!on[data.outcomes[r[3]]]) { continue; }
      if (e !== "" && String(r[1]) !== e) { continue; }
      if (t !== "" && String(r[2] === null ? "none" : r[2]) !== t) { continue; }
      if (q && haystack(r).indexOf(q) < 0) { continue; }
      matching.push(r);
    }
    page = 0;
    draw();
  }
  function draw() {
    var pages = Math.max(1, Math.ceil(matching.length / PAGE));
    if (page >= pages) { page = pages - 1; }
    var start = page * PAGE;
    var stop = Math.min(matching.length, start + PAGE);
    var frag = document.createDocumentFragment();
    for (var i = start; i < stop; i++) {
      var r = matching[i];
      var item = data.items[r[0]];
      var tr = document.createElement("tr");
      tr.setAttribute("data-outcome", data.outcomes[r[3]]);
      tr.appendChild(text("td", item[0]));
      tr.appendChild(text("td", item[1] === null ? "–" : item[1], "text"));
      tr.appendChild(text("td", item[2].length ? item[2].join(" | ") : "–", "text"));
      tr.appendChild(text("td", data.entries[r[1]]));
      tr.appendChild(text("td", r[2] === null ? "any" : data.targets[r[2]], "num"));
      var oc = document.createElement("td");
      oc.appendChild(text("span", data.outcomes[r[3]], "badge " + data.outcomes[r[3]]));
      if (r[8] !== null && r[8] !== r[3]) {
        oc.appendChild(text("div", "answer was " + data.outcomes[r[8]], "note"));
      }
      tr.appendChild(oc);
      var conf = r[4] === null ? "–" : r[4].toFixed(3);
      if (r[5] !== null) { conf += " (" + data.methods[r[5]] + ")"; }
      tr.appendChild(text("td", conf, "num"));
      var resp = text("td", r[6] === null ? "–" : r[6], "text");
      if (r[7]) { resp.appendChild(text("div", "error: " + r[7], "note")); }
      tr.appendChild(resp);
      frag.appendChild(tr);
    }
    while (body.firstChild) { body.removeChild(body.firstChild); }
    body.appendChild(frag);
    status.textContent = matching.length === 0 ? "no records match" :
      "records " + (start + 1) + "–" + stop + " of " + matching.length + " matching" +
      " (page " + (page + 1) + " of " + pages + ")";
    document.getElementById("items-prev").disabled = page === 0;
    document.getElementById("items-next").disabled = page >= pages - 1;
  }
  for (var i = 0; i < boxes.length; i++) { boxes[i].addEventListener("change", filter); }
  search.addEventListener("input", filter);
  entrySel.addEventListener("change", filter);
  targetSel.addEventListener("change", filter);
  document.getElementById("items-prev").addEventListener("click", function () { page--; draw(); });
  document.getElementById("items-next").addEventListener("click", function () { page++; draw(); });
  filter();
})();
