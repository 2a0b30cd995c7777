// pv.js: counts page views for pageviews. A site adds one tag:
//   <script defer src="https://collector.example/pv.js"></script>
// Attributes, all optional:
//   data-endpoint     where views go (default: /api/v1/track beside this script)
//   data-site-key     a site key of the collector's --site-keys, sent as the query parameter site_key
//   data-user-id      the page's own user id (default: a random first-party id kept in localStorage)
//   data-keep-params  query parameters kept in page_url, comma-separated (default: none, the path only)
//   data-respect-dnt  "true": count nothing while Do-Not-Track or Global Privacy Control is on
//   data-auto         "false": count only what the page reports with pv('view', url)
// API: pv('view'[, url]) counts a view; pv('user', id) sets the user id; pv('optout') and pv('optin').
// Each view gets its own event_id and stays in a localStorage outbox until the edge has answered for it; a failed
// send is retried with the same id, and the job counts an id once: no view is lost, none is counted twice.
// A view keeps the endpoint (and so the site key) of the page that counted it, whichever page sends it again.
(function (w) {
  'use strict';
  var script = document.currentScript;
  var attr = function (name) {
    return script && script.getAttribute('data-' + name);
  };
  // kept this long at most: well inside the job's 24 h dedup window
  var MAX_AGE = 12 * 3600;
  var memory = {}, sending = {};
  var endpoint, keep, user, last, timer, delay = 1000;

  // Storage may be missing, full or forbidden: then this page keeps what it could not store in memory.
  var load = function (key) {
    try {
      return key in memory ? memory[key] : w.localStorage.getItem(key);
    } catch (e) {
    }
  };
  var save = function (key, value) {
    try {
      w.localStorage.setItem(key, value);
      delete memory[key];
    } catch (e) {
      memory[key] = value;
    }
  };

  // a UUID version 4
  var randomId = function () {
    return ([1e7] + -1e3 + -4e3 + -8e3 + -1e11).replace(/[018]/g, function (c) {
      return (c ^ crypto.getRandomValues(new Uint8Array(1))[0] & 15 >> c / 4).toString(16);
    });
  };

  // a valid user_id: 1 to 256 characters of Unicode text (no control characters, no unpaired surrogates)
  var valid = function (id) {
    return typeof id == 'string' && id.length <= 256
        && /^(?:[^\u0000-\u001f\u007f-\u009f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])+$/.test(id);
  };
  var userId = function () {
    var id = valid(user) ? user : load('pv_uid');
    if (!valid(id)) {
      save('pv_uid', id = randomId());
    }
    return id;
  };

  // page_url: the path, and the query parameters the site keeps; at most 2048 characters
  var pageUrl = function (href) {
    var u = new URL(href, location.href), q = new URLSearchParams();
    keep.forEach(function (name) {
      u.searchParams.getAll(name).forEach(function (value) {
        q.append(name, value);
      });
    });
    return (u.pathname + (keep.length && q.toString() ? '?' + q : '')).slice(0, 2048);
  };

  var outbox = function () {
    try {
      var now = Date.now() / 1000;
      return JSON.parse(load('pv_outbox') || '[]').filter(function (v) {
        return now - v.timestamp < MAX_AGE;
      });
    } catch (e) {
      return [];
    }
  };
  var store = function (views) {
    save('pv_outbox', JSON.stringify(views.slice(-100)));
  };
  // where a view goes, and what is sent: the view without its endpoint
  var target = function (view) {
    return view.to || endpoint;
  };
  var body = function (view) {
    var sent = {};
    Object.keys(view).forEach(function (name) {
      if (name != 'to') {
        sent[name] = view[name];
      }
    });
    return JSON.stringify(sent);
  };

  // text/plain keeps the request simple: no CORS preflight, which could be lost on unload.
  // 2xx: taken; other 4xx than 408 and 429: the view is invalid, sending it again would not help.
  // A view already on its way is not sent twice at once.
  var post = function (view) {
    var id = view.event_id;
    return sending[id] = sending[id] || fetch(target(view), {
      method: 'POST', body: body(view), keepalive: true, credentials: 'omit',
      headers: {'Content-Type': 'text/plain'}
    }).then(function (r) {
      var s = r.status;
      return r.ok || s > 399 && s < 500 && s != 408 && s != 429;
    }, function () {
      return false;
    }).then(function (done) {
      delete sending[id];
      if (done) {
        store(outbox().filter(function (v) {
          return v.event_id != id;
        }));
      }
      return done;
    });
  };

  // Sends every view in the outbox; while some fail, again after 1, 2, 4 ... 30 s.
  var flush = function () {
    clearTimeout(timer);
    Promise.all(outbox().map(post)).then(function (sent) {
      delay = sent.indexOf(false) < 0 ? 1000 : Math.min(delay * 2, 6e4);
      if (delay > 1000) {
        timer = setTimeout(flush, delay / 2);
      }
    });
  };

  var optedOut = function () {
    var n = navigator;
    return load('pv_optout') == '1' || attr('respect-dnt') == 'true'
        && (n.doNotTrack == '1' || w.doNotTrack == '1' || n.globalPrivacyControl === true);
  };

  var count = function (href) {
    if (!optedOut()) {
      var views = outbox();
      views.push({
        user_id: userId(), page_url: pageUrl(href),
        timestamp: Math.floor(Date.now() / 1000), event_id: randomId(), to: endpoint
      });
      store(views);
      flush();
    }
  };

  // counts the current location when its page_url is not the one counted last
  var changed = function () {
    try {
      var url = pageUrl(location.href);
      if (url != last) {
        last = url;
        count(location.href);
      }
    } catch (e) {
    }
  };

  var pv = function (command, value) {
    try {
      if (command == 'view') {
        count(value == null ? location.href : String(value));
      } else if (command == 'user') {
        user = value;
      } else if (/^opt(out|in)$/.test(command)) {
        save('pv_optout', command == 'optout' ? '1' : '0');
      }
    } catch (e) {
    }
  };

  try {
    // data-endpoint as fetch would read it (relative to the page); the default beside the script
    endpoint = new URL(attr('endpoint') || new URL('/api/v1/track', script.src).href, location.href);
    if (attr('site-key')) {
      endpoint.searchParams.set('site_key', attr('site-key'));
    }
    endpoint = endpoint.href;
    keep = (attr('keep-params') || '').split(',').map(function (p) {
      return p.trim();
    }).filter(String);
    user = attr('user-id');
    // calls made before this script ran: window.pv.q = [[command, value], ...]
    var queued = (w.pv && w.pv.q) || [];
    w.pv = pv;
    queued.forEach(function (call) {
      pv(call[0], call[1]);
    });
    if (attr('auto') != 'false') {
      ['pushState', 'replaceState'].forEach(function (name) {
        var original = history[name];
        history[name] = function () {
          var result = original.apply(this, arguments);
          changed();
          return result;
        };
      });
      addEventListener('popstate', changed);
      changed();
    }
    // views that an earlier page could not send
    flush();
    addEventListener('online', flush);
    // Leaving the page: sendBeacon outlives it, but cannot tell whether the edge took a view; so the views stay in
    // the outbox and the next page sends them again, with the same ids.
    addEventListener('pagehide', function () {
      try {
        outbox().forEach(function (view) {
          navigator.sendBeacon(target(view), new Blob([body(view)], {type: 'text/plain'}));
        });
      } catch (e) {
      }
    });
  } catch (e) {
  }
})(window);
