// Paste-to-fill: reads the MRZ through the API and fills the registration form.
(function () {
  "use strict";
  function fill(form, name, value) {
    var el = form.querySelector('[name="' + name + '"]');
    if (el && value !== null && value !== undefined && value !== "") { el.value = value; }
  }
  function titleCase(s) {
    return (s || "").toLowerCase().replace(/(^|[\s-])(\S)/g, function (m, p, c) { return p + c.toUpperCase(); });
  }
  // the options' values are ICAO codes (Germany "D"); data-alpha3 is the ISO code where it
  // differs, for a zone that writes "DEU"
  function countryOption(form, name, code) {
    var el = form.querySelector('[name="' + name + '"]');
    if (!el || !code) { return; }
    for (var i = 0; i < el.options.length; i++) {
      var o = el.options[i];
      if (o.value === code || o.getAttribute("data-alpha3") === code) { el.value = o.value; return; }
    }
  }
  function splitZone(text) {
    var width = { 88: 44, 72: 36, 90: 30 }[text.length];
    if (!width) { return [text]; }
    var out = [];
    for (var i = 0; i < text.length; i += width) { out.push(text.slice(i, i + width)); }
    return out;
  }
  function readMrz() {
    var area = document.getElementById("id_mrz");
    var status = document.getElementById("mrz-status");
    var form = document.getElementById("registration-form");
    var lines = area.value.split(/\r?\n/).map(function (l) { return l.replace(/\s+/g, ""); }).filter(Boolean);
    if (lines.length === 1) { lines = splitZone(lines[0]); }  // a scanner that sends no line break
    if (lines.length < 2) {
      status.textContent = area.value.trim() ? (area.getAttribute("data-lines") || "MRZ") : "";
      status.className = "hint mrz-bad";
      return;
    }
    fetch(area.getAttribute("data-mrz-url"), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": document.documentElement.lang },
      body: JSON.stringify({ lines: lines })
    }).then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) {
          status.textContent = res.body.error ? res.body.error.message : "MRZ";
          status.className = "hint mrz-bad";
          return;
        }
        var d = res.body;
        if (d.document_type === "visa") {
          // a visa's zone (MRV-A/B): its number is not the travel document's; fill nothing
          status.textContent = area.getAttribute("data-visa") || "Visa";
          status.className = "hint mrz-bad";
          return;
        }
        fill(form, "surname", titleCase(d.surname));
        fill(form, "given_names", titleCase(d.given_names));
        fill(form, "birth_date", d.birth_date);
        fill(form, "sex", d.sex);
        fill(form, "document_number", d.document_number);
        fill(form, "document_expiry", d.expiry_date);
        // travel_document: a P document of a stateless person or refugee (XXA, XXB, XXC)
        fill(form, "document_type", ["passport", "id_card", "travel_document"].indexOf(d.document_type) >= 0 ? d.document_type : "other");
        countryOption(form, "nationality", d.nationality_alpha2 || d.nationality);
        countryOption(form, "issuing_state", d.issuing_state_alpha2 || d.issuing_state);
        // the failed checks named in the page's language (data-check-* of the text area)
        var bad = (d.checks || []).filter(function (c) { return !c.valid; }).map(function (c) {
          return area.getAttribute("data-check-" + c.name.replace(/_/g, "-")) || c.name;
        });
        status.textContent = bad.length ? (area.getAttribute("data-bad") || "Check digit wrong: ") + bad.join(", ") : (area.getAttribute("data-good") || "✓");
        status.className = bad.length ? "hint mrz-bad" : "hint mrz-ok";
      })
      .catch(function () { status.textContent = ""; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var area = document.getElementById("id_mrz");
    // the host's registration form only (the e-visa form reads its zone on the server)
    if (!area || !document.getElementById("registration-form") || !document.getElementById("mrz-status")) { return; }
    var button = document.getElementById("mrz-read");
    if (button) { button.addEventListener("click", readMrz); }
    area.addEventListener("paste", function () { setTimeout(readMrz, 0); });
    area.addEventListener("change", readMrz);
  });
})();

// A form shown again after a refused submit: the focus on its first invalid field (its
// error is read with it, aria-describedby), or on the error summary when no field is marked.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector("main form [aria-invalid=\"true\"]");
    if (!target) {
      target = document.querySelector("main .errors[role=alert]");
      if (target) { target.setAttribute("tabindex", "-1"); }
    }
    if (target) { target.focus(); }
  });
})();
