// Console behaviour: live validation, file uploads, API rows. Enhancement only: every form
// works without it (the server renders every error). Untrusted text is set with textContent.
'use strict';
(function () {
  // <input type="file" data-fill="ID">: the chosen file's text goes into textarea#ID. A form
  // submitted while a file is still being read waits for it.
  document.querySelectorAll('input[type="file"][data-fill]').forEach(function (input) {
    var reading = null;
    input.addEventListener('change', function () {
      var target = document.getElementById(input.getAttribute('data-fill'));
      var file = input.files && input.files[0];
      if (!target || !file) return;
      reading = file.text().then(function (text) {
        target.value = text;
        target.dispatchEvent(new Event('input', { bubbles: true }));
      }).finally(function () { reading = null; });
    });
    if (input.form) {
      input.form.addEventListener('submit', function (e) {
        if (!reading) return;
        e.preventDefault();
        var form = input.form;
        reading.then(function () { form.submit(); });
      });
    }
  });

  // APIs fieldset: "Add API" appends an empty row (ids renumbered).
  var rows = document.querySelector('#apis .api-rows');
  var add = document.querySelector('#apis button.add-api');
  if (rows && add) {
    add.hidden = false;
    add.addEventListener('click', function () {
      var last = rows.querySelector('.api-row:last-of-type');
      if (!last) return;
      var n = rows.querySelectorAll('.api-row').length;
      var row = last.cloneNode(true);
      row.querySelectorAll('p.error').forEach(function (p) { p.remove(); });
      row.querySelectorAll('input').forEach(function (el) {
        el.value = '';
        el.removeAttribute('aria-describedby');
        el.id = el.id.replace(/-\d+$/, '-' + n);
      });
      row.querySelectorAll('label').forEach(function (l) {
        l.htmlFor = l.htmlFor.replace(/-\d+$/, '-' + n);
      });
      rows.appendChild(row);
      var first = row.querySelector('input');
      if (first) first.focus();
    });
  }

  var draft = document.getElementById('server');
  var live = document.getElementById('live-server');
  var name = document.getElementById('name');
  if (!draft || !live) return;

  // The server name follows the draft's "name" until the person types one.
  if (name && !name.readOnly) {
    var auto = name.value === '';
    name.addEventListener('input', function () { auto = name.value === ''; });
    draft.addEventListener('input', function () {
      if (!auto) return;
      try {
        var doc = JSON.parse(draft.value);
        if (doc && typeof doc.name === 'string') name.value = doc.name;
      } catch (e) { /* not JSON yet */ }
    });
  }

  function show(issues, note) {
    live.textContent = '';
    if (note) {
      var p = document.createElement('p');
      p.textContent = note;
      live.appendChild(p);
    }
    if (!issues.length) return;
    var ul = document.createElement('ul');
    ul.className = 'issues';
    issues.forEach(function (i) {
      var li = document.createElement('li');
      li.className = i.severity === 'error' ? 'error' : 'warning';
      li.textContent = (i.path ? i.path + ': ' : '') + i.message +
          (i.reference ? ' [' + i.reference + ']' : '');
      ul.appendChild(li);
    });
    live.appendChild(ul);
  }

  // Live validation: the draft as typed, POSTed to the public validator (same origin).
  var timer = null;
  var seq = 0;
  draft.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var text = draft.value;
      var mine = ++seq;
      if (!text.trim()) { show([], ''); return; }
      fetch('/v0.1/validate', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
        body: text
      }).then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      }).then(function (res) {
        if (mine !== seq) return;  // a newer edit is being checked
        if (!res.ok) {
          show([], (res.body && (res.body.detail || res.body.title)) || 'Validation failed.');
          return;
        }
        var issues = Array.isArray(res.body.issues) ? res.body.issues : [];
        show(issues, res.body.valid && !issues.length ? 'The draft is valid.'
            : issues.length + ' issue(s) in the draft:');
      }).catch(function () {
        if (mine === seq) show([], 'Could not reach the validator.');
      });
    }, 600);
  });
})();
