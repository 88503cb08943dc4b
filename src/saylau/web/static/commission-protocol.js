// Live control-relation checks while a protocol is typed (progressive enhancement: the form
// works without this script). Sends the figures to /commission/protocols/check, which saves
// nothing, and writes its translated answer into the form's aria-live region.
(function () {
  "use strict";
  var form = document.getElementById("protocol-form");
  if (!form) { return; }
  var region = document.getElementById("live-check");
  var token = form.querySelector("input[name=csrf_token]").value;
  var timer = null;
  var sent = 0;

  function values() {
    var result = {};
    form.querySelectorAll("[data-protocol-field]").forEach(function (input) {
      result[input.name] = input.value;
    });
    return result;
  }

  function show(answer) {
    region.textContent = "";
    var summary = document.createElement("p");
    summary.textContent = answer.message || "";
    region.appendChild(summary);
    if (answer.violations && answer.violations.length) {
      var list = document.createElement("ul");
      answer.violations.forEach(function (v) {
        var item = document.createElement("li");
        var severity = document.createElement("strong");
        severity.textContent = v.severity_label + ": ";
        item.appendChild(severity);
        item.appendChild(document.createTextNode(v.message + " (" + v.values + "; " + v.article + ")"));
        list.appendChild(item);
      });
      region.appendChild(list);
    }
  }

  function check() {
    var number = ++sent;
    fetch(form.dataset.checkUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify({
        contest_id: Number(form.dataset.contest),
        precinct_id: Number(form.dataset.precinct),
        values: values()
      })
    }).then(function (response) {
      return response.json();
    }).then(function (answer) {
      if (number === sent) { show(answer); }
    }).catch(function () { /* the server check on saving still applies */ });
  }

  form.addEventListener("input", function (event) {
    if (!event.target.hasAttribute("data-protocol-field")) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 400);
  });
})();
