/* Score-entry grids: check each typed cell as the server will (0..maximum,
   2 decimal places, a decimal comma or dot, thousands groups, KAD for not
   applicable: number() reads text as scoring.spreadsheets.reader.parse_number does, and
   tests/browser/test_staff_grid.py holds the two to the same verdicts) and, on a
   unit's grid, recompute the subtotals, total, applicable maximum and index as
   you type, as scoring.engine.CriteriaTree does (tests/browser/test_grid_arithmetic.py
   feeds both the same cells). The server checks again and computes what is stored. */
(function () {
  "use strict";
  var form = document.querySelector("form.grid");
  if (!form) { return; }
  var text = JSON.parse(document.getElementById("grid-text").textContent);
  // The server's tokens for not applicable (scoring.spreadsheets.imports.NOT_APPLICABLE_TOKENS), compared
  // as its header_key does: without diacritics, lower case, anything else a single space.
  var NA = ["kad", "k a d", "n a", "na", "khong ap dung", "not applicable"];
  var SPACES = "[ \u00a0\u202f\u2009]";
  var SPACED = new RegExp(SPACES + "|'"), EDGES = new RegExp("^" + SPACES + "+|" + SPACES + "+$", "g");
  var SPACED_NUMBER = new RegExp("^[0-9]{1,3}(?:(?:" + SPACES + "|')[0-9]{3})+(?:[.,][0-9]+)?$");

  function key(value) {
    return value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase()
      .replace(/[^a-z0-9]+/g, " ").trim();
  }

  function number(raw) { // scoring.spreadsheets.reader.parse_number on text: [sign, whole, fraction] or null
    var value = raw.replace(/\u2212/g, "-").replace(EDGES, ""), sign = "";
    if (/^[+-]/.test(value)) { sign = value[0] === "-" ? "-" : ""; value = value.slice(1).replace(EDGES, ""); }
    if (SPACED.test(value)) { // thousands parted by spaces or apostrophes: groups of 3 only
      if (!SPACED_NUMBER.test(value)) { return null; }
      value = value.replace(new RegExp(SPACES + "|'", "g"), "");
    }
    if (!value || !/^[0-9.,]*$/.test(value) || value.indexOf("..") >= 0) { return null; }
    var commas = value.split(",").length - 1, dots = value.split(".").length - 1, mark = "";
    if (commas && dots) { mark = value.lastIndexOf(",") > value.lastIndexOf(".") ? "," : "."; }
    else if (commas === 1 || dots === 1) { mark = commas ? "," : "."; }
    var at = mark ? value.lastIndexOf(mark) : -1;
    var whole = at < 0 ? value : value.slice(0, at), fraction = at < 0 ? "" : value.slice(at + 1);
    var groups = whole.split(whole.indexOf(",") >= 0 ? "," : ".");
    if (groups.length > 1 && (groups[0].length < 1 || groups[0].length > 3 ||
        groups.slice(1).some(function (group) { return group.length !== 3; }))) { return null; }
    whole = whole.replace(/[.,]/g, "");
    if (!whole && !fraction) { return null; }
    return [sign, whole || "0", fraction];
  }

  function cents(raw) { // "13,96" -> 1396; null when blank; "NA"; "PLACES"; NaN when bad
    var value = raw.trim();
    if (!value) { return null; }
    if (value.length > 30) { return NaN; }
    if (NA.indexOf(key(value)) >= 0) { return "NA"; }
    var parts = number(value);
    if (!parts) { return NaN; }
    var whole = parts[1].replace(/^0+(?=.)/, ""), fraction = parts[2].replace(/0+$/, "");
    if (fraction.length > 2) { return "PLACES"; }
    var amount = whole.length > 9 ? Infinity : parseInt(whole, 10) * 100 + parseInt((fraction + "00").slice(0, 2), 10);
    if (parts[0] === "-" && amount !== 0) { return NaN; } // negative: no score
    return amount;
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

  // Spreadsheet keys: Enter and the down arrow go to the next cell, Shift+Enter and the
  // up arrow to the previous one; a block pasted from a spreadsheet (rows of
  // tab-separated cells) fills the cells from the focused one on, row by row and each
  // row's cells in turn, and every cell it fills is checked as if typed.
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.cell"));
  function move(input, step) {
    var next = inputs[inputs.indexOf(input) + step];
    if (next) { next.focus(); next.select(); }
  }
  function typed(input) { delete input.dataset.server; totals(); }
  inputs.forEach(function (input) {
    if (input.getAttribute("aria-invalid")) { input.dataset.server = "1"; }
    input.addEventListener("input", function () { typed(input); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault(); // Enter moves, as in a spreadsheet: the Save button sends
        move(input, event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey) ? -1 : 1);
      }
    });
    input.addEventListener("paste", function (event) {
      var data = event.clipboardData && event.clipboardData.getData("text/plain");
      if (!data || !/[\t\n\r]/.test(data)) { return; } // one value: the browser pastes it
      event.preventDefault();
      var values = [];
      data.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n").forEach(function (row) {
        values = values.concat(row.split("\t"));
      });
      var start = inputs.indexOf(input), last = input;
      values.forEach(function (value, offset) {
        var target = inputs[start + offset];
        if (!target) { return; }
        target.value = value.trim();
        delete target.dataset.server;
        last = target;
      });
      totals();
      last.focus();
    });
  });
  form.addEventListener("submit", function (event) {
    var bad = Array.prototype.filter.call(form.querySelectorAll("input.cell"), function (input) {
      return Number.isNaN(check(input));
    });
    if (bad.length) { event.preventDefault(); bad[0].focus(); }
  });
  totals();
}());
