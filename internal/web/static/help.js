// The customer pages' only script, and every page works without it: it shows the read-aloud
// button where the browser can speak (speechSynthesis) and reads the page's main content —
// an article's text on an article — and tells the server when an article opened from a search
// stayed on screen long enough to be read.
(function () {
  'use strict';
  var article = document.getElementById('article-body');
  var body = article || document.getElementById('main');
  if (!body) return;
  var btn = document.getElementById('read-aloud');
  if (btn && 'speechSynthesis' in window && typeof SpeechSynthesisUtterance === 'function') {
    var speaking = false;
    var done = function () {
      speaking = false;
      btn.setAttribute('aria-pressed', 'false');
      btn.textContent = btn.getAttribute('data-start');
    };
    btn.hidden = false;
    btn.addEventListener('click', function () {
      if (speaking) {
        window.speechSynthesis.cancel();
        done();
        return;
      }
      var u = new SpeechSynthesisUtterance(body.innerText);
      u.lang = body.closest('[lang]').getAttribute('lang');
      u.onend = done;
      u.onerror = done;
      speaking = true;
      btn.setAttribute('aria-pressed', 'true');
      btn.textContent = btn.getAttribute('data-stop');
      window.speechSynthesis.speak(u);
    });
  }
  // "Chat with us" among the ways to reach us: shown only where the chat widget is on the
  // page (it needs this script), and it opens the widget's panel.
  var chat = document.querySelector('.reach-chat');
  var widget = function () {
    var host = document.querySelector('gesher-chat');
    return host && host.shadowRoot && host.shadowRoot.querySelector('.launcher');
  };
  if (chat && document.querySelector('script[src="/widget.js"]')) {
    chat.hidden = false;
    chat.querySelector('button').addEventListener('click', function () {
      var l = widget();
      if (l) l.click();
    });
  }
  var dwell = article && article.getAttribute('data-dwell');
  if (dwell && navigator.sendBeacon) {
    var seen = 0, last = Date.now(), sent = false;
    var tick = function () {
      var now = Date.now();
      if (document.visibilityState === 'visible') seen += now - last;
      last = now;
      if (!sent && seen >= 30000) {
        sent = true;
        navigator.sendBeacon(dwell);
      }
    };
    setInterval(tick, 5000);
    document.addEventListener('visibilitychange', tick);
  }
})();
