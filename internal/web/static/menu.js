// The visual menu's only script, and the page works without it: it offers "use my location"
// where the browser can share one, and sends the place rounded to about a kilometre so the
// server can pick the nearest branch's city. Without it, the visitor picks a city.
(function () {
  'use strict';
  var btn = document.getElementById('locate');
  var form = document.getElementById('branch-form');
  var near = document.getElementById('near');
  if (!btn || !form || !near || !navigator.geolocation) return;
  btn.hidden = false;
  btn.addEventListener('click', function () {
    btn.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      near.value = pos.coords.latitude.toFixed(2) + ',' + pos.coords.longitude.toFixed(2);
      near.disabled = false;
      document.getElementById('city').value = '';
      form.submit();
    }, function () {
      btn.disabled = false;
      btn.textContent = btn.getAttribute('data-failed');
    }, { timeout: 10000, maximumAge: 600000 });
  });
})();
