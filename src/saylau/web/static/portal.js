// Saylau portal: says what a nomination file still lacks while its files are being chosen.
// Progressive enhancement only: every form works without this script (the "check" buttons and
// the server's own checks say the same). No external resources; the endpoint is Saylau's own.
(function () {
  "use strict";

  var MAX_BYTES = 10 * 1024 * 1024;
  var ALLOWED = /\.(pdf|jpe?g|png)$/i;

  function fileInputs(form) {
    return Array.prototype.slice.call(form.querySelectorAll("input[type=file][data-document]"));
  }

  function present(inputs) {
    return inputs
      .filter(function (input) {
        return (input.files && input.files.length > 0) || input.hasAttribute("data-uploaded");
      })
      .map(function (input) { return input.getAttribute("data-document"); });
  }

  function problems(inputs, region) {
    var found = [];
    inputs.forEach(function (input) {
      if (!input.files || input.files.length === 0) { return; }
      var file = input.files[0];
      var label = input.labels && input.labels.length ? input.labels[0].textContent : "";
      if (file.size > MAX_BYTES) {
        found.push(label + ": " + region.getAttribute("data-too-large"));
      } else if (!ALLOWED.test(file.name)) {
        found.push(label + ": " + region.getAttribute("data-bad-type"));
      }
    });
    return found;
  }

  function show(region, report, warnings) {
    while (region.firstChild) { region.removeChild(region.firstChild); }
    warnings.forEach(function (text) {
      var p = document.createElement("p");
      p.className = "field-error";
      p.textContent = text;
      region.appendChild(p);
    });
    var title = document.createElement("p");
    if (report.complete) {
      title.className = "complete";
      title.textContent = region.getAttribute("data-complete");
      region.appendChild(title);
      return;
    }
    title.className = "missing-title";
    title.textContent = region.getAttribute("data-missing");
    region.appendChild(title);
    var list = document.createElement("ul");
    list.className = "missing";
    report.missing.forEach(function (item) {
      var li = document.createElement("li");
      li.setAttribute("data-document", item.document);
      li.textContent = item.name;
      list.appendChild(li);
    });
    region.appendChild(list);
  }

  function check(form, region) {
    var inputs = fileInputs(form);
    var params = new URLSearchParams();
    params.append("route", region.getAttribute("data-route"));
    present(inputs).forEach(function (id) { params.append("have", id); });
    var warnings = problems(inputs, region);
    fetch(region.getAttribute("data-endpoint") + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (report) { if (report) { show(region, report, warnings); } })
      .catch(function () { /* the server's check on submit still applies */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A refused form: take the keyboard and the screen reader to what went wrong.
    var problem = document.getElementById("stopped") || document.getElementById("error-summary");
    if (problem) {
      if (!problem.hasAttribute("tabindex")) { problem.setAttribute("tabindex", "-1"); }
      problem.focus();
    }
    var region = document.getElementById("documents-check");
    if (!region) { return; }
    var form = region.closest("form");
    if (!form) { return; }
    fileInputs(form).forEach(function (input) {
      input.addEventListener("change", function () { check(form, region); });
    });
    if (!region.firstElementChild) { check(form, region); }
  });
})();
