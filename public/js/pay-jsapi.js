// 微信支付 JSAPI: hands the page's data-jsapi (appId, timeStamp, nonceStr, package, signType,
// paySign: src/gateways/wechat/jsapi.ts) to WeChat's own bridge, as WeChat's JSAPI page shows it
// (WeixinJSBridge.invoke('getBrandWCPayRequest', params, callback); err_msg
// "get_brand_wcpay_request:ok" once paid by the payer, ":cancel" or ":fail" otherwise). "ok" is
// only the payer's word in the browser: the waiting page then waits for the order's own state.
// A static file under /public (the CSP's script-src 'self').
(function () {
  'use strict';
  var box = document.querySelector('[data-jsapi]');
  if (!box) return;
  var note = box.querySelector('[data-jsapi-note]');
  var retry = box.querySelector('[data-jsapi-retry]');
  var params;
  try {
    params = JSON.parse(box.getAttribute('data-jsapi'));
  } catch {
    return;
  }

  function say(attr) {
    if (note && note.getAttribute(attr)) note.textContent = note.getAttribute(attr);
  }

  function pay() {
    window.WeixinJSBridge.invoke('getBrandWCPayRequest', params, function (res) {
      if (res && res.err_msg === 'get_brand_wcpay_request:ok') {
        window.location.replace(box.getAttribute('data-done'));
        return;
      }
      say('data-cancelled');
      if (retry) retry.hidden = false;
    });
  }

  if (retry) retry.addEventListener('click', pay);
  if (typeof window.WeixinJSBridge === 'object' && window.WeixinJSBridge) pay();
  else if (/MicroMessenger/i.test(navigator.userAgent)) document.addEventListener('WeixinJSBridgeReady', pay, false);
  else say('data-outside');
})();
