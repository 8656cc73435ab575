// Runs at once from the page's <head>, before the app has hydrated. Until then a button's click
// handler is not attached (its click would do nothing), and a form with no action would be
// submitted to the page's own URL as a GET, fields and all. Such a click is held instead: the
// button says it is busy, the page says it is still loading, and the click is replayed once the
// app is interactive. Links, and forms with an action (plain forms), work as they are.
(() => {
  const root = document.documentElement;
  let held = null;
  const plain = (form) => form && form.hasAttribute('action');
  const hold = (e) => {
    const target = e.target instanceof Element ? e.target : null;
    if (!target) return;
    let what;
    if (e.type === 'click') {
      const button = target.closest('button');
      if (!button || button.disabled) return;
      if (button.type === 'submit' && plain(button.form)) return;
      button.setAttribute('aria-busy', 'true');
      what = button;
    } else {
      if (plain(target)) return;
      what = target;
    }
    e.preventDefault();
    e.stopImmediatePropagation();
    held = what;
    root.classList.add('waking');
  };
  document.addEventListener('click', hold, true);
  document.addEventListener('submit', hold, true);
  // Called once the app has hydrated and its first effects have run.
  window.meshenvAwake = () => {
    document.removeEventListener('click', hold, true);
    document.removeEventListener('submit', hold, true);
    root.classList.remove('waking');
    root.dataset.hydrated = 'true';
    const what = held;
    held = null;
    if (!what || !what.isConnected) return;
    if (what instanceof HTMLFormElement) {
      what.requestSubmit();
    } else {
      what.removeAttribute('aria-busy');
      what.click();
    }
  };
})();
