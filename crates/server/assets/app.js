// The landing page's SPARQL editor: highlighting, completion of prefixes and the ontology's
// terms, running a query against /sparql, the result as a table with links, downloads, and a
// map of results that have coordinates. Written for this page alone, no library; without it
// the form still submits the query to /sparql.
(function () {
  'use strict';
  var dataElement = document.getElementById('kn-data');
  var textarea = document.getElementById('query-text');
  if (!dataElement || !textarea) {
    return;
  }
  var data = JSON.parse(dataElement.textContent);
  var S = data.strings;
  var code = document.getElementById('query-hl');
  var editor = textarea.parentElement;
  var form = document.getElementById('query-form');
  var list = document.getElementById('completions');
  var status = document.getElementById('status');
  var results = document.getElementById('results');
  var resultBox = document.getElementById('result-box');
  var mapBox = document.getElementById('map-box');
  var mapElement = document.getElementById('map');
  var downloadCsv = document.getElementById('download-csv');
  var downloadJson = document.getElementById('download-json');
  var insertPrefixes = document.getElementById('insert-prefixes');
  var WKT = 'http://www.opengis.net/ont/geosparql#wktLiteral';

  function say(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  // A live region of its own for the completion, so that it does not replace the run's status.
  var announce = document.createElement('div');
  announce.className = 'sr-only';
  announce.setAttribute('aria-live', 'polite');
  form.appendChild(announce);

  document.querySelectorAll('.no-script').forEach(function (e) { e.hidden = true; });
  insertPrefixes.hidden = false;
  editor.classList.add('live');

  // Highlighting.
  var KEYWORDS = new Set(('SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED PREFIX BASE OPTIONAL UNION ' +
    'MINUS GRAPH SERVICE SILENT FILTER BIND VALUES AS GROUP BY ORDER HAVING LIMIT OFFSET DISTINCT ' +
    'REDUCED ASC DESC NOT IN EXISTS UNDEF A TRUE FALSE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT ' +
    'SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT ' +
    'STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY ' +
    'HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF ' +
    'STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE INSERT ' +
    'DELETE DATA WITH USING DEFAULT ALL LOAD CLEAR DROP CREATE ADD MOVE COPY TO INTO').split(' '));
  var TOKEN = new RegExp([
    '(#[^\\n]*)',
    '("""[\\s\\S]*?(?:"""|$)|\'\'\'[\\s\\S]*?(?:\'\'\'|$)|"(?:[^"\\\\\\n]|\\\\.)*"?|\'(?:[^\'\\\\\\n]|\\\\.)*\'?)',
    '(<[^<>"{}|^`\\\\\\s]*>)',
    '([?$][\\p{L}\\p{N}_]+)',
    '((?:\\p{L}[\\p{L}\\p{N}_.-]*)?:(?:[\\p{L}\\p{N}_%-](?:[\\p{L}\\p{N}_.%-]*[\\p{L}\\p{N}_%-])?)?)',
    '(\\b\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?\\b)',
    '([\\p{L}_][\\p{L}\\p{N}_]*)'
  ].join('|'), 'gu');
  var CLASSES = [null, 'comment', 'string', 'iri', 'var', 'pname', 'number', 'word'];

  function highlight() {
    var text = textarea.value;
    var out = '';
    var last = 0;
    TOKEN.lastIndex = 0;
    var m;
    while ((m = TOKEN.exec(text)) !== null) {
      if (m[0] === '') {
        TOKEN.lastIndex++;
        continue;
      }
      out += escapeHtml(text.slice(last, m.index));
      var kind = null;
      for (var i = 1; i < m.length; i++) {
        if (m[i] !== undefined) {
          kind = CLASSES[i];
          break;
        }
      }
      if (kind === 'word') {
        kind = KEYWORDS.has(m[0].toUpperCase()) ? 'keyword' : null;
      }
      out += kind ? '<span class="tok-' + kind + '">' + escapeHtml(m[0]) + '</span>' : escapeHtml(m[0]);
      last = TOKEN.lastIndex;
    }
    // A last line break needs a character after it to take its height.
    code.innerHTML = out + escapeHtml(text.slice(last)) + '\n ';
    code.parentElement.scrollTop = textarea.scrollTop;
  }

  textarea.addEventListener('input', function () {
    highlight();
    var word = wordAtCaret();
    if (word.text.indexOf(':') > 0 || (word.text.indexOf(':') === 0 && word.text.length > 1)) {
      complete(false);
    } else {
      closeList();
    }
  });
  textarea.addEventListener('scroll', function () {
    code.parentElement.scrollTop = textarea.scrollTop;
  });

  // Prefixes.
  function declared(query) {
    var found = {};
    var re = /PREFIX\s+([\p{L}\p{N}_.-]*):/giu;
    var m;
    while ((m = re.exec(query)) !== null) {
      found[m[1]] = true;
    }
    return found;
  }

  function addPrefixes(names) {
    var have = declared(textarea.value);
    var lines = '';
    data.prefixes.forEach(function (p) {
      if (names.indexOf(p[0]) >= 0 && !have[p[0]]) {
        lines += 'PREFIX ' + p[0] + ': <' + p[1] + '>\n';
      }
    });
    if (lines) {
      var caret = textarea.selectionStart;
      textarea.value = lines + textarea.value;
      textarea.selectionStart = textarea.selectionEnd = caret + lines.length;
      highlight();
    }
  }

  insertPrefixes.addEventListener('click', function () {
    // Every prefix the query uses and does not declare; with none used, all of them.
    var used = [];
    var re = /(?:^|[\s(^/|,;])(\p{L}[\p{L}\p{N}_.-]*):/gu;
    var m;
    var body = textarea.value.replace(/<[^>\s]*>/g, '').replace(/#[^\n]*/g, '');
    while ((m = re.exec(body)) !== null) {
      used.push(m[1]);
    }
    if (used.length === 0) {
      used = data.prefixes.map(function (p) { return p[0]; });
    }
    addPrefixes(used);
    textarea.focus();
  });

  // Completion.
  var options = [];
  var active = -1;

  function wordAtCaret() {
    var end = textarea.selectionStart;
    var start = end;
    while (start > 0 && /[\p{L}\p{N}_:.-]/u.test(textarea.value.charAt(start - 1))) {
      start--;
    }
    return { start: start, end: end, text: textarea.value.slice(start, end) };
  }

  function candidates(word) {
    var lower = word.toLowerCase();
    var found = [];
    if (word.indexOf(':') >= 0) {
      data.terms.forEach(function (t) {
        if (t.name.toLowerCase().indexOf(lower) === 0) {
          found.push({ text: t.name, kind: S[t.kind], label: t.label });
        }
      });
      return found;
    }
    data.prefixes.forEach(function (p) {
      if (p[0].indexOf(lower) === 0) {
        found.push({ text: p[0] + ':', kind: S.prefix, label: p[1] });
      }
    });
    if (word.length > 0) {
      KEYWORDS.forEach(function (k) {
        if (k.indexOf(word.toUpperCase()) === 0 && k !== 'A') {
          found.push({ text: k, kind: S.keyword, label: '' });
        }
      });
      data.terms.forEach(function (t) {
        var local = t.name.slice(t.name.indexOf(':') + 1).toLowerCase();
        if (local.indexOf(lower) === 0) {
          found.push({ text: t.name, kind: S[t.kind], label: t.label });
        }
      });
    }
    return found;
  }

  function complete(explicit) {
    var word = wordAtCaret();
    if (word.text.charAt(0) === '?' || (!explicit && word.text === '')) {
      closeList();
      return;
    }
    options = candidates(word.text).slice(0, 60);
    list.innerHTML = '';
    if (options.length === 0) {
      closeList();
      announce.textContent = say(S.suggestions, { n: 0 });
      return;
    }
    options.forEach(function (o, i) {
      var li = document.createElement('li');
      li.id = 'completion-' + i;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      var name = document.createElement('span');
      name.textContent = o.text;
      var info = document.createElement('span');
      info.className = 'muted';
      info.textContent = o.kind + (o.label ? ' \u00b7 ' + o.label : '');
      li.appendChild(name);
      li.appendChild(info);
      li.addEventListener('mousedown', function (e) {
        e.preventDefault();
        accept(i);
      });
      list.appendChild(li);
    });
    list.hidden = false;
    select(0);
    announce.textContent = say(S.suggestions, { n: options.length });
  }

  function select(i) {
    var items = list.children;
    if (active >= 0 && items[active]) {
      items[active].setAttribute('aria-selected', 'false');
    }
    active = i;
    if (items[i]) {
      items[i].setAttribute('aria-selected', 'true');
      items[i].scrollIntoView({ block: 'nearest' });
      textarea.setAttribute('aria-activedescendant', items[i].id);
    }
  }

  function closeList() {
    list.hidden = true;
    list.innerHTML = '';
    options = [];
    active = -1;
    textarea.removeAttribute('aria-activedescendant');
  }

  function accept(i) {
    var o = options[i];
    var word = wordAtCaret();
    closeList();
    if (!o) {
      return;
    }
    var before = textarea.value.slice(0, word.start);
    var after = textarea.value.slice(word.end);
    textarea.value = before + o.text + after;
    textarea.selectionStart = textarea.selectionEnd = word.start + o.text.length;
    var colon = o.text.indexOf(':');
    if (colon > 0) {
      addPrefixes([o.text.slice(0, colon)]);
    }
    highlight();
    textarea.focus();
  }

  textarea.addEventListener('keydown', function (e) {
    var open = !list.hidden;
    if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      complete(true);
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      closeList();
      run();
    } else if (open && e.key === 'ArrowDown') {
      e.preventDefault();
      select((active + 1) % options.length);
    } else if (open && e.key === 'ArrowUp') {
      e.preventDefault();
      select((active - 1 + options.length) % options.length);
    } else if (open && e.key === 'Enter') {
      e.preventDefault();
      accept(active);
    } else if (open && e.key === 'Escape') {
      e.preventDefault();
      closeList();
    }
  });
  textarea.addEventListener('blur', closeList);

  // Results.
  function compact(iri) {
    for (var i = 0; i < data.prefixes.length; i++) {
      var p = data.prefixes[i];
      if (iri.indexOf(p[1]) === 0) {
        var local = iri.slice(p[1].length);
        if (local && !/[\/#]/.test(local)) {
          return p[0] + ':' + local;
        }
      }
    }
    return iri;
  }

  // Where a link to an IRI goes: this site's page for its own resources and graphs, else the
  // IRI itself if it is a web address; null for anything else (no `javascript:` links).
  function href(iri) {
    if (iri.indexOf(data.base) === 0) {
      var rest = iri.slice(data.base.length);
      if (rest.indexOf('id/') === 0 || rest.indexOf('graph/') === 0) {
        return '/' + rest;
      }
    }
    return /^https?:\/\//i.test(iri) ? iri : null;
  }

  function cell(term) {
    var td = document.createElement('td');
    if (!term) {
      return td;
    }
    if (term.type === 'uri') {
      var target = href(term.value);
      var text = document.createElement(target ? 'a' : 'code');
      if (target) {
        text.href = target;
      }
      text.textContent = compact(term.value);
      td.appendChild(text);
    } else if (term.type === 'bnode') {
      var b = document.createElement('code');
      b.textContent = '_:' + term.value;
      td.appendChild(b);
    } else {
      td.appendChild(document.createTextNode(term.value));
      var note = term['xml:lang'] ? '@' + term['xml:lang'] : (term.datatype ? compact(term.datatype) : '');
      if (note) {
        var small = document.createElement('small');
        small.className = 'muted';
        small.textContent = ' ' + note;
        td.appendChild(small);
      }
    }
    return td;
  }

  function table(json) {
    var vars = json.head.vars;
    var t = document.createElement('table');
    t.id = 'result-table';
    var head = t.createTHead().insertRow();
    vars.forEach(function (v) {
      var th = document.createElement('th');
      th.scope = 'col';
      th.textContent = v;
      head.appendChild(th);
    });
    var body = t.createTBody();
    json.results.bindings.forEach(function (binding) {
      var row = body.insertRow();
      vars.forEach(function (v) { row.appendChild(cell(binding[v])); });
    });
    return t;
  }

  // Map: points from WKT literals, or from variables named lat/latitude and lon/long/longitude.
  function points(json) {
    var vars = json.head.vars;
    var latVar = vars.find(function (v) { return /^(lat|latitude)$/i.test(v); });
    var lonVar = vars.find(function (v) { return /^(lon|lng|long|longitude)$/i.test(v); });
    var found = [];
    json.results.bindings.forEach(function (b) {
      var lon = null;
      var lat = null;
      vars.forEach(function (v) {
        var t = b[v];
        if (lat === null && t && t.type === 'literal' && t.datatype === WKT) {
          var m = /POINT\s*\(\s*(-?[\d.]+(?:e-?\d+)?)\s+(-?[\d.]+(?:e-?\d+)?)\s*\)/i.exec(t.value);
          if (m) {
            lon = parseFloat(m[1]);
            lat = parseFloat(m[2]);
          }
        }
      });
      if (lat === null && latVar && lonVar && b[latVar] && b[lonVar]) {
        lat = parseFloat(b[latVar].value);
        lon = parseFloat(b[lonVar].value);
      }
      if (lat === null || !isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
        return;
      }
      var link = null;
      var label = null;
      vars.forEach(function (v) {
        var t = b[v];
        if (!t) {
          return;
        }
        if (!link && t.type === 'uri') {
          link = href(t.value);
          label = label || compact(t.value);
        }
        if (t.type === 'literal' && t.datatype !== WKT && !/^-?[\d.]+$/.test(t.value) && (!label || label.indexOf(':') > 0)) {
          label = t.value;
        }
      });
      found.push({ lat: lat, lon: lon, link: link, label: label || (lat + ', ' + lon) });
    });
    return found;
  }

  var SVG = 'http://www.w3.org/2000/svg';
  function svg(name, attributes) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (k) { e.setAttribute(k, attributes[k]); });
    return e;
  }

  // An equirectangular projection around the points' middle latitude: no tiles, only the
  // points on a graticule of degrees.
  function drawMap(pts) {
    mapElement.innerHTML = '';
    var minLat = Infinity, maxLat = -Infinity, minLon = Infinity, maxLon = -Infinity;
    pts.forEach(function (p) {
      minLat = Math.min(minLat, p.lat);
      maxLat = Math.max(maxLat, p.lat);
      minLon = Math.min(minLon, p.lon);
      maxLon = Math.max(maxLon, p.lon);
    });
    var pad = Math.max((maxLat - minLat) * 0.08, (maxLon - minLon) * 0.08, 0.02);
    minLat -= pad; maxLat += pad; minLon -= pad; maxLon += pad;
    var k = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
    var width = 800;
    var spanX = (maxLon - minLon) * k;
    var spanY = maxLat - minLat;
    var height = Math.max(240, Math.min(500, width * spanY / spanX));
    var scale = Math.min(width / spanX, height / spanY);
    var offsetX = (width - spanX * scale) / 2;
    var offsetY = (height - spanY * scale) / 2;
    function x(lon) { return offsetX + (lon - minLon) * k * scale; }
    function y(lat) { return height - offsetY - (lat - minLat) * scale; }
    var root = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img',
      'aria-label': say(S.points, { n: pts.length }) });
    var span = Math.max(maxLat - minLat, maxLon - minLon);
    var steps = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30];
    var step = steps.find(function (s) { return span / s <= 8; }) || 45;
    var digits = step < 0.1 ? 2 : step < 1 ? 1 : 0;
    for (var lon = Math.ceil(minLon / step) * step; lon <= maxLon; lon += step) {
      root.appendChild(svg('line', { class: 'graticule', x1: x(lon), x2: x(lon), y1: 0, y2: height }));
      var tx = svg('text', { class: 'axis', x: x(lon) + 3, y: height - 4 });
      tx.textContent = lon.toFixed(digits) + '\u00b0';
      root.appendChild(tx);
    }
    for (var lat = Math.ceil(minLat / step) * step; lat <= maxLat; lat += step) {
      root.appendChild(svg('line', { class: 'graticule', x1: 0, x2: width, y1: y(lat), y2: y(lat) }));
      var ty = svg('text', { class: 'axis', x: 3, y: y(lat) - 3 });
      ty.textContent = lat.toFixed(digits) + '\u00b0';
      root.appendChild(ty);
    }
    pts.forEach(function (p) {
      var c = svg('circle', { cx: x(p.lon).toFixed(1), cy: y(p.lat).toFixed(1), r: 5 });
      var title = svg('title', {});
      title.textContent = p.label;
      c.appendChild(title);
      if (p.link) {
        c.addEventListener('click', function () { window.location.href = p.link; });
      }
      root.appendChild(c);
    });
    mapElement.appendChild(root);
  }

  function downloads(query) {
    var q = encodeURIComponent(query);
    downloadCsv.href = '/sparql?query=' + q + '&format=csv';
    downloadJson.href = '/sparql?query=' + q + '&format=json';
  }

  function fail(message) {
    status.className = 'error';
    status.textContent = S.error + ': ' + message;
    results.hidden = true;
  }

  var running = null;
  function run() {
    var query = textarea.value;
    if (running) {
      running.abort();
    }
    running = new AbortController();
    status.className = '';
    status.textContent = S.running;
    var started = performance.now();
    fetch('/sparql', {
      method: 'POST',
      headers: {
        'Accept': 'application/sparql-results+json, text/turtle;q=0.9',
        'Content-Type': 'application/x-www-form-urlencoded'
      },
      body: new URLSearchParams({ query: query }),
      signal: running.signal
    }).then(function (response) {
      return response.text().then(function (text) {
        return { response: response, text: text };
      });
    }).then(function (r) {
      running = null;
      if (!r.response.ok) {
        fail(r.response.status + ' ' + r.text.trim());
        return;
      }
      var ms = Math.round(performance.now() - started);
      var type = r.response.headers.get('content-type') || '';
      resultBox.innerHTML = '';
      mapBox.hidden = true;
      downloads(query);
      if (type.indexOf('application/sparql-results+json') === 0) {
        var json = JSON.parse(r.text);
        if (typeof json.boolean === 'boolean') {
          status.textContent = say(S.boolean, { value: json.boolean });
          results.hidden = true;
          return;
        }
        resultBox.appendChild(table(json));
        var pts = points(json);
        if (pts.length > 0) {
          drawMap(pts);
          mapBox.hidden = false;
        }
        status.textContent = say(S.rows, { n: json.results.bindings.length, ms: ms });
      } else {
        var pre = document.createElement('pre');
        pre.className = 'graph-result';
        pre.textContent = r.text;
        resultBox.appendChild(pre);
        status.textContent = S.graph;
      }
      results.hidden = false;
    }).catch(function (e) {
      if (e.name !== 'AbortError') {
        running = null;
        fail(String(e.message || e));
      }
    });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    closeList();
    run();
  });

  document.querySelectorAll('a.example').forEach(function (a) {
    a.addEventListener('click', function (e) {
      var example = data.examples[Number(a.getAttribute('data-example'))];
      if (!example) {
        return;
      }
      e.preventDefault();
      textarea.value = example.query;
      highlight();
      run();
    });
  });

  highlight();
}());
