// The clerks' page: one key in localStorage, one document at a time, the report in plain words in
// the clerk's language (Bengali, Hindi or English, remembered). Every word comes from the
// service's catalogs (/page/texts/LANG); a report's checks are said from their message codes.
// Everything from the document is shown with textContent, never parsed as HTML: a document is
// written by whoever presents it.
"use strict";

const KEY = "vc-engine-key";
const LANG = "vc-engine-lang";
const LANGUAGES = ["en", "bn", "hi"];
const MARKS = { passed: "✓", failed: "✗", indeterminate: "?" };
const INDICATIONS = ["PASSED", "FAILED", "INDETERMINATE"];
const SCAN_EVERY_MS = 120;
const $ = (id) => document.getElementById(id);

let said = { texts: {}, doctypes: {} }; // the chosen language's texts and document-type labels
let shown = null; // what the result area shows: { report } or { error: [code, params, detail] }
let verifying = false;
let camera = null; // { stream, timer, canvas } while scanning

// Words

function fill(template, params) {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name) =>
    params && Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

function t(code, params) {
  const template = said.texts[code];
  return template === undefined ? code : fill(template, params);
}

function checkMessage(check) {
  const template = check.messageCode ? said.texts[check.messageCode] : undefined;
  return template === undefined ? check.message : fill(template, check.messageParams || {});
}

function checkName(check) {
  return said.texts["check." + check.name] ?? check.name;
}

function chosenLanguage() {
  const saved = localStorage.getItem(LANG);
  if (LANGUAGES.includes(saved)) return saved;
  const browser = (navigator.language || "en").slice(0, 2).toLowerCase();
  return LANGUAGES.includes(browser) ? browser : "en";
}

async function useLanguage(language) {
  const response = await fetch("/page/texts/" + language);
  if (!response.ok) return;
  said = await response.json();
  localStorage.setItem(LANG, language);
  document.documentElement.lang = language;
  document.title = t("page.title");
  $("lang").value = language;
  for (const node of document.querySelectorAll("[data-text]")) node.textContent = t(node.dataset.text);
  for (const node of document.querySelectorAll("[data-placeholder]")) {
    node.placeholder = t(node.dataset.placeholder);
  }
  showState();
  if (shown && shown.report) renderReport(shown.report);
  if (shown && shown.error) renderError(...shown.error);
  document.documentElement.dataset.ready = language;
}

function showState() {
  $("camera").textContent = t(camera ? "page.camera-stop" : "page.camera-start");
  $("verify").textContent = t(verifying ? "page.verifying" : "page.verify");
  $("verify").disabled = verifying;
}

// The key

function showKey() {
  const saved = localStorage.getItem(KEY);
  $("key-form").hidden = Boolean(saved);
  $("key-saved").hidden = !saved;
}

// Sending a document

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

// The media type of a document given as text: signed XML, a JSON credential, a compact JWT, or
// anything else (the text of a printed QR code) as text/plain, for the service to judge.
function mediaTypeOf(text) {
  const start = text.replace(/^\uFEFF/, "").trimStart();
  if (start.startsWith("<")) return "application/xml";
  if (start.startsWith("{")) return "application/vc+ld+json";
  if (start.startsWith("ey")) return "application/vc+jwt";
  return "text/plain";
}

// PDFs and photos go with their own media type; a text file by what it holds.
async function mediaTypeOfFile(file) {
  const name = file.name.toLowerCase();
  if (file.type === "application/pdf" || name.endsWith(".pdf")) return "application/pdf";
  if (file.type.startsWith("image/")) return file.type;
  if (name.endsWith(".png")) return "image/png";
  if (name.endsWith(".jpg") || name.endsWith(".jpeg")) return "image/jpeg";
  return mediaTypeOf(await file.slice(0, 64).text());
}

async function verify(body, contentType) {
  const key = localStorage.getItem(KEY);
  $("error").hidden = true;
  if (!key) {
    showError("page.error-no-key");
    return;
  }
  verifying = true;
  showState();
  try {
    const response = await fetch("/v1/verify", {
      method: "POST",
      headers: { Authorization: "Bearer " + key, "Content-Type": contentType },
      body,
    });
    const answer = await response.json().catch(() => null);
    if (response.ok && answer) {
      showReport(answer);
    } else {
      showProblem(response.status, answer);
    }
  } catch (error) {
    showError("page.error-unreachable");
  } finally {
    verifying = false;
    $("notice").hidden = true;
    showState();
  }
}

function showProblem(status, problem) {
  const detail = problem && problem.detail ? problem.detail : "";
  if (status === 401) {
    localStorage.removeItem(KEY);
    showKey();
    showError("page.error-key-refused", {}, detail);
  } else if (status === 403) {
    showError("page.error-scope", {}, detail);
  } else if (status === 413) {
    showError("page.error-too-large", {}, detail);
  } else if (status === 415) {
    showError("page.error-unsupported", {}, detail);
  } else if (status === 429) {
    showError("page.error-rate");
  } else {
    showError("page.error-other", { status }, detail);
  }
}

function showError(code, params, detail) {
  shown = { error: [code, params || {}, detail || ""] };
  renderError(...shown.error);
}

function renderError(code, params, detail) {
  $("result").hidden = true;
  $("error").textContent = detail ? t(code, params) + " " + detail : t(code, params);
  $("error").hidden = false;
}

