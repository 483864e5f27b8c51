"use strict";
// Prakan report: language switch, and the host list (filtered, paged; rows built with textContent only).
(function () {
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var S = D.strings, CHECKS = D.checks, DETAILS = D.details, HOSTS = D.hosts;
  var STATUSES = D.statuses, SEVERITIES = D.severities, L = D.labels;
  // host row: 0 name, 1 site, 2 platform, 3 role, 4 error, 5 evidence sha, 6 collected, 7 counts, 8 details, 9 sources
  // detail: 0 check, 1 status, 2 severity, 3 expected, 4 actual, 5 reason, 6 [[source, line, text]], 7 waiver
  var PAGE = 50;
  var state = { lang: D.lang, page: 0, matches: [], open: {} };
  var TH_MONTHS = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
    "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"];
  var UI = {
    host: { en: "Host", th: "เครื่อง" }, shown: { en: "hosts match", th: "เครื่องที่ตรงเงื่อนไข" },
    page: { en: "page", th: "หน้า" }, of: { en: "of", th: "จาก" },
    check: { en: "Check", th: "มาตรการ" }, status: { en: "Status", th: "สถานะ" },
    expected: { en: "Expected", th: "ค่าที่ต้องเป็น" }, actual: { en: "Actual", th: "ค่าที่พบ" },
    evidence: { en: "Evidence lines", th: "บรรทัดหลักฐาน" }, reason: { en: "Reason", th: "เหตุผล" },
    sources: { en: "Evidence sources (SHA-256)", th: "แหล่งหลักฐาน (SHA-256)" },
    file: { en: "Evidence file SHA-256", th: "SHA-256 ของไฟล์หลักฐาน" },
    collected: { en: "Collected", th: "เก็บเมื่อ" }, hosterr: { en: "Not assessed", th: "ประเมินไม่ได้" },
    waiver: { en: "Waiver", th: "ข้อยกเว้น" }, all: { en: "show every result", th: "แสดงผลทุกรายการ" },
    matching: { en: "show matching results only", th: "แสดงเฉพาะผลที่ตรงเงื่อนไข" },
    none: { en: "no result", th: "ไม่มีผล" },
    failSince: { en: "failing since", th: "ไม่ผ่านตั้งแต่" }, errSince: { en: "in error since", th: "ผิดพลาดตั้งแต่" },
    run: { en: " run", th: " ครั้ง" }, runs: { en: " runs", th: " ครั้ง" }, checked: { en: "", th: "ตรวจ " }
  };
  var HIST = D.history || null;  // first seen per host and check, when the report was made with history

  function tr(o) { return o[state.lang] || o.en; }
  function lab(k) { return L[k] ? tr(L[k]) : k; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function dateText(iso) {
    if (!iso) return "—";
    if (state.lang !== "th") return iso;
    var m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(iso);
    if (!m) return iso;
    var s = Number(m[3]) + " " + TH_MONTHS[Number(m[2]) - 1] + " " + (Number(m[1]) + 543);
    return m[4] ? s + " เวลา " + m[4] + ":" + m[5] + " น. (UTC)" : s;
  }

  // ---- language --------------------------------------------------------------------------------
  function setLang(lang) {
    state.lang = lang;
    var root = document.documentElement;
    root.lang = lang;
    root.classList.remove("lang-th", "lang-en");
    root.classList.add("lang-" + lang);
    ["th", "en"].forEach(function (l) {
      document.getElementById("lang-" + l).setAttribute("aria-pressed", String(l === lang));
    });
    render();
  }
  document.getElementById("lang-th").addEventListener("click", function () { setLang("th"); });
  document.getElementById("lang-en").addEventListener("click", function () { setLang("en"); });
  document.getElementById("print").addEventListener("click", function () { window.print(); });

  // ---- filters ---------------------------------------------------------------------------------
  var fText = document.getElementById("f-text"), fSite = document.getElementById("f-site");
  var fCheck = document.getElementById("f-check"), fStatus = document.getElementById("f-status");
  var fSev = document.getElementById("f-sev");
  var checkIndex = {};
  CHECKS.forEach(function (c, i) { checkIndex[c[0].toUpperCase()] = i; });

  function detailMatches(d, check, status, sev) {
    return (check < 0 || d[0] === check) && (status < 0 || d[1] === status) && (sev < 0 || d[2] === sev);
  }
  function filter() {
    var text = fText.value.trim().toLowerCase();
    var site = fSite.value;
    var cq = fCheck.value.trim().toUpperCase();
    var check = cq ? (cq in checkIndex ? checkIndex[cq] : -2) : -1;
    var status = fStatus.value ? STATUSES.indexOf(fStatus.value) : -1;
    var sev = fSev.value ? SEVERITIES.indexOf(fSev.value) : -1;
    var out = [];
    for (var i = 0; i < HOSTS.length; i++) {
      var h = HOSTS[i];
      if (site && S[h[1]] !== site) continue;
      if (text) {
        var hay = (S[h[0]] + " " + S[h[1]] + " " + S[h[2]] + " " + S[h[3]]).toLowerCase();
        var names = D.sites[S[h[1]]];
        if (names) hay += " " + (names.en + " " + names.th).toLowerCase();
        if (hay.indexOf(text) < 0) continue;
      }
      if (check === -2) continue;
      if (check >= 0 || status >= 0 || sev >= 0) {
        var ds = h[8], hit = false;
        for (var j = 0; j < ds.length && !hit; j++) hit = detailMatches(DETAILS[ds[j]], check, status, sev);
        if (!hit) continue;
      }
      out.push(i);
    }
    state.matches = out;
    state.page = 0;
    state.filter = { check: check, status: status, sev: sev };
    renderHosts();
  }
  [fText, fCheck].forEach(function (e) { e.addEventListener("input", filter); });
  [fSite, fStatus, fSev].forEach(function (e) { e.addEventListener("change", filter); });
  document.getElementById("prev").addEventListener("click", function () {
    if (state.page > 0) { state.page--; renderHosts(); }
  });
  document.getElementById("next").addEventListener("click", function () {
    if ((state.page + 1) * PAGE < state.matches.length) { state.page++; renderHosts(); }
  });
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a.host-link, a.check-link") : null;
    if (!a) return;
    fText.value = ""; fCheck.value = ""; fStatus.value = ""; fSev.value = ""; fSite.value = "";
    if (a.classList.contains("host-link")) {
      fText.value = a.getAttribute("data-host");
      filter();
      if (state.matches.length) state.open[state.matches[0]] = true;
    } else {
      fCheck.value = a.getAttribute("data-check");
      fStatus.value = "fail";
      filter();
    }
    renderHosts();
  });

  // ---- rendering -------------------------------------------------------------------------------
  function badge(status) { return el("span", "badge s-" + status, lab(status)); }

  function detailTable(h, onlyMatching) {
    var f = state.filter || { check: -1, status: -1, sev: -1 };
    var wrap = el("div", "host-detail");
    var meta = el("p", "muted");
    meta.appendChild(el("span", null, tr(UI.collected) + ": " + dateText(S[h[6]]) + " · " + tr(UI.file) + ": "));
    meta.appendChild(el("span", "hash", S[h[5]] || "—"));
    wrap.appendChild(meta);
    if (S[h[4]]) wrap.appendChild(el("p", "callout bad", tr(UI.hosterr) + ": " + S[h[4]]));
    var t = el("table", "data results");
    var head = el("tr");
    [UI.check, UI.status, UI.expected, UI.actual, UI.evidence].forEach(function (x) { head.appendChild(el("th", null, tr(x))); });
    var thead = el("thead"); thead.appendChild(head); t.appendChild(thead);
    var body = el("tbody");
    var srcHash = {};
    h[9].forEach(function (p) { srcHash[S[p[0]]] = S[p[1]]; });
    var shown = 0;
    h[8].forEach(function (id) {
      var d = DETAILS[id];
      if (onlyMatching && !detailMatches(d, f.check, f.status, f.sev)) return;
      shown++;
      var c = CHECKS[d[0]];
      var row = el("tr", "result s-row-" + STATUSES[d[1]]);
      var tdc = el("td");
      tdc.appendChild(el("code", null, c[0]));
      tdc.appendChild(el("div", "small", state.lang === "th" ? c[3] : c[2]));
      row.appendChild(tdc);
      var tds = el("td"); tds.appendChild(badge(STATUSES[d[1]]));
      tds.appendChild(el("div", "small", lab(SEVERITIES[d[2]])));
      var sn = HIST && HIST.since[S[h[0]]] ? HIST.since[S[h[0]]][c[0]] : null;
      if (sn && (STATUSES[d[1]] === "fail" || STATUSES[d[1]] === "error")) {
        tds.appendChild(el("div", "small since", tr(STATUSES[d[1]] === "fail" ? UI.failSince : UI.errSince) + " " +
          dateText(HIST.whens[String(sn[0])]) + " (" + tr(UI.checked) + sn[1] + tr(sn[1] === 1 ? UI.run : UI.runs) + ")"));
      }
      row.appendChild(tds);
      row.appendChild(el("td", "mono", S[d[3]]));
      var tda = el("td", "mono", S[d[4]]);
      if (S[d[5]]) tda.appendChild(el("div", "reason", tr(UI.reason) + ": " + S[d[5]]));
      if (d[7] >= 0) tda.appendChild(el("div", "reason", tr(UI.waiver) + ": " + S[d[7]]));
      row.appendChild(tda);
      var tde = el("td", "evidence");
      d[6].forEach(function (e) {
        var line = el("div", "ev");
        line.appendChild(el("span", "ev-src", S[e[0]] + ":" + e[1]));
        line.appendChild(el("span", "ev-text", S[e[2]]));
        line.appendChild(el("span", "hash ev-sha", "sha256 " + (srcHash[S[e[0]]] || "—")));
        tde.appendChild(line);
      });
      row.appendChild(tde);
      body.appendChild(row);
    });
    if (!shown) { var r = el("tr"); var td = el("td", "muted", tr(UI.none)); td.colSpan = 5; r.appendChild(td); body.appendChild(r); }
    t.appendChild(body);
    wrap.appendChild(t);
    if (h[9].length) {
      var det = el("details", "sources");
      det.appendChild(el("summary", null, tr(UI.sources)));
      h[9].forEach(function (p) {
        var line = el("div", "ev");
        line.appendChild(el("span", "ev-src", S[p[0]]));
        line.appendChild(el("span", "hash", S[p[1]] || "—"));
        det.appendChild(line);
      });
      wrap.appendChild(det);
    }
    return wrap;
  }

  function renderHosts() {
    var tbody = document.getElementById("host-rows");
    var frag = document.createDocumentFragment();
    var start = state.page * PAGE, end = Math.min(start + PAGE, state.matches.length);
    var f = state.filter || { check: -1, status: -1, sev: -1 };
    var filtered = f.check >= 0 || f.status >= 0 || f.sev >= 0;
    for (var k = start; k < end; k++) {
      var idx = state.matches[k], h = HOSTS[idx];
      var row = el("tr", "host-row" + (S[h[4]] ? " host-error" : ""));
      row.setAttribute("data-host", S[h[0]]);
      var tdn = el("td");
      var btn = el("button", "host-toggle", S[h[0]]);
      btn.type = "button";
      btn.setAttribute("aria-expanded", String(!!state.open[idx]));
      btn.setAttribute("data-idx", String(idx));
      tdn.appendChild(btn);
      if (S[h[4]]) { tdn.appendChild(document.createTextNode(" ")); tdn.appendChild(el("span", "badge s-error", tr(UI.hosterr))); }
      row.appendChild(tdn);
      var site = S[h[1]], names = D.sites[site];
      var tds = el("td", null, site || "—");
      if (names) tds.appendChild(el("div", "small", tr(names)));
      row.appendChild(tds);
      row.appendChild(el("td", null, S[h[2]] + (S[h[3]] ? " / " + S[h[3]] : "")));
      [0, 1, 2, 5, 3].forEach(function (si) { row.appendChild(el("td", "num c-" + STATUSES[si], h[7][si])); });
      frag.appendChild(row);
      if (state.open[idx]) {
        var dr = el("tr", "detail-row");
        var td = el("td"); td.colSpan = 8;
        var onlyMatching = filtered && !state.open["all" + idx];
        if (filtered) {
          var tog = el("button", "link show-all", tr(onlyMatching ? UI.all : UI.matching));
          tog.type = "button"; tog.setAttribute("data-all", String(idx));
          td.appendChild(tog);
        }
        td.appendChild(detailTable(h, onlyMatching));
        dr.appendChild(td);
        frag.appendChild(dr);
      }
    }
    tbody.textContent = "";
    tbody.appendChild(frag);
    var pages = Math.max(1, Math.ceil(state.matches.length / PAGE));
    document.getElementById("host-count").textContent = state.matches.length + " / " + HOSTS.length + " " + tr(UI.shown);
    document.getElementById("page-no").textContent = tr(UI.page) + " " + (state.page + 1) + " " + tr(UI.of) + " " + pages;
  }
  document.getElementById("host-rows").addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest("button") : null;
    if (!b) return;
    if (b.hasAttribute("data-idx")) {
      var i = Number(b.getAttribute("data-idx"));
      state.open[i] = !state.open[i];
    } else if (b.hasAttribute("data-all")) {
      var a = "all" + b.getAttribute("data-all");
      state.open[a] = !state.open[a];
    }
    renderHosts();
  });

  // printing shows every chart's numbers as text
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = [].slice.call(document.querySelectorAll("details.numbers:not([open])"));
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });

  function relabel() {  // the filters' choices in the page's language
    [["f-status", STATUSES], ["f-sev", SEVERITIES]].forEach(function (pair) {
      [].forEach.call(document.getElementById(pair[0]).options, function (o) {
        if (o.value) o.textContent = lab(o.value);
      });
    });
  }

  function render() { relabel(); renderHosts(); }
  relabel();
  filter();
  document.documentElement.classList.add("js");
})();
