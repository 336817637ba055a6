// The clerks' page: one key in localStorage, one document at a time, the report in plain words.
// Everything from the document is shown with textContent, never parsed as HTML: a document is
// written by whoever presents it.
"use strict";

const KEY = "vc-engine-key";
const $ = (id) => document.getElementById(id);

const WORDS = {
  PASSED: ["PASSED", "This document is equivalent to the original."],
  FAILED: ["FAILED", "This document is NOT equivalent to the original. Do not accept it."],
  INDETERMINATE: ["NOT CONFIRMED", "This document could not be confirmed. Do not accept it yet."],
};
const MARKS = { passed: "✓", failed: "✗", indeterminate: "?" };

function showKey() {
  const saved = localStorage.getItem(KEY);
  $("key-form").hidden = Boolean(saved);
  $("key-saved").hidden = !saved;
}

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function mediaTypeOf(text) {
  const start = text.replace(/^\uFEFF/, "").trimStart();
  if (start.startsWith("<")) return "application/xml";
  if (start.startsWith("{")) return "application/vc+ld+json";
  return "application/vc+jwt";
}

async function verify(body, contentType) {
  const key = localStorage.getItem(KEY);
  $("error").hidden = true;
  if (!key) {
    showError("Enter the department key first.");
    return;
  }
  const headers = { Authorization: "Bearer " + key };
  if (contentType) headers["Content-Type"] = contentType;
  $("verify").disabled = true;
  $("verify").textContent = "Verifying…";
  try {
    const response = await fetch("/v1/verify", { method: "POST", headers, body });
    const answer = await response.json().catch(() => null);
    if (!response.ok) {
      showProblem(response.status, answer);
      return;
    }
    showReport(answer);
  } catch (error) {
    showError("The service could not be reached. Check the network and try again.");
  } finally {
    $("verify").disabled = false;
    $("verify").textContent = "Verify";
  }
}

function showProblem(status, problem) {
  const detail = problem && problem.detail ? problem.detail : "";
  if (status === 401) {
    showError("The department key was refused. " + detail);
    localStorage.removeItem(KEY);
    showKey();
  } else if (status === 403) {
    showError("This key may not verify documents. " + detail);
  } else if (status === 413) {
    showError("The file is too large. " + detail);
  } else if (status === 429) {
    showError("Too many requests; wait a moment and try again.");
  } else {
    showError("The document could not be sent (" + status + "). " + detail);
  }
}

function showError(message) {
  $("result").hidden = true;
  $("error").textContent = message;
  $("error").hidden = false;
}

function showReport(report) {
  const indication = report.indication in WORDS ? report.indication : "INDETERMINATE";
  const [word, text] = WORDS[indication];
  $("verdict").className = "verdict " + indication;
  $("verdict-word").textContent = word;
  const reason = (report.checks || []).find((c) => c.status !== "passed");
  $("verdict-text").textContent = reason ? text + " Reason: " + reason.message : text;

  const summary = $("summary");
  summary.replaceChildren();
  const doc = report.document;
  const add = (label, value) => {
    if (value === undefined || value === null || value === "") return;
    summary.append(el("dt", label), el("dd", value));
  };
  if (doc) {
    add("Issued by", doc.issuer.name + " (" + doc.issuer.id + ")");
    add("Document", doc.type + " · " + doc.id);
    add("Issued on", doc.issuedAt ? doc.issuedAt.slice(0, 10) : "");
    add("Valid", doc.validFrom + " to " + (doc.validUntil || "no expiry"));
  }
  add("Format", report.format);

  const body = $("claims").tBodies[0];
  body.replaceChildren();
  $("claims").hidden = $("claims-title").hidden = !doc;
  if (doc) {
    for (const [name, value] of Object.entries(doc.holder || {})) body.append(claimRow(name, value));
    for (const [name, value] of Object.entries(doc.claims || {})) body.append(claimRow(name, value));
  }

  const checks = $("checks");
  checks.replaceChildren();
  for (const check of report.checks || []) {
    const item = el("li", null, check.status);
    item.append(el("span", MARKS[check.status] || "?", "mark"), el("strong", check.name + ": "));
    item.append(document.createTextNode(check.message));
    if (check.code) item.append(el("span", " (" + check.code + ")", "code"));
    checks.append(item);
  }
  for (const warning of report.warnings || []) {
    checks.append(el("li", "⚠ " + warning, "indeterminate"));
  }
  $("result").hidden = false;
  $("verdict").scrollIntoView({ behavior: "smooth", block: "start" });
}

function label(name) {
  return name.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase());
}

function claimRow(name, value) {
  const row = el("tr");
  row.append(el("th", label(name)));
  const cell = el("td");
  if (Array.isArray(value)) {
    const table = el("table");
    const columns = [...new Set(value.flatMap((r) => Object.keys(r)))];
    const head = el("tr");
    columns.forEach((c) => head.append(el("th", label(c))));
    table.append(head);
    for (const r of value) {
      const line = el("tr");
      columns.forEach((c) => line.append(el("td", r[c] ?? "")));
      table.append(line);
    }
    cell.append(table);
  } else {
    cell.textContent = String(value);
  }
  row.append(cell);
  return row;
}

function pickFile(file) {
  if (!file) return;
  const form = new FormData();
  form.append("file", file, file.name);
  $("paste").value = "";
  verify(form, null);
}

document.addEventListener("DOMContentLoaded", () => {
  showKey();
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("key-input").value.trim();
    if (value) {
      localStorage.setItem(KEY, value);
      $("key-input").value = "";
      $("error").hidden = true;
      showKey();
    }
  });
  $("key-change").addEventListener("click", () => {
    localStorage.removeItem(KEY);
    showKey();
    $("key-input").focus();
  });
  const drop = $("drop");
  drop.addEventListener("click", () => $("file").click());
  drop.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") $("file").click();
  });
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    pickFile(e.dataTransfer.files[0]);
  });
  $("file").addEventListener("change", (e) => {
    pickFile(e.target.files[0]);
    e.target.value = "";
  });
  $("verify").addEventListener("click", () => {
    const text = $("paste").value;
    if (!text.trim()) {
      showError("Drop or choose a file, or paste the document's text.");
      return;
    }
    verify(new TextEncoder().encode(text), mediaTypeOf(text));
  });
});
