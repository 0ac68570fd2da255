/* Scoring sheet: a running weighted total and a confirmation before submitting.
 *
 * Total = Σ weight·score / Σ weight·maximum × 100 — the server's formula
 * (judging.services.scoring.judge_total). Empty criteria count as 0 until filled, and the
 * total says so. Arithmetic is done on integers (scores in hundredths, weights in thousandths)
 * so the display does not drift from the server's Decimal result.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-score-sheet]");
  if (!form) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-score]"));
  var output = form.querySelector("[data-total]");

  function scaled(text, places) {
    // "7.5" -> 750 with places=2; returns null for anything that is not a plain decimal number.
    var match = /^\s*(\d+)(?:[.,](\d*))?\s*$/.exec(text || "");
    if (!match) { return null; }
    var frac = (match[2] || "").slice(0, places);
    while (frac.length < places) { frac += "0"; }
    return parseInt(match[1], 10) * Math.pow(10, places) + parseInt(frac || "0", 10);
  }

  function update() {
    var num = 0, den = 0, filled = 0, invalid = false;
    inputs.forEach(function (input) {
      var weight = scaled(input.getAttribute("data-weight"), 3);
      var max = scaled(input.getAttribute("data-max"), 2);
      den += weight * max;
      if (input.value === "") { return; }
      var score = scaled(input.value, 2);
      if (score === null || score > max) { invalid = true; return; }
      filled += 1;
      num += weight * score;
    });
    if (!output) { return; }
    if (invalid || den === 0) { output.textContent = "—"; return; }
    var total = Math.round((num * 10000) / den) / 100;
    var text = total.toFixed(2);
    if (filled < inputs.length) {
      text += " (" + filled + "/" + inputs.length + ")";
    }
    output.textContent = text;
  }

  inputs.forEach(function (input) { input.addEventListener("input", update); });
  update();

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var question = form.getAttribute("data-confirm-submit");
    if (submitter && submitter.value === "submit" && question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
