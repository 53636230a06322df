// The branch pages' script. Every page works without it; with it, the parts marked live
// refresh in place (the page is fetched again and its #live region swapped, so the server's
// one rendering is the truth) and a kiosk goes back home after a minute without a touch.
(function () {
  "use strict";
  var body = document.body;
  var every = parseInt(body.getAttribute("data-live") || "0", 10);
  if (every > 0 && window.fetch && window.DOMParser) {
    var busy = false;
    setInterval(function () {
      if (busy || document.hidden) return;
      busy = true;
      fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          var next = new DOMParser().parseFromString(html, "text/html").getElementById("live");
          var cur = document.getElementById("live");
          if (next && cur && next.innerHTML !== cur.innerHTML) cur.innerHTML = next.innerHTML;
        })
        .catch(function () {})
        .then(function () { busy = false; });
    }, every * 1000);
  }
  var home = body.getAttribute("data-kiosk-home");
  if (home) {
    var idle = 60000, timer = 0, atHome = location.pathname + location.search === home ||
      location.pathname === home.split("?")[0];
    var reset = function () {
      clearTimeout(timer);
      if (!atHome) timer = setTimeout(function () { location.href = home; }, idle);
    };
    ["pointerdown", "keydown", "touchstart", "input"].forEach(function (e) {
      document.addEventListener(e, reset, { passive: true });
    });
    reset();
  }
})();
