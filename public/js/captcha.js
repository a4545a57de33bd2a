// 看不清，换一张: a new captcha image without reloading the form (and losing what was typed).
for (const row of document.querySelectorAll('.captcha-row')) {
  const img = row.querySelector('img.captcha');
  const refresh = (e) => {
    e.preventDefault();
    img.src = `/captcha.svg?t=${Date.now()}`;
    const input = row.querySelector('input');
    if (input) { input.value = ''; input.focus(); }
  };
  img.addEventListener('click', refresh);
  row.querySelector('.captcha-refresh')?.addEventListener('click', refresh);
}