// The report

function showReport(report) {
  shown = { report };
  renderReport(report);
  $("verdict").scrollIntoView({ behavior: "smooth", block: "start" });
}

function renderReport(report) {
  const indication = INDICATIONS.includes(report.indication) ? report.indication : "INDETERMINATE";
  $("verdict").className = "verdict " + indication;
  $("verdict-word").textContent = t("verdict." + indication + ".word");
  const text = t("verdict." + indication + ".text");
  const reason = (report.checks || []).find((c) => c.status !== "passed");
  $("verdict-text").textContent = reason
    ? text + " " + t("verdict.reason", { reason: checkMessage(reason) })
    : text;

  const doc = report.document;
  const labels = (doc && said.doctypes[doc.type]) || { title: "", fields: {}, columns: {} };
  const summary = $("summary");
  summary.replaceChildren();
  const add = (code, value) => {
    if (value === undefined || value === null || value === "") return;
    summary.append(el("dt", t(code)), el("dd", value));
  };
  if (doc) {
    add("page.issued-by", doc.issuer.name + " (" + doc.issuer.id + ")");
    add("page.document", (labels.title || doc.type) + " · " + doc.id);
    add("page.issued-on", doc.issuedAt ? doc.issuedAt.slice(0, 10) : "");
    const until = doc.validUntil || t("page.no-expiry");
    add("page.valid", t("page.valid-range", { from: doc.validFrom, until }));
  }
  add("page.format", report.format);

  const body = $("claims").tBodies[0];
  body.replaceChildren();
  for (const id of ["claims", "claims-title", "claims-help", "doc-title-signed"]) $(id).hidden = !doc;
  if (doc) {
    $("doc-title-signed").textContent = labels.title || doc.type;
    const rows = [...Object.entries(doc.holder || {}), ...Object.entries(doc.claims || {})];
    for (const [name, value] of rows) body.append(claimRow(name, value, labels));
  }

  const checks = $("checks");
  checks.replaceChildren();
  for (const check of report.checks || []) {
    const item = el("li", null, check.status);
    item.append(el("span", MARKS[check.status] || "?", "mark"), el("strong", checkName(check) + ": "));
    item.append(document.createTextNode(checkMessage(check)));
    if (check.code) item.append(el("span", " (" + check.code + ")", "code"));
    checks.append(item);
  }
  for (const warning of report.warnings || []) {
    checks.append(el("li", "⚠ " + warning, "indeterminate"));
  }
  $("error").hidden = true;
  $("result").hidden = false;
}

function spelt(name) {
  return name.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase());
}

function claimRow(name, value, labels) {
  const row = el("tr");
  row.append(el("th", labels.fields[name] || spelt(name)));
  const cell = el("td");
  if (Array.isArray(value)) {
    const names = (labels.columns && labels.columns[name]) || {};
    const table = el("table");
    const columns = [...new Set(value.flatMap((r) => Object.keys(r)))];
    const head = el("tr");
    columns.forEach((c) => head.append(el("th", names[c] || spelt(c))));
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

// Inputs: a file, pasted text, or a QR code seen by the camera

async function pickFile(file) {
  if (!file) return;
  $("paste").value = "";
  verify(new Uint8Array(await file.arrayBuffer()), await mediaTypeOfFile(file));
}

async function startCamera() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    showError("page.camera-failed", { reason: "getUserMedia" });
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment" },
      audio: false,
    });
  } catch (error) {
    showError("page.camera-failed", { reason: error.name || String(error) });
    return;
  }
  camera = { stream, timer: null, canvas: document.createElement("canvas") };
  const video = $("video");
  video.srcObject = stream;
  $("scanner").hidden = false;
  showState();
  await video.play().catch(() => {});
  scan();
}

function stopCamera() {
  if (!camera) return;
  clearTimeout(camera.timer);
  camera.stream.getTracks().forEach((track) => track.stop());
  $("video").srcObject = null;
  $("scanner").hidden = true;
  camera = null;
  showState();
}

// One frame at a time: draw it, look for a QR code, and send its text once one is read.
function scan() {
  if (!camera) return;
  const video = $("video");
  const width = video.videoWidth;
  const height = video.videoHeight;
  if (video.readyState >= 2 && width && height) {
    const canvas = camera.canvas;
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, width, height);
    const image = context.getImageData(0, 0, width, height);
    const found = window.jsQR(image.data, width, height, { inversionAttempts: "attemptBoth" });
    if (found && found.data) {
      stopCamera();
      $("notice").textContent = t("page.camera-found");
      $("notice").hidden = false;
      verify(new TextEncoder().encode(found.data), mediaTypeOf(found.data));
      return;
    }
  }
  camera.timer = setTimeout(scan, SCAN_EVERY_MS);
}

document.addEventListener("DOMContentLoaded", () => {
  showKey();
  useLanguage(chosenLanguage());
  $("lang").addEventListener("change", (e) => useLanguage(e.target.value));
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
  $("camera").addEventListener("click", () => (camera ? stopCamera() : startCamera()));
  $("verify").addEventListener("click", () => {
    const text = $("paste").value;
    if (!text.trim()) {
      showError("page.error-empty");
      return;
    }
    verify(new TextEncoder().encode(text), mediaTypeOf(text));
  });
});
