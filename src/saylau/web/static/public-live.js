/* Live results without reload (issue #5 §2). On a results page (one whose JSON twin is linked in
   its "Data" line), poll the twin with If-None-Match every N seconds (data-poll-seconds on this
   script tag; less often while the tab is hidden or the server fails). When its ETag changes,
   fetch the page again and replace the content of <main>, keeping the focus, the scroll position,
   open <details> and what the reader typed, and announce the update in a polite live region.
   Without this script the page is the same, only static. */
(function () {
  "use strict";
  var script = document.currentScript;
  var seconds = Math.max(5, parseInt((script && script.dataset.pollSeconds) || "20", 10) || 20);
  var template = (script && script.dataset.updatedText) || "Results updated at {time}";
  var HIDDEN_FACTOR = 6;
  var MAX_DELAY = 300000;

  function start() {
    var main = document.getElementById("main");
    var twin = main && main.querySelector('.data-links a[href^="/data/elections/"][href$="index.json"]');
    if (!main || !twin || !window.fetch || !window.DOMParser) {
      return;
    }
    var jsonHref = twin.getAttribute("href");
    var etag = null;
    var failures = 0;
    var timer = null;
    var status = document.createElement("p");
    status.className = "live-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.setAttribute("data-live", "");
    main.insertBefore(status, main.firstChild);

    function delay() {
      var base = seconds * 1000;
      if (document.hidden) {
        base *= HIDDEN_FACTOR;
      }
      return Math.min(base * Math.pow(2, failures), MAX_DELAY);
    }

    function schedule(ms) {
      window.clearTimeout(timer);
      timer = window.setTimeout(poll, ms);
    }

    function poll() {
      var headers = {};
      if (etag) {
        headers["If-None-Match"] = etag;
      }
      fetch(jsonHref, { headers: headers, cache: "no-store", credentials: "omit" })
        .then(function (response) {
          if (response.status === 304) {
            return null;
          }
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          var previous = etag;
          etag = response.headers.get("ETag");
          return response.json().then(function (data) {
            return previous === null ? null : refresh(data);
          });
        })
        .then(function () {
          failures = 0;
        })
        .catch(function () {
          failures = Math.min(failures + 1, 6);
        })
        .then(function () {
          schedule(delay());
        });
    }

    function refresh(data) {
      return fetch(window.location.href, { cache: "no-store", credentials: "omit" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          var next = new DOMParser().parseFromString(html, "text/html");
          var fresh = next.getElementById("main");
          if (!fresh) {
            return;
          }
          replace(fresh);
          if (next.title) {
            document.title = next.title;
          }
          announce(data && data.updated_at);
        });
    }

    /* A path from <main> to an element, to find its counterpart in the new content. */
    function pathOf(element) {
      var steps = [];
      while (element && element !== main) {
        var parent = element.parentElement;
        if (!parent) {
          return null;
        }
        steps.unshift(Array.prototype.indexOf.call(parent.children, element));
        element = parent;
      }
      return element === main ? steps : null;
    }

    function find(key) {
      if (!key) {
        return null;
      }
      if (key.id) {
        return document.getElementById(key.id);
      }
      var element = main;
      for (var i = 0; element && i < key.path.length; i++) {
        element = element.children[key.path[i]];
      }
      return element || null;
    }

    function replace(fresh) {
      var active = document.activeElement;
      var focus = null;
      if (active && active !== main && main.contains(active) && active !== status) {
        focus = active.id ? { id: active.id } : { path: pathOf(active) };
      }
      var x = window.scrollX;
      var y = window.scrollY;
      var open = [];
      main.querySelectorAll("details").forEach(function (d, i) {
        if (d.open) {
          open.push(i);
        }
      });
      var typed = [];
      main.querySelectorAll("input, textarea, select").forEach(function (field) {
        if (field.id) {
          typed.push([field.id, field.value, field.checked]);
        }
      });
      Array.prototype.slice.call(main.childNodes).forEach(function (node) {
        if (node !== status) {
          main.removeChild(node);
        }
      });
      Array.prototype.slice.call(fresh.childNodes).forEach(function (node) {
        main.appendChild(document.importNode(node, true));
      });
      var details = main.querySelectorAll("details");
      open.forEach(function (i) {
        if (details[i]) {
          details[i].open = true;
        }
      });
      typed.forEach(function (entry) {
        var field = document.getElementById(entry[0]);
        if (field && field.type !== "hidden") {
          if (field.type === "radio" || field.type === "checkbox") {
            field.checked = entry[2];
          } else {
            field.value = entry[1];
          }
        }
      });
      var target = find(focus);
      if (target && typeof target.focus === "function") {
        target.focus({ preventScroll: true });
      }
      window.scrollTo(x, y);
    }

    function announce(updatedAt) {
      var moment = updatedAt ? new Date(updatedAt) : new Date();
      if (isNaN(moment.getTime())) {
        moment = new Date();
      }
      var time = moment.toLocaleTimeString(document.documentElement.lang || undefined, {
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23"
      });
      status.textContent = template.replace("{time}", time);
    }

    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) {
        schedule(0);
      }
    });
    poll();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
