// The QR and waiting pages notice the payment by themselves: every few seconds the order's state
// is asked of `data-progress` (GET /pay/orders/:orderNo/progress: the owner's only, never cached,
// read from our own rows), and once it is paid — or can no longer be paid — the page moves on to
// 银行支付结果. Without script the page's 我已完成支付 does the same. A static file under
// /public, allowed by the CSP's script-src 'self'; the fetch is same-origin (connect-src 'self').
(function () {
  'use strict';
  var box = document.querySelector('[data-progress]');
  if (!box || !window.fetch) return;
  var url = box.getAttribute('data-progress');
  var note = box.querySelector('[data-progress-note]');
  var started = Date.now();
  // Every 3 s for the first two minutes (a payer at the phone), then every 10 s; never more than
  // 30 minutes (an order lives two hours, a forgotten tab should not keep asking, nor keep the
  // session alive for ever). Coming back to the tab (from the WeChat or Alipay app) asks at once.
  var FAST_MS = 3000;
  var SLOW_MS = 10000;
  var FAST_FOR_MS = 120000;
  var GIVE_UP_MS = 30 * 60 * 1000;
  var MAX_FAILURES = 3;
  var failures = 0;
  var timer = null;
  var asking = false;
  var done = false;

  if (note) note.hidden = false;

  function stop() {
    done = true;
    clearTimeout(timer);
    if (note && note.getAttribute('data-stopped')) note.textContent = note.getAttribute('data-stopped');
  }

  function later() {
    clearTimeout(timer);
    if (done) return;
    var age = Date.now() - started;
    if (age > GIVE_UP_MS) return stop();
    timer = setTimeout(ask, age < FAST_FOR_MS ? FAST_MS : SLOW_MS);
  }

  function ask() {
    if (done || asking) return;
    asking = true;
    // A signed-out session answers with the login page (a redirect): not an answer, counted as a failure.
    fetch(url, { credentials: 'same-origin', cache: 'no-store', redirect: 'error', headers: { Accept: 'application/json' } })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (s) {
        asking = false;
        failures = 0;
        if (s && s.state !== 'waiting' && typeof s.next === 'string' && /^\/[^/]/.test(s.next)) {
          done = true;
          window.location.replace(s.next);
          return;
        }
        later();
      })
      .catch(function () {
        asking = false;
        failures += 1;
        if (failures >= MAX_FAILURES) return stop();
        later();
      });
  }

  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && !done) ask();
  });
  later();
})();
