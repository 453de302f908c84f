// Catalog page behaviour (progressive enhancement; every page works without it):
//  - as-you-type search: ~150 ms after the last change to the search form, fetch the same
//    page for the new query, move its #results children into ours (the server escaped every
//    string; nothing is parsed with innerHTML) and keep the URL in sync with replaceState;
//  - copy buttons (data-copy = id of the element whose text to copy): navigator.clipboard,
//    falling back to a selected off-screen textarea and execCommand('copy').
(function () {
  'use strict';

  function queryOf(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (typeof value === 'string' && value !== '') params.append(key, value);
    });
    return params.toString();
  }

  function setUpSearch() {
    var form = document.getElementById('catalog-form');
    var results = document.getElementById('results');
    if (!form || !results || !window.fetch || !window.DOMParser) return;
    var timer = null;
    var controller = null;
    var latest = 0;

    function refresh() {
      var qs = queryOf(form);
      var url = '/' + (qs ? '?' + qs : '');
      var ticket = ++latest;
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      results.setAttribute('aria-busy', 'true');
      fetch(url, {
        headers: { Accept: 'text/html' },
        credentials: 'same-origin',
        signal: controller ? controller.signal : undefined
      }).then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.text();
      }).then(function (html) {
        if (ticket !== latest) return;  // a newer query is on its way
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('results');
        if (!fresh) return;
        var nodes = [];
        while (fresh.firstChild) nodes.push(document.adoptNode(fresh.firstChild));
        results.replaceChildren.apply(results, nodes);
        if (window.history && history.replaceState) history.replaceState(null, '', url);
        document.title = doc.title;
      }).catch(function () {
        // Aborted or failed: the form still submits normally.
      }).then(function () {
        if (ticket === latest) results.removeAttribute('aria-busy');
      });
    }

    function schedule() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(refresh, 150);
    }

    form.addEventListener('input', schedule);
    form.addEventListener('change', schedule);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (timer) clearTimeout(timer);
      refresh();
    });
  }

  function fallbackCopy(text) {
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'skip';  // positioned off-screen
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error('copy failed'));
  }

  function copyText(text) {
    if (navigator.clipboard && navigator.clipboard.writeText && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  function setUpCopy() {
    var status = document.getElementById('copy-status');
    var buttons = document.querySelectorAll('button.copy[data-copy]');
    Array.prototype.forEach.call(buttons, function (button) {
      var target = document.getElementById(button.getAttribute('data-copy'));
      if (!target) return;
      button.hidden = false;
      button.addEventListener('click', function () {
        var what = (button.getAttribute('aria-label') || 'Copy').replace(/^Copy /, '');
        copyText(target.textContent).then(function () {
          button.textContent = 'Copied';
          if (status) status.textContent = 'Copied ' + what + ' to the clipboard.';
          setTimeout(function () { button.textContent = 'Copy'; }, 2000);
        }, function () {
          if (status) status.textContent = 'Could not copy; select the text and copy it instead.';
        });
      });
    });
  }

  function start() {
    setUpSearch();
    setUpCopy();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
