// 学费缴费's small touches: 全选 / 反选, 修改 an amount, the live total, the channel's fee,
// 打印页面. The server re-checks every amount and recomputes every total; these are only for show.
// Amounts are summed as integer fen (BigInt) from their strings: never as floating point.
(function () {
  'use strict';
  var AMOUNT = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/;
  var GROUPED = /^[1-9]\d{0,2}(,\d{3})+(\.\d{1,2})?$/;

  // As the server reads it (src/domain/money.ts parseAmount): full-width digits through NFKC,
  // thousands separators only where they stand in threes.
  function toFen(s) {
    s = String(s).normalize('NFKC').trim();
    if (GROUPED.test(s)) s = s.replace(/,/g, '');
    if (!AMOUNT.test(s)) return null;
    var parts = s.split('.');
    var frac = ((parts[1] || '') + '00').slice(0, 2);
    return BigInt(parts[0]) * 100n + BigInt(frac);
  }
  function plain(fen) {
    var s = fen.toString().padStart(3, '0');
    return s.slice(0, -2) + '.' + s.slice(-2);
  }
  function grouped(fen) {
    var p = plain(fen).split('.');
    return p[0].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + '.' + p[1];
  }

  var form = document.getElementById('pay-items');
  if (form) {
    // The page works without JavaScript: the amounts come editable and there is no 修改. Here
    // they become read-only figures, as on 图10, behind a 修改 per line (a line with an error
    // stays open, its button saying 确定).
    Array.prototype.forEach.call(form.querySelectorAll('td[data-edit-for]'), function (cell) {
      var input = document.getElementById(cell.dataset.editFor);
      if (!input) return;
      var open = input.hasAttribute('data-error');
      input.readOnly = !open;
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'link';
      b.dataset.edit = input.id;
      b.textContent = open ? '确定' : '修改';
      cell.replaceChildren(b);
    });
    var boxes = function () { return Array.prototype.slice.call(form.querySelectorAll('input[type=checkbox][name=bill]')); };
    var recompute = function () {
      var total = 0n;
      var bad = false;
      boxes().forEach(function (box) {
        if (!box.checked) return;
        var input = box.closest('tr').querySelector('input.amount');
        var fen = toFen(input.value);
        if (fen === null) bad = true;
        else total += fen;
      });
      document.getElementById('pay-total').textContent = bad ? '—' : plain(total);
      document.getElementById('pay-sum').textContent = bad ? '—' : grouped(total);
    };
    form.addEventListener('click', function (e) {
      var t = e.target;
      if (!(t instanceof HTMLElement)) return;
      if (t.dataset.select === 'all') boxes().forEach(function (b) { b.checked = true; });
      if (t.dataset.select === 'invert') boxes().forEach(function (b) { b.checked = !b.checked; });
      if (t.dataset.edit) {
        var input = document.getElementById(t.dataset.edit);
        if (input.readOnly) {
          input.readOnly = false;
          input.focus();
          input.select();
          t.textContent = '确定';
        } else {
          input.readOnly = true;
          t.textContent = '修改';
        }
      }
      if (t.dataset.select || t.dataset.edit) recompute();
    });
    form.addEventListener('input', recompute);
    form.addEventListener('change', recompute);
    // Enter inside an amount confirms the edit rather than submitting the whole form.
    form.addEventListener('keydown', function (e) {
      var t = e.target;
      if (e.key === 'Enter' && t instanceof HTMLInputElement && t.classList.contains('amount') && !t.readOnly) {
        e.preventDefault();
        t.readOnly = true;
        var btn = form.querySelector('[data-edit="' + t.id + '"]');
        if (btn) btn.textContent = '修改';
        recompute();
      }
    });
  }

  var submit = document.getElementById('pay-submit');
  if (submit) {
    submit.addEventListener('change', function (e) {
      var t = e.target;
      if (t instanceof HTMLInputElement && t.name === 'channel') {
        document.getElementById('pay-fee').textContent = t.dataset.fee;
        document.getElementById('pay-grand').textContent = t.dataset.total;
        var heading = document.getElementById('pay-channel-name');
        if (heading && t.dataset.label) heading.textContent = t.dataset.label;
      }
    });
  }

  document.querySelectorAll('[data-print]').forEach(function (b) {
    b.addEventListener('click', function () { window.print(); });
  });
  document.querySelectorAll('form[data-autosubmit]').forEach(function (f) { f.submit(); });
})();
