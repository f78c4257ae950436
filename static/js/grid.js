/* Score-entry grids: check each typed cell as the server will (0..maximum,
   2 decimal places, a decimal comma or dot, KAD for not applicable) and, on a
   unit's grid, recompute the subtotals, total, applicable maximum and index as
   you type. The server checks again and computes what is stored. */
(function () {
  "use strict";
  var form = document.querySelector("form.grid");
  if (!form) { return; }
  var text = JSON.parse(document.getElementById("grid-text").textContent);
  var NA = /^(kad|k\.?a\.?d\.?|n\/?a|không áp dụng|khong ap dung|not applicable)$/i;
  var NUMBER = /^\d{1,5}(?:[.,]\d{1,2})?$/;

  function cents(raw) { // "13,96" -> 1396; null when blank; "NA"; NaN when bad
    var value = raw.trim();
    if (!value) { return null; }
    if (NA.test(value)) { return "NA"; }
    if (/^\d{1,5}(?:[.,]\d+)?$/.test(value) && !NUMBER.test(value)) { return "PLACES"; }
    if (!NUMBER.test(value)) { return NaN; }
    var parts = value.replace(",", ".").split(".");
    return parseInt(parts[0], 10) * 100 + (parts[1] ? parseInt((parts[1] + "0").slice(0, 2), 10) : 0);
  }
  function show(amount) { // cents -> "13,96"
    var negative = amount < 0, whole = Math.floor(Math.abs(amount) / 100), part = Math.abs(amount) % 100;
    return (negative ? "-" : "") + whole + text.decimal + (part < 10 ? "0" : "") + part;
  }
  function maxCents(cell) { return Math.round(parseFloat(cell.dataset.max) * 100); }

  function check(input) {
    var value = cents(input.value), max = maxCents(input), message = "";
    if (value === "PLACES") { message = text.places; }
    else if (typeof value === "number" && isNaN(value)) { message = text.number; }
    else if (typeof value === "number" && value > max) { message = text.above.replace("%s", show(max)); }
    var note = document.getElementById(input.id + "-msg");
    if (message || !input.dataset.server) { // a server's message stays until the cell is typed in
      if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
      if (note) { note.textContent = message; }
    }
    return message ? NaN : value;
  }

  function totals() {
    var subtotals = {}, total = 0, applicable = 0, entered = false;
    form.querySelectorAll(".cell").forEach(function (cell) {
      var value = cell.tagName === "INPUT" ? check(cell) : cents(cell.dataset.value || "");
      var kind = cell.dataset.kind, max = maxCents(cell);
      if (value === "NA") { return; }
      if (kind === "normal") { applicable += max; }
      if (typeof value !== "number" || isNaN(value) || value === null) { return; }
      entered = true;
      total += kind === "penalty" ? -value : value;
      var code = cell.dataset.code;
      while (code.indexOf(".") > 0) {
        code = code.slice(0, code.lastIndexOf("."));
        subtotals[code] = (subtotals[code] || 0) + value;
      }
    });
    var sums = document.getElementById("total");
    if (!sums) { return; }
    form.querySelectorAll("output.subtotal").forEach(function (out) { out.textContent = show(subtotals[out.dataset.code] || 0); });
    sums.textContent = entered ? show(total) : "—";
    document.getElementById("applicable").textContent = show(applicable);
    var index = "—";
    if (entered && applicable > 0) { // half up on cents, clamped to 0..100
      var cent = Math.floor((2 * total * 10000 + applicable) / (2 * applicable));
      index = show(Math.min(Math.max(cent, 0), 10000));
    }
    document.getElementById("index").textContent = index;
  }

  form.querySelectorAll("input.cell").forEach(function (input) {
    if (input.getAttribute("aria-invalid")) { input.dataset.server = "1"; }
    input.addEventListener("input", function () { delete input.dataset.server; totals(); });
  });
  form.addEventListener("submit", function (event) {
    var bad = Array.prototype.filter.call(form.querySelectorAll("input.cell"), function (input) {
      return Number.isNaN(check(input));
    });
    if (bad.length) { event.preventDefault(); bad[0].focus(); }
  });
  totals();
}());
